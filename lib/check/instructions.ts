// What to ask the CAS administrators to register, and what to enter in Keycloak, worked out from the
// configuration so an admin can copy it into an e-mail or a console field by field.
import type { BridgeConfig, ClientConfig } from '../config/index.js';
import { PROTOCOL_NAMES, type CasProtocol } from '../cas/protocol.js';
import { allowlistMatches, compileAllowlist } from '../http/redirect-match.js';
import { keycloakBroker } from '../config/application-home.js';
import { KEYCLOAK_CLIENT_AUTH_LABELS, keycloakFields } from './keycloak-settings.js';

export { keycloakBroker, type KeycloakBroker } from '../config/application-home.js';

/** The pgtUrl the bridge hands CAS, when CAS proxying is configured. */
function proxyCallbackUrl(config: BridgeConfig): string | undefined {
  return config.cas.proxy?.callbackUrl;
}

const ATTRIBUTE_RELEASE: Record<CasProtocol, string> = {
  cas3: 'those the claim mapping above reads (CAS protocol 3, /p3/serviceValidate)',
  cas2: 'those the claim mapping above reads, in CAS 2 answers (/serviceValidate; many servers add none there)',
  saml11: 'those the claim mapping above reads, in the SAML 1.1 AttributeStatement (/samlValidate)',
  cas1: 'none: CAS 1 (/validate) carries the user name only',
};

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function casAdminRequest(config: BridgeConfig): string[] {
  const { serviceUrl, serviceUrlPerLogin } = config.cas;
  const lines = serviceUrlPerLogin
    ? [
      `Service, as a pattern (each login adds ?login=<id>): ^${escapeRegex(serviceUrl)}\\?login=[A-Za-z0-9_-]+$`,
      `  (Apereo CAS: a regex service with this serviceId; where CAS matches by prefix: ${serviceUrl}?login=)`,
    ]
    : [
      `Service URL, exact match:   ${serviceUrl}`,
      '  (SERVICE_URL_PER_LOGIN=false: CAS tickets are not bound to the browser that started the login; see the warning above)',
    ];
  lines.push(
    `Attributes to release:      ${ATTRIBUTE_RELEASE[config.cas.protocol]}`,
    `Single logout:              on, back-channel: CAS POSTs the logoutRequest to the service URL itself`,
  );
  const pgt = proxyCallbackUrl(config);
  if (pgt) {
    lines.push(`Proxy callback (pgtUrl):    ${pgt} (allow it as this service's proxy callback; https with a certificate CAS trusts)`);
    lines.push('Proxying:                   the service may obtain proxy tickets (proxyPolicy allowing the callback above)');
  }
  if (config.cas.proxy?.pgtPrivateKeyPem) {
    lines.push('Encrypted PGT:              publicKey = the DER file written by `cas-oidc-bridge pgt-keygen` (algorithm RSA),');
    lines.push('                            attributeReleasePolicy.authorizedToReleaseProxyGrantingTicket = true');
  }
  else if (config.clients.some((c) => c.casProxyTargets.length > 0)) {
    lines.push('Proxy tickets:              a client has cas_proxy_targets, so the service must be allowed to obtain proxy tickets');
  }
  lines.push(`The bridge validates at:    ${config.cas.validateUrl} (${PROTOCOL_NAMES[config.cas.protocol]})`);
  return lines;
}

function allowed(uri: string, exact: readonly string[], allowlist: readonly string[]): boolean {
  return exact.includes(uri) || allowlistMatches(compileAllowlist(allowlist), uri);
}

/** True when one of the client's redirect URIs is a Keycloak broker endpoint. */
export function isKeycloakClient(client: ClientConfig): boolean {
  return [...client.redirectUris, ...client.redirectUriAllowlist].some((uri) => keycloakBroker(uri) !== undefined);
}

/** What any other OpenID Connect relying party needs. */
export function relyingPartySettings(config: BridgeConfig, client: ClientConfig): string[] {
  const secretName = client.where === 'CLIENT_ID' ? 'CLIENT_SECRET' : `${client.where}.client_secret`;
  const registered = [...client.redirectUris, ...client.redirectUriAllowlist.map((u) => `${u} (and paths below it)`)];
  const method = client.tokenEndpointAuthMethod;
  const credentials = method === 'none' ? 'Client secret:          none (a public client)'
    : method === 'private_key_jwt' ? `Client keys:            ${client.jwksUri ? `fetched from ${client.jwksUri}` : `${client.jwks?.keys.length ?? 0} public key(s) in the configuration`}; the client signs with its private key`
      : `Client secret:          the value of ${secretName} (not shown)`;
  return [
    `Issuer / discovery:     ${config.issuer} (${config.issuer}/.well-known/openid-configuration)`,
    `Client ID:              ${client.clientId}`,
    credentials,
    `Client authentication:  ${method}${method === 'client_secret_basic' || method === 'client_secret_post' ? ' (client_secret_basic and client_secret_post both work)' : ''}`,
    `Flow:                   authorization code; ${method === 'none' ? 'PKCE S256 required' : 'PKCE optional, S256 only'}${client.firstParty ? '' : '; the person is asked for consent'}`,
    ...(client.allowedOrigins.length ? [`Browser origins:        ${client.allowedOrigins.join(', ')} (may call the token and userinfo endpoints)`] : []),
    `Redirect URI:           ${registered.join(', ')}`,
    `Scopes:                 openid plus any of: ${[...new Set(['profile', 'email', 'groups', 'offline_access', ...Object.keys(config.claims.mapping.scopes)])].filter((s) => s !== 'openid').join(' ')}`,
  ];
}

