// CORS by registration, in place of oidc-provider's default `clientBasedCORS` (which lets any
// client's redirect-URI origin call userinfo, and logs that it SHOULD be changed). A browser origin
// may call the endpoints that take a client — token, userinfo, revocation, introspection and
// pushed authorization requests — only when the client's registration lists it
// (ClientConfig.allowedOrigins: `allowed_origins`, or a public browser app's redirect-URI origins).
// Discovery and the JWKS are public documents and stay open to every origin.
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { OidcMiddleware } from './middleware.js';

/** oidc-provider's names of the preflight routes whose real request is judged by clientBasedCORS. */
const CLIENT_PREFLIGHTS = new Set(['cors.token', 'cors.userinfo', 'cors.revocation', 'cors.introspection', 'cors.pushed_authorization_request']);

/** The real request: the origin must be one the client's registration allows. */
export function clientBasedCors(clients: ReadonlyMap<string, ClientConfig>) {
  return (_ctx: KoaContextWithOIDC, origin: string, client: { clientId: string }): boolean =>
    origin !== 'null' && (clients.get(client.clientId)?.allowedOrigins.includes(origin) ?? false);
}

/**
 * Preflights carry no client, and oidc-provider answers them for any origin. Here an origin that no
 * registration allows gets a 403 without CORS headers, so the browser stops before sending the
 * request; an origin some client allows passes, and the real request is then judged for its client.
 */
export function preflightByRegistration(clients: readonly ClientConfig[], logger: Logger): OidcMiddleware {
  const allowed = new Set(clients.flatMap((c) => c.allowedOrigins));
  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'OPTIONS' || !CLIENT_PREFLIGHTS.has(ctx.oidc?.route ?? '')) return;
    const origin = ctx.get('Origin');
    if (!origin || allowed.has(origin)) return;
    for (const name of Object.keys(ctx.response.headers)) {
      if (name.toLowerCase().startsWith('access-control-')) ctx.remove(name);
    }
    ctx.status = 403;
    ctx.body = { error: 'invalid_request', error_description: `origin ${origin} is not allowed by any client registration` };
    logger.info({ event: 'cors_refused', route: ctx.oidc.route, origin }, 'preflight from an origin no client registration allows');
  };
}
