// The CAS login step of an oidc-provider interaction: send the browser to CAS, take the ticket on
// its way back, validate it, map the attributes to claims and finish the interaction.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { errors as oidcErrors } from 'oidc-provider';
import { ticketHash } from '../adapters/cas-tickets.js';
import type { PendingLogin } from '../adapters/pending-logins.js';
import { parseAuthenticationDate } from '../lib/cas/auth-time.js';
import { CasError } from '../lib/cas/errors.js';
import type { CasAuthenticationSuccess } from '../lib/cas/types.js';
import { casLoginUrl, returnedTicket, serviceUrlFor } from '../lib/cas/urls.js';
import { ClaimMappingError, type MappedClaims } from '../lib/claims/index.js';
import type { LoginOutcome } from '../lib/observability/metrics.js';
import type { Services } from '../lib/server/services.js';
import { ACCESS_PROMPT } from '../lib/provider/policy.js';
import type { CasLoginResult } from '../lib/provider/account.js';
import { isGateway } from '../lib/provider/gateway.js';
import { obtainPgt, pgtInteractionResult, pgtUrlFor } from '../lib/proxy/login.js';
import { EXPIRED_GRACE_SECONDS, clearPendingCookie, setPendingCookie } from './pending-cookie.js';
import { clearPendingLogout } from './pending-logout.js';
import { backToClientUrl, renderExpired } from './pages.js';
import { grantMissing, showConsent } from './consent.js';
import { onIssuer } from '../lib/http/issuer-origin.js';

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The interaction's own URL on the issuer (`suffix`: `/cas`, `/abort`). */
export const interactionUrl = (services: Services, uid: string, suffix = ''): string =>
  onIssuer(services.config.issuer, `/interaction/${encodeURIComponent(uid)}${suffix}`);

async function finish(ctx: Context, provider: Provider, result: Parameters<Provider['interactionFinished']>[2], mergeWithLastSubmission = false): Promise<void> {
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  ctx.respond = false;
}

/**
 * What `interactionFinished` does, on the interaction this request already loaded: after a CAS
 * login the interaction was read moments ago, and reading it again would cost a statement.
 */
async function finishLoaded(ctx: Context, details: InteractionDetails, result: Parameters<Provider['interactionFinished']>[2]): Promise<void> {
  details.result = result;
  await details.save(details.exp - Math.floor(Date.now() / 1000));
  ctx.res.statusCode = 303;
  ctx.res.setHeader('Location', details.returnTo);
  ctx.res.setHeader('Content-Length', '0');
  ctx.res.end();
  ctx.respond = false;
}

/** prompt=none (gateway mode) never shows a page: the client gets `login_required` at its redirect URI. */
const loginRequired = (ctx: Context, details: InteractionDetails, description: string): Promise<void> =>
  finishLoaded(ctx, details, { error: 'login_required', error_description: description });

/**
 * The interaction a CAS return names, loaded by its uid: the checks of oidc-provider's
 * `interactionDetails`, which finds the interaction through its own cookie instead, a cookie
 * scoped to /interaction/<uid> that the browser does not send to the CAS service URL.
 */
async function interactionByUid(provider: Provider, uid: string): Promise<InteractionDetails> {
  const interaction = await provider.Interaction.find(uid);
  if (!interaction) throw new oidcErrors.SessionNotFound('interaction session not found');
  if (interaction.session?.uid) {
    const session = await provider.Session.findByUid(interaction.session.uid);
    if (!session) throw new oidcErrors.SessionNotFound('session not found');
    if (interaction.session.accountId !== session.accountId) throw new oidcErrors.SessionNotFound('session principal changed');
  }
  return interaction;
}

