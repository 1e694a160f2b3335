// Rules for the kinds of client an entry describes: confidential (a secret or a key), public
// (browser and native apps, RFC 8252), and key-based authentication (RFC 7523). Pure: an entry in,
// problems (refuse to start) and warnings out, one line each, named after the key to fix.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { ClientEntry } from './clients.js';

/** Algorithms oidc-provider accepts for client assertions by default (enabledJWA). */
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'] as const;
export const CLIENT_SECRET_JWT_ALGS = ['HS256'] as const;

const SECRET_METHODS = new Set(['client_secret_post', 'client_secret_basic', 'client_secret_jwt']);
/** oidc-provider refuses these schemes as redirect URIs */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'about:']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export interface KindFindings {
  readonly problems: string[];
  readonly warnings: string[];
}

export const isPublic = (entry: Pick<ClientEntry, 'token_endpoint_auth_method'>): boolean => entry.token_endpoint_auth_method === 'none';

/** `scheme://host[:port]` of an http(s) URL given as an origin, or undefined when it is more or less. */
export function originOf(value: string): string | undefined {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return undefined;
  return url.origin;
}

/**
 * Browser origins allowed at the token, userinfo, revocation and introspection endpoints: the
 * explicit `allowed_origins` when given; otherwise, for a public browser app, the origins of its
 * redirect URIs; otherwise none (a confidential client calls from its server).
 */
export function corsOrigins(entry: ClientEntry): string[] {
  if (entry.allowed_origins) return [...new Set(entry.allowed_origins.flatMap((o) => originOf(o) ?? []))];
  if (!isPublic(entry) || entry.application_type === 'native') return [];
  return [...new Set(entry.redirect_uris.flatMap((uri) => {
    const url = URL.parse(uri);
    return url && (url.protocol === 'https:' || url.protocol === 'http:') ? [url.origin] : [];
  }))];
}