/** Keycloak's "Client authentication" choice, and the secret (or keys) it needs. */
function keycloakCredentials(client: ClientConfig, secretName: string): string[] {
  const secret = `Client Secret:          the value of ${secretName} (not shown)`;
  switch (client.tokenEndpointAuthMethod) {
    case 'private_key_jwt':
      return [
        `Client authentication:  ${KEYCLOAK_CLIENT_AUTH_LABELS.private_key_jwt} (Keycloak signs with the realm's active RS256 key)`,
        `  the bridge reads:     ${client.jwksUri ?? 'the public keys in its configuration'} (the realm's <keycloak>/realms/<realm>/protocol/openid-connect/certs)`,
      ];
    case 'client_secret_jwt':
      return [`Client authentication:  ${KEYCLOAK_CLIENT_AUTH_LABELS.client_secret_jwt}`, secret];
    case 'client_secret_basic':
      return [`Client authentication:  ${KEYCLOAK_CLIENT_AUTH_LABELS.client_secret_basic} (Keycloak 26.4: "Client secret sent as basic auth"; the bridge accepts both methods)`, secret];
    default:
      return [`Client authentication:  ${KEYCLOAK_CLIENT_AUTH_LABELS.client_secret_post} (Keycloak 26.4: "Client secret sent as post"; the bridge accepts both methods)`, secret];
  }
}

export function keycloakSettings(config: BridgeConfig, client: ClientConfig): string[] {
  const discovery = `${config.issuer}/.well-known/openid-configuration`;
  const secretName = client.where === 'CLIENT_ID' ? 'CLIENT_SECRET' : `${client.where}.client_secret`;
  const jwt = client.tokenEndpointAuthMethod === 'private_key_jwt' || client.tokenEndpointAuthMethod === 'client_secret_jwt';
  const lines = [
    `Discovery endpoint:     ${discovery} (Use discovery endpoint: On)`,
    `Client ID:              ${client.clientId}`,
    ...keycloakCredentials(client, secretName),
    ...(jwt ? ['Client assertion signature algorithm: RS256 (or ES256, PS256); HS256 with a client secret as jwt'] : []),
  ];
  let section = '';
  for (const field of keycloakFields(client.casProxyTargets.length > 0)) {
    if (field.section !== section) {
      section = field.section;
      lines.push(`Then, ${section}:`);
    }
    lines.push(`  ${`${field.label}:`.padEnd(42)}${field.value}${field.why ? ` (${field.why})` : ''}`);
  }
  lines.push(
    'Names and e-mail:       no mapper needed (Keycloak imports preferred_username, email, given_name, family_name)',
    'Groups (optional):      mapper "Attribute Importer", Claim groups, to a multivalued user-profile attribute (README: Keycloak)',
    'Redirect URI shape:     <keycloak>/realms/<realm>/broker/<alias>/endpoint (Keycloak shows it on the same page)',
  );
  const registered = [...client.redirectUris, ...client.redirectUriAllowlist];
  const brokers = registered.map((uri) => ({ uri, broker: keycloakBroker(uri) }));
  const matching = brokers.filter((b) => b.broker);
  if (!matching.length) {
    lines.push(`  registered here:      ${registered.join(', ') || '(none)'}: none has the Keycloak broker shape (fine for another kind of relying party)`);
    return lines;
  }
  for (const { uri, broker } of matching) {
    if (!broker) continue;
    lines.push(`  registered here:      ${uri} (Keycloak ${broker.base}, realm "${broker.realm}", alias "${broker.alias}")`);
    const logoutResponse = `${uri.replace(/\/$/, '')}/logout_response`;
    const postLogoutOk = allowed(logoutResponse, client.postLogoutRedirectUris, client.postLogoutAllowlist);
    lines.push(`  logout return:        ${logoutResponse} ${postLogoutOk ? '(allowed)' : '(NOT allowed yet: add it to post_logout_redirect_uris)'}`);
    const backchannel = `${broker.base}/realms/${encodeURIComponent(broker.realm)}/protocol/openid-connect/logout/backchannel-logout`;
    if (client.backchannelLogoutUri) {
      lines.push(`  back-channel logout:  ${client.backchannelLogoutUri}${client.backchannelLogoutUri === backchannel ? '' : ` (Keycloak's is ${backchannel})`}`);
    } else {
      lines.push(`  back-channel logout:  not configured; Keycloak receives it at ${backchannel}`);
    }
  }
  return lines;
}
