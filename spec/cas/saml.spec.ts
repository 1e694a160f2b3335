// SAML 1.1 validation answers (/samlValidate): real django-cas-server answers (spec/fixtures/cas/
// samlValidate-*), an Apereo-shaped answer (crafted-apereo-*: other prefixes, several values per
// Attribute, a StatusMessage), and hostile or malformed ones. Also the request the bridge sends.
import { expect } from 'chai';
import { CasProtocolError } from '../../lib/cas/errors.js';
import { parseSamlResponse, samlValidateRequest } from '../../lib/cas/saml.js';
import type { CasAuthenticationFailure, CasAuthenticationSuccess } from '../../lib/cas/types.js';
import { readValidation } from '../../lib/cas/validation.js';
import { parseNamespacedXml } from '../../lib/cas/xml-ns.js';
import { fixture } from './support.js';

function success(xml: string): CasAuthenticationSuccess {
  const result = readValidation('saml11', xml);
  if (result.kind !== 'success') throw new Error(`expected a success, got ${result.code}`);
  return result;
}

function failure(xml: string): CasAuthenticationFailure {
  const result = readValidation('saml11', xml);
  if (result.kind !== 'failure') throw new Error('expected a failure');
  return result;
}

function refused(xml: string): CasProtocolError {
  try {
    readValidation('saml11', xml);
  } catch (err) {
    expect(err).to.be.instanceOf(CasProtocolError);
    return err as CasProtocolError;
  }
  throw new Error('expected a CasProtocolError');
}

const P = 'urn:oasis:names:tc:SAML:1.0:protocol';
const A = 'urn:oasis:names:tc:SAML:1.0:assertion';
const envelope = (inner: string): string => `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header/><S:Body>${inner}</S:Body></S:Envelope>`;
const response = (status: string, assertion = ''): string =>
  envelope(`<p:Response xmlns:p="${P}" MajorVersion="1" MinorVersion="1"><p:Status><p:StatusCode Value="p:${status}"/></p:Status>${assertion}</p:Response>`);
const subject = (name: string): string => `<a:Subject><a:NameIdentifier>${name}</a:NameIdentifier></a:Subject>`;
const assertion = (statements: string): string => `<a:Assertion xmlns:a="${A}" MajorVersion="1" MinorVersion="1">${statements}</a:Assertion>`;
const attributeStatement = (user: string, attributes: string): string => `<a:AttributeStatement>${subject(user)}${attributes}</a:AttributeStatement>`;
const attribute = (name: string, ...values: string[]): string =>
  `<a:Attribute AttributeName="${name}" AttributeNamespace="http://www.ja-sig.org/products/cas/">${values.map((v) => `<a:AttributeValue>${v}</a:AttributeValue>`).join('')}</a:Attribute>`;
const successWith = (statements: string): string => response('Success', assertion(statements));

