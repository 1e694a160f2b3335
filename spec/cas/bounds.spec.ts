// Input from CAS is bounded (issue 14 section 4): one check on the typed result of every protocol.
// Each case is fed through readValidation for each protocol that can carry it, so no parser escapes
// the bounds.
import { expect } from 'chai';
import { CAS_BOUNDS, CasBoundsError, checkBounds, subjectProblem } from '../../lib/cas/bounds.js';
import { CasProtocolError } from '../../lib/cas/errors.js';
import type { CasProtocol } from '../../lib/cas/protocol.js';
import type { CasAttributes, CasValidationResult } from '../../lib/cas/types.js';
import { readValidation } from '../../lib/cas/validation.js';

const xmlEscape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A success answer of `protocol` for this user and these attributes. */
function answer(protocol: CasProtocol, user: string, attributes: CasAttributes = {}): string {
  switch (protocol) {
    case 'cas3':
    case 'cas2':
      return `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>${xmlEscape(user)}</cas:user><cas:attributes>${
        Object.entries(attributes).flatMap(([n, vs]) => vs.map((v) => `<cas:${n}>${xmlEscape(v)}</cas:${n}>`)).join('')}</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`;
    case 'saml11':
      return '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><p:Response xmlns:p="urn:oasis:names:tc:SAML:1.0:protocol">'
        + '<p:Status><p:StatusCode Value="p:Success"/></p:Status><a:Assertion xmlns:a="urn:oasis:names:tc:SAML:1.0:assertion"><a:AttributeStatement>'
        + `<a:Subject><a:NameIdentifier>${xmlEscape(user)}</a:NameIdentifier></a:Subject>${
          Object.entries(attributes).map(([n, vs]) => `<a:Attribute AttributeName="${xmlEscape(n)}">${vs.map((v) => `<a:AttributeValue>${xmlEscape(v)}</a:AttributeValue>`).join('')}</a:Attribute>`).join('')}`
        + '</a:AttributeStatement></a:Assertion></p:Response></S:Body></S:Envelope>';
    case 'cas1':
      return `yes\n${user}\n`;
  }
}

const ALL: CasProtocol[] = ['cas3', 'cas2', 'saml11', 'cas1'];
const WITH_ATTRIBUTES: CasProtocol[] = ['cas3', 'cas2', 'saml11'];

function refusedWith(protocol: CasProtocol, body: string): string {
  try {
    readValidation(protocol, body);
  } catch (err) {
    expect(err, protocol).to.be.instanceOf(CasBoundsError);
    return (err as Error).message;
  }
  throw new Error(`${protocol}: expected the answer to be refused`);
}

const user = (result: CasValidationResult): string | undefined => (result.kind === 'success' ? result.user : undefined);

