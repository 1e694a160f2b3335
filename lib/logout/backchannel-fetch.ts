// oidc-provider's outgoing `fetch`, for back-channel logout. oidc-provider connects through a
// dispatcher that refuses private and loopback addresses (SSRF protection); a Keycloak next to the
// bridge usually is on one. The configured clients' own `backchannel_logout_uri`s, and nothing
// else, go without that dispatcher. (Which clients get a logout token at all is decided in
// skip-requester.ts; this only sends.)
import type { ClientConfig } from '../config/index.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function backchannelFetch(clients: readonly ClientConfig[], base: Fetch = globalThis.fetch): Fetch {
  const allowed = new Set(clients.flatMap((c) => (c.backchannelLogoutUri ? [new URL(c.backchannelLogoutUri).href] : [])));
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input).href;
    if (!allowed.has(url) || init.method !== 'POST') return base(input, init);
    const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return base(input, rest);
  };
}
