// oidc-provider configuration built from the bridge's configuration. Every choice that differs
// from oidc-provider's defaults is made here, with the reason beside it.
import type { Configuration, JWKS, KoaContextWithOIDC } from 'oidc-provider';
import { SequelizeAdapter } from '../../adapters/oidc-adapter.js';
import type { Services } from '../server/services.js';
import { findAccountFrom } from './account.js';
import { clientMetadata } from './clients.js';
import { loadExistingGrantFor } from './grants.js';
import { buildPolicy } from './policy.js';
import { knownScopes } from './scopes.js';
import { onIssuer } from '../http/issuer-origin.js';
import { GATEWAY_PARAM } from './gateway.js';
import { clientBasedCors } from './cors.js';
import { jwksUriFetch } from './jwks-fetch.js';
import { CONSENT_ADDED_PARAM } from './middleware.js';
import { checkParameterSizes } from './parameter-limits.js';
import { backchannelFetch } from '../logout/backchannel-fetch.js';
import { logoutPages } from '../logout/pages.js';

export interface ConfigurationParts {
  readonly jwks: JWKS;
  /** grant types added by features (token exchange), allowed for every configured client */
  readonly extraGrantTypes?: readonly string[];
  readonly extraScopes?: readonly string[];
}

export function buildConfiguration(services: Services, parts: ConfigurationParts): Configuration {
  const { config, views } = services;
  const scopes = knownScopes(services, parts.extraScopes);
  const cookie = { httpOnly: true, sameSite: config.cookies.sameSite } as const;

  return {
    adapter: SequelizeAdapter.factory(services.db, services.accounts),
    clients: config.clients.map((c) => clientMetadata(c, scopes, parts.extraGrantTypes)),
    jwks: parts.jwks,
    findAccount: findAccountFrom(services.accounts),
    claims: {
      ...services.config.claims.mapping.scopes,
      // acr/amr of the login (from the claims mapping, set at login) in every ID token; oidc-provider
      // otherwise releases them only when a client asks with acr_values or the claims parameter
      openid: [...new Set([...(services.config.claims.mapping.scopes.openid ?? ['sub']), 'acr', 'amr'])],
      acr: null, auth_time: null, sid: null, amr: null,
    },
    scopes: [...scopes],
    // pairwise subjects (OpenID Connect Core 8.1) for clients with subject_type pairwise
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: (_ctx, accountId, client) => services.subjects.forClient(client.clientId, accountId),
    // sector_identifier_uri documents are fetched and checked once at start (sector.ts), not on
    // every provider rebuild (a key rotation builds a new provider)
    sectorIdentifierUriValidate: () => false,
    // the ID token carries the mapped claims too unless ID_TOKEN_CLAIMS=false
    conformIdTokenClaims: !config.claims.inIdToken,
    responseTypes: ['code'],
    // RFC 6749 4.1.3 / OIDC Core 3.1.2.1: redirect_uri in every authorization request, repeated at
    // the token endpoint (oidc-provider would otherwise fill in a client's single redirect URI)
    allowOmittingSingleRegisteredRedirectUri: false,
    routes: { authorization: '/authorize', token: '/token', userinfo: '/userinfo' },
    // set by the bridge only: cas_gateway from prompt=none (gateway.ts), whose validator is where
    // oidc-provider lets the bridge check every parameter once client and redirect_uri are known;
    // bridge_consent_added when it adds prompt=consent (middleware.ts)
    extraParams: { [GATEWAY_PARAM]: checkParameterSizes, [CONSENT_ADDED_PARAM]: null },
    // back-channel logout and the configured clients' jwks_uri may be on private networks
    // (backchannel-fetch.ts, jwks-fetch.ts)
    fetch: jwksUriFetch(config.clients, backchannelFetch(config.clients)),
    // browser origins by the client's registration (cors.ts)
    clientBasedCORS: clientBasedCors(services.clients),
    cookies: {
      keys: services.box.cookieKeys(),
      long: cookie,
      short: cookie,
    },
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      IdToken: config.ttl.accessToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
      RefreshToken: config.ttl.refreshToken,
      Grant: Math.max(config.ttl.session, config.ttl.refreshToken),
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    interactions: {
      url: (_ctx, interaction) => onIssuer(config.issuer, `/interaction/${interaction.uid}`),
      policy: buildPolicy(services.clients, services.accounts, services.logger),
    },
    loadExistingGrant: loadExistingGrantFor(services.clients, scopes),
    // confidential clients may skip PKCE (Keycloak's default); a challenge, when sent, must be S256;
    // a public client must use it (oidc-provider knows no other method than S256)
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // a public client's refresh token is used once: rotated on every use, and oidc-provider revokes
    // the whole grant when a spent one comes back (reuse detection). Confidential clients keep
    // oidc-provider's default: a new refresh token once 70 % of the old one's lifetime has passed.
    rotateRefreshToken: (ctx) => ctx.oidc.client?.clientAuthMethod === 'none'
      || (ctx.oidc.entities.RefreshToken?.ttlPercentagePassed() ?? 100) >= 70,
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        // a client may introspect only tokens issued to it
        allowedPolicy: (ctx: KoaContextWithOIDC, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (ctx: KoaContextWithOIDC, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, ...logoutPages(views, Boolean(config.cas.logoutUrl), (clientId, accountId) => services.subjects.forClient(clientId, accountId), services.clients) },
      backchannelLogout: { enabled: true },
      // no resource servers: access tokens are for userinfo (and token exchange)
      resourceIndicators: { enabled: false },
      claimsParameter: { enabled: false },
      dPoP: { enabled: true, nonceSecret: services.box.purposeKey('dpop-nonce') },
    },
    renderError: (ctx, out) => {
      const kind = out.error === 'server_error' ? 'server' : out.error === 'invalid_redirect_uri' ? 'redirect_uri' : 'request';
      const client = (ctx as KoaContextWithOIDC).oidc?.client;
      views.renderError(ctx, {
        status: ctx.status >= 400 ? ctx.status : 400,
        titleKey: `error.${kind}.title`,
        messageKey: `error.${kind}.message`,
        params: { client: client?.clientName ?? client?.clientId ?? '' },
        detail: out.error_description ? `${out.error}: ${out.error_description}` : out.error,
      });
    },
  };
}