describe('bounds on input from CAS', () => {
  for (const protocol of ALL) {
    describe(protocol, () => {
      it('a 10 KB user is refused, not turned into a 10,240-character sub', () => {
        expect(refusedWith(protocol, answer(protocol, 'u'.repeat(10_240)))).to.equal('CAS user refused: it is 10240 characters long (at most 255)');
      });

      it('a user of exactly 255 characters, non-ASCII ones counted as one each, is accepted; 256 is not', () => {
        const name = `${'é'.repeat(200)}${'😀'.repeat(55)}`;
        expect(user(readValidation(protocol, answer(protocol, name)))).to.equal(name);
        expect(refusedWith(protocol, answer(protocol, `${name}x`))).to.match(/256 characters long/);
      });

      it('a user with control characters is refused', () => {
        for (const bad of ['ali\u0000ce', 'alice\u001b[31m', 'al\u007fice', 'ali\u0085ce', 'alice\tadmin']) {
          if (protocol === 'saml11' || protocol === 'cas3' || protocol === 'cas2') {
            // XML cannot carry NUL at all: the parser or the bounds refuse it, never a login
            expect(() => readValidation(protocol, answer(protocol, bad)), JSON.stringify(bad)).to.throw(CasProtocolError);
            continue;
          }
          expect(refusedWith(protocol, answer(protocol, bad)), JSON.stringify(bad)).to.match(/control characters/);
        }
      });
    });
  }

  for (const protocol of WITH_ATTRIBUTES) {
    describe(`${protocol} attributes`, () => {
      it(`more than ${CAS_BOUNDS.attributes} attributes are refused; ${CAS_BOUNDS.attributes} are fine`, () => {
        const many = (n: number): CasAttributes => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, ['v']]));
        expect(Object.keys((readValidation(protocol, answer(protocol, 'alice', many(CAS_BOUNDS.attributes))) as { attributes: object }).attributes)).to.have.length(CAS_BOUNDS.attributes);
        expect(refusedWith(protocol, answer(protocol, 'alice', many(CAS_BOUNDS.attributes + 1)))).to.match(/257 attributes \(at most 256\)/);
      });

      it(`more than ${CAS_BOUNDS.valuesPerAttribute} values of one attribute are refused`, () => {
        const groups = Array.from({ length: CAS_BOUNDS.valuesPerAttribute + 1 }, (_, i) => `g${i}`);
        expect(refusedWith(protocol, answer(protocol, 'alice', { memberOf: groups }))).to.match(/1001 values of attribute "memberOf"/);
      });

      it(`a value longer than ${CAS_BOUNDS.valueLength} characters is refused`, () => {
        expect(refusedWith(protocol, answer(protocol, 'alice', { photo: ['x'.repeat(CAS_BOUNDS.valueLength + 1)] }))).to.match(/value of attribute "photo" of 16385 characters/);
      });

      it('an overlong attribute name is refused, and quoted only in part', () => {
        const name = `n${'a'.repeat(CAS_BOUNDS.attributeNameLength)}`;
        const message = refusedWith(protocol, answer(protocol, 'alice', { [name]: ['v'] }));
        expect(message).to.match(/attribute name/);
        expect(message.length).to.be.below(300);
      });
    });
  }

  describe('checkBounds on results', () => {
    it('an attribute name or value with control characters is refused; newlines and tabs in values are fine', () => {
      const base = { kind: 'success', user: 'alice', proxyGrantingTicketIou: undefined, proxies: [] } as const;
      expect(() => checkBounds({ ...base, attributes: { 'bad\nname': ['v'] } })).to.throw(CasBoundsError, /attribute name/);
      expect(() => checkBounds({ ...base, attributes: { postalAddress: ['a\u0000b'] } })).to.throw(CasBoundsError, /XML cannot carry/);
      expect(checkBounds({ ...base, attributes: { postalAddress: ['1 Main St\nTown\tX'] } })).to.deep.include({ user: 'alice' });
    });

    it('a malformed PGT IOU is dropped (no callback can be found by it); too many proxies are refused', () => {
      const base = { kind: 'success', user: 'alice', attributes: {}, proxies: [] } as const;
      expect(checkBounds({ ...base, proxyGrantingTicketIou: 'PGTIOU-1-abc' })).to.deep.include({ proxyGrantingTicketIou: 'PGTIOU-1-abc' });
      expect(checkBounds({ ...base, proxyGrantingTicketIou: 'PGTIOU-<x>' })).to.deep.include({ proxyGrantingTicketIou: undefined });
      expect(() => checkBounds({ ...base, proxyGrantingTicketIou: undefined, proxies: Array.from({ length: 65 }, (_, i) => `https://p${i}`) })).to.throw(CasBoundsError);
    });

    it('a failure keeps a bounded, safe code and description: tickets masked, control characters gone', () => {
      const result = checkBounds({ kind: 'failure', code: 'INVALID_TICKET', description: `Ticket ST-123-abc not recognized\u001b[2J ${'x'.repeat(1000)}` });
      expect(result.kind === 'failure' && result.description).to.match(/^Ticket ST-… not recognized \[2J x+…$/);
      expect(result.kind === 'failure' && [...result.description].length).to.equal(CAS_BOUNDS.failureDescriptionLength + 1);
      expect(checkBounds({ kind: 'failure', code: `X${'Y'.repeat(80)}`, description: '' })).to.deep.include({ code: 'UNKNOWN' });
      expect(checkBounds({ kind: 'failure', code: 'BAD\nCODE', description: '' })).to.deep.include({ code: 'UNKNOWN' });
    });

    it('subjectProblem says what is wrong in words', () => {
      expect(subjectProblem('')).to.equal('is empty');
      expect(subjectProblem('a'.repeat(300))).to.equal('is 300 characters long (at most 255)');
      expect(subjectProblem('a\u0000')).to.equal('contains control characters');
      expect(subjectProblem('alice')).to.equal(undefined);
    });
  });
});
