// CAS /proxy responses and the proxy parts of validation responses, on real django-cas-server
// answers (spec/fixtures/cas) and on the specification's own forms.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CasProtocolError } from '../../lib/cas/errors.js';
import { parseProxyResponse } from '../../lib/cas/proxy.js';
import { parseValidationResponse } from '../../lib/cas/xml.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/cas/${name}`, import.meta.url), 'utf8');

describe('CAS /proxy response parser', () => {
  it('reads the proxy ticket of a success', () => {
    expect(parseProxyResponse(fixture('proxy-success.xml'))).to.deep.equal({
      kind: 'success',
      proxyTicket: 'PT-OV2VZnm82qNJlULRh44itvtFdXt0ZDJeN3MRzKOam95m9h890JpGwEemNjYdu',
    });
  });

  for (const code of ['INVALID_TICKET', 'INVALID_REQUEST', 'UNAUTHORIZED_SERVICE']) {
    it(`reads django-cas-server's ${code} (sent as authenticationFailure)`, () => {
      const result = parseProxyResponse(fixture(`proxy-${code}.xml`));
      expect(result.kind).to.equal('failure');
      if (result.kind === 'failure') expect(result.code).to.equal(code);
    });
  }

  it('reads the specification\'s proxyFailure, with any namespace prefix', () => {
    const xml = `<c:serviceResponse xmlns:c="http://www.yale.edu/tp/cas">
      <c:proxyFailure code="INTERNAL_ERROR">down</c:proxyFailure></c:serviceResponse>`;
    expect(parseProxyResponse(xml)).to.deep.equal({ kind: 'failure', code: 'INTERNAL_ERROR', description: 'down' });
  });

  it('keeps the text of a failure apart from its code (CAS may quote the PGT there)', () => {
    const result = parseProxyResponse(fixture('proxy-INVALID_TICKET.xml'));
    expect(result).to.deep.equal({ kind: 'failure', code: 'INVALID_TICKET', description: 'PGT PGT-nope not found' });
  });

  it('accepts Apereo-style tickets with a host name suffix', () => {
    const xml = '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:proxySuccess><cas:proxyTicket>PT-7-abcDEF123-cas01.example.edu</cas:proxyTicket></cas:proxySuccess></cas:serviceResponse>';
    expect(parseProxyResponse(xml)).to.deep.equal({ kind: 'success', proxyTicket: 'PT-7-abcDEF123-cas01.example.edu' });
  });

  const broken: Record<string, string> = {
    'an HTML error page': '<html><body>Service Unavailable</body></html>',
    'plain text': 'no\n\n',
    'a DOCTYPE': '<!DOCTYPE x [<!ENTITY a "b">]><cas:serviceResponse xmlns:cas="x"><cas:proxySuccess><cas:proxyTicket>&a;</cas:proxyTicket></cas:proxySuccess></cas:serviceResponse>',
    'an empty success': '<cas:serviceResponse xmlns:cas="x"><cas:proxySuccess/></cas:serviceResponse>',
    'a ticket with spaces': '<cas:serviceResponse xmlns:cas="x"><cas:proxySuccess><cas:proxyTicket>PT 1 x</cas:proxyTicket></cas:proxySuccess></cas:serviceResponse>',
    'two tickets': '<cas:serviceResponse xmlns:cas="x"><cas:proxySuccess><cas:proxyTicket>PT-1</cas:proxyTicket><cas:proxyTicket>PT-2</cas:proxyTicket></cas:proxySuccess></cas:serviceResponse>',
    'neither success nor failure': '<cas:serviceResponse xmlns:cas="x"/>',
  };
  for (const [what, body] of Object.entries(broken)) {
    it(`refuses ${what} as a protocol error`, () => {
      expect(() => parseProxyResponse(body)).to.throw(CasProtocolError);
    });
  }
});

describe('proxy parts of CAS validation responses', () => {
  it('reads the PGT IOU of a validation with a pgtUrl', () => {
    const result = parseValidationResponse(fixture('serviceValidate-success-with-pgtIou.xml'));
    expect(result.kind).to.equal('success');
    if (result.kind !== 'success') return;
    expect(result.proxyGrantingTicketIou).to.equal('PGTIOU-dYZkjkvy0ruDKBsTfwm6lSw3UofcFzbeSmrL7qmx2EfO0lhO9u2d4zz2M');
    expect(result.attributes).to.not.have.property('proxyGrantingTicket');
  });

  it('has no IOU when the callback failed', () => {
    const result = parseValidationResponse(fixture('serviceValidate-success-pgt-callback-500-no-pgt.xml'));
    expect(result.kind === 'success' && result.proxyGrantingTicketIou).to.equal(undefined);
  });

  it('reads the proxy chain of a proxy ticket', () => {
    const result = parseValidationResponse(fixture('p3-proxyValidate-success-pt.xml'));
    expect(result.kind === 'success' && result.proxies).to.deep.equal(['http://127.0.0.1:9999/pgtcb']);
  });

  for (const name of ['not-allowed', 'untrusted-tls']) {
    it(`reads INVALID_PROXY_CALLBACK (${name}) as a failure`, () => {
      const result = parseValidationResponse(fixture(`serviceValidate-INVALID_PROXY_CALLBACK-${name}.xml`));
      expect(result.kind === 'failure' && result.code).to.equal('INVALID_PROXY_CALLBACK');
    });
  }
});
