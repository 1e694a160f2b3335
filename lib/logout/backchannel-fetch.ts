// oidc-provider's outgoing `fetch`, for back-channel logout. Two changes to the default:
// - oidc-provider connects through a dispatcher that refuses private and loopback addresses
//   (SSRF protection); a Keycloak next to the bridge usually is on one. The configured clients'
//   own `backchannel_logout_uri`s, and nothing else, go without that dispatcher.
// - During an RP-initiated logout started by client X, oidc-provider also back-channels X itself;
//   Keycloak then ends its session before the browser comes back and shows an error page. That one
//   delivery is answered here as done without sending it (X is logging its user out already).
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import type { ClientConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function logoutTokenAudience(body: unknown): string[] {
  const token = body instanceof URLSearchParams ? body.get('logout_token') : undefined;
  if (!token) return [];
  try {
    const { aud } = decodeJwt(token);
    return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  } catch {
    return [];
  }
}

/** The client whose RP-initiated logout is being confirmed in the current request, if any. */
function clientLoggingOut(): string | undefined {
  const ctx = Provider.ctx;
  if (ctx?.oidc?.route !== 'end_session_confirm') return undefined;
  const clientId = ctx.oidc.session?.state?.clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

export function backchannelFetch(clients: readonly ClientConfig[], logger: Logger, base: Fetch = globalThis.fetch): Fetch {
  const allowed = new Set(clients.flatMap((c) => (c.backchannelLogoutUri ? [new URL(c.backchannelLogoutUri).href] : [])));
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input).href;
    if (!allowed.has(url) || init.method !== 'POST') return base(input, init);

    const requester = clientLoggingOut();
    if (requester && logoutTokenAudience(init.body).includes(requester)) {
      logger.info({ event: 'backchannel_logout', client: requester, outcome: 'skipped_requesting_client' },
        'no logout token to the client that started the logout');
      return new Response(null, { status: 200 });
    }
    const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return base(input, rest);
  };
}
