// Typed results of CAS protocol exchanges. Parsers produce these; nothing here does I/O.

/** CAS attributes by name; every value is a list (a single-valued attribute is a one-element list). */
export type CasAttributes = Record<string, string[]>;

export interface CasAuthenticationSuccess {
  readonly kind: 'success';
  /** the CAS user (cas:user), exactly as CAS sent it */
  readonly user: string;
  readonly attributes: CasAttributes;
  /** cas:proxyGrantingTicket: a PGTIOU (callback form) when the service asked for a pgtUrl */
  readonly proxyGrantingTicketIou: string | undefined;
  /** cas:proxies/cas:proxy, most recent first (proxy tickets only) */
  readonly proxies: readonly string[];
}

export interface CasAuthenticationFailure {
  readonly kind: 'failure';
  /** INVALID_TICKET, INVALID_SERVICE, INVALID_REQUEST, … (free text when CAS sent no code) */
  readonly code: string;
  readonly description: string;
}

export type CasValidationResult = CasAuthenticationSuccess | CasAuthenticationFailure;