/** max_age of the authorization request, in seconds, when it has one. */
function maxAgeOf(params: Record<string, unknown>): number | undefined {
  const value = params.max_age;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** GET /interaction/:uid — decide what the interaction needs and do it. */
export async function startInteraction(ctx: Context, services: Services, provider: Provider): Promise<void> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    if (err instanceof oidcErrors.SessionNotFound) return renderExpired(ctx, services, String(ctx.params.uid ?? ''));
    throw err;
  }
  const { prompt, params } = details;
  const gateway = isGateway(params);

  if (prompt.name === 'login') {
    // with a bridge session, a login is asked for reasons (max_age, id_token_hint, acr) that only
    // a fresh login can meet, which prompt=none forbids
    if (gateway && !prompt.reasons.includes('no_session')) return loginRequired(ctx, details, 'End-User authentication could not be obtained without interaction');
    return redirectToCas(ctx, services, details, gateway);
  }

  if (prompt.name === 'consent') {
    const client = services.clients.get(str(params.client_id) ?? '');
    if (client && !client.firstParty) {
      // prompt=none cannot show a page: the client learns that consent is needed
      if (gateway) return finishLoaded(ctx, details, { error: 'consent_required', error_description: 'the application needs the person\'s consent, which prompt=none cannot ask for' });
      return showConsent(ctx, services, client, details);
    }
    // first-party clients: grant what the prompt says is missing, without a page; merged with the
    // login just made: otherwise a max_age check on the way back finds no login result in this
    // submission and asks for a login again, forever when max_age=0
    return finish(ctx, provider, await grantMissing(services, provider, details, client), true);
  }

  if (prompt.name === ACCESS_PROMPT) {
    if (gateway) return finishLoaded(ctx, details, { error: 'access_denied', error_description: 'the account is not allowed to use this application' });
    const client = services.clients.get(str(params.client_id) ?? '');
    services.metrics.login('access_denied');
    services.views.renderError(ctx, {
      status: 403,
      titleKey: 'error.access_denied.title',
      messageKey: 'error.access_denied.message',
      params: { client: client?.name ?? 'this application' },
      actions: [{ href: interactionUrl(services, details.uid, '/abort'), label: 'action.back_to_app', primary: true }],
    });
    return;
  }

  throw new Error(`unsupported interaction prompt ${prompt.name}`);
}

/**
 * Whether CAS must ask for credentials again (`renew=true`): prompt=login; or a bridge session
 * exists but does not do (max_age exceeded, another subject hinted, acr not met); or max_age=0.
 * Without a bridge session, a max_age is checked against CAS's authenticationDate on return.
 */
export function needsRenew(reasons: readonly string[], maxAge: number | undefined): boolean {
  return reasons.includes('login_prompt') || !reasons.includes('no_session') || maxAge === 0;
}

async function redirectToCas(ctx: Context, services: Services, details: InteractionDetails, gateway: boolean): Promise<void> {
  const { config } = services;
  const renew = !gateway && needsRenew(details.prompt.reasons, maxAgeOf(details.params));
  const service = serviceUrlFor(config.cas.serviceUrl, config.cas.serviceUrlPerLogin, details.uid);
  await sendToCas(ctx, services, {
    uid: details.uid,
    service,
    renew,
    gateway,
    clientId: str(details.params.client_id) ?? '',
    redirectUri: str(details.params.redirect_uri),
    state: str(details.params.state),
    responseMode: str(details.params.response_mode),
    interactionExpiresAt: details.exp,
  });
}

/** Stores a login in progress for as long as its interaction lives, and the grace after. */
async function savePending(services: Services, pending: PendingLogin): Promise<void> {
  const keep = Math.max(1, pending.interactionExpiresAt - Math.floor(Date.now() / 1000)) + EXPIRED_GRACE_SECONDS;
  await services.pendingLogins.save(pending, keep);
}

async function sendToCas(ctx: Context, services: Services, pending: PendingLogin): Promise<void> {
  const { config } = services;
  await savePending(services, pending);
  setPendingCookie(ctx, config, pending.uid);
  // a logout still on its way through CAS is over once a login starts
  clearPendingLogout(ctx, config);
  ctx.status = 303;
  ctx.redirect(casLoginUrl(config.cas.loginUrl, pending.service, { renew: pending.renew, gateway: pending.gateway }));
}

/** GET /interaction/:uid/cas?ticket=… — validate the ticket and finish the login. */
export const completeCasLogin = (ctx: Context, services: Services, provider: Provider): Promise<void> =>
  finishCasLogin(ctx, services, provider, String(ctx.params.uid ?? ''), () => provider.interactionDetails(ctx.req, ctx.res));

/**
 * The same at the CAS service URL itself, for the login that the bridge's pending cookie names:
 * the signed cookie ties the browser to the login as the interaction cookie would, and the browser
 * is spared the redirect to /interaction/<uid>/cas.
 */
