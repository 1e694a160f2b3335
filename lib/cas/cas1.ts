// Pure parser for CAS 1 /validate answers (protocol §2.4): plain text, `yes\n<user>\n` or `no\n`
// (Apereo sends `no\n\n`). No attributes, no proxying. Anything else is not a CAS 1 answer.
import { CasProtocolError } from './errors.js';
import type { CasValidationResult } from './types.js';

/** CAS 1 has no failure codes: "no" covers an unknown, used, expired or foreign ticket alike. */
export const CAS1_FAILURE_CODE = 'INVALID_TICKET';

export function parseCas1Response(body: string): CasValidationResult {
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  const [verdict, userLine = ''] = lines;
  // as the XML protocols read <cas:user> (trimmed), so one person is one user whichever protocol
  const user = userLine.trim();
  if (verdict === 'no') {
    return { kind: 'failure', code: CAS1_FAILURE_CODE, description: 'CAS 1 answered "no": the ticket is unknown, used, expired or for another service' };
  }
  if (verdict !== 'yes') throw new CasProtocolError('not a CAS 1 answer: the first line is neither "yes" nor "no"');
  if (user === '') throw new CasProtocolError('CAS 1 answered "yes" without a user on the second line');
  return { kind: 'success', user, attributes: {}, proxyGrantingTicketIou: undefined, proxies: [] };
}
