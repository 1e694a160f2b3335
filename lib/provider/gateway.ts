// prompt=none mapped onto CAS gateway. Stock oidc-provider answers `login_required` by itself when
// prompt=none meets no bridge session, before any interaction exists, so a live CAS single sign-on
// session would never be used. This step in front of the authorization endpoint turns
// `prompt=none` into the bridge parameter `cas_gateway=true` (declared in `extraParams`): the
// interaction then sends the browser to CAS with `gateway=true` and finishes with
// `login_required` itself when CAS has no session (interactions/login.ts).
import type { OidcMiddleware } from './middleware.js';

export const GATEWAY_PARAM = 'cas_gateway';

/** True when an interaction's parameters say it runs in gateway (prompt=none) mode. */
export const isGateway = (params: Record<string, unknown>): boolean => params[GATEWAY_PARAM] === 'true';

export function promptNoneToCasGateway(): OidcMiddleware {
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/authorize') {
      const query = { ...ctx.query };
      // only the bridge sets it: a client asks for gateway mode with prompt=none
      const supplied = GATEWAY_PARAM in query;
      delete query[GATEWAY_PARAM];
      // `none` combined with other values is an error oidc-provider reports itself
      if (query.prompt === 'none') {
        delete query.prompt;
        query[GATEWAY_PARAM] = 'true';
      }
      if (supplied || query[GATEWAY_PARAM]) ctx.query = query;
    }
    await next();
  };
}
