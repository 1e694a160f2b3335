// Turns validated settings into the bridge's typed configuration: derived defaults, the client
// list, cross-setting rules (cookies that cannot work, weak secrets) and warnings.
import { isIP } from 'node:net';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { availableParallelism } from 'node:os';
import { clientEntrySchema, type ClientAuthMethod, type ClientEntry } from './clients.js';
import { clientKindFindings, corsOrigins, isPublic } from './client-kinds.js';
import type { LoadedSettings } from './load.js';
import type { RawSettings } from './settings.js';
import { OFF_WORDS } from './kinds.js';
import { parseInWords } from './words.js';
import { applicationHome } from './application-home.js';
import { allowlistEntryProblem } from '../http/redirect-match.js';
import { addressEntryProblem } from '../http/address-list.js';
import { proxyTargetProblems, resolveCasProxy, type CasProxyConfig } from './cas-proxy.js';
import { resolveCasProtocol } from './cas-protocol.js';
import { resolveSubject, type SubjectType } from './subjects.js';
import type { CasProtocol } from '../cas/protocol.js';
import { resolveMetrics, resolvePages, type MetricsConfig, type PagesConfig } from './ops.js';
import {
  ClaimsConfigError, claimsSettingSchema, compileAccessRules, compileClaims,
  type AccessPolicy, type CompiledClaims,
} from '../claims/index.js';

export interface ClientConfig {
  readonly clientId: string;
  /** undefined for a public client (`none`) and for `private_key_jwt` */
  readonly clientSecret: string | undefined;
  readonly previousSecrets: readonly string[];
  readonly name: string;
  readonly redirectUris: readonly string[];
  /** compat-form prefix entries (scheme/host/port exact, path prefix on a `/` boundary) */
  readonly redirectUriAllowlist: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** compat-form entries governing post_logout_redirect_uri (the flat form reuses its allowlist) */
  readonly postLogoutAllowlist: readonly string[];
  readonly tokenEndpointAuthMethod: ClientAuthMethod;
  readonly applicationType: 'web' | 'native';
  /** gets its grant without a consent page */
  readonly firstParty: boolean;
  /** browser origins allowed at the token, userinfo, revocation and introspection endpoints */
  readonly allowedOrigins: readonly string[];
  /** public keys of a private_key_jwt client: inline, or where to fetch them */
  readonly jwks: { readonly keys: ReadonlyArray<Record<string, unknown>> } | undefined;
  readonly jwksUri: string | undefined;
  /** granted even when not asked for */
  readonly defaultScopes: readonly string[];
  /** undefined: every scope the bridge knows */
  readonly allowedScopes: readonly string[] | undefined;
  readonly backchannelLogoutUri: string | undefined;
  readonly backchannelLogoutSessionRequired: boolean;
  readonly access: AccessPolicy;
  readonly casProxyTargets: readonly string[];
  /** where the bridge's pages send people back to the application (client_uri, or derived) */
  readonly homeUri: string | undefined;
  readonly subjectType: SubjectType;
  /** the JSON document listing the client's redirect URIs (pairwise clients on several hosts) */
  readonly sectorIdentifierUri: string | undefined;
  /** pairwise only: the host its subs are computed for */
  readonly sector: string | undefined;
  /** where it came from, for messages: `CLIENT_ID` or `clients[2]` */
  readonly where: string;
}