export const completeCasLoginAtService = (ctx: Context, services: Services, provider: Provider, uid: string): Promise<void> =>
  finishCasLogin(ctx, services, provider, uid, () => interactionByUid(provider, uid));

async function finishCasLogin(ctx: Context, services: Services, provider: Provider, uid: string, load: () => Promise<InteractionDetails>): Promise<void> {
  let details: InteractionDetails;
  try {
    details = await load();
  } catch (err) {
    if (!(err instanceof oidcErrors.SessionNotFound)) throw err;
    // a live login whose interaction cookie this browser lacks: the browser did not start it (a
    // ticket someone else obtained, sent here to log this browser in as them)
    if (err.error_description === 'interaction session id cookie not found' && await provider.Interaction.find(uid)) {
      return refuseForeignLogin(ctx, services, uid);
    }
    loginExpired(services, uid);
    return renderExpired(ctx, services, uid);
  }
  // taken, not read: of two returns from CAS for one login only one goes on (one statement, where
  // a read and a delete would be two); a return that can be tried again puts it back
  const pending = details.prompt.name === 'login' ? await services.pendingLogins.take(details.uid) : undefined;
  if (!pending) {
    loginExpired(services, details.uid);
    return renderExpired(ctx, services, details.uid);
  }

  const ticket = returnedTicket(ctx.query);
  // every page of a failed return offers a way on: try again, or go back to the application
  const backHref = backToClientUrl(pending, services.config.issuer, 'the login could not be completed');
  const back = backHref ? [{ href: backHref, label: 'action.back_to_app' }] : [];
  const retry = [{ href: interactionUrl(services, details.uid), label: 'action.retry', primary: true }, ...back];
  const clientParams = { client: services.clients.get(pending.clientId)?.name ?? pending.clientId };
  if (!ticket && pending.gateway) {
    // gateway: CAS came back without a ticket because it has no single sign-on session
    clearPendingCookie(ctx, services.config);
    services.logger.info({ event: 'login', client: pending.clientId, interaction: details.uid, outcome: 'gateway_no_session' }, 'CAS has no session for prompt=none');
    return loginRequired(ctx, details, 'End-User authentication is required');
  }
  if (!ticket) {
    services.metrics.login('no_ticket');
    services.logger.info({ event: 'login', outcome: 'no_ticket', client: pending.clientId, interaction: details.uid }, 'came back from CAS without a ticket');
    await savePending(services, pending);
    services.views.renderError(ctx, { status: 400, titleKey: 'error.no_ticket.title', messageKey: 'error.no_ticket.message', actions: retry, params: clientParams });
    return;
  }

  const log = services.logger.child({ event: 'login', client: pending.clientId, interaction: details.uid });
  const fail = async (page: Parameters<Services['views']['renderError']>[1]): Promise<void> => {
    if (!pending.gateway) {
      await savePending(services, pending);
      return services.views.renderError(ctx, { ...page, params: { ...clientParams, ...page.params } });
    }
    clearPendingCookie(ctx, services.config);
    return loginRequired(ctx, details, 'the login could not be completed without interaction');
  };
  const started = performance.now();
  let result;
  try {
    result = await services.cas.validate({ service: pending.service, ticket, renew: pending.renew, pgtUrl: pgtUrlFor(services) });
  } catch (err) {
    const casLatencyMs = Math.round(performance.now() - started);
    if (!(err instanceof CasError)) throw err;
    services.metrics.casValidation('error', casLatencyMs);
    services.metrics.login(err.kind as LoginOutcome);
    log.warn({ outcome: err.kind, casLatencyMs, reason: err.message }, 'CAS validation failed');
    return fail({
      status: err.status,
      titleKey: `error.${err.kind}.title`,
      messageKey: `error.${err.kind}.message`,
      actions: retry,
    });
  }
  const casLatencyMs = Math.round(performance.now() - started);
  services.metrics.casValidation(result.kind, casLatencyMs);

  if (result.kind === 'failure') {
    services.metrics.login('cas_failure');
    log.warn({
      outcome: 'cas_failure',
      casCode: result.code,
      // bounded, tickets masked (lib/cas/bounds.ts)
      ...(result.description ? { casReason: result.description } : {}),
      casLatencyMs,
      ...(result.code === 'INVALID_SERVICE' ? { hint: 'CAS issued the ticket for another service URL: check SERVICE_URL and the service registered at CAS' } : {}),
    }, 'CAS refused the ticket');
    return fail({
      status: result.code === 'INVALID_REQUEST' ? 400 : result.code === 'INTERNAL_ERROR' ? 502 : 401,
      titleKey: 'error.cas_failure.title',
      messageKey: 'error.cas_failure.message',
      detail: `CAS: ${result.code}`,
      actions: retry,
    });
  }

  if (pending.renew && result.attributes.isFromNewLogin?.[0] === 'false') {
    services.metrics.login('renew_not_honoured');
    log.warn({ outcome: 'renew_not_honoured', casUser: result.user, casLatencyMs }, 'CAS reused a session where a fresh login was required');
    return fail({ status: 401, titleKey: 'error.renew_required.title', messageKey: 'error.renew_required.message', actions: retry });
  }

  // without a bridge session, max_age is checked against when CAS says the person logged in
  const authTime = parseAuthenticationDate(result.attributes.authenticationDate?.[0]);
  const maxAge = maxAgeOf(details.params);
  if (maxAge !== undefined && !pending.renew && (authTime === undefined || Math.floor(Date.now() / 1000) - authTime > maxAge)) {
    log.info({ outcome: 'max_age_exceeded', casUser: result.user, casLatencyMs }, 'CAS login older than max_age');
    if (pending.gateway) return fail({ status: 401, titleKey: 'error.renew_required.title', messageKey: 'error.renew_required.message' });
    return sendToCas(ctx, services, { ...pending, renew: true });
  }

  const proxied = await obtainPgt(services, result, log);
  result = proxied.result;

  let mapped: MappedClaims;
  try {
    mapped = await saveAccount(services, result);
  } catch (err) {
    if (!(err instanceof ClaimMappingError)) throw err;
    services.metrics.login('claims_failed');
    log.warn({ outcome: 'claims_failed', casUser: result.user, reason: err.message, casLatencyMs }, 'claims could not be mapped');
    return fail({ status: 403, titleKey: 'error.account.title', messageKey: 'error.account.message', actions: back.map((a) => ({ ...a, primary: true })) });
  }

  clearPendingCookie(ctx, services.config);
  const { sub, claims } = mapped;
  services.metrics.login('success');
  log.info({ outcome: 'success', casUser: result.user, sub, casLatencyMs }, 'CAS login validated');

  const acr = str(claims.acr);
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : undefined;
  await finishLoaded(ctx, details, {
    login: {
      accountId: sub,
      ts: authTime ?? Math.floor(Date.now() / 1000),
      ...(acr ? { acr } : {}),
      ...(amr?.length ? { amr } : {}),
    },
    cas: { ticketHash: ticketHash(ticket), account: { claims, attributes: result.attributes } } satisfies CasLoginResult,
    ...pgtInteractionResult(services, sub, proxied.pgt),
  });
}

