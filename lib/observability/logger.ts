// Structured JSON logs (pino), readable when stdout is a terminal. Known secret-bearing fields are
// redacted as a safety net; code must still never log a secret, ticket, token, code or cookie.
import { pino, type Logger, type LoggerOptions } from 'pino';
import type pinoPretty from 'pino-pretty';
import { lazyModule } from '../util/lazy.js';

export type { Logger };

const pretty = lazyModule<typeof pinoPretty>('pino-pretty');

const REDACT = [
  '*.ticket', '*.code', '*.token', '*.access_token', '*.refresh_token', '*.id_token', '*.client_secret',
  '*.password', '*.secret', '*.cookie', '*.pgt', '*.pgtId', 'req.headers.cookie', 'req.headers.authorization',
  // a database error carries the statement's bound values (token ids are the tokens themselves)
  'err.parameters', 'err.parent.parameters', 'err.original.parameters',
];

/** The MariaDB driver writes a failed statement's values into the error text: `… - parameters:[…]`. */
const PARAMETERS_IN_TEXT = /( - parameters:)[^\n]*/g;

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PARAMETERS_IN_TEXT, '$1[redacted]');
  if (depth > 3 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const opts: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: (err: Error) => scrub(pino.stdSerializers.err(err)) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const usePretty = options.pretty ?? (!options.destination && Boolean(process.stdout.isTTY));
  if (usePretty) return pino(opts, pretty()({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts);
}
