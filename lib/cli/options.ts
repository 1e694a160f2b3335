// Shared option parsing: --config FILE and --help, on top of node:util parseArgs. Mistakes are
// said in plain words (`unknown option --no-prob (did you mean --no-probe?)`), not in the
// parser's own text.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';
import { suggestion } from '../config/words.js';

export interface CommonOptions {
  readonly config: string | undefined;
  readonly help: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

interface ParseOptions {
  /** arguments that are not options are allowed (default: refused) */
  readonly positionals?: boolean;
}

/** The mistake the strict parser found in `args`, in words (undefined when it cannot be told). */
function mistake(args: string[], options: Options): string | undefined {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const longNames = Object.keys(options).map((name) => `--${name}`);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (!option) {
      const near = token.rawName.startsWith('--') ? suggestion(token.rawName, longNames).replace(/`/g, '') : '';
      return `unknown option ${token.rawName}${near}`;
    }
    if (option.type === 'string' && token.value === undefined) return `option --${token.name} needs a value`;
    if (option.type === 'boolean' && token.inlineValue) return `option --${token.name} takes no value`;
  }
  return undefined;
}

export function parseCommandArgs<T extends Options>(args: string[], options: T, parse: ParseOptions = {}) {
  const all = { ...options, config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } satisfies Options;
  let parsed;
  try {
    parsed = parseArgs({ args, options: all, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(mistake(args, all) ?? (err as Error).message);
  }
  if (!(parse.positionals ?? false) && parsed.positionals.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]}" (this command takes options only)`);
  }
  return parsed;
}
