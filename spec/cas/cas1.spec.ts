// CAS 1 /validate answers: plain text `yes\n<user>\n` or `no\n`, real answers of django-cas-server
// (validate-success.txt, validate-failure.txt) and malformed ones.
import { expect } from 'chai';
import { CAS1_FAILURE_CODE } from '../../lib/cas/cas1.js';
import { CasProtocolError } from '../../lib/cas/errors.js';
import { readValidation } from '../../lib/cas/validation.js';
import { fixture } from './support.js';

function refused(body: string): CasProtocolError {
  try {
    readValidation('cas1', body);
  } catch (err) {
    expect(err).to.be.instanceOf(CasProtocolError);
    return err as CasProtocolError;
  }
  throw new Error('expected a CasProtocolError');
}

describe('CAS 1 validation answers', () => {
  it('yes: the second line is the user; no attributes, no proxies, no PGT', () => {
    expect(fixture('validate-success.txt')).to.equal('yes\nalice\n');
    expect(readValidation('cas1', fixture('validate-success.txt'))).to.deep.equal({
      kind: 'success', user: 'alice', attributes: {}, proxyGrantingTicketIou: undefined, proxies: [],
    });
  });

  it('no (django-cas-server `no\\n`, Apereo `no\\n\\n`): a failure', () => {
    for (const body of [fixture('validate-failure.txt'), 'no\n\n', 'no\r\n']) {
      const result = readValidation('cas1', body);
      expect(result.kind, JSON.stringify(body)).to.equal('failure');
      expect(result.kind === 'failure' && result.code).to.equal(CAS1_FAILURE_CODE);
    }
  });

  it('CRLF line ends and a byte order mark are read; further lines are ignored', () => {
    const result = readValidation('cas1', '\uFEFFyes\r\nbob\r\nextra\n');
    expect(result.kind === 'success' && result.user).to.equal('bob');
  });

  it('yes without a user, or with an empty line: refused', () => {
    expect(refused('yes\n').message).to.match(/without a user/);
    expect(refused('yes\n\nalice\n').message).to.match(/without a user/);
    expect(refused('yes\n  \t\nalice\n').message).to.match(/without a user/);
  });

  it('spaces around the user are dropped, as in <cas:user> of the XML protocols: the same user either way', () => {
    const result = readValidation('cas1', 'yes\n  alice \t\n');
    expect(result.kind === 'success' && result.user).to.equal('alice');
    const xml = readValidation('cas3', fixture('p3-serviceValidate-success-alice.xml').replace('<cas:user>alice</cas:user>', '<cas:user>  alice </cas:user>'));
    expect(xml.kind === 'success' && xml.user).to.equal('alice');
  });

  it('anything but yes/no on the first line is not CAS 1, and the message says what it is', () => {
    expect(refused('YES\nalice\n').message).to.match(/not a CAS 1 answer/);
    expect(refused(' yes\nalice\n').message).to.match(/not a CAS 1 answer/);
    expect(refused('<!DOCTYPE html><html><body>Log in</body></html>').message).to.match(/HTML page/);
    expect(refused(fixture('p3-serviceValidate-success-alice.xml')).message).to.match(/CAS_PROTOCOL is cas1 .* CAS 2\/3 XML/);
    expect(refused(fixture('samlValidate-success-alice.xml')).message).to.match(/SAML 1\.1 SOAP answer/);
  });

  it('markup in the user line is kept as text; control characters and overlong users are out of bounds', () => {
    const markup = readValidation('cas1', 'yes\n<b>alice</b>\n');
    expect(markup.kind === 'success' && markup.user).to.equal('<b>alice</b>');
    expect(refused('yes\nali\u0007ce\n').message).to.match(/control characters/);
    expect(refused(`yes\n${'x'.repeat(10_240)}\n`).message).to.match(/10240 characters long/);
  });
});
