// Keycloak's admin REST API, as the admin console uses it: the only way the specs configure Keycloak.
export type Json = Record<string, unknown>;

export class KeycloakAdminError extends Error {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly body: string) {
    super(`Keycloak admin API ${method} ${path}: ${status} ${body.slice(0, 500)}`);
  }
}

export class KeycloakAdmin {
  #token: { value: string; expiresAt: number } | undefined;

  constructor(readonly url: string, readonly username: string, readonly password: string) {}

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 10_000) return this.#token.value;
    const response = await fetch(`${this.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: this.username, password: this.password }),
    });
    const body = await response.text();
    if (response.status !== 200) throw new KeycloakAdminError('POST', 'master token', response.status, body);
    const token = JSON.parse(body) as { access_token: string; expires_in: number };
    this.#token = { value: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
    return token.access_token;
  }

  /** One admin API call (`path` under /admin/realms); JSON in, JSON (or undefined) out. */
  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.#accessToken()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new KeycloakAdminError(method, path, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createRealm(realm: string, settings: Json = {}): Promise<void> {
    return this.call('POST', '', { realm, enabled: true, ...settings });
  }

  deleteRealm(realm: string): Promise<void> {
    return this.call('DELETE', `/${encodeURIComponent(realm)}`);
  }

  /** "Use discovery endpoint" in the console: the settings Keycloak reads from the discovery URL. */
  importIdentityProviderConfig(realm: string, discoveryUrl: string): Promise<Record<string, string>> {
    return this.call('POST', `/${encodeURIComponent(realm)}/identity-provider/import-config`, { providerId: 'oidc', fromUrl: discoveryUrl });
  }

  identityProvider(realm: string, alias: string): Promise<Json & { config: Record<string, string> }> {
    return this.call('GET', `/${encodeURIComponent(realm)}/identity-provider/instances/${encodeURIComponent(alias)}`);
  }

  createIdentityProvider(realm: string, representation: Json): Promise<void> {
    return this.call('POST', `/${encodeURIComponent(realm)}/identity-provider/instances`, representation);
  }

  updateIdentityProvider(realm: string, alias: string, representation: Json): Promise<void> {
    return this.call('PUT', `/${encodeURIComponent(realm)}/identity-provider/instances/${encodeURIComponent(alias)}`, representation);
  }

  /** Changes some settings of an identity provider (the console's Save), leaving the others. */
  async changeIdentityProviderConfig(realm: string, alias: string, changes: Record<string, string>): Promise<void> {
    const idp = await this.identityProvider(realm, alias);
    await this.updateIdentityProvider(realm, alias, { ...idp, config: { ...idp.config, ...changes } });
  }

  addIdentityProviderMapper(realm: string, alias: string, mapper: Json): Promise<void> {
    return this.call('POST', `/${encodeURIComponent(realm)}/identity-provider/instances/${encodeURIComponent(alias)}/mappers`, { identityProviderAlias: alias, ...mapper });
  }

  createClient(realm: string, representation: Json): Promise<void> {
    return this.call('POST', `/${encodeURIComponent(realm)}/clients`, representation);
  }

  async clientByClientId(realm: string, clientId: string): Promise<Json & { id: string }> {
    const found = await this.call<Array<Json & { id: string }>>('GET', `/${encodeURIComponent(realm)}/clients?clientId=${encodeURIComponent(clientId)}`);
    const client = found[0];
    if (!client) throw new Error(`no client ${clientId} in realm ${realm}`);
    return client;
  }

  async userByUsername(realm: string, username: string): Promise<(Json & { id: string }) | undefined> {
    const found = await this.call<Array<Json & { id: string }>>('GET', `/${encodeURIComponent(realm)}/users?exact=true&briefRepresentation=false&username=${encodeURIComponent(username)}`);
    return found[0];
  }

  userSessions(realm: string, userId: string): Promise<Json[]> {
    return this.call('GET', `/${encodeURIComponent(realm)}/users/${encodeURIComponent(userId)}/sessions`);
  }

  userGroups(realm: string, userId: string): Promise<Array<Json & { name: string; path: string }>> {
    return this.call('GET', `/${encodeURIComponent(realm)}/users/${encodeURIComponent(userId)}/groups`);
  }

  createGroup(realm: string, name: string): Promise<void> {
    return this.call('POST', `/${encodeURIComponent(realm)}/groups`, { name });
  }
}
