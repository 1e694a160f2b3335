// After oidc-provider confirms an RP-initiated logout (route `end_session_confirm`): when the bridge
// session ended (`logout=yes`), say so on the event bus, forget the session's CAS tickets, and send
// the browser through CAS /logout so that the CAS single sign-on session ends too. CAS only
// redirects to a service it knows, so the browser goes to `/logout?service=<SERVICE_URL>` and the
// bridge continues from there (interactions/callback.ts) to where oidc-provider was sending it: the
// client's post_logout_redirect_uri with its state unchanged, or the bridge's logged-out page.
import type { Context } from 'koa';
import type { Session } from 'oidc-provider';
import { clearPendingCookie } from '../../interactions/pending-cookie.js';
import { setPendingLogout } from '../../interactions/pending-logout.js';
import { casLogoutUrl } from '../cas/urls.js';
import type { OidcMiddleware } from '../provider/middleware.js';
import type { Services } from '../server/services.js';
import type { Logger } from '../observability/logger.js';

export function rpLogoutThroughCas(services: Services): OidcMiddleware {
  const { config } = services;
  return async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm') return;
    const session = ctx.oidc.session as (Session & { destroyed?: boolean }) | undefined;
    // "stay logged in" ends the requesting client's part only; the bridge session lives on
    if (!session?.destroyed) return;
    const log = services.logger.child({ event: 'logout', reason: 'rp_logout', client: ctx.oidc.client?.clientId });

    if (session.accountId) {
      try {
        await services.casTickets.forgetSession(session.uid);
        await services.events.emitAndWait('session.ended', { sessionUid: session.uid, accountId: session.accountId, reason: 'rp_logout' });
        log.info({ user: session.accountId, outcome: 'session_ended' }, 'bridge session ended');
      } catch (err) {
        // the session is gone already; the person still gets on to CAS and back to the client
        log.error({ err, user: session.accountId }, 'could not finish ending the bridge session');
      }
    }

    const target = ctx.status === 303 ? ctx.response.get('location') : '';
    if (target) redirectThroughCasLogout(ctx as unknown as Context, services, target, log);
  };
}

/**
 * Sends the browser on to `target` after a logout, through CAS /logout when it is configured (a
 * sealed cookie carries the target across CAS), straight there otherwise.
 */
export function redirectThroughCasLogout(ctx: Context, services: Services, target: string, log: Logger): void {
  const { config } = services;
  ctx.status = 303;
  if (!config.cas.logoutUrl) {
    ctx.redirect(target);
    return;
  }
  if (!setPendingLogout(ctx, config, services.box, target)) {
    log.warn({ outcome: 'cas_logout_skipped' }, 'post-logout target too long to pass through CAS logout');
    ctx.redirect(target);
    return;
  }
  clearPendingCookie(ctx, config);
  ctx.redirect(casLogoutUrl(config.cas.logoutUrl, config.cas.serviceUrl));
}
