// Listens to oidc-provider's events for metrics and for log lines an operator acts on: token
// grants by type, back-channel logouts, and errors that point at a client's misconfiguration.
// Only error codes, descriptions and ids are logged: never a parameter value from the request.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { BridgeMetrics } from '../observability/metrics.js';
import { LogoutTokenSkipped, recordBackchannel } from '../logout/backchannel-outcome.js';

interface OidcError extends Error {
  error?: string;
  error_description?: string;
  status?: number;
}

/** Errors that a person or a stale link can cause once, but that usually mean a client is set up wrong. */
const MISCONFIGURATION = new Set(['invalid_client', 'invalid_redirect_uri', 'unauthorized_client', 'invalid_client_metadata', 'unsupported_response_type']);

function errorFields(err: OidcError, ctx: KoaContextWithOIDC) {
  const clientId = ctx.oidc?.client?.clientId;
  return {
    route: ctx.oidc?.route,
    client: clientId,
    error: err.error ?? err.name,
    description: err.error_description,
    requestId: typeof ctx.state?.requestId === 'string' ? ctx.state.requestId : undefined,
  };
}

/** Longest redirect URI written to a log line (a request can send anything). */
const MAX_LOGGED_URI = 500;

/**
 * For the commonest wiring mistake, a redirect URI the client is not registered with: the URI sent
 * and the ones registered, side by side for the admin (the page people see names neither).
 */
function redirectMismatch(err: OidcError, ctx: KoaContextWithOIDC, clients: ReadonlyMap<string, ClientConfig>): Record<string, unknown> {
  if (err.error !== 'invalid_redirect_uri') return {};
  const sent = ctx.oidc?.params?.redirect_uri;
  const client = clients.get(ctx.oidc?.client?.clientId ?? '');
  return {
    redirectUri: typeof sent === 'string' ? sent.slice(0, MAX_LOGGED_URI) : undefined,
    registered: client?.redirectUris,
    ...(client?.redirectUriAllowlist.length ? { registeredPrefixes: client.redirectUriAllowlist } : {}),
  };
}

export function observeProvider(provider: Provider, logger: Logger, metrics: BridgeMetrics, clients: ReadonlyMap<string, ClientConfig>): void {
  const on = provider.on.bind(provider) as (event: string, listener: (...args: never[]) => void) => void;

  on('grant.success', (ctx: KoaContextWithOIDC) => {
    metrics.tokenGrant(ctx.oidc?.params?.grant_type, 'success');
  });
  on('grant.error', (ctx: KoaContextWithOIDC, err: OidcError) => {
    metrics.tokenGrant(ctx.oidc?.params?.grant_type, 'error');
    const fields = { event: 'token_error', ...errorFields(err, ctx) };
    if (MISCONFIGURATION.has(fields.error)) logger.warn(fields, 'token request refused: check the client\'s configuration');
    else logger.info(fields, 'token request refused');
  });
  on('server_error', (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc?.route === 'token') metrics.tokenGrant(ctx.oidc.params?.grant_type, 'error');
  });
  on('authorization.error', (ctx: KoaContextWithOIDC, err: OidcError) => {
    const fields = { event: 'authorization_error', ...errorFields(err, ctx), ...redirectMismatch(err, ctx, clients) };
    if (MISCONFIGURATION.has(fields.error)) logger.warn(fields, 'authorization request refused: check the client\'s configuration');
    else logger.info(fields, 'authorization request refused');
  });
  // oidc-provider back-channels only on RP-initiated logout; CAS single logout records its own
  on('backchannel.success', (_ctx: KoaContextWithOIDC, client: { clientId: string }) => {
    recordBackchannel(logger, metrics, { reason: 'rp_logout', client: client.clientId, outcome: 'delivered' });
  });
  on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }) => {
    if (err instanceof LogoutTokenSkipped) recordBackchannel(logger, metrics, { reason: 'rp_logout', client: client.clientId, outcome: 'skipped' });
    else recordBackchannel(logger, metrics, { reason: 'rp_logout', client: client.clientId, outcome: 'failed', error: err.message });
  });
}