export interface BridgeConfig {
  readonly devMode: boolean;
  readonly issuer: string;
  /** path the provider is mounted at ('' when the issuer has no path) */
  readonly mountPath: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly trustProxy: boolean;
    readonly shutdownTimeoutMs: number;
  };
  readonly cas: {
    readonly protocol: CasProtocol;
    readonly loginUrl: string;
    readonly baseUrl: string;
    readonly validateUrl: string;
    readonly serviceUrl: string;
    readonly serviceUrlPerLogin: boolean;
    readonly timeoutMs: number;
    /** CAS /logout the browser passes through after a logout at the bridge; undefined: off */
    readonly logoutUrl: string | undefined;
    /** CAS proxying; undefined when CAS_PROXY_CALLBACK_URL is not set */
    readonly proxy: CasProxyConfig | undefined;
    /** where CAS's server-to-server requests may come from (CAS_SERVER_ADDRESSES); undefined: anywhere */
    readonly serverAddresses: readonly string[] | undefined;
  };
  readonly clients: readonly ClientConfig[];
  readonly ttl: {
    readonly accessToken: number;
    readonly authorizationCode: number;
    readonly interaction: number;
    readonly session: number;
    readonly refreshToken: number;
  };
  readonly claims: { readonly mapping: CompiledClaims; readonly inIdToken: boolean };
  readonly secrets: { readonly current: string; readonly previous: readonly string[] };
  readonly cookies: { readonly secure: boolean; readonly sameSite: 'lax' | 'none' };
  readonly keys: {
    readonly promoteAfterSeconds: number;
    readonly retireAfterSeconds: number;
    readonly pollIntervalMs: number;
  };
  readonly database: {
    readonly url: string | undefined;
    /** SQLite file, absolute (a relative DATABASE_PATH is resolved against the working directory) */
    readonly path: string;
    /** where the data lives, for messages: the URL without credentials, or the SQLite path */
    readonly shown: string;
    /** the setting and where it points, for messages (no credentials) */
    readonly describe: string;
    readonly poolMax: number;
    readonly acquireTimeoutMs: number;
    readonly cleanupIntervalMs: number;
  };
  /** processes serving requests on this host (`auto` already resolved to the CPU count) */
  readonly workers: number;
  readonly logging: { readonly level: NonNullable<RawSettings['LOG_LEVEL']> };
  readonly metrics: MetricsConfig;
  readonly pages: PagesConfig;
  readonly settings: LoadedSettings;
  readonly warnings: readonly string[];
}

export const MIN_SECRET_LENGTH = 32;
const DEV_SECRET = 'dev-mode-only-insecure-secret-key-do-not-use-in-production';

/**
 * Placeholders from config.example.json, from this README (`<output of: openssl rand …>`) and from
 * the Python service's README.
 */
const PLACEHOLDER = /replace[-_ ]?(with|me)|change[-_ ]?(me|this)|your[-_ ]?(secret|key)|^(secret|password|changeit|example)$|placeholder|xxxxxxxx|^<.*>$|openssl rand/i;