describe('SAML 1.1 validation answers', () => {
  describe('real answers of django-cas-server', () => {
    it('alice: the attributes of her CAS 3 answer, memberOf repeated as one list, and the method from the AuthenticationStatement', () => {
      const alice = success(fixture('samlValidate-success-alice.xml'));
      const p3 = readValidation('cas3', fixture('p3-serviceValidate-success-alice.xml'));
      if (p3.kind !== 'success') throw new Error('expected the CAS 3 fixture to succeed');
      expect(alice.user).to.equal(p3.user).and.equal('alice');
      const { authenticationMethod, authenticationDate, isFromNewLogin, ...rest } = alice.attributes;
      const { authenticationDate: _d, isFromNewLogin: _n, ...p3Rest } = p3.attributes;
      expect(rest).to.deep.equal(p3Rest);
      expect(rest.memberOf).to.deep.equal(['staff', 'admins']);
      expect(authenticationMethod).to.deep.equal(['urn:oasis:names:tc:SAML:1.0:am:password']);
      // the login time of the attribute, not the AuthenticationInstant (django-cas-server's answer time)
      expect(authenticationDate).to.deep.equal(['2026-11-22T05:30:34+00:00']);
      expect(isFromNewLogin).to.deep.equal(['false']);
      expect(alice.proxies).to.deep.equal([]);
      expect(alice.proxyGrantingTicketIou).to.equal(undefined);
    });

    it("bob: `Bób O'Brien & <Co>` exactly, entities decoded once; carol: the protocol attributes only", () => {
      expect(success(fixture('samlValidate-success-bob.xml')).attributes.displayName).to.deep.equal(["Bób O'Brien & <Co>"]);
      const carol = success(fixture('samlValidate-success-carol-no-attributes.xml'));
      expect(carol.user).to.equal('carol');
      expect(Object.keys(carol.attributes).sort()).to.deep.equal(['authenticationDate', 'authenticationMethod', 'isFromNewLogin', 'longTermAuthenticationRequestTokenUsed']);
    });

    it('a used ticket: failure AuthnFailed, and the ticket CAS quotes in its reason is masked', () => {
      const used = failure(fixture('samlValidate-AuthnFailed-reuse.xml'));
      expect(used.code).to.equal('AuthnFailed');
      expect(used.description).to.match(/^ticket ST-… not found$/);
      expect(used.description).not.to.match(/ST-[A-Za-z0-9]{5}/);
    });

    it('a TARGET that is not the ticket\'s service, and a request without an artifact: failures with their codes', () => {
      expect(failure(fixture('samlValidate-AuthnFailed-wrong-TARGET.xml'))).to.include({ code: 'AuthnFailed' });
      expect(failure(fixture('samlValidate-VersionMismatch-empty-request.xml'))).to.deep.include({ code: 'VersionMismatch', description: '' });
    });
  });

  describe('Apereo CAS shape (saml1p:/saml1: prefixes)', () => {
    it('several AttributeValues make a list; the AuthenticationStatement gives authenticationDate when no attribute does', () => {
      const jdoe = success(fixture('crafted-apereo-samlValidate-success.xml'));
      expect(jdoe.user).to.equal('jdoe');
      expect(jdoe.attributes.eduPersonAffiliation).to.deep.equal(['staff', 'member']);
      expect(jdoe.attributes.mail).to.deep.equal(['jdoe@example.edu']);
      expect(jdoe.attributes.authenticationDate).to.deep.equal(['2026-11-22T05:30:31.000Z']);
      expect(jdoe.attributes.authenticationMethod).to.deep.equal(['urn:ietf:rfc:2246']);
    });

    it('RequestDenied with a StatusMessage: a failure, its reason kept with the ticket masked', () => {
      const denied = failure(fixture('crafted-apereo-samlValidate-RequestDenied.xml'));
      expect(denied.code).to.equal('RequestDenied');
      expect(denied.description).to.equal("Ticket 'ST-…' not recognized");
    });

    it('a second-level status code is named after the first', () => {
      const xml = envelope(`<p:Response xmlns:p="${P}"><p:Status><p:StatusCode Value="p:Requester"><p:StatusCode Value="p:RequestDenied"/></p:StatusCode></p:Status></p:Response>`);
      expect(failure(xml).code).to.equal('Requester/RequestDenied');
    });
  });

  describe('namespaces, whatever the prefixes', () => {
    it('default namespaces and unusual prefixes read the same', () => {
      const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Response xmlns="${P}"><Status><StatusCode xmlns:q="${P}" Value="q:Success"/></Status>`
        + `<Assertion xmlns="${A}"><AttributeStatement><Subject><NameIdentifier>dana</NameIdentifier></Subject><Attribute AttributeName="uid"><AttributeValue>dana</AttributeValue></Attribute></AttributeStatement></Assertion></Response></soap:Body></soap:Envelope>`;
      const dana = success(xml);
      expect(dana.user).to.equal('dana');
      expect(dana.attributes.uid).to.deep.equal(['dana']);
    });

    it('a Response in the SAML 2.0 namespace is not a SAML 1.1 answer', () => {
      const xml = envelope('<p:Response xmlns:p="urn:oasis:names:tc:SAML:2.0:protocol"><p:Status><p:StatusCode Value="p:Success"/></p:Status></p:Response>');
      expect(refused(xml).message).to.match(/no SAML 1\.1 Response/);
    });

    it('a Success status code whose prefix names another namespace is not success', () => {
      const xml = envelope(`<p:Response xmlns:p="${P}" xmlns:x="urn:example:other"><p:Status><p:StatusCode Value="x:Success"/></p:Status>${assertion(attributeStatement('mallory', ''))}</p:Response>`);
      expect(failure(xml).code).to.equal('x:Success');
    });

    it('an Assertion and a NameIdentifier in the wrong namespace give no user', () => {
      const xml = response('Success', `<a:Assertion xmlns:a="urn:example:not-saml"><a:AttributeStatement>${subject('mallory')}</a:AttributeStatement></a:Assertion>`);
      expect(refused(xml).message).to.match(/0 Assertions/);
    });

    it('an undeclared prefix is refused', () => {
      expect(refused(envelope('<p:Response><p:Status/></p:Response>')).message).to.match(/undeclared namespace prefix/);
    });

    it('a root that is neither a SOAP envelope nor a SAML 1.1 Response is refused', () => {
      expect(refused(`<Response xmlns="urn:example"><Status/></Response>`).message).to.match(/not a SAML 1\.1 answer/);
    });

    it('a SOAP Fault is said to be one', () => {
      expect(refused(envelope('<S:Fault><faultcode>S:Server</faultcode><faultstring>boom</faultstring></S:Fault>')).message).to.match(/SOAP Fault/);
    });
  });

  describe('hostile and malformed answers', () => {
    it('a bad status: a failure, whatever the assertion says', () => {
      const xml = response('Responder', assertion(attributeStatement('mallory', attribute('memberOf', 'admins'))));
      expect(failure(xml).code).to.equal('Responder');
    });

    it('no Status or no Value: refused', () => {
      expect(refused(envelope(`<p:Response xmlns:p="${P}"/>`)).message).to.match(/no Status/);
      expect(refused(envelope(`<p:Response xmlns:p="${P}"><p:Status><p:StatusCode/></p:Status></p:Response>`)).message).to.match(/no Status/);
    });

    it('a success without a subject, or with an empty NameIdentifier: refused', () => {
      expect(refused(successWith('<a:AttributeStatement><a:Subject/></a:AttributeStatement>')).message).to.match(/no subject NameIdentifier/);
      expect(refused(successWith(attributeStatement('', ''))).message).to.match(/no subject NameIdentifier/);
      expect(refused(response('Success')).message).to.match(/0 Assertions/);
    });

    it('statements naming different subjects, several assertions or several NameIdentifiers: refused', () => {
      const two = `<a:AuthenticationStatement AuthenticationInstant="2026-01-01T00:00:00Z">${subject('alice')}</a:AuthenticationStatement>${attributeStatement('mallory', '')}`;
      expect(refused(successWith(two)).message).to.match(/different subjects/);
      const twice = response('Success', assertion(attributeStatement('alice', '')) + assertion(attributeStatement('mallory', '')));
      expect(refused(twice).message).to.match(/2 Assertions/);
      const names = successWith('<a:AttributeStatement><a:Subject><a:NameIdentifier>a</a:NameIdentifier><a:NameIdentifier>b</a:NameIdentifier></a:Subject></a:AttributeStatement>');
      expect(refused(names).message).to.match(/several NameIdentifiers/);
    });

    it('markup in a value is not a value; escaped markup is text, decoded once', () => {
      const xml = successWith(attributeStatement('alice', attribute('memberOf', 'staff', '<a:b>admins</a:b>', '&lt;script&gt;x&amp;amp;')
        + attribute('displayName', 'A<br xmlns=""/>lice')));
      const alice = success(xml);
      expect(alice.attributes.memberOf).to.deep.equal(['staff', '<script>x&amp;']);
      expect(alice.attributes).not.to.have.property('displayName');
      expect(alice.attributes).not.to.have.property('b');
    });

    it('markup in the NameIdentifier gives no user', () => {
      expect(refused(successWith(attributeStatement('<a:x>alice</a:x>', ''))).message).to.match(/no subject NameIdentifier/);
    });

    it('an attribute named __proto__ stays an ordinary own property', () => {
      const alice = success(successWith(attributeStatement('alice', attribute('__proto__', 'polluted') + attribute('constructor', 'x'))));
      expect(Object.getPrototypeOf(alice.attributes)).to.equal(Object.prototype);
      expect(Object.hasOwn(alice.attributes, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('a DOCTYPE (entity expansion) is refused before parsing', () => {
      const xml = `<!DOCTYPE x [<!ENTITY who "mallory">]>${successWith(attributeStatement('&who;', ''))}`;
      expect(refused(xml).message).to.match(/DOCTYPE/);
    });

    it('not XML, not well-formed, or nested without end: refused with a clear message', () => {
      expect(refused('yes\nalice\n').message).to.match(/not XML.*CAS 1 plain-text answer/);
      expect(refused('<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>').message).to.match(/not well-formed|no single/);
      const deep = `${'<x>'.repeat(500)}${'</x>'.repeat(500)}`;
      expect(refused(deep).message).to.match(/not well-formed/);
    });

    it('a CAS 3 answer given to the SAML parser says which protocol it speaks', () => {
      expect(refused(fixture('p3-serviceValidate-success-alice.xml')).message).to.match(/CAS_PROTOCOL is saml11 .* CAS 2\/3 XML/);
    });

    it('a user of 10,240 characters is out of bounds', () => {
      expect(refused(successWith(attributeStatement('a'.repeat(10_240), ''))).message).to.match(/CAS user refused: it is 10240 characters long \(at most 255\)/);
    });
  });

  describe('the request', () => {
    it('is a SOAP envelope with the header first and the ticket as the request\'s first child, escaped', () => {
      const xml = samlValidateRequest('ST-1-<x>&"', '_abc', new Date('2026-01-02T03:04:05Z'));
      const root = parseNamespacedXml(xml, 'request');
      expect(root.local).to.equal('Envelope');
      expect(root.children.map((c) => c.local)).to.deep.equal(['Header', 'Body']);
      const request = root.children[1]!.children[0]!;
      expect(request).to.deep.include({ ns: P, local: 'Request' });
      expect(request.attributes.get('RequestID')).to.equal('_abc');
      expect(request.attributes.get('IssueInstant')).to.equal('2026-01-02T03:04:05.000Z');
      expect(request.children[0]).to.deep.include({ local: 'AssertionArtifact', text: 'ST-1-<x>&"' });
    });

    it('parseSamlResponse alone (no bounds) keeps a long user for the bounds to judge', () => {
      const result = parseSamlResponse(successWith(attributeStatement('b'.repeat(300), '')));
      expect(result.kind === 'success' && result.user.length).to.equal(300);
    });
  });
});
