// OAuth 2.0 Token Exchange (RFC 8693) at /token: a client hands in an access token it holds for a
// user and names a back-end service (`resource`); the bridge asks CAS /proxy for a proxy ticket
// with the PGT of the user's OP session and answers it as the issued token.
//
//   grant_type=urn:ietf:params:oauth:grant-type:token-exchange
//   subject_token=<access token>  subject_token_type=urn:ietf:params:oauth:token-type:access_token
//   requested_token_type=urn:cas-oidc-bridge:token-type:cas-proxy-ticket
//   resource=<CAS service URL of the back-end>
import type Provider from 'oidc-provider';
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { CasError } from '../cas/errors.js';
import type { Services } from '../server/services.js';
import { ProxyTargets } from './targets.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** The bridge's token type URN for a CAS proxy ticket (PT-…). */
export const CAS_PROXY_TICKET_TYPE = 'urn:cas-oidc-bridge:token-type:cas-proxy-ticket';
/** The scope an access token needs to be exchanged for proxy tickets. */
export const CAS_PROXY_SCOPE = 'cas_proxy';
/** Seconds a proxy ticket is good for, as announced (Apereo's default PT lifetime is 10 s). */
export const PROXY_TICKET_EXPIRES_IN = 10;

const PARAMETERS = ['subject_token', 'subject_token_type', 'requested_token_type', 'resource', 'audience', 'scope', 'actor_token', 'actor_token_type'];

interface ExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  audience?: string;
  actor_token?: string;
  actor_token_type?: string;
}

/** `temporarily_unavailable` with HTTP 503: CAS could not be asked. */
class CasUnavailable extends errors.TemporarilyUnavailable {
  constructor(description: string) {
    super(description);
    this.status = 503;
    this.statusCode = 503;
  }
}

/** invalid_grant with a description (errors.InvalidGrant keeps its fixed one and hides the text). */
const invalidGrant = (description: string): errors.OIDCProviderError => new errors.CustomOIDCProviderError('invalid_grant', description);

const casCode = (code: string): string => (/^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'UNKNOWN');

/** A CAS /proxy failure as the OAuth error the client gets; `pgtDead` when the PGT is of no more use. */
export function mapProxyFailure(rawCode: string): { error: errors.OIDCProviderError; pgtDead: boolean } {
  const code = casCode(rawCode);
  switch (code) {
    case 'INVALID_TICKET':
    case 'INVALID_TICKET_SPEC':
    case 'BAD_PGT':
      return {
        error: invalidGrant(`CAS no longer accepts the proxy-granting ticket of this login (CAS: ${code}); the user must log in again`),
        pgtDead: true,
      };
    case 'UNAUTHORIZED_SERVICE':
    case 'UNAUTHORIZED_SERVICE_PROXY':
    case 'INVALID_SERVICE':
      return { error: new errors.InvalidTarget(`CAS refused to issue a proxy ticket for this service (CAS: ${code})`), pgtDead: false };
    case 'INVALID_REQUEST':
    case 'INVALID_REQUEST_PROXY':
      return { error: new errors.InvalidRequest(`CAS rejected the proxy request (CAS: ${code})`), pgtDead: false };
    case 'INTERNAL_ERROR':
      return { error: new CasUnavailable(`CAS could not issue a proxy ticket (CAS: ${code})`), pgtDead: false };
    default:
      return { error: invalidGrant(`CAS refused the proxy request (CAS: ${code})`), pgtDead: false };
  }
}

/** Where a target URL points, for logs (a query string may carry anything). */
const targetForLog = (target: string): string => {
  const url = URL.parse(target);
  return url ? `${url.origin}${url.pathname}` : '?';
};