export function secretWeakness(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return 'is missing';
  if (PLACEHOLDER.test(value)) return 'is a placeholder value';
  if (value.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  if (new Set(value).size < 8) return 'has too few distinct characters';
  return undefined;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1';
  return false;
}

/** CAS base URL: the login URL without its last path segment (`…/cas/login` -> `…/cas`). */
export function casBaseUrl(loginUrl: string): string {
  const url = new URL(loginUrl);
  url.search = '';
  url.hash = '';
  url.pathname = url.pathname.replace(/\/[^/]*$/, '');
  return url.href.replace(/\/$/, '');
}

/** True when a problem about this setting is already listed (no follow-on problems). */
const reported = (c: Collector, name: string): boolean => c.problems.some((p) => p.startsWith(`${name}:`));

/** Where a client is defined, in words: `the single client (CLIENT_ID)` or `clients[0]`. */
const clientLabel = (where: string): string => (where === 'CLIENT_ID' ? 'the single client of CLIENT_ID (flat form)' : where);

/** An allowlist entry as it may be shown in a problem: never with a password in it. */
function withoutCredentials(entry: string): string {
  const url = URL.parse(entry);
  if (!url || (!url.username && !url.password)) return entry;
  return `${url.protocol}//…@${url.host}${url.pathname}${url.search}${url.hash}`;
}

interface Collector {
  problems: string[];
  warnings: string[];
}

function resolveIssuer(raw: string | undefined, c: Collector): string | undefined {
  if (!raw) {
    c.problems.push('ISSUER: is required: the public https URL of the bridge, e.g. https://bridge.example.edu');
    return undefined;
  }
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    c.problems.push(
      `ISSUER: must be an absolute https URL such as https://bridge.example.edu (the Python cas-proxy took a bare name `
      + `like "cas-proxy"; an OpenID issuer is the URL clients discover the bridge at)`,
    );
    return undefined;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    c.problems.push('ISSUER: must use https (plain http is allowed only for a loopback host)');
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    c.problems.push('ISSUER: must not carry a query, fragment or credentials');
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

/** Reports a missing or weak secret; answers false when it did. */
function checkSecret(name: string, value: string | undefined, devMode: boolean, c: Collector): boolean {
  const weakness = secretWeakness(value);
  if (!weakness) return true;
  if (devMode) c.warnings.push(`${name} ${weakness}; accepted only because DEV_MODE is on`);
  else c.problems.push(`${name}: ${weakness} (use at least ${MIN_SECRET_LENGTH} random characters, e.g. \`openssl rand -base64 48\`)`);
  return false;
}

function compileAccess(entry: ClientEntry, where: string, c: Collector): AccessPolicy {
  try {
    return compileAccessRules(entry.access as never, `${where}.access`);
  } catch (err) {
    if (err instanceof ClaimsConfigError) {
      c.problems.push(...err.problems);
      return compileAccessRules(undefined, `${where}.access`);
    }
    throw err;
  }
}

function toClientConfig(entry: ClientEntry, where: string, c: Collector, defaultSubjectType: SubjectType): ClientConfig {
  const subject = resolveSubject({
    where,
    subjectType: entry.subject_type,
    defaultType: defaultSubjectType,
    sectorIdentifierUri: entry.sector_identifier_uri,
    redirectUris: [...entry.redirect_uris, ...entry.redirect_uri_allowlist],
    isLoopbackHost,
  });
  c.problems.push(...subject.problems);
  return {
    clientId: entry.client_id,
    clientSecret: entry.client_secret,
    previousSecrets: entry.client_secret_previous,
    name: entry.client_name ?? entry.client_id,
    redirectUris: entry.redirect_uris,
    redirectUriAllowlist: entry.redirect_uri_allowlist,
    postLogoutRedirectUris: entry.post_logout_redirect_uris,
    postLogoutAllowlist: entry.redirect_uri_allowlist,
    tokenEndpointAuthMethod: entry.token_endpoint_auth_method,
    applicationType: entry.application_type,
    firstParty: entry.first_party ?? !isPublic(entry),
    allowedOrigins: corsOrigins(entry),
    jwks: entry.jwks,
    jwksUri: entry.jwks_uri,
    defaultScopes: entry.scope,
    allowedScopes: entry.allowed_scopes,
    backchannelLogoutUri: entry.backchannel_logout_uri,
    backchannelLogoutSessionRequired: entry.backchannel_logout_session_required,
    access: compileAccess(entry, where, c),
    casProxyTargets: entry.cas_proxy_targets,
    homeUri: applicationHome(entry.client_uri, [...entry.redirect_uris, ...entry.redirect_uri_allowlist]),
    ...subject.value,
    where,
  };
}

function resolveClients(v: RawSettings, devMode: boolean, c: Collector): ClientConfig[] {
  const clients: ClientConfig[] = [];
  const subjectType: SubjectType = v.SUBJECT_TYPE === 'pairwise' ? 'pairwise' : 'public';
  const allowlist = [...(v.REDIRECT_URI_ALLOWLIST ?? [])];
  if (v.REDIRECT_URL_MATCH && !allowlist.includes(v.REDIRECT_URL_MATCH)) allowlist.push(v.REDIRECT_URL_MATCH);
  // any of the flat settings means the single-client form was meant: report what it lacks
  const flat = v.CLIENT_ID !== undefined || v.CLIENT_SECRET !== undefined || allowlist.length > 0;
  if (flat) {
    const parsed = parseInWords(clientEntrySchema, {
      client_id: v.CLIENT_ID ?? '',
      client_secret: v.CLIENT_SECRET ?? '',
      client_secret_previous: v.CLIENT_SECRET_PREVIOUS ?? [],
      redirect_uri_allowlist: allowlist.filter((e) => URL.canParse(e)),
      scope: v.CLIENT_SCOPE,
      backchannel_logout_uri: v.CLIENT_BACKCHANNEL_LOGOUT_URI,
    }, 'CLIENT_ID');
    for (const entry of allowlist) {
      const problem = allowlistEntryProblem(entry);
      if (problem) c.problems.push(`REDIRECT_URI_ALLOWLIST: entry "${withoutCredentials(entry)}" ${problem}`);
    }
    if (!v.CLIENT_ID) c.problems.push('CLIENT_ID: is required for the single-client form (CLIENT_SECRET or REDIRECT_URI_ALLOWLIST is set)');
    if (parsed.ok) clients.push(toClientConfig(parsed.data, 'CLIENT_ID', c, subjectType));
    // no client without its id or secret, even in DEV_MODE; still say what is wrong with the secret
    else if (v.CLIENT_SECRET) checkSecret('CLIENT_SECRET', v.CLIENT_SECRET, devMode, c);
    else c.problems.push(`CLIENT_SECRET: is missing (use at least ${MIN_SECRET_LENGTH} random characters, e.g. \`openssl rand -hex 32\`)`);
  }
  (v.CLIENTS ?? []).forEach((raw, i) => {
    const where = `clients[${i}]`;
    const parsed = parseInWords(clientEntrySchema, raw, where);
    if (!parsed.ok) {
      c.problems.push(...parsed.problems);
      // a weak secret is worth reporting with the other mistakes of the entry
      const secret = (raw as { client_secret?: unknown } | null)?.client_secret;
      if (typeof secret === 'string' && secret) checkSecret(`${where}.client_secret`, secret, devMode, c);
      return;
    }
    for (const entry of parsed.data.redirect_uri_allowlist) {
      const problem = allowlistEntryProblem(entry);
      if (problem) c.problems.push(`${where}.redirect_uri_allowlist: entry "${withoutCredentials(entry)}" ${problem}`);
    }
    const kind = clientKindFindings(parsed.data, where, isLoopbackHost);
    c.problems.push(...kind.problems);
    c.warnings.push(...kind.warnings);
    clients.push(toClientConfig(parsed.data, where, c, subjectType));
  });

  const seen = new Map<string, string>();
  for (const client of clients) {
    const first = seen.get(client.clientId);
    if (first) c.problems.push(`${client.where === 'CLIENT_ID' ? 'CLIENT_ID' : `${client.where}.client_id`}: "${client.clientId}" is already the id of ${clientLabel(first)}; every client needs an id of its own`);
    else seen.set(client.clientId, client.where);
    const secretName = client.where === 'CLIENT_ID' ? 'CLIENT_SECRET' : `${client.where}.client_secret`;
    // one line per secret: a placeholder with spaces is reported as a placeholder only
    const secret = client.clientSecret;
    const reportedWeak = secret === undefined || (!checkSecret(secretName, secret, devMode, c) && !devMode);
    if (!reportedWeak && !/^[\x21-\x7e]+$/.test(secret)) {
      c.problems.push(`${secretName}: must be printable ASCII without spaces`);
    } else if (!reportedWeak && client.tokenEndpointAuthMethod !== 'client_secret_jwt' && !/^[A-Za-z0-9._~-]+$/.test(secret)) {
      c.warnings.push(`${secretName} has characters outside [A-Za-z0-9._~-]: Keycloak up to 26.4.1 sends `
        + 'client_secret_basic credentials without form-encoding them, so use client_secret_post there');
    }
    // a weak earlier secret still authenticates the client: accepted for the rotation, but said
    const previousName = client.where === 'CLIENT_ID' ? 'CLIENT_SECRET_PREVIOUS' : `${client.where}.client_secret_previous`;
    client.previousSecrets.forEach((previous, i) => {
      if (secretWeakness(previous)) c.warnings.push(`${previousName}[${i}] is weak; drop it once the rotation is over`);
    });
    if (client.redirectUris.length === 0 && client.redirectUriAllowlist.length === 0 && !reported(c, 'REDIRECT_URI_ALLOWLIST')) {
      const name = client.where === 'CLIENT_ID' ? 'REDIRECT_URI_ALLOWLIST' : `${client.where}.redirect_uris`;
      c.problems.push(`${name}: at least one redirect URI is required for client "${client.clientId}"`);
    }
  }
  if (clients.length === 0 && !flat && !(v.CLIENTS ?? []).length && !reported(c, 'CLIENTS')) {
    c.problems.push('CLIENT_ID: no client is configured (set CLIENT_ID, CLIENT_SECRET and REDIRECT_URI_ALLOWLIST, or a `clients` list)');
  }
  return clients;
}

/** `auto`: one worker per CPU the process may use. */
export function resolveWorkers(value: number | 'auto' | undefined): number {
  if (value === 'auto') return Math.max(1, availableParallelism());
  return value ?? 1;
}

function resolveDatabaseUrl(raw: string | undefined, c: Collector): string | undefined {
  if (!raw) return undefined;
  const protocol = URL.parse(raw)?.protocol;
  if (!['postgres:', 'postgresql:', 'mariadb:', 'mysql:'].includes(protocol ?? '')) {
    c.problems.push('DATABASE_URL: must start with postgres:// (or postgresql://) for PostgreSQL, or mariadb:// (or mysql://, '
      + 'read as mariadb://) for MariaDB; without DATABASE_URL the bridge uses SQLite at DATABASE_PATH');
    return undefined;
  }
  return raw;
}

/** Where the data lives, as messages show it: a server's URL without its credentials, or the path. */
function shownDatabase(url: string | undefined, path: string): string {
  if (!url) return path;
  const shown = URL.parse(url);
  if (!shown) return 'unparsable URL';
  shown.username = '';
  shown.password = '';
  return shown.href;
}

/** The database as messages name it: the setting, where it is, and how a relative path was resolved. */
function describeDatabase(url: string | undefined, rawPath: string, path: string, cwd: string): string {
  if (url) {
    const mysql = URL.parse(url)?.protocol === 'mysql:' ? ', read as MariaDB' : '';
    return `DATABASE_URL (${shownDatabase(url, path)}${mysql})`;
  }
  if (path === ':memory:' || isAbsolute(rawPath)) return `DATABASE_PATH (${path})`;
  return `DATABASE_PATH (${path}: "${rawPath}" is relative to the working directory ${cwd})`;
}

function resolveClaims(raw: unknown, c: Collector): CompiledClaims | undefined {
  const parsed = parseInWords(claimsSettingSchema, raw ?? {}, 'claims');
  if (!parsed.ok) {
    c.problems.push(...parsed.problems);
    return undefined;
  }
  try {
    return compileClaims(parsed.data);
  } catch (err) {
    if (err instanceof ClaimsConfigError) {
      c.problems.push(...err.problems);
      return undefined;
    }
    throw err;
  }
}

export function resolveConfig(loaded: LoadedSettings): { config: BridgeConfig | undefined; problems: string[] } {
  // settings missing because the file could not be read are consequences: say the cause alone
  if (loaded.fileFailed) return { config: undefined, problems: loaded.problems.filter((p) => p.startsWith('config file ')) };
  const v = loaded.values;
  const c: Collector = { problems: [...loaded.problems], warnings: [] };
  const devMode = v.DEV_MODE ?? false;
  if (devMode) c.warnings.push('DEV_MODE is on: weak secrets are accepted. Never run production like this.');

  const issuer = resolveIssuer(v.ISSUER, c);
  const issuerUrl = issuer ? new URL(issuer) : undefined;

  if (!v.CAS_LOGIN_URL && !reported(c, 'CAS_LOGIN_URL')) c.problems.push('CAS_LOGIN_URL: is required, e.g. https://cas.example.edu/cas/login');
  const casBase = v.CAS_LOGIN_URL ? casBaseUrl(v.CAS_LOGIN_URL) : '';

  const serviceUrl = v.SERVICE_URL ?? (issuerUrl ? `${issuerUrl.origin}/callback` : '');
  if (issuerUrl && serviceUrl) {
    const service = new URL(serviceUrl);
    if (service.origin !== issuerUrl.origin) {
      c.problems.push(`SERVICE_URL: must be on the issuer's origin ${issuerUrl.origin}: the bridge serves it and reads its own cookie there`);
    }
    if (service.hash) c.problems.push('SERVICE_URL: must not carry a fragment');
  }

  // secrets
  const secretKey = v.SECRET_KEY ?? (devMode ? DEV_SECRET : undefined);
  checkSecret('SECRET_KEY', v.SECRET_KEY, devMode, c);
  for (const [i, previous] of (v.SECRET_KEY_PREVIOUS ?? []).entries()) {
    if (secretWeakness(previous)) c.warnings.push(`SECRET_KEY_PREVIOUS[${i}] is weak; drop it once the rotation is over`);
  }

  // cookies
  const host = v.HOST ?? '127.0.0.1';
  const trustProxy = v.TRUST_PROXY ?? isLoopbackHost(host);
  const secure = v.COOKIE_SECURE ?? true;
  // a refused value is reported already: no rule is checked against the default standing in for it
  const secureAsGiven = !reported(c, 'COOKIE_SECURE');
  const sameSite = v.COOKIE_SAMESITE ?? 'Lax';
  if (sameSite === 'Strict') {
    c.problems.push('COOKIE_SAMESITE: Strict cannot work: the return from CAS is a cross-site navigation, which drops '
      + 'Strict cookies (use Lax)');
  }
  if (sameSite === 'None' && !secure) c.problems.push('COOKIE_SAMESITE: None requires COOKIE_SECURE=true (browsers drop it otherwise)');
  if (issuerUrl?.protocol === 'http:' && secure && secureAsGiven) {
    c.problems.push('COOKIE_SECURE: is true but ISSUER is plain http: browsers would never send the cookies back. '
      + 'Set COOKIE_SECURE=false for a local http setup, or serve the issuer over https');
  }
  if (issuerUrl?.protocol === 'https:' && secure && !trustProxy && secureAsGiven && !reported(c, 'TRUST_PROXY')) {
    c.problems.push('TRUST_PROXY: ISSUER is https but the bridge serves plain http and does not trust a TLS-terminating '
      + 'proxy; run it behind one (nginx) and set TRUST_PROXY=true');
  }

  if (v.SERVICE_URL_PER_LOGIN === false) {
    c.warnings.push('SERVICE_URL_PER_LOGIN=false: CAS tickets are issued for the fixed SERVICE_URL, so a ticket someone '
      + 'else obtained at CAS can log a browser in as them (login CSRF). Register SERVICE_URL at CAS as a pattern that '
      + 'admits ?login=<id> and remove this setting');
  }
  if (v.REQUIRE_TOKEN_REDIRECT_URI === false) {
    c.warnings.push('REQUIRE_TOKEN_REDIRECT_URI=false is ignored: when the authorization request carried a redirect_uri '
      + 'the token request must repeat it (RFC 6749 section 4.1.3)');
  }

  const clients = resolveClients(v, devMode, c);
  const proxy = resolveCasProxy({
    callbackUrl: v.CAS_PROXY_CALLBACK_URL,
    privateKeyPath: v.CAS_PGT_PRIVATE_KEY,
    proxyUrl: v.CAS_PROXY_URL,
    issuerUrl,
    serviceUrl,
    casBase,
    isLoopbackHost,
  });
  c.problems.push(...proxy.problems);
  c.warnings.push(...proxy.warnings);
  const protocol = resolveCasProtocol({
    protocol: v.CAS_PROTOCOL,
    validateUrl: v.CAS_VALIDATE_URL,
    casBase,
    proxying: v.CAS_PROXY_CALLBACK_URL !== undefined,
  });
  c.problems.push(...protocol.problems);
  c.warnings.push(...protocol.warnings);
  for (const client of clients) {
    c.problems.push(...proxyTargetProblems(client.where, client.casProxyTargets));
    if (client.casProxyTargets.length && v.CAS_PROXY_CALLBACK_URL === undefined) {
      c.warnings.push(`${client.where}.cas_proxy_targets is set but CAS_PROXY_CALLBACK_URL is not: no proxy tickets will be issued`);
    }
  }
  for (const entry of v.CAS_SERVER_ADDRESSES ?? []) {
    const problem = addressEntryProblem(entry);
    if (problem) c.problems.push(`CAS_SERVER_ADDRESSES: entry "${entry}" ${problem}`);
  }
  const databaseUrl = resolveDatabaseUrl(v.DATABASE_URL, c);
  // a relative DATABASE_PATH is relative to the working directory of the process (as in the Python cas-proxy)
  const rawPath = v.DATABASE_PATH ?? 'cas_proxy.sqlite3';
  const databasePath = rawPath === ':memory:' ? rawPath : resolvePath(loaded.cwd, rawPath);
  const claims = resolveClaims(v.CLAIMS, c);
  const pages = resolvePages(v, loaded.cwd, c);
  const metrics = resolveMetrics(v, { host, port: v.PORT ?? 59084 }, isLoopbackHost, c);

  if (c.problems.length || !issuer || !issuerUrl || !v.CAS_LOGIN_URL || !secretKey || !claims) {
    return { config: undefined, problems: c.problems };
  }

  const config: BridgeConfig = {
    devMode,
    issuer,
    mountPath: issuerUrl.pathname === '/' ? '' : issuerUrl.pathname.replace(/\/+$/, ''),
    server: {
      host,
      port: v.PORT ?? 59084,
      trustProxy,
      shutdownTimeoutMs: (v.SHUTDOWN_TIMEOUT ?? 10) * 1000,
    },
    cas: {
      protocol: protocol.value.protocol,
      loginUrl: v.CAS_LOGIN_URL,
      baseUrl: casBase,
      validateUrl: protocol.value.validateUrl,
      serviceUrl,
      serviceUrlPerLogin: v.SERVICE_URL_PER_LOGIN ?? true,
      timeoutMs: Math.round((v.CAS_REQUEST_TIMEOUT ?? 8) * 1000),
      logoutUrl: v.CAS_LOGOUT_URL === undefined ? `${casBase}/logout` : OFF_WORDS.has(v.CAS_LOGOUT_URL.toLowerCase()) ? undefined : v.CAS_LOGOUT_URL,
      proxy: proxy.value,
      serverAddresses: v.CAS_SERVER_ADDRESSES?.length ? v.CAS_SERVER_ADDRESSES : undefined,
    },
    clients,
    ttl: {
      accessToken: v.ACCESS_TOKEN_EXPIRY ?? 1800,
      authorizationCode: v.AUTH_CODE_EXPIRY ?? 300,
      interaction: v.SESSION_EXPIRY ?? 600,
      session: v.SSO_SESSION_EXPIRY ?? 28800,
      refreshToken: v.REFRESH_TOKEN_EXPIRY ?? 1209600,
    },
    claims: { mapping: claims, inIdToken: v.ID_TOKEN_CLAIMS ?? true },
    keys: {
      promoteAfterSeconds: v.KEYS_PROMOTE_AFTER ?? 900,
      retireAfterSeconds: v.KEYS_RETIRE_AFTER ?? Math.max(v.ACCESS_TOKEN_EXPIRY ?? 1800, v.SSO_SESSION_EXPIRY ?? 28800) + 60,
      pollIntervalMs: (v.KEYS_POLL_INTERVAL ?? 5) * 1000,
    },
    secrets: { current: secretKey, previous: v.SECRET_KEY_PREVIOUS ?? [] },
    cookies: { secure, sameSite: sameSite === 'None' ? 'none' : 'lax' },
    database: {
      url: databaseUrl,
      path: databasePath,
      shown: shownDatabase(databaseUrl, databasePath),
      describe: describeDatabase(databaseUrl, rawPath, databasePath, loaded.cwd),
      poolMax: v.DATABASE_POOL_MAX ?? 10,
      acquireTimeoutMs: Math.round((v.DATABASE_POOL_ACQUIRE_TIMEOUT ?? 30) * 1000),
      cleanupIntervalMs: (v.CLEANUP_INTERVAL ?? 300) * 1000,
    },
    workers: resolveWorkers(v.WORKERS),
    logging: { level: v.LOG_LEVEL ?? 'info' },
    metrics,
    pages,
    settings: loaded,
    warnings: c.warnings,
  };
  return { config, problems: [] };
}
