// Every `event` a bridge log line carries, with its level and fields: the one list the README's
// log table is generated from (`npm run docs`). spec/ops/log-events.spec.ts fails when the code
// writes an event that is not here, when one here is never written, or when the README differs.

export interface LogEventDoc {
  /** level(s) the line is written at */
  readonly level: string;
  /** what the line means and the fields it carries */
  readonly doc: string;
}

const event = (level: string, doc: string): LogEventDoc => ({ level, doc });

export const LOG_EVENTS = {
  // ---- requests and logins
  request: event('info', 'one per HTTP request: `method`, `path` (query values dropped; names of secret parameters shown as `ticket=…`), `status`, `durationMs`, `requestId` (also sent as `X-Request-Id`; a valid `X-Request-Id` from the trusted proxy is kept)'),
  request_failed: event('error', 'a request failed inside the bridge (answered 500 with the error page): `err`, `requestId`'),
  login: event('info/warn', 'one per login at the CAS step: `client`, `interaction`, `outcome` (`success`, `cas_failure` with `casCode`, `cas_unreachable`, `cas_timeout`, `cas_bad_response`, `renew_not_honoured`, `max_age_exceeded`, `claims_failed`, `no_ticket`, `expired`, `gateway_no_session`), `casUser`, `sub`, `casLatencyMs`; with CAS proxying a warning may carry `casProxy` (`no_pgt`, `callback_not_received`, `pgt_undecryptable`)'),
  consent: event('info', 'the consent page of a client that is not first-party was answered: `client`, `interaction`, `user`, `outcome` (`allowed` with `scopes`, `denied`)'),
  cors_refused: event('info', 'a browser preflight from an origin no client registration allows (answered 403): `route`, `origin`'),
  access_decision: event('info', 'a client\'s access rules: `client`, `user`, `allowed`, `rule` (the rule\'s words, never the user\'s values)'),
  authorization_error: event('info; warn when it points at a client\'s configuration (`invalid_client`, `invalid_redirect_uri`, …)', '`route`, `client`, `error`, `description`, `requestId`; for `invalid_redirect_uri` also `redirectUri` (what the client sent) and `registered` (and `registeredPrefixes`): the page people see names neither'),
  token_error: event('info; warn when it points at a client\'s configuration', '`route`, `client`, `error`, `description`, `requestId`'),
  pkce_method_refused: event('warn', 'an authorization request with a PKCE method other than S256 (Keycloak\'s default `plain`) got a page that says so: `client`, `method`'),
  server_error: event('error', 'oidc-provider met an error of its own: `err`, `path`'),
  cas_ticket_link_failed: event('error', 'the CAS ticket of a login could not be remembered for single logout: `err`'),
  // ---- logout
  logout: event('info/warn/error', 'an RP-initiated logout: `reason` (`rp_logout`), `client`, `user`, `outcome` (`session_ended`, `cas_logout_skipped`; without a bridge session `no_session`, or `refused` with `error`)'),
  cas_single_logout: event('info/warn/error', 'a logout request from CAS: `outcome` (`ended`, `unknown_ticket`, `already_ended`, `malformed`, `too_large`, `refused_address` with `ip`), `notified`, `failed`'),
  backchannel_logout: event('info; warn when failed', 'one per client of an ended session with a back-channel logout URI: `reason` (`rp_logout`, `cas_single_logout`), `client`, `outcome` (`delivered`, `failed` with `error`, `skipped`: the client that asked for the logout, sent nothing)'),
  cas_proxy: event('info/warn/error', 'CAS proxying: the proxy callback (`outcome` `pgt_received`, `bad_callback`, `refused_address`), proxy tickets for clients (`issued`, or why refused), proxy-granting tickets destroyed (`pgt_destroyed`, `reason`)'),
  // ---- configuration
  config_warning: event('warn', 'at start: weak settings accepted in `DEV_MODE`, a public `METRICS_HOST`, … (also after a reload)'),
  config_reloaded: event('info', 'a reload (SIGHUP, `cas-oidc-bridge reload`) applied: `applied` (the settings that changed), `clients` (how many now)'),
  config_reload_failed: event('error', 'a reload was not applied and the bridge keeps its running configuration: one line per problem (`problem`), then one with `problems` (how many)'),
  config_restart_needed: event('warn', 'after a reload: `settings` that changed but apply only at the next start (ports, database, `ISSUER`, secrets, …)'),
  oidc_provider_notice: event('warn/info', 'oidc-provider\'s own notices, e.g. "Unsupported runtime" on Node 20 (written as JSON like every line)'),
  // ---- the process's life
  started: event('info', 'serving: `url`, `issuer`, `database` (the absolute SQLite path, or the URL without credentials); a cluster\'s primary: `workers` and `workerPids`'),
  stopping: event('info', 'SIGTERM/SIGINT received: `signal` (a worker: `reason`)'),
  drained: event('info', 'the requests in flight finished: `durationMs`'),
  shutdown_forced: event('warn', 'requests still running after `SHUTDOWN_TIMEOUT` were cut off: `durationMs`'),
  stopped: event('info', 'the process exits'),
  start_failed: event('error', 'a cluster worker could not start: `err` (the primary exits 1 with the same reason)'),
  migrated: event('info', 'at start: the migrations applied (`migrations`)'),
  keys_resealed: event('info', 'at start: signing keys sealed with a previous `SECRET_KEY` sealed again (`count`)'),
  keys_reloaded: event('info', 'the signing keys changed (a `keys` command, a due promotion or retirement): `signing`, `published` (kids)'),
  keys_reload_failed: event('error', 'the signing keys could not be reloaded; the previous ones stay in use: `err`'),
  cleanup: event('debug', 'expired records purged: `counts` per table'),
  cleanup_failed: event('error', 'the periodic purge failed: `err`'),
  metrics_listening: event('info', 'the metrics listener is up: `url`'),
  metrics_failed: event('error', 'a metrics scrape failed: `err`'),
  cluster_starting: event('info', 'a cluster\'s primary forks its workers: `workers`'),
  worker_ready: event('info', 'a cluster\'s worker serves: `worker`, `workerPid`, `url`'),
  worker_exited: event('info/error', 'a cluster\'s worker is gone: `worker`, `workerPid`, `code`, `signal`, `uptimeMs`, `restartInMs` (when replaced)'),
} as const satisfies Record<string, LogEventDoc>;

export type LogEvent = keyof typeof LOG_EVENTS;

export const LOG_TABLE_START = '<!-- log-events:start (generated by `npm run docs` from lib/observability/events.ts) -->';
export const LOG_TABLE_END = '<!-- log-events:end -->';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function logEventsTable(): string {
  const lines = ['| `event` | Level | Meaning and fields |', '|---|---|---|'];
  for (const [name, doc] of Object.entries(LOG_EVENTS)) lines.push(`| \`${name}\` | ${cell(doc.level)} | ${cell(doc.doc)} |`);
  return lines.join('\n');
}
