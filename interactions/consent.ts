// The consent page of clients that are not first-party (public clients by default: anyone can use
// their client id, so the person says whether this application may use the account). It lists
// what the application asks for and where the browser goes next; "Allow" grants it for this bridge
// session, "Deny" sends `access_denied` to the application. First-party clients never see it.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors as oidcErrors } from 'oidc-provider';
import type { ClientConfig } from '../lib/config/index.js';
import { BodyTooLargeError, readCappedBody } from '../lib/http/body.js';
import type { Services } from '../lib/server/services.js';
import { renderExpired } from './pages.js';
import { knownScopes, scopesAllowedFor } from '../lib/provider/scopes.js';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

interface MissingGrant {
  readonly missingOIDCScope?: string[];
  readonly missingOIDCClaims?: string[];
}

/** Scopes the page asks for: those the grant lacks and the client may have (openid first). */
export function scopesToAsk(client: ClientConfig | undefined, missing: readonly string[], known: ReadonlySet<string>): string[] {
  const mayHave = client ? scopesAllowedFor(client, known) : new Set<string>();
  return [...new Set(missing)].filter((s) => mayHave.has(s)).sort((a, b) => Number(b === 'openid') - Number(a === 'openid'));
}

const consentPath = (uid: string): string => `/interaction/${encodeURIComponent(uid)}/consent`;

/** GET /interaction/:uid at the consent prompt of a client that is not first-party. */
export function showConsent(ctx: Context, services: Services, client: ClientConfig, details: InteractionDetails): void {
  const missing = details.prompt.details as MissingGrant;
  const redirect = typeof details.params.redirect_uri === 'string' ? URL.parse(details.params.redirect_uri) : null;
  services.views.render(ctx, 'consent', {
    client: client.name,
    // where the code goes: a web origin, or a native app's scheme
    destination: redirect ? (redirect.host ? redirect.host : redirect.protocol.slice(0, -1)) : '',
    scopes: scopesToAsk(client, missing.missingOIDCScope ?? [], knownScopes(services)),
    action: consentPath(details.uid),
  });
}

/**
 * Grants what the consent prompt says is missing (within what the client may have) and finishes
 * the interaction; merged with the login just made, or a max_age check on the way back would find
 * no login in this submission and ask for one again.
 */
export async function grantMissing(services: Services, provider: Provider, details: InteractionDetails, client: ClientConfig | undefined): Promise<{ consent: { grantId?: string } }> {
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : '';
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session?.accountId ?? '', clientId });
  if (!grant) throw new oidcErrors.SessionNotFound('grant not found');
  const missing = details.prompt.details as MissingGrant;
  const asked = missing.missingOIDCScope ?? [];
  // never beyond the client's allowed_scopes, whatever the prompt lists
  const scopes = scopesToAsk(client, asked, knownScopes(services));
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  // what the client may not have is recorded as refused, so that it is not asked again
  const refused = asked.filter((s) => !scopes.includes(s));
  if (refused.length) grant.rejectOIDCScope(refused.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return { consent: details.grantId ? {} : { grantId } };
}

/** POST /interaction/:uid/consent — the person's answer. */
export async function answerConsent(ctx: Context, services: Services, provider: Provider): Promise<void> {
  const uid = String(ctx.params.uid ?? '');
  // the form is the bridge's own page; a post from another site is refused (the interaction cookie,
  // SameSite=Lax, would not come with it either, unless COOKIE_SAMESITE=None). The pages' no-referrer
  // policy makes browsers send `Origin: null` for their own form; Sec-Fetch-Site says where it came from.
  const site = ctx.get('sec-fetch-site');
  const origin = ctx.get('origin');
  if ((site && site !== 'same-origin') || (origin && origin !== 'null' && origin !== new URL(services.config.issuer).origin)) {
    services.views.renderError(ctx, { status: 403, titleKey: 'error.request.title', messageKey: 'error.request.message', detail: 'consent answered from another site' });
    return;
  }
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    if (err instanceof oidcErrors.SessionNotFound) return renderExpired(ctx, services, uid);
    throw err;
  }
  const client = services.clients.get(typeof details.params.client_id === 'string' ? details.params.client_id : '');
  if (details.prompt.name !== 'consent' || !client) return renderExpired(ctx, services, uid);

  let decision: string | null;
  try {
    decision = new URLSearchParams(await readCappedBody(ctx, 1024)).get('decision');
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    decision = null;
  }
  const log = services.logger.child({ event: 'consent', client: client.clientId, interaction: details.uid, user: details.session?.accountId });
  if (decision === 'allow') {
    const result = await grantMissing(services, provider, details, client);
    log.info({ outcome: 'allowed', scopes: scopesToAsk(client, (details.prompt.details as MissingGrant).missingOIDCScope ?? [], knownScopes(services)) }, 'consent given');
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  } else if (decision === 'deny') {
    log.info({ outcome: 'denied' }, 'consent refused');
    await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the person did not allow the application to use the account' }, { mergeWithLastSubmission: false });
  } else {
    services.views.renderError(ctx, { status: 400, titleKey: 'error.request.title', messageKey: 'error.request.message', detail: 'decision must be allow or deny' });
    return;
  }
  ctx.respond = false;
}
