// Which scopes exist and which a client may have. A client's `allowed_scopes` is handed to
// oidc-provider as the client's `scope` metadata, so oidc-provider itself refuses anything beyond
// it on every path (authorization, pushed requests, refresh, token exchange); the bridge drops
// such scopes from a configured client's plain authorization request before oidc-provider sees it.
import type { ClientConfig } from '../config/index.js';
import { casProxyConfiguration } from '../proxy/index.js';
import type { Services } from '../server/services.js';

/** Every scope the bridge knows: openid, offline_access, the claim mapping's, and features' (cas_proxy). */
export function knownScopes(services: Services, extra: readonly string[] = casProxyConfiguration(services).extraScopes): Set<string> {
  return new Set(['openid', 'offline_access', ...Object.keys(services.config.claims.mapping.scopes), ...extra]);
}

/** The scopes a client may obtain at all: its `allowed_scopes` (plus openid) among the known ones. */
export function scopesAllowedFor(client: ClientConfig, known: ReadonlySet<string>): Set<string> {
  if (!client.allowedScopes) return new Set(known);
  return new Set(['openid', ...client.allowedScopes].filter((s) => known.has(s)));
}
