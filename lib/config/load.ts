// Reads the configuration sources, later wins: built-in defaults -> JSON file -> environment.
// Each value is coerced and validated on its own here; cross-setting rules live in resolve.ts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { KindError } from './kinds.js';
import { SETTINGS, SETTING_NAMES, type RawSettings, type SettingName, type SettingDef } from './settings.js';

export type Origin = 'default' | 'file' | 'env';

export interface LoadedSettings {
  readonly values: RawSettings;
  readonly origins: Partial<Record<SettingName, Origin>>;
  /** the JSON file that was read, if any */
  readonly file: string | undefined;
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
    input = typeof value === 'string' ? def.kind.fromString(value) : value;
  } catch (err) {
    if (err instanceof KindError) return { ok: false, message: err.message };
    throw err;
  }
  if (input === undefined) return { ok: true, value: undefined };
  const parsed = def.kind.schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `${issue?.message ?? 'invalid value'}${where}` };
}

function readJsonFile(path: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse messages may quote the text around the error (a secret, perhaps): keep the position only
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    problems.push(`config file ${path}: not valid JSON${position ? ` (${lineAndColumn(text, Number(position))})` : ''}`);
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`config file ${path}: must hold a JSON object`);
    return undefined;
  }
  return data as Record<string, unknown>;
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
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
  if (file) {
    const data = readJsonFile(file, problems);
    if (data) {
      for (const [key, value] of Object.entries(data)) {
        if (key.startsWith('$') || key.startsWith('//')) continue; // "$schema", comments
        const name = FILE_KEYS.get(key);
        if (!name) {
          problems.push(`${key}: unknown setting in ${file}`);
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

  return { values: values as RawSettings, origins, file, problems };
}
