// Configuration entry point: load every source, validate, and either return the typed
// configuration or throw one ConfigError that lists every problem.
import { loadSettings, type SourceOptions } from './load.js';
import { resolveConfig, type BridgeConfig } from './resolve.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(options: SourceOptions = {}): BridgeConfig {
  const { config, problems } = resolveConfig(loadSettings(options));
  if (!config) throw new ConfigError(problems);
  return config;
}

export type { BridgeConfig, ClientConfig } from './resolve.js';
export type { SourceOptions, Origin } from './load.js';
export { SETTINGS, SETTING_NAMES, type SettingName, type SettingDef } from './settings.js';
export { secretWeakness, isLoopbackHost, MIN_SECRET_LENGTH } from './resolve.js';