export function tokenExchangeHandler(services: Services) {
  const targets = new Map(services.config.clients.map((c) => [c.clientId, new ProxyTargets(c.casProxyTargets)]));

  return async function exchange(ctx: TokenEndpointGrantContext<ExchangeParams>): Promise<void> {
    const { params, client, provider } = ctx.oidc;
    const resource = params.resource;
    const log = services.logger.child({ event: 'cas_proxy', client: client.clientId });
    const refuse = (outcome: string, error: errors.OIDCProviderError, extra: Record<string, unknown> = {}): errors.OIDCProviderError => {
      log.info({ outcome, error: error.error, ...extra }, 'proxy ticket refused');
      return error;
    };

    if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
      throw refuse('bad_request', new errors.InvalidRequest('actor_token (delegation) is not supported'));
    }
    if (params.requested_token_type !== CAS_PROXY_TICKET_TYPE) {
      throw refuse('bad_request', new errors.InvalidRequest(`requested_token_type must be ${CAS_PROXY_TICKET_TYPE} (the only token this bridge exchanges for)`));
    }
    if (!params.subject_token) throw refuse('bad_request', new errors.InvalidRequest('missing required parameter \'subject_token\''));
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw refuse('bad_request', new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`));
    }
    if (params.audience !== undefined) {
      throw refuse('bad_target', new errors.InvalidTarget('name the back-end service with resource (its CAS service URL), not audience'));
    }
    if (typeof resource !== 'string' || !resource) {
      throw refuse('bad_target', new errors.InvalidTarget('resource is required: the CAS service URL of the back-end service'));
    }

    const allowed = targets.get(client.clientId);
    if (!allowed || allowed.empty) {
      throw refuse('client_not_allowed', new errors.UnauthorizedClient('this client may not obtain CAS proxy tickets (it has no cas_proxy_targets)'));
    }
    if (!allowed.allows(resource)) {
      throw refuse('target_not_allowed', new errors.InvalidTarget('this client may not obtain proxy tickets for that service'), { target: targetForLog(resource) });
    }

    const subject = await provider.AccessToken.find(params.subject_token);
    if (!subject || subject.isExpired || subject.clientId !== client.clientId) {
      throw refuse('bad_subject_token', invalidGrant('subject_token is invalid, expired, or was not issued to this client'));
    }
    if (subject.isSenderConstrained()) {
      throw refuse('bad_subject_token', invalidGrant('sender-constrained (DPoP) access tokens cannot be exchanged'));
    }
    if (!subject.scopes.has(CAS_PROXY_SCOPE)) {
      throw refuse('no_scope', new errors.InvalidScope(`the subject_token lacks the ${CAS_PROXY_SCOPE} scope (request it at authorization)`, CAS_PROXY_SCOPE));
    }
    const session = subject.sessionUid ? await provider.Session.findByUid(subject.sessionUid) : undefined;
    if (!session || session.accountId !== subject.accountId) {
      throw refuse('session_ended', invalidGrant('the login behind the subject_token has ended'));
    }
    const held = await services.pgts.forSession(session.uid);
    if (!held || held.accountId !== subject.accountId) {
      throw refuse('no_pgt', invalidGrant('no CAS proxy-granting ticket is held for this login (CAS did not grant one, or it was logged out)'));
    }

    // the account as logs name it elsewhere (user), and the sub this client knows it by (pairwise or not)
    const who = { user: subject.accountId, sub: services.subjects.forClient(client.clientId, subject.accountId) };
    const started = performance.now();
    let answer;
    try {
      answer = await services.cas.proxy(held.pgt, resource);
    } catch (err) {
      if (!(err instanceof CasError)) throw err;
      log.warn({ outcome: err.kind, reason: err.message }, 'CAS /proxy could not be asked');
      throw new CasUnavailable('CAS could not be reached to issue a proxy ticket; try again later');
    }
    const casLatencyMs = Math.round(performance.now() - started);
    const target = targetForLog(resource);
    if (answer.kind === 'failure') {
      const { error, pgtDead } = mapProxyFailure(answer.code);
      if (pgtDead) await services.pgts.forgetSession(session.uid);
      throw refuse('cas_refused', error, { casCode: casCode(answer.code), target, ...who, casLatencyMs });
    }

    log.info({ outcome: 'issued', ...who, target, casLatencyMs }, 'proxy ticket issued');
    ctx.body = {
      access_token: answer.proxyTicket,
      issued_token_type: CAS_PROXY_TICKET_TYPE,
      token_type: 'N_A',
      expires_in: PROXY_TICKET_EXPIRES_IN,
    };
  };
}

export function registerTokenExchange(provider: Provider, services: Services): void {
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, tokenExchangeHandler(services), PARAMETERS);
}
