// Small steps in front of and behind oidc-provider's routes (provider.use), each documented here
// rather than patched into oidc-provider.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Services } from '../server/services.js';
import { knownScopes, scopesAllowedFor } from './scopes.js';
import { resumedCasLogin } from './account.js';

export type OidcMiddleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<void>;

/**
 * Authorization requests of configured (first-party) clients, adjusted before oidc-provider sees
 * them:
 * - allowed scopes: scopes beyond the client's `allowed_scopes` are dropped (oidc-provider would
 *   refuse the whole request with invalid_scope, and does so on every other path);
 * - default scopes: a client's configured scopes are added to what it asks for (Keycloak asks for
 *   `openid` alone, and then takes its user's profile from userinfo);
 * - refresh tokens: oidc-provider drops `offline_access` unless the request carries
 *   prompt=consent. A configured client that asks for `offline_access` gets it: `consent` is added
 *   to the prompt, marked with the bridge parameter CONSENT_ADDED_PARAM, and the policy (policy.ts)
 *   lets the client's grant stand for it: a first-party client's without a page or a round trip
 *   (the admin's registration of the client stands for the consent), another client's once the
 *   person has granted offline_access on the consent page.
 */
export const CONSENT_ADDED_PARAM = 'bridge_consent_added';

/** True when `prompt=consent` of an interaction was added by the bridge, not asked by the client. */
export const consentAddedByBridge = (params: Record<string, unknown> | undefined): boolean => params?.[CONSENT_ADDED_PARAM] === 'true';

export function configuredClientRequests(services: Services): OidcMiddleware {
  const known = knownScopes(services);
  const allowed = new Map([...services.clients].map(([id, client]) => [id, scopesAllowedFor(client, known)]));
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/authorize') {
      const { scope, client_id: clientId, prompt } = ctx.query;
      const client = typeof clientId === 'string' ? services.clients.get(clientId) : undefined;
      // only the bridge sets it
      if (CONSENT_ADDED_PARAM in ctx.query) {
        const { [CONSENT_ADDED_PARAM]: _supplied, ...rest } = ctx.query;
        ctx.query = rest;
      }
      if (client && typeof scope === 'string') {
        const mayHave = allowed.get(client.clientId) ?? known;
        // beyond allowed_scopes: dropped here (the token response's `scope` says what was granted);
        // unknown scopes are left for oidc-provider to judge
        const scopes = scope.split(' ').filter((s) => s && (mayHave.has(s) || !known.has(s)));
        const query: typeof ctx.query = { ...ctx.query, scope: scopes.join(' ') };
        if (scopes.includes('openid')) {
          query.scope = [...new Set([...scopes, ...client.defaultScopes.filter((s) => mayHave.has(s))])].join(' ');
        }
        const prompts = typeof prompt === 'string' ? prompt.split(' ').filter(Boolean) : [];
        if (scopes.includes('offline_access') && !prompts.includes('none') && !prompts.includes('consent')) {
          query.prompt = [...prompts, 'consent'].join(' ');
          query[CONSENT_ADDED_PARAM] = 'true';
        }
        ctx.query = query;
      }
    }
    await next();
  };
}

/**
 * A `plain` PKCE challenge is refused by oidc-provider with an error redirect to the client. Keycloak
 * (whose console proposes `plain`) would only show its generic "Unexpected error when authenticating
 * with identity provider", the advice buried in its server log. The person sees the bridge's own
 * page instead, which says what the administrator must change, and its "Back to" link carries the
 * OAuth error (`invalid_request`, with the same advice) to the client.
 */
export function explainPkceMethod(services: Services): OidcMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 303 && ctx.status !== 302) return;
    const location = ctx.response.get('location');
    if (!location.includes('not%20supported%20value%20of%20code_challenge_method')
      && !location.includes('not+supported+value+of+code_challenge_method')) return;
    const url = URL.parse(location);
    if (!url || url.searchParams.get('error_description') !== 'not supported value of code_challenge_method') return;
    url.searchParams.set('error_description', 'code_challenge_method must be S256 (plain is not supported); in Keycloak choose PKCE method S256');
    const clientId = ctx.oidc.client?.clientId;
    const client = clientId ? services.clients.get(clientId) : undefined;
    services.logger.warn({ event: 'pkce_method_refused', client: clientId, method: String(ctx.oidc.params?.code_challenge_method).slice(0, 32) },
      'a PKCE challenge with a method other than S256 was refused: the client must use S256 (Keycloak: the identity provider\'s PKCE Method)');
    ctx.remove('location');
    services.views.renderError(ctx, {
      status: 400,
      titleKey: 'error.pkce_method.title',
      messageKey: 'error.pkce_method.message',
      params: { client: client?.name ?? clientId ?? '' },
      detail: 'code_challenge_method must be S256',
      actions: [{ href: url.href, label: 'action.back_to_app', primary: true }],
    });
  };
}

/** After a CAS login resumes: remember which OP session the service ticket created (for SLO). */
export function linkCasTicketToSession(services: Services): OidcMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const cas = resumedCasLogin(ctx)?.cas;
      const session = ctx.oidc?.session;
      if (cas?.ticketHash && session?.accountId) {
        await services.casTickets.linkHash(cas.ticketHash, { sessionUid: session.uid, accountId: session.accountId }, services.config.ttl.session)
          .catch((err: unknown) => services.logger.error({ err, event: 'cas_ticket_link_failed' }, 'could not link the CAS ticket to the session'));
      }
    }
  };
}

export const asKoa = (mw: OidcMiddleware): Middleware => mw as unknown as Middleware;

/**
 * The revocation endpoint answers 200 with an empty body (RFC 7009 2.2), which koa labels
 * `text/plain`; oidc-client-ts refuses any answer that is not labelled JSON, so a browser app that
 * revokes its tokens at logout failed there. An empty answer goes without a content type.
 */
export function emptyRevocationAnswer(): OidcMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'revocation' && ctx.status === 200 && ctx.body === '') ctx.remove('Content-Type');
  };
}
