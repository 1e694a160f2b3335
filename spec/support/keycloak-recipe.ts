// The README's "Keycloak" recipe, step by step, through Keycloak's admin REST API (what the admin
// console sends for each field named in the README): the specs in spec/keycloak/ are its proof.
// Change this file and the README's section together.
import { keycloakFields } from '../../lib/check/keycloak-settings.js';
import type { KeycloakAdmin } from './keycloak-admin.js';

export type KeycloakClientAuth = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';

/** The Keycloak URLs an admin registers in the bridge, for one realm and identity-provider alias. */
export function keycloakBrokerUris(keycloakUrl: string, realm: string, alias: string) {
  const realmUrl = `${keycloakUrl}/realms/${encodeURIComponent(realm)}`;
  const endpoint = `${realmUrl}/broker/${encodeURIComponent(alias)}/endpoint`;
  return {
    redirectUri: endpoint,
    postLogoutRedirectUri: `${endpoint}/logout_response`,
    backchannelLogoutUri: `${realmUrl}/protocol/openid-connect/logout/backchannel-logout`,
  };
}

/** The bridge's `clients` entry for Keycloak, as the README shows it. */
export function bridgeClientForKeycloak(keycloakUrl: string, realm: string, alias: string, clientSecret: string, extra: Record<string, unknown> = {}) {
  const uris = keycloakBrokerUris(keycloakUrl, realm, alias);
  return {
    client_id: 'keycloak',
    client_secret: clientSecret,
    client_name: 'Keycloak',
    redirect_uris: [uris.redirectUri],
    post_logout_redirect_uris: [uris.postLogoutRedirectUri],
    backchannel_logout_uri: uris.backchannelLogoutUri,
    ...extra,
  };
}

export interface IdentityProviderSettings {
  readonly alias: string;
  readonly discoveryUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** "Client authentication" */
  readonly clientAuth: KeycloakClientAuth;
  /** the bridge client may obtain CAS proxy tickets: "Store tokens", "Stored tokens readable", Scopes with cas_proxy */
  readonly proxyTickets?: boolean;
}

/** The user-profile attribute the CAS groups are imported into (README: groups). */
export const CAS_GROUPS_ATTRIBUTE = 'cas_groups';

/**
 * Identity providers → Add provider → OpenID Connect v1.0, with "Use discovery endpoint" (Keycloak's
 * own import of the bridge's discovery document), then the settings that check-config prints and
 * the README lists (lib/check/keycloak-settings.ts).
 */
export async function addBridgeIdentityProvider(admin: KeycloakAdmin, realm: string, s: IdentityProviderSettings): Promise<void> {
  const config: Record<string, unknown> = {
    ...await admin.importIdentityProviderConfig(realm, s.discoveryUrl),
    clientAuthMethod: s.clientAuth, // "Client authentication"
    clientId: s.clientId, // "Client ID"
    // "Client Secret"; none for "JWT signed with private key" (Keycloak signs with its realm key)
    ...(s.clientAuth === 'private_key_jwt' ? {} : { clientSecret: s.clientSecret }),
  };
  const topLevel: Record<string, unknown> = {};
  for (const { api } of keycloakFields(s.proxyTickets ?? false)) (api.topLevel ? topLevel : config)[api.key] = api.value;
  await admin.createIdentityProvider(realm, { alias: s.alias, displayName: 'CAS', providerId: 'oidc', enabled: true, ...topLevel, config });
}

/**
 * Groups: the user-profile attribute (Realm settings → User profile → Create attribute), the
 * identity provider's "Attribute Importer" mapper from the `groups` claim, and an "Advanced Claim
 * to Group" mapper that makes members of one CAS group members of a Keycloak group.
 */
export async function addGroupMappers(admin: KeycloakAdmin, realm: string, alias: string, casGroup: string): Promise<void> {
  const profile = await admin.call<{ attributes: Array<Record<string, unknown>> }>('GET', `/${encodeURIComponent(realm)}/users/profile`);
  profile.attributes.push({
    name: CAS_GROUPS_ATTRIBUTE,
    displayName: 'CAS groups',
    multivalued: true,
    permissions: { view: ['admin'], edit: ['admin'] },
  });
  await admin.call('PUT', `/${encodeURIComponent(realm)}/users/profile`, profile);
  await admin.addIdentityProviderMapper(realm, alias, {
    name: 'groups',
    identityProviderMapper: 'oidc-user-attribute-idp-mapper', // "Attribute Importer"
    config: { syncMode: 'INHERIT', claim: 'groups', 'user.attribute': CAS_GROUPS_ATTRIBUTE },
  });
  await admin.createGroup(realm, casGroup);
  await admin.addIdentityProviderMapper(realm, alias, {
    name: `${casGroup} group`,
    identityProviderMapper: 'oidc-advanced-group-idp-mapper', // "Advanced Claim to Group"
    config: {
      syncMode: 'INHERIT',
      claims: JSON.stringify([{ key: 'groups', value: casGroup }]),
      'are.claim.values.regex': 'false',
      group: `/${casGroup}`,
    },
  });
}

/**
 * An application of the realm (Clients → Create client, "Client authentication" on) whose tokens
 * carry the CAS groups: a "User Attribute" mapper on its dedicated scope (README: groups).
 */
export async function addApplication(admin: KeycloakAdmin, realm: string, app: { clientId: string; secret: string; redirectUri: string; postLogoutRedirectUri: string }): Promise<void> {
  await admin.createClient(realm, {
    clientId: app.clientId,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    secret: app.secret,
    standardFlowEnabled: true,
    redirectUris: [app.redirectUri],
    attributes: { 'post.logout.redirect.uris': app.postLogoutRedirectUri, 'pkce.code.challenge.method': 'S256' },
    protocolMappers: [{
      name: 'CAS groups',
      protocol: 'openid-connect',
      protocolMapper: 'oidc-usermodel-attribute-mapper', // "User Attribute"
      config: {
        'user.attribute': CAS_GROUPS_ATTRIBUTE,
        'claim.name': 'groups',
        'jsonType.label': 'String',
        multivalued: 'true',
        'id.token.claim': 'true',
        'access.token.claim': 'true',
        'userinfo.token.claim': 'true',
      },
    }],
  });
}
