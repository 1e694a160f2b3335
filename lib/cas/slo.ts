// Pure parser for CAS single-logout requests: the form field `logoutRequest` holds a SAML
// LogoutRequest whose SessionIndex is the service ticket of the session to end.
import { parseCasXml, textOf } from './xml.js';
import { CasProtocolError } from './errors.js';

export interface CasLogoutRequest {
  /** the service ticket (or PGT) the logout is for */
  readonly sessionIndex: string;
  /** Apereo sends the user; django-cas-server leaves it empty */
  readonly nameId: string | undefined;
}

// CAS 3 tickets are [A-Za-z0-9-]; Apereo appends `cas.host.name` as a suffix, which may carry dots
// and underscores (`ST-…-cas01.example.edu`)
const TICKET = /^[A-Za-z0-9._-]{1,256}$/;

export function parseLogoutRequest(xml: string): CasLogoutRequest {
  const doc = parseCasXml(xml);
  const request = doc.LogoutRequest;
  if (typeof request !== 'object' || request === null) throw new CasProtocolError('not a SAML LogoutRequest');
  const fields = request as Record<string, unknown>;
  const sessionIndex = textOf(fields.SessionIndex)?.trim();
  if (!sessionIndex || !TICKET.test(sessionIndex)) throw new CasProtocolError('LogoutRequest has no valid SessionIndex');
  return { sessionIndex, nameId: textOf(fields.NameID) || undefined };
}
