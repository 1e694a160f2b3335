// RP-initiated logout of a browser that has no bridge session (no session cookie): there is nothing
// to end at the bridge, so nothing is stored. oidc-provider would save a session row (for the
// confirmation form's xsrf, kept for SSO_SESSION_EXPIRY) for every such request, from anyone.
// The same checks as oidc-provider's end_session (id_token_hint signed by the bridge for its
// client, client_id agreeing with it, a registered post_logout_redirect_uri), then the browser
// passes through CAS /logout (a CAS session may outlive the bridge's) to the post-logout URI with
// its state, or to the logged-out page, as after a confirmed logout.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { decodeJwt } from 'jose';
import { readCappedBody, BodyTooLargeError } from '../http/body.js';
import { onIssuer } from '../http/issuer-origin.js';
import type { OidcMiddleware } from '../provider/middleware.js';
import type { Services } from '../server/services.js';
import { redirectThroughCasLogout } from './rp-logout.js';

const PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'ui_locales', 'client_id', 'logout_hint'] as const;
const MAX_BODY_BYTES = 64 * 1024;

class LogoutRequestError extends Error {
  constructor(readonly error: string, description: string) {
    super(description);
  }
}

async function readParams(ctx: Context): Promise<URLSearchParams> {
  if (ctx.method === 'GET') return new URLSearchParams(ctx.querystring);
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(await readCappedBody(ctx, MAX_BODY_BYTES));
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new LogoutRequestError('invalid_request', `${name} must only be provided once`);
  return values[0];
}

/** Where the logout ends: the validated post-logout URI with its state, or the logged-out page. */
async function logoutTarget(provider: Provider, services: Services, params: URLSearchParams, mountPath: string): Promise<string> {
  const hint = single(params, 'id_token_hint');
  const clientId = single(params, 'client_id');
  const postLogout = single(params, 'post_logout_redirect_uri');
  const state = single(params, 'state');
  for (const name of PARAMS.slice(3)) single(params, name);

  let client: Awaited<ReturnType<Provider['Client']['find']>>;
  if (hint) {
    let audience: unknown;
    try {
      audience = decodeJwt(hint).aud;
    } catch {
      throw new LogoutRequestError('invalid_request', 'could not decode id_token_hint');
    }
    if (typeof audience !== 'string') throw new LogoutRequestError('invalid_request', 'could not decode id_token_hint');
    if (clientId !== undefined && clientId !== audience) throw new LogoutRequestError('invalid_request', 'client_id does not match the provided id_token_hint');
    client = await provider.Client.find(audience);
    if (!client) throw new LogoutRequestError('invalid_client', 'unrecognized id_token_hint audience');
    try {
      await provider.IdToken.validate(hint, client);
    } catch {
      throw new LogoutRequestError('invalid_request', 'could not validate id_token_hint');
    }
  } else if (clientId !== undefined) {
    client = await provider.Client.find(clientId);
    if (!client) throw new LogoutRequestError('invalid_client', 'client is invalid');
  }

  if (client && postLogout !== undefined) {
    if (!client.postLogoutRedirectUriAllowed(postLogout)) throw new LogoutRequestError('invalid_request', 'post_logout_redirect_uri not registered');
    const target = new URL(postLogout);
    if (state !== undefined) target.searchParams.set('state', state);
    return target.href;
  }
  const success = new URL(onIssuer(services.config.issuer, `${mountPath}/session/end/success`));
  if (client) success.searchParams.set('client_id', client.clientId);
  return success.href;
}

export function anonymousLogout(services: Services, provider: Provider): OidcMiddleware {
  const sessionCookie = provider.cookieName('session');
  return async (ctx, next) => {
    const koaCtx = ctx as unknown as Context;
    if (ctx.path !== '/session/end' || (ctx.method !== 'GET' && ctx.method !== 'POST') || koaCtx.cookies.get(sessionCookie, { signed: true })) {
      await next();
      return;
    }
    const log = services.logger.child({ event: 'logout', reason: 'rp_logout' });
    koaCtx.set('Cache-Control', 'no-store');
    try {
      const target = await logoutTarget(provider, services, await readParams(koaCtx), services.config.mountPath);
      log.info({ outcome: 'no_session' }, 'logout without a bridge session: nothing to end here');
      redirectThroughCasLogout(koaCtx, services, target, log);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        koaCtx.status = 413;
        koaCtx.body = { error: 'invalid_request', error_description: 'request too large' };
        return;
      }
      if (!(err instanceof LogoutRequestError)) throw err;
      log.info({ outcome: 'refused', error: err.error, description: err.message }, 'logout request refused');
      services.views.renderError(koaCtx, {
        status: 400, titleKey: 'error.request.title', messageKey: 'error.request.message', detail: `${err.error}: ${err.message}`,
      });
    }
  };
}
