// CAS validation responses parsed on real answers of django-cas-server (spec/fixtures/cas/) and on
// crafted variants: both attribute forms merged, values kept as strings, failures, hostile XML.
import { expect } from 'chai';
import { CasProtocolError } from '../../lib/cas/errors.js';
import { parseValidationResponse } from '../../lib/cas/xml.js';
import type { CasAuthenticationFailure, CasAuthenticationSuccess } from '../../lib/cas/types.js';
import { fixture } from './support.js';

function success(xml: string): CasAuthenticationSuccess {
  const result = parseValidationResponse(xml);
  if (result.kind !== 'success') throw new Error(`expected a success, got ${result.code}`);
  return result;
}

function failure(xml: string): CasAuthenticationFailure {
  const result = parseValidationResponse(xml);
  if (result.kind !== 'failure') throw new Error('expected a failure');
  return result;
}

function refused(xml: string): CasProtocolError {
  try {
    parseValidationResponse(xml);
  } catch (err) {
    expect(err).to.be.instanceOf(CasProtocolError);
    return err as CasProtocolError;
  }
  throw new Error('expected a CasProtocolError');
}

const wrap = (inner: string): string => `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">${inner}</cas:serviceResponse>`;
const successWith = (inner: string): string => wrap(`<cas:authenticationSuccess>${inner}</cas:authenticationSuccess>`);

