// oidc-provider prints its notices as plain text on the console ("oidc-provider WARNING: Unsupported
// runtime…" when it is imported on Node 20, "oidc-provider NOTICE: …" for defaults it wants
// changed). In a JSON log stream such a line breaks log pipelines. These lines are caught before
// oidc-provider is imported and written by the bridge's logger as one JSON line each (event
// `oidc_provider_notice`); every other console output passes through unchanged.
import type { Logger } from './logger.js';

interface Notice {
  readonly level: 'warn' | 'info';
  readonly text: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const NOTICE = /^oidc-provider (WARNING|NOTICE): ([\s\S]*)$/;

let captured = false;
let sink: Logger | undefined;
const waiting: Notice[] = [];

function write(logger: Logger, notice: Notice): void {
  logger[notice.level]({ event: 'oidc_provider_notice' }, notice.text);
}

/** Catches oidc-provider's console notices from now on (call before oidc-provider is imported). */
export function captureProviderNotices(): void {
  if (captured) return;
  captured = true;
  for (const method of ['warn', 'info'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      const first = typeof args[0] === 'string' ? args[0].replace(ANSI, '') : undefined;
      const match = args.length === 1 && first ? NOTICE.exec(first) : null;
      if (!match) {
        original(...args);
        return;
      }
      const notice: Notice = { level: match[1] === 'WARNING' ? 'warn' : 'info', text: match[2] ?? '' };
      if (sink) write(sink, notice);
      else waiting.push(notice);
    };
  }
}

/** From now on notices go to `logger`; those caught before it existed are written now. */
export function sendProviderNoticesTo(logger: Logger): void {
  sink = logger;
  for (const notice of waiting.splice(0)) write(logger, notice);
}
