// CAS URLs the browser is sent to. The service string is passed exactly as given: CAS compares it
// byte for byte at validation time.

export interface LoginOptions {
  readonly renew?: boolean;
  readonly gateway?: boolean;
}

export function casLoginUrl(loginUrl: string, service: string, options: LoginOptions = {}): string {
  const url = new URL(loginUrl);
  url.searchParams.set('service', service);
  if (options.renew) url.searchParams.set('renew', 'true');
  // CAS ignores gateway when renew is set; send only one so every server behaves the same
  else if (options.gateway) url.searchParams.set('gateway', 'true');
  return url.href;
}

export function casLogoutUrl(logoutUrl: string, service: string | undefined): string {
  const url = new URL(logoutUrl);
  if (service) url.searchParams.set('service', service);
  return url.href;
}

/** The service URL for one pending login: the fixed SERVICE_URL, or with `login=<id>` added. */
export function serviceUrlFor(serviceUrl: string, perLogin: boolean, loginId: string): string {
  if (!perLogin) return serviceUrl;
  const url = new URL(serviceUrl);
  url.searchParams.set('login', loginId);
  return url.href;
}

/**
 * The ticket CAS sent the browser back with: `ticket`, or `SAMLart` where a SAML 1.1 server
 * answers a login the artifact way (Apereo CAS for a `TARGET` login).
 */
export function returnedTicket(query: Record<string, unknown>): string | undefined {
  const ticket = query.ticket ?? query.SAMLart;
  return typeof ticket === 'string' && ticket !== '' ? ticket : undefined;
}
