// Input from CAS is bounded like input from browsers. One pure check on the typed result of every
// protocol: the user becomes the OpenID `sub` by default (OpenID Connect Core 2: at most 255
// characters), attributes are stored with the account and may become claims in tokens. A result
// out of bounds is refused as a bad CAS answer (the same page and log as any other), never cut to
// fit: a shortened user or a dropped group would be another person or another decision.
import { CasProtocolError } from './errors.js';
import { CAS_TICKET } from './proxy.js';
import type { CasValidationResult } from './types.js';

export const CAS_BOUNDS = {
  /** characters (code points) of the CAS user */
  userLength: 255,
  attributes: 256,
  attributeNameLength: 256,
  valuesPerAttribute: 1000,
  /** characters of one attribute value */
  valueLength: 16_384,
  /** characters of a failure code and of its description kept for logs */
  failureCodeLength: 64,
  failureDescriptionLength: 500,
  proxies: 64,
  proxyLength: 2048,
} as const;

/** A CAS answer outside the bounds above. */
export class CasBoundsError extends CasProtocolError {}

// control characters (C0, DEL, C1): never in a user name, an attribute name or a failure code
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// what XML 1.0 cannot carry at all (C0 but tab, line feed and carriage return): never in a value
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

const length = (s: string): number => [...s].length;

/** A problem with a user name or a mapped `sub`, in words; undefined when it is fine. */
export function subjectProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  const n = length(value);
  if (n > CAS_BOUNDS.userLength) return `is ${n} characters long (at most ${CAS_BOUNDS.userLength})`;
  if (CONTROL.test(value)) return 'contains control characters';
  return undefined;
}

// CAS servers quote tickets in failure texts ("ticket ST-… not found", "PGT PGT-… not found")
const TICKET_IN_TEXT = /\b(ST|PT|PGT|PGTIOU|TGT|LT)-[A-Za-z0-9._-]+/g;

/** Text safe to put in a log line: no tickets, no control characters, cut to `max` characters. */
export function loggable(text: string, max: number): string {
  const clean = text.replace(TICKET_IN_TEXT, '$1-…').replace(new RegExp(CONTROL.source, 'g'), ' ').trim();
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : clean;
}

/** Names an attribute in a message without repeating a hostile name in full. */
const shown = (name: string): string => JSON.stringify(loggable(name, 40));

/**
 * Answers the result when it is within bounds; a failure's code and description are made safe to
 * log and show. Throws CasBoundsError for a success out of bounds.
 */
export function checkBounds(result: CasValidationResult): CasValidationResult {
  if (result.kind === 'failure') {
    const code = result.code.trim();
    return {
      kind: 'failure',
      code: code && !CONTROL.test(code) && length(code) <= CAS_BOUNDS.failureCodeLength ? code : 'UNKNOWN',
      description: loggable(result.description, CAS_BOUNDS.failureDescriptionLength),
    };
  }
  const problem = subjectProblem(result.user);
  if (problem) throw new CasBoundsError(`CAS user refused: it ${problem}`);

  const names = Object.keys(result.attributes);
  if (names.length > CAS_BOUNDS.attributes) throw new CasBoundsError(`CAS sent ${names.length} attributes (at most ${CAS_BOUNDS.attributes})`);
  for (const name of names) {
    if (name === '' || CONTROL.test(name) || length(name) > CAS_BOUNDS.attributeNameLength) {
      throw new CasBoundsError(`CAS sent an attribute name that is empty, longer than ${CAS_BOUNDS.attributeNameLength} characters or holds control characters (${shown(name)})`);
    }
    const values = result.attributes[name] ?? [];
    if (values.length > CAS_BOUNDS.valuesPerAttribute) {
      throw new CasBoundsError(`CAS sent ${values.length} values of attribute ${shown(name)} (at most ${CAS_BOUNDS.valuesPerAttribute})`);
    }
    for (const value of values) {
      if (length(value) > CAS_BOUNDS.valueLength) {
        throw new CasBoundsError(`CAS sent a value of attribute ${shown(name)} of ${length(value)} characters (at most ${CAS_BOUNDS.valueLength})`);
      }
      if (NOT_XML_CHARACTER.test(value)) throw new CasBoundsError(`CAS sent a value of attribute ${shown(name)} with characters XML cannot carry`);
    }
  }
  if (result.proxies.length > CAS_BOUNDS.proxies || result.proxies.some((p) => length(p) > CAS_BOUNDS.proxyLength)) {
    throw new CasBoundsError(`CAS sent more than ${CAS_BOUNDS.proxies} proxies or one longer than ${CAS_BOUNDS.proxyLength} characters`);
  }
  // a malformed IOU can name no callback: the login goes on without a proxy-granting ticket
  const iou = result.proxyGrantingTicketIou;
  if (iou !== undefined && !CAS_TICKET.test(iou)) return { ...result, proxyGrantingTicketIou: undefined };
  return result;
}