/** Why a JWK cannot authenticate a private_key_jwt client, or undefined when it can. */
export function jwkProblem(key: Record<string, unknown>): string | undefined {
  if (PRIVATE_MEMBERS.some((m) => m in key)) {
    return key.kty === 'oct'
      ? 'is a symmetric key: private_key_jwt takes public keys (a shared secret is client_secret_jwt)'
      : 'contains private key material: give the public key only (the private key stays with the client)';
  }
  if (key.use !== undefined && key.use !== 'sig') return `has "use": "${String(key.use)}": client authentication needs a signing key ("sig")`;
  if (key.alg !== undefined && !(PRIVATE_KEY_JWT_ALGS as readonly unknown[]).includes(key.alg)) {
    return `has "alg": "${String(key.alg)}": the bridge accepts ${PRIVATE_KEY_JWT_ALGS.join(', ')}`;
  }
  let details;
  try {
    details = createPublicKey({ key: key as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails ?? {};
  } catch {
    return 'is not a valid public JWK';
  }
  if (key.kty === 'RSA') {
    const bits = details.modulusLength ?? 0;
    return bits >= 2048 ? undefined : `is an RSA key of ${bits} bits: at least 2048 are required`;
  }
  if (key.kty === 'EC') return key.crv === 'P-256' ? undefined : `is an EC key on ${String(key.crv)}: the bridge accepts P-256 (ES256)`;
  if (key.kty === 'OKP') return key.crv === 'Ed25519' ? undefined : `is an OKP key on ${String(key.crv)}: the bridge accepts Ed25519`;
  return `has "kty": "${String(key.kty)}": use an RSA, EC P-256 or Ed25519 key`;
}

function authenticationFindings(entry: ClientEntry, where: string, isLoopbackHost: (host: string) => boolean, f: KindFindings): void {
  const method = entry.token_endpoint_auth_method;
  if (isPublic(entry)) {
    if (entry.client_secret !== undefined) {
      f.problems.push(`${where}.client_secret: a public client (token_endpoint_auth_method "none") has no secret: remove it, or choose a method that uses one`);
    }
    if (entry.client_secret_previous.length) f.problems.push(`${where}.client_secret_previous: a public client has no secret: remove it`);
  } else if (SECRET_METHODS.has(method) && entry.client_secret === undefined) {
    f.problems.push(`${where}.client_secret: is required with token_endpoint_auth_method "${method}" (an app that cannot keep a secret is a public client: "none")`);
  }
  if (method === 'private_key_jwt') {
    if (entry.client_secret !== undefined) f.problems.push(`${where}.client_secret: is not used with private_key_jwt (the client signs with its key): remove it`);
    if (!entry.jwks && !entry.jwks_uri) f.problems.push(`${where}.jwks: private_key_jwt needs the client's public keys: "jwks" (inline) or "jwks_uri"`);
    if (entry.jwks && entry.jwks_uri) f.problems.push(`${where}.jwks_uri: give "jwks" or "jwks_uri", not both`);
  } else if (entry.jwks || entry.jwks_uri) {
    f.problems.push(`${where}.${entry.jwks ? 'jwks' : 'jwks_uri'}: keys are used only with token_endpoint_auth_method "private_key_jwt"`);
  }
  entry.jwks?.keys.forEach((key, i) => {
    const problem = jwkProblem(key);
    if (problem) f.problems.push(`${where}.jwks.keys[${i}]: ${problem}`);
  });
  if (entry.jwks_uri) {
    const url = new URL(entry.jwks_uri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      f.problems.push(`${where}.jwks_uri: must be https (plain http only on a loopback host)`);
    }
  }
}

function redirectFindings(entry: ClientEntry, where: string, f: KindFindings): void {
  if (isPublic(entry) && entry.redirect_uri_allowlist.length) {
    f.problems.push(`${where}.redirect_uri_allowlist: prefixes are not accepted for a public client: list its exact redirect_uris`);
  }
  for (const uri of entry.redirect_uris) {
    const url = new URL(uri);
    const web = url.protocol === 'https:' || url.protocol === 'http:';
    if (entry.application_type === 'web') {
      if (!web) f.problems.push(`${where}.redirect_uris: "${uri}" is not a web URL (a private-use scheme belongs to application_type "native")`);
      continue;
    }
    if (url.protocol === 'http:') {
      if (url.hostname === 'localhost') f.warnings.push(`${where}.redirect_uris: "${uri}": RFC 8252 8.3 recommends the loopback IP http://127.0.0.1 over localhost`);
      else if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') {
        f.problems.push(`${where}.redirect_uris: "${uri}": a native app's http redirect must be on the loopback IP (http://127.0.0.1/… or http://[::1]/…, any port; RFC 8252 7.3)`);
      }
    } else if (url.protocol === 'https:') {
      if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) f.problems.push(`${where}.redirect_uris: "${uri}": a loopback redirect uses http (RFC 8252 7.3)`);
    } else if (FORBIDDEN_SCHEMES.has(url.protocol)) {
      f.problems.push(`${where}.redirect_uris: "${uri}": the ${url.protocol.slice(0, -1)} scheme cannot be a redirect URI`);
    } else if (!url.protocol.slice(0, -1).includes('.')) {
      f.problems.push(`${where}.redirect_uris: "${uri}": a private-use scheme must be a reverse domain name such as com.example.app (RFC 8252 7.1)`);
    }
  }
}

export function clientKindFindings(entry: ClientEntry, where: string, isLoopbackHost: (host: string) => boolean): KindFindings {
  const f: KindFindings = { problems: [], warnings: [] };
  authenticationFindings(entry, where, isLoopbackHost, f);
  redirectFindings(entry, where, f);
  if (entry.application_type === 'native' && !isPublic(entry)) {
    f.warnings.push(`${where}: a native app cannot keep a secret or key that ships with it (RFC 8252 8.5); register it with token_endpoint_auth_method "none"`);
  }
  for (const origin of entry.allowed_origins ?? []) {
    if (origin === '*') f.problems.push(`${where}.allowed_origins: "*" is not accepted: list each origin`);
    else if (!originOf(origin)) f.problems.push(`${where}.allowed_origins: "${origin}" is not an origin (scheme://host[:port], without a path)`);
  }
  return f;
}
