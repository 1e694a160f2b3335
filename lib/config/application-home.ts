// Where "back to the application" leads on the bridge's pages when no redirect is at hand (the
// logged-out page, a cancelled logout): the client's `client_uri` (OpenID client metadata: the
// application's home page) when configured; for a Keycloak identity-provider client, the realm's
// account page; else the origin of its first redirect URI.

export interface KeycloakBroker {
  /** Keycloak's base URL, e.g. https://sso.example.edu (or …/auth on old versions) */
  readonly base: string;
  readonly realm: string;
  readonly alias: string;
}

const BROKER = /^(https?:\/\/[^/?#]+(?:\/[^?#]*?)?)\/realms\/([^/?#]+)\/broker\/([^/?#]+)\/endpoint\/?$/;

/** `<keycloak>/realms/<realm>/broker/<alias>/endpoint` taken apart, or undefined for another shape. */
export function keycloakBroker(redirectUri: string): KeycloakBroker | undefined {
  const m = BROKER.exec(redirectUri);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { base: m[1], realm: decodeURIComponent(m[2]), alias: decodeURIComponent(m[3]) };
}

/** The page to send a person back to for this client's redirect URIs and `client_uri`. */
export function applicationHome(clientUri: string | undefined, redirectUris: readonly string[]): string | undefined {
  if (clientUri) return clientUri;
  const first = redirectUris[0];
  if (!first) return undefined;
  const broker = keycloakBroker(first);
  if (broker) return `${broker.base}/realms/${encodeURIComponent(broker.realm)}/account`;
  const url = URL.parse(first);
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? `${url.origin}/` : undefined;
}
