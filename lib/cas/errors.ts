// Typed failures of talking to CAS. Each carries the HTTP status the bridge answers a person with
// and a message safe to show (never a ticket, never CAS's raw body).

export abstract class CasError extends Error {
  abstract readonly status: number;
  /** stable key for pages, logs and metrics */
  abstract readonly kind: string;
}

/** CAS could not be reached (DNS, refused, TLS). */
export class CasUnreachableError extends CasError {
  readonly status = 502;
  readonly kind = 'cas_unreachable';
}

/** CAS did not answer within CAS_REQUEST_TIMEOUT. */
export class CasTimeoutError extends CasError {
  readonly status = 504;
  readonly kind = 'cas_timeout';
}

/** CAS answered, but not with a CAS protocol response we can read. */
export class CasProtocolError extends CasError {
  readonly status = 502;
  readonly kind = 'cas_bad_response';
}
