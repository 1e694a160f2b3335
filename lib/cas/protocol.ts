// The CAS validation protocols the bridge speaks, and where each validates a ticket by default.
// The protocol decides the request (GET with service/ticket, or a SOAP POST for SAML 1.1) and the
// parser of the answer; the login step in the browser is the same for all of them.

/** The most the bridge reads of a CAS answer (a longer one is cancelled, the login fails). */
export const MAX_CAS_RESPONSE_BYTES = 256 * 1024;

export const CAS_PROTOCOLS = ['cas3', 'cas2', 'saml11', 'cas1'] as const;
export type CasProtocol = (typeof CAS_PROTOCOLS)[number];

export const PROTOCOL_NAMES: Record<CasProtocol, string> = {
  cas3: 'CAS 3',
  cas2: 'CAS 2',
  saml11: 'SAML 1.1',
  cas1: 'CAS 1',
};

/**
 * The validation path below the CAS base URL. CAS 2 validates at /proxyValidate when the bridge
 * asks for proxy-granting tickets, as CAS 2 proxying clients do; the bridge still takes service
 * tickets only (a result naming proxies is refused, see client.ts).
 */
export function defaultValidatePath(protocol: CasProtocol, proxying: boolean): string {
  switch (protocol) {
    case 'cas3':
      return '/p3/serviceValidate';
    case 'cas2':
      return proxying ? '/proxyValidate' : '/serviceValidate';
    case 'saml11':
      return '/samlValidate';
    case 'cas1':
      return '/validate';
  }
}

/**
 * The protocol a validation URL's path names, if it is one of the well-known endpoints: the Python
 * cas-proxy only had CAS_VALIDATE_URL, so a URL ending in /samlValidate or /validate says which
 * protocol was meant when CAS_PROTOCOL is not set.
 */
export function protocolOfPath(validateUrl: string): CasProtocol | undefined {
  const path = URL.parse(validateUrl)?.pathname.replace(/\/+$/, '') ?? '';
  if (/\/p3\/(service|proxy)Validate$/.test(path)) return 'cas3';
  if (/\/(service|proxy)Validate$/.test(path)) return 'cas2';
  if (/\/samlValidate$/.test(path)) return 'saml11';
  if (/\/validate$/.test(path)) return 'cas1';
  return undefined;
}

/** Whether CAS can hand this protocol's validation a proxy-granting ticket (pgtUrl). */
export const supportsProxying = (protocol: CasProtocol): boolean => protocol === 'cas3' || protocol === 'cas2';
