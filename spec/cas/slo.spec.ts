// CAS single-logout requests: the SAML LogoutRequest CAS POSTs to the service URL, parsed for its
// SessionIndex (the service ticket of the session to end).
import { expect } from 'chai';
import { CasProtocolError } from '../../lib/cas/errors.js';
import { parseLogoutRequest } from '../../lib/cas/slo.js';
import { fixture } from './support.js';

const request = (inner: string): string => `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="LR-1" Version="2.0" IssueInstant="2026-11-22T05:30:39Z">${inner}</samlp:LogoutRequest>`;

describe('CAS single-logout requests', () => {
  it('reads the SessionIndex of django-cas-server\'s request (empty NameID)', () => {
    expect(parseLogoutRequest(fixture('slo-logoutRequest.xml'))).to.deep.equal({
      sessionIndex: 'ST-Nsxdbc7JsT1Z8T0p37PZloUyhnmxPCYSaOCvgiIk6iHALUjM8gJU1MQP3Mz5p',
      nameId: undefined,
    });
  });

  it('reads the same request from the form-encoded body CAS actually POSTs', () => {
    const form = new URLSearchParams(fixture('slo-request-body.txt').trim());
    const xml = form.get('logoutRequest');
    expect(xml).to.be.a('string');
    expect(parseLogoutRequest(xml!)).to.deep.equal(parseLogoutRequest(fixture('slo-logoutRequest.xml')));
  });

  it('accepts Apereo tickets whose host-name suffix has dots (ST-…-cas01.example.edu)', () => {
    const xml = request('<samlp:SessionIndex>ST-12-AbCdEf-cas01.example.edu</samlp:SessionIndex>');
    expect(parseLogoutRequest(xml).sessionIndex).to.equal('ST-12-AbCdEf-cas01.example.edu');
  });

  it('reads Apereo\'s form with the user in NameID (or @NOT_USED@)', () => {
    const apereo = request('<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">alice</saml:NameID><samlp:SessionIndex>ST-1-abcDEF-cas01</samlp:SessionIndex>');
    expect(parseLogoutRequest(apereo)).to.deep.equal({ sessionIndex: 'ST-1-abcDEF-cas01', nameId: 'alice' });
    const notUsed = request('<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">@NOT_USED@</saml:NameID><samlp:SessionIndex>ST-2</samlp:SessionIndex>');
    expect(parseLogoutRequest(notUsed).sessionIndex).to.equal('ST-2');
  });

  it('trims whitespace around the SessionIndex', () => {
    expect(parseLogoutRequest(request('<samlp:SessionIndex>\n  ST-3  \n</samlp:SessionIndex>')).sessionIndex).to.equal('ST-3');
  });

  for (const [label, xml] of [
    ['no SessionIndex', request('<saml:NameID>alice</saml:NameID>')],
    ['an empty SessionIndex', request('<samlp:SessionIndex></samlp:SessionIndex>')],
    ['a SessionIndex outside the ticket alphabet', request('<samlp:SessionIndex>ST-1; DROP TABLE</samlp:SessionIndex>')],
    ['a SessionIndex longer than 256 characters', request(`<samlp:SessionIndex>ST-${'a'.repeat(300)}</samlp:SessionIndex>`)],
    ['two SessionIndex elements', request('<samlp:SessionIndex>ST-1</samlp:SessionIndex><samlp:SessionIndex>ST-2</samlp:SessionIndex>')],
    ['a CAS validation response', fixture('p3-serviceValidate-success-alice.xml')],
    ['not XML', 'logoutRequest=%3Csamlp'],
    ['an empty body', ''],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY t "ST-666">]>${request('<samlp:SessionIndex>&t;</samlp:SessionIndex>')}`],
  ] as const) {
    it(`refuses ${label}`, () => {
      expect(() => parseLogoutRequest(xml)).to.throw(CasProtocolError);
    });
  }
});
