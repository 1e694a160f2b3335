// The single source of every setting: name (environment variable and JSON key), type, default
// and documentation. The loader, the validator, `check-config` and the README's configuration
// table are all driven by this table (spec/config-docs.spec.ts keeps the README in step).
import { z } from 'zod';
import { CAS_PROTOCOLS } from '../cas/protocol.js';
import { kinds, type Kind } from './kinds.js';

export type SettingGroup =
  | 'Core'
  | 'CAS'
  | 'Clients'
  | 'Lifetimes'
  | 'Claims'
  | 'Security'
  | 'Storage'
  | 'Operations'
  | 'Pages';

export interface SettingDef<T> {
  readonly kind: Kind<T>;
  readonly group: SettingGroup;
  readonly doc: string;
  readonly default?: T;
  /** how a derived default is computed, for the docs */
  readonly defaultDoc?: string;
  /** lowercase key accepted in the JSON file for structured values (`clients`, `claims`) */
  readonly fileKey?: string;
  /** the Python cas-proxy used this name with the same meaning */
  readonly compat?: true;
  /** never printed, never logged */
  readonly secret?: true;
}

const setting = <T>(def: SettingDef<T>): SettingDef<T> => def;

/** the most WORKERS (or `start --workers`) accepts */
export const MAX_WORKERS = 256;

