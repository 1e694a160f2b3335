// The settings of Keycloak's identity provider for the bridge, field by field as its admin console
// labels them (Keycloak 26.7; 26.4 labels the same except where noted). check-config prints them,
// the README's "Keycloak" section lists them, and the Keycloak specs apply them through Keycloak's
// admin REST API (`api`: where the identity-provider representation keeps each one) against a real
// Keycloak: the one list keeps the three the same.

/** Where the field is on the identity provider's page. */
export type KeycloakSection = 'OpenID Connect settings' | 'OpenID Connect settings > Advanced' | 'Advanced settings';

export interface KeycloakField {
  readonly section: KeycloakSection;
  readonly label: string;
  readonly value: string;
  /** why, in a few words */
  readonly why?: string;
  readonly api: { readonly key: string; readonly value: string | boolean; readonly topLevel?: boolean };
}

/** "Client authentication", by the bridge client's token_endpoint_auth_method (26.4: "…as post", "…as basic auth"). */
export const KEYCLOAK_CLIENT_AUTH_LABELS = {
  client_secret_post: 'Client secret sent in the request body',
  client_secret_basic: 'Client secret sent as HTTP Basic authentication',
  client_secret_jwt: 'JWT signed with client secret',
  private_key_jwt: 'JWT signed with private key',
} as const;

export const KEYCLOAK_SCOPES = 'openid profile email groups';

/** Every identity provider for the bridge. */
export const KEYCLOAK_FIELDS: readonly KeycloakField[] = [
  { section: 'OpenID Connect settings', label: 'Validate Signatures', value: 'On', why: 'set by the import; keep it', api: { key: 'validateSignature', value: 'true' } },
  { section: 'OpenID Connect settings', label: 'Use JWKS URL', value: 'On', why: 'set by the import; keep it', api: { key: 'useJwksUrl', value: 'true' } },
  { section: 'OpenID Connect settings', label: 'Use PKCE', value: 'On', api: { key: 'pkceEnabled', value: 'true' } },
  { section: 'OpenID Connect settings', label: 'PKCE Method', value: 'S256', why: 'the console proposes plain, which the bridge refuses', api: { key: 'pkceMethod', value: 'S256' } },
  { section: 'OpenID Connect settings > Advanced', label: 'Backchannel logout', value: 'Off', why: 'the default; the bridge ends a session only with the browser', api: { key: 'backchannelSupported', value: 'false' } },
  { section: 'OpenID Connect settings > Advanced', label: "Send 'id_token_hint' in logout requests", value: 'On', why: 'the default', api: { key: 'sendIdTokenOnLogout', value: 'true' } },
  { section: 'OpenID Connect settings > Advanced', label: 'Scopes', value: KEYCLOAK_SCOPES, why: 'empty means openid alone: no e-mail or names', api: { key: 'defaultScope', value: KEYCLOAK_SCOPES } },
  { section: 'Advanced settings', label: 'Trust Email', value: 'On', why: 'the address comes from the directory', api: { key: 'trustEmail', value: true, topLevel: true } },
  { section: 'Advanced settings', label: 'Sync mode', value: 'Force', why: 'names, e-mail and groups follow CAS at every login', api: { key: 'syncMode', value: 'FORCE' } },
];

/** More for a bridge client that may obtain CAS proxy tickets (cas_proxy_targets). */
export const KEYCLOAK_PROXY_FIELDS: readonly KeycloakField[] = [
  { section: 'OpenID Connect settings > Advanced', label: 'Scopes', value: `${KEYCLOAK_SCOPES} cas_proxy`, api: { key: 'defaultScope', value: `${KEYCLOAK_SCOPES} cas_proxy` } },
  { section: 'Advanced settings', label: 'Store tokens', value: 'On', why: 'keeps the bridge\'s access token for the application', api: { key: 'storeToken', value: true, topLevel: true } },
  { section: 'Advanced settings', label: 'Stored tokens readable', value: 'On', why: 'new users get the broker read-token role', api: { key: 'addReadTokenRoleOnCreate', value: true, topLevel: true } },
];

/** The fields for a client, later entries winning (Scopes with cas_proxy). */
export function keycloakFields(proxyTickets: boolean): KeycloakField[] {
  const fields = new Map(KEYCLOAK_FIELDS.map((f) => [f.label, f]));
  if (proxyTickets) for (const f of KEYCLOAK_PROXY_FIELDS) fields.set(f.label, f);
  return [...fields.values()];
}
