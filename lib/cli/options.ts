// Shared option parsing: --config FILE and --help, on top of node:util parseArgs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';

export interface CommonOptions {
  readonly config: string | undefined;
  readonly help: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends Options>(args: string[], options: T) {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return parsed;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
