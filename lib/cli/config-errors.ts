// Prints configuration problems the way every command does: one line each, no stack trace.
import { ConfigError, loadConfig, type BridgeConfig, type SourceOptions } from '../config/index.js';

export function reportConfigProblems(problems: readonly string[]): void {
  process.stderr.write(`cas-oidc-bridge: the configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n`);
  for (const problem of problems) process.stderr.write(`  - ${problem}\n`);
}

export function loadConfigOrReport(options: SourceOptions): BridgeConfig | undefined {
  try {
    return loadConfig(options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportConfigProblems(err.problems);
    return undefined;
  }
}
