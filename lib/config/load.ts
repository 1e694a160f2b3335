// Reads the configuration sources, later wins: built-in defaults -> JSON file -> environment.
// Each value is coerced and validated on its own here; cross-setting rules live in resolve.ts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { clientEntrySchema } from './clients.js';
import { KindError } from './kinds.js';
import { bridgeWords, pathText, suggestion } from './words.js';
import { parseJsonText } from '../util/json-text.js';
import { SETTINGS, SETTING_NAMES, type RawSettings, type SettingName, type SettingDef } from './settings.js';

export type Origin = 'default' | 'file' | 'env';

export interface LoadedSettings {
  readonly values: RawSettings;
  readonly origins: Partial<Record<SettingName, Origin>>;
  /** the JSON file that was read, if any */
  readonly file: string | undefined;
  /** the file could not be used (unreadable, not JSON): its problem is the only one worth saying */
  readonly fileFailed: boolean;
  /** the working directory relative paths (DATABASE_PATH, TEMPLATE_DIR) are resolved against */
  readonly cwd: string;
  readonly problems: string[];
}

export interface SourceOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** path given with --config; wins over CONFIG_FILE and ./config.json */
  readonly configPath?: string | undefined;
  readonly cwd?: string;
  /** values that win over every source (used by the demo and by tests) */
  readonly overrides?: Partial<Record<SettingName, unknown>>;
}

const FILE_KEYS = new Map<string, SettingName>();
for (const name of SETTING_NAMES) {
  FILE_KEYS.set(name, name);
  const { fileKey } = SETTINGS[name] as SettingDef<unknown>;
  if (fileKey) FILE_KEYS.set(fileKey, name);
}

function coerce(def: SettingDef<unknown>, value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  let input: unknown;
  try {
    input = typeof value === 'string' ? def.kind.fromString(value) : (def.kind.fromJson ?? identity)(value);
  } catch (err) {
    if (err instanceof KindError) return { ok: false, message: err.message };
    throw err;
  }
  if (input === undefined) return { ok: true, value: undefined };
  const parsed = def.kind.schema.safeParse(input, { error: bridgeWords });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? ` at ${pathText('', issue.path).replace(/^\./, '')}` : '';
  return { ok: false, message: `${issue?.message ?? 'invalid value'}${where}` };
}

const identity = (value: unknown): unknown => value;

function readFailure(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such file (ENOENT)';
    case 'EACCES': return `permission denied for the user running this command, uid ${process.getuid?.() ?? '?'} (EACCES)`;
    case 'EISDIR': return 'it is a directory (EISDIR)';
    default: return err.code ?? err.message;
  }
}

function readJsonFile(path: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot be read: ${readFailure(err as NodeJS.ErrnoException)}`);
    return undefined;
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    problems.push(`config file ${path}: ${parsed.problem}`);
    return undefined;
  }
  const data = parsed.value;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`config file ${path}: must hold a JSON object`);
    return undefined;
  }
  return data as Record<string, unknown>;
}

/** Which file to read: --config, else CONFIG_FILE, else ./config.json when it exists. */
export function configFilePath(options: SourceOptions): { path: string | undefined; required: boolean } {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.CONFIG_FILE;
  if (explicit) return { path: resolvePath(cwd, explicit), required: true };
  const implicit = resolvePath(cwd, 'config.json');
  return { path: existsSync(implicit) ? implicit : undefined, required: false };
}

export function loadSettings(options: SourceOptions = {}): LoadedSettings {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const values = {} as Record<SettingName, unknown>;
  const origins: Partial<Record<SettingName, Origin>> = {};

  for (const name of SETTING_NAMES) {
    const def = SETTINGS[name] as SettingDef<unknown>;
    if (def.default !== undefined) {
      values[name] = def.default;
      origins[name] = 'default';
    }
  }

  const set = (name: SettingName, value: unknown, origin: Origin, label: string): void => {
    const def = SETTINGS[name] as SettingDef<unknown>;
    const result = coerce(def, value);
    if (!result.ok) {
      problems.push(`${name}: ${result.message} (${label})`);
      return;
    }
    if (result.value === undefined) return;
    values[name] = result.value;
    origins[name] = origin;
  };

  const { path: file } = configFilePath(options);
  let fileFailed = false;
  if (file) {
    const data = readJsonFile(file, problems);
    fileFailed = !data;
    if (data) {
      for (const [key, value] of Object.entries(data)) {
        if (key.startsWith('$') || key.startsWith('//')) continue; // "$schema", comments
        const name = FILE_KEYS.get(key);
        if (!name) {
          problems.push(unknownFileKey(key, file));
          continue;
        }
        if (value === null) continue;
        set(name, value, 'file', file);
      }
    }
  }

  for (const name of SETTING_NAMES) {
    const raw = env[name];
    if (raw !== undefined) set(name, raw, 'env', 'environment');
  }

  for (const [name, value] of Object.entries(options.overrides ?? {})) {
    if (!(name in SETTINGS)) throw new TypeError(`unknown setting override ${name}`);
    if (value !== undefined) set(name as SettingName, value, 'env', 'override');
  }

  return { values: values as RawSettings, origins, file, fileFailed, cwd: options.cwd ?? process.cwd(), problems };
}

/** An unknown key of the file, with the nearest setting, or where a client's key belongs. */
function unknownFileKey(key: string, file: string): string {
  const near = suggestion(key, FILE_KEYS.keys());
  if (near) return `${key}: unknown setting in ${file}${near}`;
  if (Object.keys(clientEntrySchema.shape).includes(key)) {
    return `${key}: unknown setting in ${file} (\`${key}\` is a key of an entry of \`clients\`, not a setting of its own)`;
  }
  return `${key}: unknown setting in ${file} (the settings are listed in the README's configuration reference)`;
}
