// Helpers for configuration specs: a valid baseline, temp directories with a config file, and
// loading through the same entry points the CLI uses (never the process environment).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type BridgeConfig, type SourceOptions } from '../../lib/config/index.js';
import { loadSettings } from '../../lib/config/load.js';
import { resolveConfig } from '../../lib/config/resolve.js';

export const SECRET = 'Zq8vN2xLp4Rt7Kw1Yb5Hc9Jd3Mf6Gs0Ae';
export const CLIENT_SECRET = 'Cl13nt-S3cr3t-Ab7Xy9Qw2Er5Ty8Ui0Op';

/** A complete, valid configuration in the Python service's flat form (as environment strings). */
export function validEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ISSUER: 'https://bridge.example.edu',
    CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
    SECRET_KEY: SECRET,
    CLIENT_ID: 'keycloak',
    CLIENT_SECRET,
    REDIRECT_URI_ALLOWLIST: 'https://sso.example.edu/realms/example/broker/cas/endpoint',
    ...extra,
  };
}

const dirs: string[] = [];

/** A fresh empty directory (removed after the run), so ./config.json of the repo never leaks in. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-config-spec-'));
  dirs.push(dir);
  return dir;
}

export function writeJson(dir: string, name: string, data: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  return path;
}

after(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function configOf(options: SourceOptions): BridgeConfig {
  return loadConfig({ cwd: options.cwd ?? tempDir(), env: {}, ...options });
}

/** Every problem of a configuration (empty when it is valid). */
export function problemsOf(options: SourceOptions): string[] {
  const { problems } = resolveConfig(loadSettings({ cwd: options.cwd ?? tempDir(), env: {}, ...options }));
  return problems;
}

export function configErrorOf(options: SourceOptions): ConfigError {
  try {
    configOf(options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}
