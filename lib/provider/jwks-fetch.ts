// oidc-provider's outgoing `fetch` for the keys of private_key_jwt clients: a configured client's
// `jwks_uri` (Keycloak's realm keys, often on a private network) is fetched without oidc-provider's
// SSRF guard, which refuses private and loopback addresses. Every other URL keeps the guard.
import type { ClientConfig } from '../config/index.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function jwksUriFetch(clients: readonly ClientConfig[], base: Fetch): Fetch {
  const configured = new Set(clients.flatMap((c) => (c.jwksUri ? [new URL(c.jwksUri).href] : [])));
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input).href;
    if (!configured.has(url) || (init.method ?? 'GET') !== 'GET') return base(input, init);
    const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return base(input, rest);
  };
}
