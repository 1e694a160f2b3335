// The CAS service URL. CAS redirects the browser here with `?ticket=ST-…`; the bridge finds the
// login in progress (its pending cookie, or `login=<id>` in per-login mode) and validates the
// ticket here when the pending cookie names that login; otherwise (another login started in the
// same browser since) it hands the browser on to the interaction, under whose path
// oidc-provider's interaction cookie is sent. CAS also comes back here without a ticket: after a
// gateway login that found no CAS session (the interaction answers login_required), and at the end
// of a logout passing through CAS /logout (pending-logout cookie: the browser goes on to the
// client's post-logout URI).
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Services } from '../lib/server/services.js';
import { returnedTicket } from '../lib/cas/urls.js';
import { completeCasLoginAtService, interactionUrl } from './login.js';
import { readPendingCookie } from './pending-cookie.js';
import { clearPendingLogout, readPendingLogout } from './pending-logout.js';

const UID = /^[A-Za-z0-9_-]{1,64}$/;

/** The login a return names: `login=<id>` in per-login mode, else the one the pending cookie names. */
function pendingLoginId(ctx: Context, services: Services, fromCookie: string | undefined): string | undefined {
  if (services.config.cas.serviceUrlPerLogin) {
    const login = ctx.query.login;
    if (typeof login === 'string' && UID.test(login)) return login;
  }
  return fromCookie;
}

export async function casReturn(ctx: Context, services: Services, provider: Provider): Promise<void> {
  // read (and its signature checked) once: it names the login, and says whether it is this one
  const fromCookie = readPendingCookie(ctx);
  const uid = pendingLoginId(ctx, services, fromCookie);
  const ticket = returnedTicket(ctx.query);
  if (!ticket) {
    const afterLogout = readPendingLogout(ctx, services.box);
    if (afterLogout) {
      clearPendingLogout(ctx, services.config);
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 303;
      ctx.redirect(afterLogout);
      return;
    }
  }
  if (!uid) {
    services.views.renderError(ctx, {
      status: 400,
      titleKey: ticket ? 'error.no_pending_login.title' : 'error.no_ticket.title',
      messageKey: ticket ? 'error.no_pending_login.message' : 'error.no_ticket.message',
    });
    return;
  }
  if (ticket && uid === fromCookie) return completeCasLoginAtService(ctx, services, provider, uid);
  const next = new URL(interactionUrl(services, uid, '/cas'));
  if (ticket) next.searchParams.set('ticket', ticket);
  ctx.status = 303;
  ctx.redirect(next.href);
}