/** The CAS return names a login this browser did not start: nothing is validated or created. */
function refuseForeignLogin(ctx: Context, services: Services, uid: string): void {
  services.metrics.login('foreign_browser');
  services.logger.warn({ event: 'login', outcome: 'foreign_browser', interaction: uid }, 'CAS sent a browser back for a login that browser did not start; the ticket was not validated');
  services.views.renderError(ctx, { status: 403, titleKey: 'error.foreign_login.title', messageKey: 'error.foreign_login.message' });
}

function loginExpired(services: Services, uid: string): void {
  services.metrics.login('expired');
  services.logger.info({ event: 'login', outcome: 'expired', interaction: uid }, 'login expired before CAS sent the browser back');
}

async function saveAccount(services: Services, result: CasAuthenticationSuccess): Promise<MappedClaims> {
  const mapped = services.config.claims.mapping.map(result.user, result.attributes);
  await services.accounts.save({ sub: mapped.sub, claims: mapped.claims, attributes: result.attributes });
  return mapped;
}

/** GET /interaction/:uid/abort — the person chose to go back: the client gets access_denied. */
export async function abortInteraction(ctx: Context, services: Services, provider: Provider): Promise<void> {
  try {
    await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    if (err instanceof oidcErrors.SessionNotFound) return renderExpired(ctx, services, String(ctx.params.uid ?? ''));
    throw err;
  }
  await finish(ctx, provider, { error: 'access_denied', error_description: 'the account is not allowed to use this application' });
}

