// Every CAS validation answer, of every protocol, is read here: the protocol's parser, then the
// bounds. Login, check-config and `claims preview` all go through `readValidation`, so what an admin
// previews is what a login gets. Pure: text in, typed result out.
import { checkBounds } from './bounds.js';
import { parseCas1Response } from './cas1.js';
import { CasProtocolError } from './errors.js';
import { PROTOCOL_NAMES, type CasProtocol } from './protocol.js';
import { parseSamlResponse } from './saml.js';
import type { CasValidationResult } from './types.js';
import { parseValidationResponse } from './xml.js';

/** What a body looks like, whatever protocol was expected. */
export type AnswerShape = 'cas-xml' | 'saml11' | 'cas1' | 'html' | 'other';

/** A cheap look at a body, to say which protocol it speaks (never a parse). */
export function answerShape(body: string): AnswerShape {
  const text = body.replace(/^\uFEFF/, '').trimStart();
  if (/^(yes|no)\r?\n/.test(text)) return 'cas1';
  if (/^<!DOCTYPE\s+html|^<html[\s>]/i.test(text)) return 'html';
  if (!text.startsWith('<')) return 'other';
  // element names with any prefix: django-cas-server writes cas:/samlp:, Apereo cas:/saml1p:
  if (/<([\w.-]+:)?serviceResponse[\s>]/.test(text)) return 'cas-xml';
  if (/<([\w.-]+:)?(Envelope|Response)[\s>]/.test(text) && /urn:oasis:names:tc:SAML:1\.0:protocol/.test(text)) return 'saml11';
  return 'other';
}

/** The protocol a body of this shape is read with; cas-xml is read the same for CAS 2 and CAS 3. */
export function protocolOfShape(shape: AnswerShape): CasProtocol | undefined {
  switch (shape) {
    case 'cas-xml':
      return 'cas3';
    case 'saml11':
      return 'saml11';
    case 'cas1':
      return 'cas1';
    default:
      return undefined;
  }
}

const SHAPE_WORDS: Record<AnswerShape, string> = {
  'cas-xml': 'CAS 2/3 XML (cas:serviceResponse): set CAS_PROTOCOL=cas3 or cas2',
  saml11: 'a SAML 1.1 SOAP answer: set CAS_PROTOCOL=saml11',
  cas1: 'a CAS 1 plain-text answer (yes/no): set CAS_PROTOCOL=cas1',
  html: 'an HTML page, not a CAS validation endpoint',
  other: 'no CAS protocol the bridge knows',
};

/** "… it looks like …", for an answer that is not of the expected protocol. */
export function describeShape(shape: AnswerShape): string {
  return SHAPE_WORDS[shape];
}

function parse(protocol: CasProtocol, body: string): CasValidationResult {
  switch (protocol) {
    case 'cas3':
    case 'cas2':
      return parseValidationResponse(body);
    case 'saml11':
      return parseSamlResponse(body);
    case 'cas1':
      return parseCas1Response(body);
  }
}

/**
 * Reads a validation answer of `protocol`: a failure result, a success within bounds, or a
 * CasProtocolError whose message says what is wrong (and which protocol the body speaks, when it
 * is another one).
 */
export function readValidation(protocol: CasProtocol, body: string): CasValidationResult {
  let result: CasValidationResult;
  try {
    result = parse(protocol, body);
  } catch (err) {
    if (!(err instanceof CasProtocolError)) throw err;
    const shape = answerShape(body);
    const expected = protocolOfShape(shape);
    const speaksOther = expected !== protocol && !(expected === 'cas3' && protocol === 'cas2');
    if (!speaksOther) throw err;
    throw new CasProtocolError(`${err.message}; CAS_PROTOCOL is ${protocol} (${PROTOCOL_NAMES[protocol]}) but the answer is ${describeShape(shape)}`);
  }
  return checkBounds(result);
}
