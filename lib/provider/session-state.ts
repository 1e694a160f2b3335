// `session_state` in token responses. Keycloak matches a back-channel logout token's `sid` only
// against the `session_state` it received with its tokens, so it is set to the ID token's `sid`
// (oidc-provider has no `session_state` of its own: that belongs to Session Management).
import { decodeJwt } from 'jose';
import type { OidcMiddleware } from './middleware.js';

export function sessionStateInTokenResponses(): OidcMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || typeof body.id_token !== 'string' || 'session_state' in body) return;
    let sid: unknown;
    try {
      // the provider has just signed this token; only its payload is read
      sid = decodeJwt(body.id_token).sid;
    } catch {
      return;
    }
    if (typeof sid === 'string') body.session_state = sid;
  };
}
