// Configured clients as oidc-provider static clients, plus the two policies oidc-provider does not
// have: compat-form redirect allowlists (prefix on a `/` boundary) and previous client secrets.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientMetadata, Provider } from 'oidc-provider';
import type { ClientConfig } from '../config/index.js';
import { allowlistMatches, compileAllowlist, type AllowlistEntry } from '../http/redirect-match.js';
import { scopesAllowedFor } from './scopes.js';

export const BRIDGE_GRANT_TYPES = ['authorization_code', 'refresh_token'];

export function clientMetadata(client: ClientConfig, knownScopes: ReadonlySet<string>, extraGrantTypes: readonly string[] = []): ClientMetadata {
  const metadata: ClientMetadata = {
    client_id: client.clientId,
    // what the client may obtain at all: oidc-provider refuses more (invalid_scope) on every path
    scope: [...scopesAllowedFor(client, knownScopes)].join(' '),
    client_name: client.name,
    // allowlist entries are valid redirect URIs themselves; longer paths are admitted below
    redirect_uris: [...new Set([...client.redirectUris, ...client.redirectUriAllowlist])],
    post_logout_redirect_uris: [...new Set([...client.postLogoutRedirectUris, ...client.postLogoutAllowlist])],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    grant_types: [...BRIDGE_GRANT_TYPES, ...extraGrantTypes],
    response_types: ['code'],
    // native: loopback redirect URIs match on any port (RFC 8252 7.3), private-use schemes allowed
    application_type: client.applicationType,
    // auth_time in every ID token (Keycloak wants it whenever max_age is used; harmless otherwise)
    require_auth_time: true,
  };
  if (client.clientSecret !== undefined) metadata.client_secret = client.clientSecret;
  if (client.jwks) metadata.jwks = { keys: client.jwks.keys.map((k) => ({ ...k })) };
  if (client.jwksUri) metadata.jwks_uri = client.jwksUri;
  if (client.subjectType === 'pairwise') metadata.subject_type = 'pairwise';
  // oidc-provider takes https sector URIs only, and reads nothing but their host (it does not fetch
  // them: sector.ts does, at start); a loopback http one (development) reaches it in https form
  if (client.sectorIdentifierUri) metadata.sector_identifier_uri = client.sectorIdentifierUri.replace(/^http:/, 'https:');
  if (client.backchannelLogoutUri) {
    metadata.backchannel_logout_uri = client.backchannelLogoutUri;
    metadata.backchannel_logout_session_required = client.backchannelLogoutSessionRequired;
  }
  return metadata;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

interface ClientPolicy {
  readonly redirect: AllowlistEntry[];
  readonly postLogout: AllowlistEntry[];
  readonly previousSecrets: Buffer[];
}

/**
 * Extends redirect and secret checks on this provider's Client class. The originals still run
 * first (exact match, current secret); these only admit what the configuration adds.
 */
export function installClientPolicies(provider: Provider, clients: readonly ClientConfig[]): void {
  const policies = new Map<string, ClientPolicy>(clients.map((c) => [c.clientId, {
    redirect: compileAllowlist(c.redirectUriAllowlist),
    postLogout: compileAllowlist(c.postLogoutAllowlist),
    previousSecrets: c.previousSecrets.map(digest),
  }]));
  const proto = provider.Client.prototype as unknown as {
    clientId: string;
    redirectUriAllowed(uri: string): boolean;
    postLogoutRedirectUriAllowed(uri: string): boolean;
    compareClientSecret(actual: string): boolean | Promise<boolean>;
    includeSid(): boolean;
  };
  const { redirectUriAllowed, postLogoutRedirectUriAllowed, compareClientSecret } = proto;

  proto.redirectUriAllowed = function redirectAllowed(uri) {
    if (redirectUriAllowed.call(this, uri)) return true;
    const policy = policies.get(this.clientId);
    return policy ? allowlistMatches(policy.redirect, uri) : false;
  };
  proto.postLogoutRedirectUriAllowed = function postLogoutAllowed(uri) {
    if (postLogoutRedirectUriAllowed.call(this, uri)) return true;
    const policy = policies.get(this.clientId);
    return policy ? allowlistMatches(policy.postLogout, uri) : false;
  };
  // every ID token carries `sid` (oidc-provider adds it only for back-channel-logout clients), so
  // a relying party can match a later logout token or session_state to its login
  proto.includeSid = () => true;
  proto.compareClientSecret = async function compareSecret(actual) {
    if (await compareClientSecret.call(this, actual)) return true;
    const policy = policies.get(this.clientId);
    if (!policy?.previousSecrets.length) return false;
    const candidate = digest(actual);
    let matched = false;
    for (const previous of policy.previousSecrets) matched = timingSafeEqual(previous, candidate) || matched;
    return matched;
  };
}