export const SETTINGS = {
  // ---- Core
  ISSUER: setting({
    // validated in resolve.ts, which explains the change from the Python service's bare names
    kind: kinds.string(),
    group: 'Core',
    compat: true,
    doc: 'Issuer identifier: the public https URL of the bridge (http only on a loopback host). '
      + 'Discovery is served at `<ISSUER>/.well-known/openid-configuration`.',
  }),
  HOST: setting({ kind: kinds.string(), group: 'Core', compat: true, default: '127.0.0.1', doc: 'Address to listen on.' }),
  PORT: setting({ kind: kinds.int(0, 65535), group: 'Core', compat: true, default: 59084, doc: 'Port to listen on.' }),
  TRUST_PROXY: setting({
    kind: kinds.bool(),
    group: 'Core',
    defaultDoc: '`true` when `HOST` is a loopback address, else `false`',
    doc: 'Trust `X-Forwarded-Proto` (is the request https?) and `X-Forwarded-For` (the client address) from a '
      + 'TLS-terminating reverse proxy in front of the bridge. URLs always come from `ISSUER`, whatever the headers say.',
  }),
  DEV_MODE: setting({
    kind: kinds.bool(),
    group: 'Core',
    default: false,
    doc: 'Development mode: allows missing or weak secrets (with a warning). Never in production.',
  }),

  // ---- CAS
  CAS_LOGIN_URL: setting({
    kind: kinds.url(),
    group: 'CAS',
    compat: true,
    doc: 'CAS login URL, e.g. `https://cas.example.edu/cas/login`. Its parent is the CAS base URL.',
  }),
  CAS_PROTOCOL: setting({
    kind: kinds.oneOf(CAS_PROTOCOLS),
    group: 'CAS',
    defaultDoc: '`cas3`; when unset and `CAS_VALIDATE_URL` ends in `/samlValidate`, `/validate` or `/serviceValidate`, the protocol that path names',
    doc: 'How tickets are validated: `cas3` (`/p3/serviceValidate`, attributes), `cas2` (`/serviceValidate`; attributes only '
      + 'if the server adds them), `saml11` (SOAP POST to `/samlValidate`, attributes; for servers that release attributes '
      + 'only through SAML 1.1), `cas1` (`/validate`, the user name only: no attributes, no proxying). See "CAS protocols" below.',
  }),
  CAS_VALIDATE_URL: setting({
    kind: kinds.url(),
    group: 'CAS',
    compat: true,
    defaultDoc: 'CAS base + `/p3/serviceValidate` (cas3), `/serviceValidate` (cas2; `/proxyValidate` with `CAS_PROXY_CALLBACK_URL`), `/samlValidate` (saml11), `/validate` (cas1)',
    doc: 'Ticket validation URL of the chosen `CAS_PROTOCOL` (attributes are read from its response).',
  }),
  SERVICE_URL: setting({
    kind: kinds.url(),
    group: 'CAS',
    compat: true,
    defaultDoc: '`<ISSUER origin>/callback`',
    doc: 'The service URL registered at CAS. The bridge serves its path: CAS redirects there with the ticket '
      + 'and posts single-logout requests there.',
  }),
  SERVICE_URL_PER_LOGIN: setting({
    kind: kinds.bool(),
    group: 'CAS',
    default: true,
    doc: 'Add the login\'s id to the service URL (`?login=<id>`): a CAS ticket then belongs to the login, and the '
      + 'browser, that asked for it, so a ticket obtained by someone else cannot log this browser in (login CSRF), and '
      + 'several logins in one browser never mix. Needs a CAS service registration that matches by pattern (see '
      + '"What to ask the CAS administrators"). `false` sends the fixed `SERVICE_URL` (exact-match registrations) and '
      + 'loses that protection.',
  }),
  CAS_LOGOUT_URL: setting({
    kind: kinds.urlOrOff(),
    group: 'CAS',
    defaultDoc: 'CAS base + `/logout`',
    doc: 'CAS logout URL. After a logout at the bridge the browser passes through it (`?service=<SERVICE_URL>`) so that '
      + 'the CAS single sign-on session ends too, then returns to the application. `off` skips CAS.',
  }),
  CAS_REQUEST_TIMEOUT: setting({
    kind: kinds.number(0.1),
    group: 'CAS',
    compat: true,
    default: 8,
    doc: 'Seconds allowed for one request to CAS (ticket validation, proxy tickets).',
  }),
  CAS_PROXY_CALLBACK_URL: setting({
    kind: kinds.url(),
    group: 'CAS',
    doc: 'Turns CAS proxying on: the proxy callback URL (`pgtUrl`) sent with ticket validation, on the issuer\'s origin '
      + '(https; http only on a loopback host), e.g. `https://bridge.example.edu/cas/proxy-callback`. The bridge serves its '
      + 'path. Clients then exchange access tokens for CAS proxy tickets (see "CAS proxy tickets" below).',
  }),
  CAS_PGT_PRIVATE_KEY: setting({
    kind: kinds.string(),
    group: 'CAS',
    doc: 'Path to a PEM RSA private key (at least 2048 bits; `cas-oidc-bridge pgt-keygen` makes one): CAS returns the '
      + 'proxy-granting ticket encrypted with its public key in the validation response instead of calling back. '
      + 'Needs `CAS_PROXY_CALLBACK_URL` (CAS creates a PGT only for a validation that carries a `pgtUrl`).',
  }),
  CAS_PROXY_URL: setting({
    kind: kinds.url(),
    group: 'CAS',
    defaultDoc: 'CAS base + `/proxy`',
    doc: 'CAS URL that issues proxy tickets.',
  }),
  CAS_SERVER_ADDRESSES: setting({
    kind: kinds.list(),
    group: 'CAS',
    defaultDoc: '*(any)*',
    doc: 'Addresses CAS calls the bridge from (IPs or CIDR ranges, e.g. `192.0.2.10, 2001:db8::/64`): single-logout '
      + 'POSTs and proxy callbacks from any other address are refused (403). The address is the one `X-Forwarded-For` '
      + 'names when `TRUST_PROXY` is on.',
  }),

  // ---- Clients
  CLIENT_ID: setting({ kind: kinds.string(), group: 'Clients', compat: true, doc: 'Client id of the single client (flat form).' }),
  CLIENT_SECRET: setting({
    kind: kinds.secret(),
    group: 'Clients',
    compat: true,
    secret: true,
    doc: 'Secret of the single client (flat form), at least 32 characters.',
  }),
  CLIENT_SECRET_PREVIOUS: setting({
    kind: kinds.secretList(),
    group: 'Clients',
    secret: true,
    default: [],
    doc: 'Earlier secrets of the single client, still accepted while a rotation is under way.',
  }),
  REDIRECT_URI_ALLOWLIST: setting({
    kind: kinds.list(),
    group: 'Clients',
    compat: true,
    default: [],
    doc: 'Redirect URIs of the single client (JSON array or comma-separated). Scheme, host and port must match '
      + 'exactly; the path matches as a prefix on a `/` boundary. Also governs `post_logout_redirect_uri`.',
  }),
  REDIRECT_URL_MATCH: setting({
    kind: kinds.string(),
    group: 'Clients',
    compat: true,
    doc: 'Older single-entry form of `REDIRECT_URI_ALLOWLIST`.',
  }),
  CLIENT_SCOPE: setting({
    kind: kinds.list(),
    group: 'Clients',
    default: ['openid', 'profile', 'email', 'groups'],
    doc: 'Scopes granted to the single client even when it asks for `openid` alone.',
  }),
  CLIENT_BACKCHANNEL_LOGOUT_URI: setting({
    kind: kinds.url(),
    group: 'Clients',
    doc: 'Back-channel logout URI of the single client (Keycloak: `<realm>/protocol/openid-connect/logout/backchannel-logout`).',
  }),
  CLIENTS: setting({
    kind: kinds.json(z.array(z.unknown()), 'JSON array'),
    group: 'Clients',
    fileKey: 'clients',
    default: [],
    doc: 'Several clients: entries with `client_id`, `client_secret`, `redirect_uris`, `post_logout_redirect_uris`, '
      + '`token_endpoint_auth_method`, `scope`, `backchannel_logout_uri`, `access`, … (see "Clients" below).',
  }),
  SUBJECT_TYPE: setting({
    kind: kinds.oneOf(['public', 'pairwise']),
    group: 'Clients',
    default: 'public',
    doc: 'Default `subject_type` of every client: `public` (`sub` is the mapped CAS user, the same for every client) or '
      + '`pairwise` (OpenID Connect Core 8.1: a different, stable `sub` per sector, the host of the client\'s redirect URIs '
      + 'or of its `sector_identifier_uri`). A client\'s own `subject_type` wins. See "Pairwise subjects" below.',
  }),
  REQUIRE_TOKEN_REDIRECT_URI: setting({
    kind: kinds.bool(),
    group: 'Clients',
    compat: true,
    default: true,
    doc: 'Accepted for compatibility. A token request must repeat the authorization request\'s `redirect_uri` '
      + '(RFC 6749), so `false` only earns a warning.',
  }),

  // ---- Lifetimes
  ACCESS_TOKEN_EXPIRY: setting({ kind: kinds.seconds(), group: 'Lifetimes', compat: true, default: 1800, doc: 'Access token lifetime (seconds).' }),
  AUTH_CODE_EXPIRY: setting({ kind: kinds.seconds(), group: 'Lifetimes', compat: true, default: 300, doc: 'Authorization code lifetime (seconds).' }),
  SESSION_EXPIRY: setting({
    kind: kinds.seconds(),
    group: 'Lifetimes',
    compat: true,
    default: 600,
    doc: 'Lifetime of a login in progress, from leaving for CAS to coming back (seconds).',
  }),
  SSO_SESSION_EXPIRY: setting({ kind: kinds.seconds(), group: 'Lifetimes', default: 28800, doc: 'Lifetime of the bridge\'s own single sign-on session (seconds).' }),
  REFRESH_TOKEN_EXPIRY: setting({ kind: kinds.seconds(), group: 'Lifetimes', default: 1209600, doc: 'Refresh token lifetime (seconds).' }),

  // ---- Claims
  CLAIMS: setting({
    kind: kinds.json(z.unknown(), 'JSON object'),
    group: 'Claims',
    fileKey: 'claims',
    doc: 'Claim mapping: `{ "preset": "default", "claims": { … }, "scopes": { … } }` (see "Claims" below).',
  }),
  ID_TOKEN_CLAIMS: setting({
    kind: kinds.bool(),
    group: 'Claims',
    default: true,
    doc: 'Put the mapped claims in the ID token too (userinfo always carries them).',
  }),

  // ---- Security
  SECRET_KEY: setting({
    kind: kinds.secret(),
    group: 'Security',
    compat: true,
    secret: true,
    doc: 'Root secret (at least 32 characters) for cookie signing and encryption at rest. Tokens are signed with '
      + 'asymmetric keys kept in the database.',
  }),
  SECRET_KEY_PREVIOUS: setting({
    kind: kinds.secretList(),
    group: 'Security',
    secret: true,
    default: [],
    doc: 'Earlier values of `SECRET_KEY`: cookies and data protected with them stay valid during a rotation.',
  }),
  COOKIE_SECURE: setting({ kind: kinds.bool(), group: 'Security', compat: true, default: true, doc: 'Mark cookies Secure.' }),
  COOKIE_SAMESITE: setting({
    kind: kinds.oneOf(['Lax', 'None', 'Strict']),
    group: 'Security',
    compat: true,
    default: 'Lax',
    doc: 'SameSite attribute of cookies: `Lax` or `None` (with Secure). `Strict` cannot work: the return from CAS is a cross-site navigation.',
  }),

  KEYS_PROMOTE_AFTER: setting({
    kind: kinds.seconds(),
    group: 'Security',
    default: 900,
    doc: 'Seconds a key staged by `cas-oidc-bridge keys rotate` is published in JWKS before it signs: longer than any '
      + 'client caches JWKS (Keycloak re-reads it on an unknown kid, at most every 10 s).',
  }),
  KEYS_RETIRE_AFTER: setting({
    kind: kinds.seconds(),
    group: 'Security',
    defaultDoc: 'the longer of `ACCESS_TOKEN_EXPIRY` (the ID token lifetime) and `SSO_SESSION_EXPIRY` (an expired ID token still serves as `id_token_hint` at logout), plus 60',
    doc: 'Seconds a replaced signing key stays published in JWKS, so that what it signed still verifies.',
  }),
  KEYS_POLL_INTERVAL: setting({
    kind: kinds.seconds(),
    group: 'Security',
    default: 5,
    doc: 'Seconds between each process\'s check for signing-key changes (made by another node or the `keys` command) and due promotions and retirements.',
  }),

  // ---- Storage
  DATABASE_PATH: setting({
    kind: kinds.string(),
    group: 'Storage',
    compat: true,
    default: 'cas_proxy.sqlite3',
    doc: 'SQLite database file.',
  }),
  DATABASE_URL: setting({
    kind: kinds.url(),
    group: 'Storage',
    secret: true,
    doc: '`postgres://…` or `mariadb://…`; wins over `DATABASE_PATH`. Needed when several machines serve one issuer.',
  }),
  DATABASE_POOL_MAX: setting({
    kind: kinds.int(1, 1000),
    group: 'Storage',
    default: 10,
    doc: 'Largest number of database connections per process (PostgreSQL, MariaDB). Each worker and each node has '
      + 'its own pool: keep `nodes × WORKERS × DATABASE_POOL_MAX` under the server\'s connection limit.',
  }),
  DATABASE_POOL_ACQUIRE_TIMEOUT: setting({
    kind: kinds.number(0.1),
    group: 'Storage',
    default: 30,
    doc: 'Seconds a request waits for a free database connection before it fails with a 500 (PostgreSQL, MariaDB).',
  }),
  CLEANUP_INTERVAL: setting({ kind: kinds.seconds(), group: 'Storage', default: 300, doc: 'Seconds between purges of expired records.' }),

  // ---- Operations
  WORKERS: setting({
    kind: kinds.countOrAuto(MAX_WORKERS),
    group: 'Operations',
    default: 1,
    doc: 'Processes serving requests on this host (node:cluster, one shared port and database). `auto`: one per CPU. '
      + 'The primary process migrates the database, restarts a worker that dies and serves the metrics of all. '
      + '`start --workers N` overrides it.',
  }),
  LOG_LEVEL: setting({
    kind: kinds.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    group: 'Operations',
    default: 'info',
    doc: 'Log level (JSON lines; readable when the output is a terminal).',
  }),
  SHUTDOWN_TIMEOUT: setting({ kind: kinds.seconds(), group: 'Operations', default: 10, doc: 'Seconds allowed for requests in flight to finish on SIGTERM/SIGINT.' }),
  METRICS_PORT: setting({
    kind: kinds.int(1, 65535),
    group: 'Operations',
    defaultDoc: '*(off)*',
    doc: 'Serve Prometheus metrics at `http://METRICS_HOST:METRICS_PORT/metrics`, a listener separate from the '
      + 'bridge\'s own port. Off when unset.',
  }),
  METRICS_HOST: setting({
    kind: kinds.string(),
    group: 'Operations',
    default: '127.0.0.1',
    doc: 'Address of the metrics listener. Anything but loopback earns a warning: metrics are not for the public.',
  }),

  // ---- Pages
  BRAND_NAME: setting({ kind: kinds.string(), group: 'Pages', default: 'CAS OIDC Bridge', doc: 'Name shown in the header and title of the bridge\'s pages.' }),
  BRAND_LOGO_URL: setting({
    kind: kinds.url(),
    group: 'Pages',
    doc: 'Logo shown beside the name: an `https:` URL or a `data:image/…` URL (pages load nothing else from outside).',
  }),
  BRAND_COLOR: setting({
    kind: kinds.string(),
    group: 'Pages',
    default: '#1f4e8c',
    doc: 'Header and button colour, `#rgb` or `#rrggbb`. Text on it is white or black, whichever reads better.',
  }),
  TEMPLATE_DIR: setting({
    kind: kinds.string(),
    group: 'Pages',
    doc: 'Directory of the admin\'s own templates, overriding the built-in `views/` file by file (`error.eta`, '
      + '`layout.eta`, …), and texts key by key (`locales/en.json`, `locales/zh-CN.json`).',
  }),
} as const satisfies Record<string, SettingDef<unknown>>;

export type SettingName = keyof typeof SETTINGS;
type ValueOf<D> = D extends SettingDef<infer T> ? T : never;
/** Values after merging sources and validating each one; derived defaults are not applied yet. */
export type RawSettings = { -readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> | undefined };

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
