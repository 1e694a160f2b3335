// SAML 1.1 ticket validation (CAS `/samlValidate`): the SOAP request that carries the ticket as the
// assertion artifact, and a pure parser of the answer. Elements are recognised by namespace, never
// by prefix. The subject's NameIdentifier is the user; every AttributeStatement gives attributes
// (a name repeated, or several AttributeValues, make a multi-valued attribute); the
// AuthenticationStatement gives the login time and method where the attributes do not.
import { randomBytes } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { CasProtocolError } from './errors.js';
import type { CasAttributes, CasValidationResult } from './types.js';
import { childrenNamed, parseNamespacedXml, resolveQName, type XmlElement } from './xml-ns.js';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:1.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:1.0:assertion';

/** Attribute names the AuthenticationStatement fills in when the AttributeStatement has none. */
export const AUTHENTICATION_DATE_ATTRIBUTE = 'authenticationDate';
export const AUTHENTICATION_METHOD_ATTRIBUTE = 'authenticationMethod';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true });

/**
 * The SOAP body POSTed to /samlValidate?TARGET=<service>. The header comes first and the artifact
 * is the request's first child: django-cas-server reads them by position.
 */
export function samlValidateRequest(ticket: string, requestId = `_${randomBytes(16).toString('hex')}`, issueInstant = new Date()): string {
  return builder.build({
    'SOAP-ENV:Envelope': {
      '@_xmlns:SOAP-ENV': SOAP_NS,
      'SOAP-ENV:Header': '',
      'SOAP-ENV:Body': {
        'samlp:Request': {
          '@_xmlns:samlp': SAMLP_NS,
          '@_MajorVersion': '1',
          '@_MinorVersion': '1',
          '@_RequestID': requestId,
          '@_IssueInstant': issueInstant.toISOString(),
          'samlp:AssertionArtifact': ticket,
        },
      },
    },
  }) as string;
}

/** A value element with child elements is markup, not a value: it is not read. */
const plainText = (el: XmlElement): string | undefined => (el.children.length ? undefined : el.text);

function theResponse(root: XmlElement): XmlElement {
  if (root.ns === SAMLP_NS && root.local === 'Response') return root;
  if (root.ns !== SOAP_NS || root.local !== 'Envelope') {
    throw new CasProtocolError(`not a SAML 1.1 answer: the root element is ${root.local} in namespace "${root.ns}"`);
  }
  const [body, ...moreBodies] = childrenNamed(root, SOAP_NS, 'Body');
  if (!body || moreBodies.length) throw new CasProtocolError('SAML 1.1 answer: the SOAP envelope has no single Body');
  const responses = childrenNamed(body, SAMLP_NS, 'Response');
  if (responses.length !== 1 || !responses[0]) {
    const fault = body.children.find((c) => c.ns === SOAP_NS && c.local === 'Fault');
    throw new CasProtocolError(fault ? 'SAML 1.1 answer: CAS answered with a SOAP Fault' : `SAML 1.1 answer: the SOAP Body holds no SAML 1.1 Response (namespace ${SAMLP_NS})`);
  }
  return responses[0];
}

interface Status {
  readonly success: boolean;
  readonly code: string;
  readonly message: string;
}

function readStatus(response: XmlElement): Status {
  const [status] = childrenNamed(response, SAMLP_NS, 'Status');
  const [top] = status ? childrenNamed(status, SAMLP_NS, 'StatusCode') : [];
  const value = top?.attributes.get('Value');
  if (!status || !top || !value) throw new CasProtocolError('SAML 1.1 answer has no Status/StatusCode with a Value');
  const [ns, local] = resolveQName(top, value);
  // a second-level code says more (Requester/RequestDenied); a code in a foreign namespace is never success
  const [sub] = childrenNamed(top, SAMLP_NS, 'StatusCode');
  const subValue = sub?.attributes.get('Value');
  const subLocal = sub && subValue ? resolveQName(sub, subValue)[1] : undefined;
  const code = [ns === SAMLP_NS ? local : value.trim(), subLocal].filter(Boolean).join('/');
  const [messageElement] = childrenNamed(status, SAMLP_NS, 'StatusMessage');
  // django-cas-server puts its reason in the StatusCode's text, Apereo in a StatusMessage
  const message = (messageElement ? plainText(messageElement) : undefined) || top.text;
  return { success: ns === SAMLP_NS && local === 'Success', code, message };
}

function subjectName(statement: XmlElement): string | undefined {
  const subjects = childrenNamed(statement, SAML_NS, 'Subject');
  if (subjects.length !== 1 || !subjects[0]) throw new CasProtocolError(`SAML 1.1 ${statement.local} has no single Subject`);
  const names = childrenNamed(subjects[0], SAML_NS, 'NameIdentifier');
  if (names.length > 1) throw new CasProtocolError('SAML 1.1 Subject has several NameIdentifiers');
  return names[0] ? plainText(names[0]) : undefined;
}

function addValues(attributes: CasAttributes, name: string, values: string[]): void {
  if (!values.length) return;
  // names are data (`__proto__` is a valid AttributeName): own properties only
  if (Object.hasOwn(attributes, name)) attributes[name]!.push(...values);
  else Object.defineProperty(attributes, name, { value: values, enumerable: true, writable: true, configurable: true });
}

export function parseSamlResponse(body: string): CasValidationResult {
  const response = theResponse(parseNamespacedXml(body, 'SAML 1.1 answer'));
  const status = readStatus(response);
  if (!status.success) return { kind: 'failure', code: status.code || 'UNKNOWN', description: status.message };

  const assertions = childrenNamed(response, SAML_NS, 'Assertion');
  if (assertions.length !== 1 || !assertions[0]) throw new CasProtocolError(`SAML 1.1 success holds ${assertions.length} Assertions, not one`);
  const assertion = assertions[0];
  const attributeStatements = childrenNamed(assertion, SAML_NS, 'AttributeStatement');
  const authentications = childrenNamed(assertion, SAML_NS, 'AuthenticationStatement');

  const users = new Set<string>();
  for (const statement of [...attributeStatements, ...authentications]) {
    const name = subjectName(statement);
    if (name !== undefined) users.add(name);
  }
  const [user, ...others] = users;
  if (others.length) throw new CasProtocolError('SAML 1.1 statements name different subjects');
  if (user === undefined || user === '') throw new CasProtocolError('SAML 1.1 success has no subject NameIdentifier');

  const attributes: CasAttributes = {};
  for (const statement of attributeStatements) {
    for (const attribute of childrenNamed(statement, SAML_NS, 'Attribute')) {
      const name = attribute.attributes.get('AttributeName');
      if (!name) continue;
      const values = childrenNamed(attribute, SAML_NS, 'AttributeValue').map(plainText).filter((v): v is string => v !== undefined);
      addValues(attributes, name, values);
    }
  }
  const [authentication] = authentications;
  const instant = authentication?.attributes.get('AuthenticationInstant');
  const method = authentication?.attributes.get('AuthenticationMethod');
  if (instant && !Object.hasOwn(attributes, AUTHENTICATION_DATE_ATTRIBUTE)) addValues(attributes, AUTHENTICATION_DATE_ATTRIBUTE, [instant]);
  if (method && !Object.hasOwn(attributes, AUTHENTICATION_METHOD_ATTRIBUTE)) addValues(attributes, AUTHENTICATION_METHOD_ATTRIBUTE, [method]);

  return { kind: 'success', user, attributes, proxyGrantingTicketIou: undefined, proxies: [] };
}
