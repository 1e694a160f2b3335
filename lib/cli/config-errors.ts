// Prints configuration problems the way every command does: one line each, no stack trace.
import { ConfigError, loadConfig, type BridgeConfig, type SourceOptions } from '../config/index.js';

export function loadConfigOrReport(options: SourceOptions): BridgeConfig | undefined {
  try {
    return loadConfig(options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`cas-oidc-bridge: the configuration has ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}:\n`);
    for (const problem of err.problems) process.stderr.write(`  - ${problem}\n`);
    return undefined;
  }
}
