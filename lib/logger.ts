// Structured JSON logs (pino), readable when stdout is a terminal. Known secret-bearing fields are
// redacted as a safety net; code must still never log a secret, ticket, token, code or cookie.
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

const REDACT = [
  '*.ticket', '*.code', '*.token', '*.access_token', '*.refresh_token', '*.id_token', '*.client_secret',
  '*.password', '*.secret', '*.cookie', '*.pgt', '*.pgtId', 'req.headers.cookie', 'req.headers.authorization',
];

export function createLogger(level: string, options: { pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const opts: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const usePretty = options.pretty ?? (!options.destination && Boolean(process.stdout.isTTY));
  if (usePretty) return pino(opts, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts);
}