describe('CAS validation responses', () => {
  describe('real successes (django-cas-server)', () => {
    it('alice: every attribute once, multi-valued memberOf in order, though CAS sends both forms', () => {
      const alice = success(fixture('p3-serviceValidate-success-alice.xml'));
      expect(alice.user).to.equal('alice');
      expect(alice.attributes).to.deep.equal({
        authenticationDate: ['2026-11-22T05:30:32+00:00'],
        longTermAuthenticationRequestTokenUsed: ['false'],
        isFromNewLogin: ['true'],
        uid: ['alice'],
        email: ['alice@example.org'],
        displayName: ['Alice Example'],
        givenName: ['Alice'],
        sn: ['Example'],
        memberOf: ['staff', 'admins'],
      });
      expect(alice.proxyGrantingTicketIou).to.equal(undefined);
      expect(alice.proxies).to.deep.equal([]);
    });

    it("bob: `Bób O'Brien & <Co>` comes out exactly; a one-element list stays a one-element list", () => {
      const bob = success(fixture('p3-serviceValidate-success-bob.xml'));
      expect(bob.user).to.equal('bob');
      expect(bob.attributes.displayName).to.deep.equal(["Bób O'Brien & <Co>"]);
      expect(bob.attributes.memberOf).to.deep.equal(['staff']);
      expect(bob.attributes.email).to.deep.equal(['bob@example.org']);
    });

    it('carol: only the protocol attributes', () => {
      const carol = success(fixture('p3-serviceValidate-success-carol-no-attributes.xml'));
      expect(carol.user).to.equal('carol');
      expect(Object.keys(carol.attributes).sort()).to.deep.equal(['authenticationDate', 'isFromNewLogin', 'longTermAuthenticationRequestTokenUsed']);
    });

    it('single sign-on and renew answers carry isFromNewLogin as CAS sent it', () => {
      expect(success(fixture('serviceValidate-success-alice-sso.xml')).attributes.isFromNewLogin).to.deep.equal(['false']);
      expect(success(fixture('serviceValidate-success-renew.xml')).attributes.isFromNewLogin).to.deep.equal(['true']);
    });

    it('the CAS 2 URL and /proxyValidate answer the same attributes', () => {
      const p3 = success(fixture('p3-serviceValidate-success-alice.xml'));
      for (const name of ['proxyValidate-success-st-alice.xml', 'p3-proxyValidate-success-st-alice.xml', 'p3-serviceValidate-format-JSON-is-ignored.xml']) {
        const other = success(fixture(name));
        expect(other.user, name).to.equal('alice');
        expect(other.attributes.memberOf, name).to.deep.equal(p3.attributes.memberOf);
        expect(other.attributes.email, name).to.deep.equal(p3.attributes.email);
      }
    });

    it('a PGTIOU and a proxy chain are read, not taken for attributes', () => {
      const withIou = success(fixture('serviceValidate-success-with-pgtIou.xml'));
      expect(withIou.proxyGrantingTicketIou).to.match(/^PGTIOU-/);
      expect(withIou.attributes).not.to.have.property('proxyGrantingTicket');
      const pt = success(fixture('p3-proxyValidate-success-pt.xml'));
      expect(pt.proxies).to.deep.equal(['http://127.0.0.1:9999/pgtcb']);
      expect(pt.attributes).not.to.have.property('proxies');
      expect(success(fixture('serviceValidate-success-pgt-callback-500-no-pgt.xml')).proxyGrantingTicketIou).to.equal(undefined);
    });
  });

  describe('values stay strings', () => {
    it('`00123`, `1e10`, `true` and ` 42 ` are not numbers or booleans, in both attribute forms', () => {
      const xml = successWith(`<cas:user>00123</cas:user>
        <cas:attributes><cas:uid>00123</cas:uid><cas:big>1e10</cas:big><cas:flag>true</cas:flag><cas:hex>0x1F</cas:hex></cas:attributes>
        <cas:attribute name="employeeNumber" value="000042"/><cas:attribute name="ratio" value="1.50"/>`);
      const result = success(xml);
      expect(result.user).to.equal('00123');
      expect(result.attributes).to.deep.include({
        uid: ['00123'], big: ['1e10'], flag: ['true'], hex: ['0x1F'], employeeNumber: ['000042'], ratio: ['1.50'],
      });
      for (const values of Object.values(result.attributes)) for (const v of values) expect(v).to.be.a('string');
    });

    it('a variant of alice whose user and uid are `00123` keeps the leading zeros', () => {
      const xml = fixture('p3-serviceValidate-success-alice.xml')
        .replace('<cas:user>alice</cas:user>', '<cas:user>00123</cas:user>')
        .replace('<cas:uid>alice</cas:uid>', '<cas:uid>00123</cas:uid>')
        .replace('name="uid" value="alice"', 'name="uid" value="00123"');
      const result = success(xml);
      expect(result.user).to.equal('00123');
      expect(result.attributes.uid).to.deep.equal(['00123']);
    });

    it('entities and character references are decoded in the attribute form too', () => {
      const result = success(successWith(`<cas:user>bob</cas:user>
        <cas:attribute name="displayName" value="Bób O&#x27;Brien &amp; &lt;Co&gt;"/><cas:attribute name="memberOf" value="a&#39;b"/>`));
      expect(result.attributes.displayName).to.deep.equal(["Bób O'Brien & <Co>"]);
      expect(result.attributes.memberOf).to.deep.equal(["a'b"]);
    });

    it('CDATA is text', () => {
      const result = success(successWith('<cas:user><![CDATA[a&b]]></cas:user><cas:attributes><cas:x><![CDATA[<y>]]></cas:x></cas:attributes>'));
      expect(result.user).to.equal('a&b');
      expect(result.attributes.x).to.deep.equal(['<y>']);
    });
  });

  describe('attribute forms', () => {
    it('the <cas:attribute name= value=> form alone, multi-valued', () => {
      const result = success(successWith(`<cas:user>dave</cas:user>
        <cas:attribute name="memberOf" value="a"/><cas:attribute name="memberOf" value="b"/><cas:attribute name="mail" value="d@example.org"/>`));
      expect(result.attributes).to.deep.equal({ memberOf: ['a', 'b'], mail: ['d@example.org'] });
    });

    it('an attribute only in the second form is added to the block\'s; one in both is not doubled', () => {
      const result = success(successWith(`<cas:user>dave</cas:user>
        <cas:attributes><cas:mail>d@example.org</cas:mail><cas:memberOf>a</cas:memberOf><cas:memberOf>b</cas:memberOf></cas:attributes>
        <cas:attribute name="mail" value="d@example.org"/><cas:attribute name="memberOf" value="a"/><cas:attribute name="memberOf" value="b"/>
        <cas:attribute name="cn" value="Dave"/>`));
      expect(result.attributes).to.deep.equal({ mail: ['d@example.org'], memberOf: ['a', 'b'], cn: ['Dave'] });
    });

    it('attribute names that are JavaScript property names are plain names', () => {
      const result = success(successWith(`<cas:user>eve</cas:user>
        <cas:attribute name="toString" value="t"/><cas:attribute name="constructor" value="c1"/><cas:attribute name="constructor" value="c2"/>
        <cas:attribute name="hasOwnProperty" value="h"/><cas:attribute name="valueOf" value="v"/>`));
      expect(result.attributes).to.deep.equal({ toString: ['t'], constructor: ['c1', 'c2'], hasOwnProperty: ['h'], valueOf: ['v'] });
    });

    it('another namespace prefix, or none, reads the same', () => {
      const other = success('<sso:serviceResponse xmlns:sso="http://www.yale.edu/tp/cas"><sso:authenticationSuccess><sso:user>u</sso:user><sso:attributes><sso:mail>m</sso:mail></sso:attributes></sso:authenticationSuccess></sso:serviceResponse>');
      const none = success('<serviceResponse xmlns="http://www.yale.edu/tp/cas"><authenticationSuccess><user>u</user><attributes><mail>m</mail></attributes></authenticationSuccess></serviceResponse>');
      expect(other).to.deep.equal(none);
      expect(none.attributes).to.deep.equal({ mail: ['m'] });
    });

    it('an XML declaration and a byte-order mark are fine', () => {
      const result = success(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n${successWith('<cas:user>u</cas:user>')}`);
      expect(result.user).to.equal('u');
    });

    it('EU Login style: attributes straight under authenticationSuccess, wrapped lists, named extras', () => {
      const result = success(fixture('crafted-eu-login-style.xml'));
      expect(result.user).to.equal('n00dleta');
      expect(result.attributes).to.deep.include({
        email: ['Tamara.NOODLE@ec.europa.eu'],
        firstName: ['Tamara'],
        lastName: ['NOODLE'],
        employeeNumber: ['00042917'],
        groups: ['DIGIT_STAFF', 'WIKI_EDITORS'],
        strengths: ['PASSWORD_MOBILE_APP'],
        officeRooms: ['BRE2 08/123', 'L-86 01/010'],
        sso: ['false'],
      });
      expect(result.attributes).not.to.have.property('user');
    });

    it('a wrapped list with one element is a one-element list', () => {
      const result = success(successWith('<cas:user>u</cas:user><cas:groups number="1"><cas:group>only</cas:group></cas:groups>'));
      expect(result.attributes.groups).to.deep.equal(['only']);
    });
  });

  describe('failures', () => {
    const CASES: Array<[string, string]> = [
      ['serviceValidate-INVALID_TICKET-unknown.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_TICKET-reuse.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_TICKET-bad-prefix.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_TICKET-for-PT.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_TICKET-renew-required.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_TICKET-after-INVALID_SERVICE.xml', 'INVALID_TICKET'],
      ['serviceValidate-INVALID_SERVICE.xml', 'INVALID_SERVICE'],
      ['serviceValidate-INVALID_SERVICE-rebuilt-from-redirect.xml', 'INVALID_SERVICE'],
      ['serviceValidate-INVALID_REQUEST.xml', 'INVALID_REQUEST'],
      ['serviceValidate-INVALID_PROXY_CALLBACK-not-allowed.xml', 'INVALID_PROXY_CALLBACK'],
      ['serviceValidate-INVALID_PROXY_CALLBACK-untrusted-tls.xml', 'INVALID_PROXY_CALLBACK'],
    ];
    for (const [name, code] of CASES) {
      it(`${name} -> ${code}`, () => {
        const result = failure(fixture(name));
        expect(result.code).to.equal(code);
        expect(result.description).to.be.a('string').and.not.match(/^\s|\s$/);
      });
    }

    it('the codes of the CAS protocol that django-cas-server does not send (INTERNAL_ERROR, UNAUTHORIZED_SERVICE_PROXY, INVALID_TICKET_SPEC)', () => {
      for (const code of ['INTERNAL_ERROR', 'UNAUTHORIZED_SERVICE_PROXY', 'INVALID_TICKET_SPEC']) {
        expect(failure(wrap(`<cas:authenticationFailure code="${code}">x</cas:authenticationFailure>`)).code).to.equal(code);
      }
    });

    it('a failure without a code is UNKNOWN, its text trimmed', () => {
      expect(failure(wrap('<cas:authenticationFailure>\n  Ticket ST-1 not recognized  \n</cas:authenticationFailure>')))
        .to.deep.equal({ kind: 'failure', code: 'UNKNOWN', description: 'Ticket ST-1 not recognized' });
    });
  });

  describe('answers that are not a CAS response', () => {
    for (const [label, body] of [
      ['an empty body', ''],
      ['CAS 1 /validate text', fixture('validate-failure.txt')],
      ['JSON', '{"serviceResponse":{"authenticationSuccess":{"user":"alice"}}}'],
      ['an HTML error page', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'],
      ['HTML without a doctype', '<html><body>Service Unavailable</body></html>'],
      ['truncated XML', fixture('p3-serviceValidate-success-alice.xml').slice(0, 200)],
      ['mismatched tags', successWith('<cas:user>a</cas:userx>')],
      ['neither success nor failure', wrap('<cas:proxySuccess><cas:proxyTicket>PT-1</cas:proxyTicket></cas:proxySuccess>')],
      ['200 nested elements', `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`],
    ] as const) {
      it(`${label} is a CasProtocolError`, () => {
        refused(body);
      });
    }
  });

  describe('hostile XML', () => {
    it('a DOCTYPE with internal entities (billion laughs) is refused before parsing', () => {
      const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
${successWith('<cas:user>&lol3;</cas:user>')}`;
      expect(refused(lol).message).to.match(/DOCTYPE/);
    });

    it('an external entity (XXE) is refused', () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${successWith('<cas:user>&xxe;</cas:user>')}`;
      expect(refused(xxe).message).to.match(/DOCTYPE/);
    });

    it('an internal entity that would rename the user is refused', () => {
      const spoof = `<!DOCTYPE r [<!ENTITY who "admin">]>${successWith('<cas:user>&who;</cas:user>')}`;
      expect(refused(spoof).message).to.match(/DOCTYPE/);
    });

    it('a DOCTYPE in lower case, or an ENTITY without one, is refused too', () => {
      refused(`<!doctype r>${successWith('<cas:user>u</cas:user>')}`);
      refused(successWith('<!ENTITY x "y"><cas:user>u</cas:user>'));
    });

    it('an undeclared entity reference stays literal text', () => {
      expect(success(successWith('<cas:user>&who;</cas:user>')).user).to.equal('&who;');
    });

    it('a duplicated <cas:user> is refused (which one would be the user?)', () => {
      const twice = successWith('<cas:user>alice</cas:user><cas:user>admin</cas:user>');
      expect(refused(twice).message).to.match(/single cas:user/);
    });

    it('a missing or empty <cas:user> is refused', () => {
      refused(successWith('<cas:attributes><cas:mail>m</cas:mail></cas:attributes>'));
      refused(successWith('<cas:user></cas:user>'));
      refused(successWith('<cas:user><cas:x>nested</cas:x></cas:user>'));
    });

    it('an element named __proto__ or constructor cannot pollute anything: the response is refused', () => {
      refused(successWith('<cas:user>u</cas:user><cas:attributes><cas:__proto__>x</cas:__proto__></cas:attributes>'));
      refused(successWith('<cas:user>u</cas:user><cas:attributes><cas:constructor>x</cas:constructor></cas:attributes>'));
      expect(({} as Record<string, unknown>).x).to.equal(undefined);
    });

    it('an attribute named __proto__ in the name= form stays an ordinary own property', () => {
      const result = success(successWith('<cas:user>u</cas:user><cas:attribute name="__proto__" value="x"/>'));
      expect(Object.hasOwn(result.attributes, '__proto__')).to.equal(true);
      expect(Object.getPrototypeOf(result.attributes)).to.equal(Object.prototype);
      expect(JSON.parse(JSON.stringify(result.attributes))).to.satisfy((a: object) => Object.hasOwn(a, '__proto__'));
    });
  });

  describe('characters XML does not allow', () => {
    it('a character reference to NUL, ESC or a lone surrogate is refused, not dropped (ali&#0;ce is not alice)', () => {
      for (const user of ['ali&#0;ce', 'ali&#x1b;ce', 'ali&#xD800;ce', 'ali&#65535;ce', 'ali&#x110000;ce']) {
        expect(refused(successWith(`<cas:user>${user}</cas:user>`)).message, user).to.match(/characters XML does not allow/);
      }
    });

    it('raw forbidden characters are refused; tab, line feed and references to ordinary characters are fine', () => {
      expect(refused(successWith('<cas:user>ali\u0000ce</cas:user>')).message).to.match(/characters XML does not allow/);
      expect(success(successWith('<cas:user>&#x41;&#66;c</cas:user><cas:attributes><cas:postalAddress>1 Main St&#10;Town</cas:postalAddress></cas:attributes>'))).to.deep.include({ user: 'ABc' });
    });
  });
});
