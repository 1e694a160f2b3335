// Pure parser for CAS /proxy responses (protocol §2.7): a proxy ticket, or a failure code.
// django-cas-server answers failures as <cas:authenticationFailure>, the specification as
// <cas:proxyFailure>; both are read. The failure text is kept for tests only: CAS servers put
// the PGT itself in it ("PGT PGT-… not found"), so it must never be logged or shown.
import { CasProtocolError } from './errors.js';
import { parseCasXml, textOf } from './xml.js';

export type CasProxyResult =
  | { readonly kind: 'success'; readonly proxyTicket: string }
  | { readonly kind: 'failure'; readonly code: string; readonly description: string };

/** Ticket characters (§3.7), plus `.` and `_` seen in Apereo tickets with a host name suffix. */
export const CAS_TICKET = /^[A-Za-z0-9._-]{1,256}$/;

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseProxyResponse(body: string): CasProxyResult {
  const doc = parseCasXml(body);
  const response = doc.serviceResponse;
  if (!isNode(response)) throw new CasProtocolError('CAS proxy response has no serviceResponse element');

  const failure = response.proxyFailure ?? response.authenticationFailure;
  if (failure !== undefined) {
    const code = isNode(failure) && typeof failure['@_code'] === 'string' ? failure['@_code'].trim() : 'UNKNOWN';
    return { kind: 'failure', code: code || 'UNKNOWN', description: textOf(failure)?.trim() ?? '' };
  }

  const success = response.proxySuccess;
  if (!isNode(success)) throw new CasProtocolError('CAS proxy response has neither proxySuccess nor proxyFailure');
  const ticket = textOf(success.proxyTicket)?.trim();
  if (!ticket || !CAS_TICKET.test(ticket)) throw new CasProtocolError('CAS proxy response has no valid cas:proxyTicket');
  return { kind: 'success', proxyTicket: ticket };
}
