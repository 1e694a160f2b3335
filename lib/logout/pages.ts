// The pages of RP-initiated logout (oidc-provider's `features.rpInitiatedLogout` hooks).
// A request that proves where it comes from (an ID token of this client for the person logged in,
// expired or not, and a registered post_logout_redirect_uri) logs out without a click: the page
// posts the confirmation itself (`logout=yes`, with its xsrf), with a button when scripts are off.
// Anything else gets a confirmation page, so a link elsewhere cannot log a person out.
import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Views } from '../pages/views.js';

function clientName(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc.client;
  return client ? (client.clientName ?? client.clientId) : undefined;
}

/** The sub a client knows an account by (a pairwise client: its own). */
export type SubjectOf = (clientId: string, accountId: string) => string;

/** True when the logout request may skip the confirmation. */
export function logoutNeedsNoConfirmation(ctx: KoaContextWithOIDC, subjectOf: SubjectOf): boolean {
  const hint = ctx.oidc.entities.IdTokenHint;
  const accountId = ctx.oidc.session?.accountId;
  const clientId = ctx.oidc.client?.clientId;
  return Boolean(hint && ctx.oidc.params?.post_logout_redirect_uri && accountId && clientId && hint.payload.sub === subjectOf(clientId, accountId));
}

export function logoutPages(views: Views, throughCas: boolean, subjectOf: SubjectOf) {
  return {
    async logoutSource(ctx: KoaContextWithOIDC): Promise<void> {
      const xsrf = ctx.oidc.session?.state?.secret;
      const action = ctx.oidc.urlFor('end_session_confirm');
      const client = clientName(ctx);
      const auto = logoutNeedsNoConfirmation(ctx, subjectOf);
      views.render(ctx as unknown as Context, auto ? 'logout-auto' : 'logout-confirm', {
        action,
        xsrf: typeof xsrf === 'string' ? xsrf : '',
        client: client ?? '',
        throughCas,
        titleKey: auto ? 'logout.auto.title' : 'logout.title',
      });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      const client = clientName(ctx);
      views.render(ctx as unknown as Context, 'logged-out', {
        client: client ?? '',
        titleKey: 'logged_out.title',
      });
    },
  };
}
