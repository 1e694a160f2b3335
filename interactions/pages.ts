// Pages for logins that cannot continue, with the way forward: restart the CAS login while the
// authorization lives, or go back to the application once it has expired.
import type { Context } from 'koa';
import type { PendingLogin } from '../adapters/pending-logins.js';
import type { Services } from '../lib/server/services.js';
import type { PageAction } from '../lib/pages/views.js';

/**
 * Where "back to the application" leads: the client's redirect URI with `access_denied` (Keycloak
 * treats that as a cancelled login and shows its login page again, which is starting over), or the
 * application's origin when the response mode is not a query.
 */
export function backToClientUrl(pending: PendingLogin, issuer: string, description: string): string | undefined {
  if (!pending.redirectUri) return undefined;
  const url = URL.parse(pending.redirectUri);
  if (!url) return undefined;
  if (pending.responseMode && pending.responseMode !== 'query') return url.origin;
  url.searchParams.set('error', 'access_denied');
  url.searchParams.set('error_description', description);
  if (pending.state !== undefined) url.searchParams.set('state', pending.state);
  url.searchParams.set('iss', issuer);
  return url.href;
}

export async function renderExpired(ctx: Context, services: Services, uid: string): Promise<void> {
  const pending = uid ? await services.pendingLogins.find(uid) : undefined;
  const client = pending ? services.clients.get(pending.clientId) : undefined;
  const back = pending ? backToClientUrl(pending, services.config.issuer, 'the login expired before it was completed') : undefined;
  const actions: PageAction[] = back ? [{ href: back, label: 'action.back_to_app', primary: true }] : [];
  services.views.renderError(ctx, {
    status: 400,
    titleKey: 'error.login_expired.title',
    messageKey: client ? 'error.login_expired.message' : 'error.login_expired_unknown.message',
    params: { client: client?.name ?? '' },
    actions,
  });
}
