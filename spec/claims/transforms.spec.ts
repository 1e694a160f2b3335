// Every transform, run on attributes parsed from real CAS responses.
import { expect } from 'chai';
import { compileClaims, type TransformSpec } from '../../lib/claims/index.js';
import { alice, aliceWith, bob, BOB_DISPLAY_NAME, carol, type CasLogin } from './support.js';

/** The custom claim `x` (array when multi-valued, string when single) from one attribute and transforms. */
function x(login: CasLogin, attribute: string, transforms: TransformSpec[]): unknown {
  const compiled = compileClaims({ preset: 'none', claims: { x: { attribute, transforms } } });
  return compiled.map(login.user, login.attributes).claims['x'];
}

/** The same through a single-string claim (`name`), which must stay a string. */
function asName(login: CasLogin, attribute: string, transforms: TransformSpec[]): unknown {
  const compiled = compileClaims({ preset: 'none', claims: { name: { attribute, transforms } } });
  return compiled.map(login.user, login.attributes).claims['name'];
}

const sameBytes = (actual: unknown, expected: string): void => {
  expect(actual).to.be.a('string');
  expect(Buffer.from(actual as string, 'utf8').equals(Buffer.from(expected, 'utf8'))).to.equal(true);
};

describe('claims transforms', () => {
  describe('first', () => {
    it('keeps the first value of a multi-valued attribute as a string', () => {
      expect(x(alice(), 'memberOf', ['first'])).to.equal('staff');
    });
    it('keeps bob\'s display name byte for byte', () => {
      sameBytes(asName(bob(), 'displayName', ['first']), BOB_DISPLAY_NAME);
    });
    it('gives no claim for an absent attribute', () => {
      expect(x(carol(), 'memberOf', ['first'])).to.equal(undefined);
    });
  });

  describe('all', () => {
    it('keeps every value, in order, as an array', () => {
      expect(x(alice(), 'memberOf', ['all'])).to.deep.equal(['staff', 'admins']);
    });
    it('gives a one-element array for a single value (stable JSON type)', () => {
      expect(x(bob(), 'memberOf', ['all'])).to.deep.equal(['staff']);
    });
    it('without any transform an attribute claim is an array too', () => {
      expect(x(alice(), 'displayName', [])).to.deep.equal(['Alice Example']);
    });
  });

  describe('join', () => {
    it('joins every value with the separator into one string', () => {
      expect(x(alice(), 'memberOf', [{ join: ', ' }])).to.equal('staff, admins');
    });
    it('keeps a single value byte for byte', () => {
      sameBytes(asName(bob(), 'displayName', [{ join: ' | ' }]), BOB_DISPLAY_NAME);
    });
    it('gives no claim (not "") when there is nothing to join', () => {
      expect(x(carol(), 'memberOf', [{ join: ',' }])).to.equal(undefined);
    });
  });

  describe('lowercase / uppercase', () => {
    it('lowercase', () => {
      expect(asName(alice(), 'displayName', ['first', 'lowercase'])).to.equal('alice example');
    });
    it('uppercase, including non-ASCII letters', () => {
      expect(asName(bob(), 'displayName', ['first', 'uppercase'])).to.equal('BÓB O\'BRIEN & <CO>');
    });
    it('apply to every value', () => {
      expect(x(alice(), 'memberOf', ['uppercase'])).to.deep.equal(['STAFF', 'ADMINS']);
    });
  });

  describe('trim', () => {
    it('removes surrounding whitespace', () => {
      const login = aliceWith({ displayName: ['  Alice Example \t'] });
      expect(asName(login, 'displayName', ['first', 'trim'])).to.equal('Alice Example');
    });
    it('keeps bob\'s display name byte for byte', () => {
      sameBytes(asName(bob(), 'displayName', ['trim', 'first']), BOB_DISPLAY_NAME);
    });
    it('drops a value that was only whitespace (no empty claim)', () => {
      const login = aliceWith({ nickname: ['   '] });
      expect(x(login, 'nickname', ['trim'])).to.equal(undefined);
    });
  });

  describe('regex', () => {
    const dns = aliceWith({
      memberOf: [
        'cn=staff,ou=groups,dc=example,dc=org',
        'CN=Admins,OU=Groups,DC=example,DC=org',
        'not-a-dn',
        'cn=lab & co,ou=groups,dc=example,dc=org',
      ],
    });

    it('takes the cn out of LDAP DNs and drops values that do not match', () => {
      expect(x(dns, 'memberOf', [{ regex: '^cn=([^,]+),', flags: 'i' }])).to.deep.equal(['staff', 'Admins', 'lab & co']);
    });
    it('is case-sensitive without the i flag', () => {
      expect(x(dns, 'memberOf', [{ regex: '^cn=([^,]+),' }])).to.deep.equal(['staff', 'lab & co']);
    });
    it('keeps the whole match when the regex has no group', () => {
      expect(x(alice(), 'email', [{ regex: '@[a-z.]+$' }])).to.deep.equal(['@example.org']);
    });
    it('keeps a named group', () => {
      expect(x(alice(), 'email', [{ regex: '^(?<local>[^@]+)@', group: 'local' }])).to.deep.equal(['alice']);
    });
    it('keeps a chosen numbered group', () => {
      expect(x(alice(), 'email', [{ regex: '^([^@]+)@(.+)$', group: 2 }])).to.deep.equal(['example.org']);
    });
    it('a regex that keeps everything keeps bob\'s display name byte for byte', () => {
      sameBytes(asName(bob(), 'displayName', ['first', { regex: '^(.*)$', flags: 's' }]), BOB_DISPLAY_NAME);
    });
    it('gives no claim when no value matches', () => {
      expect(x(alice(), 'memberOf', [{ regex: '^cn=(.+)' }])).to.equal(undefined);
    });
  });

  describe('map', () => {
    it('maps values and drops unknown ones without a default', () => {
      expect(x(alice(), 'memberOf', [{ map: { staff: 'employee' } }])).to.deep.equal(['employee']);
    });
    it('uses the default for unknown values', () => {
      expect(x(alice(), 'memberOf', [{ map: { staff: 'employee' }, default: 'member' }])).to.deep.equal(['employee', 'member']);
    });
    it('does not find Object.prototype members', () => {
      const login = aliceWith({ memberOf: ['constructor', 'toString'] });
      expect(x(login, 'memberOf', [{ map: { staff: 'employee' } }])).to.equal(undefined);
    });
    it('matches bob\'s display name exactly as a key (XML specials and accents decoded)', () => {
      expect(asName(bob(), 'displayName', ['first', { map: { [BOB_DISPLAY_NAME]: 'matched' } }])).to.equal('matched');
      expect(asName(bob(), 'displayName', ['first', { map: { 'Bob O\'Brien & <Co>': 'matched' } }])).to.equal(undefined);
    });
  });

  describe('splitName', () => {
    it('splits "Given Family"', () => {
      expect(asName(alice(), 'displayName', ['first', { splitName: 'given' }])).to.equal('Alice');
      expect(asName(alice(), 'displayName', ['first', { splitName: 'family' }])).to.equal('Example');
    });
    it('splits "Family, Given"', () => {
      const login = aliceWith({ displayName: ['Example, Alice Marie'] });
      expect(asName(login, 'displayName', ['first', { splitName: 'given' }])).to.equal('Alice Marie');
      expect(asName(login, 'displayName', ['first', { splitName: 'family' }])).to.equal('Example');
    });
    it('keeps the given part of bob\'s display name as written (last word is the family name)', () => {
      expect(asName(bob(), 'displayName', ['first', { splitName: 'given' }])).to.equal('Bób O\'Brien &');
      expect(asName(bob(), 'displayName', ['first', { splitName: 'family' }])).to.equal('<Co>');
    });
    it('a single word is a given name and has no family name', () => {
      const login = aliceWith({ displayName: ['Madonna'] });
      expect(asName(login, 'displayName', ['first', { splitName: 'given' }])).to.equal('Madonna');
      expect(asName(login, 'displayName', ['first', { splitName: 'family' }])).to.equal(undefined);
    });
    it('splits Chinese names family first, compound surnames whole', () => {
      const login = aliceWith({ displayName: ['欧阳娜娜'] });
      expect(asName(login, 'displayName', ['first', { splitName: 'family' }])).to.equal('欧阳');
      expect(asName(login, 'displayName', ['first', { splitName: 'given' }])).to.equal('娜娜');
      const zs = aliceWith({ displayName: ['张三'] });
      expect(asName(zs, 'displayName', ['first', { splitName: 'family' }])).to.equal('张');
      expect(asName(zs, 'displayName', ['first', { splitName: 'given' }])).to.equal('三');
    });
    it('splits a Chinese name written with a space at the space', () => {
      const login = aliceWith({ displayName: ['司马 相如'] });
      expect(asName(login, 'displayName', ['first', { splitName: 'family' }])).to.equal('司马');
      expect(asName(login, 'displayName', ['first', { splitName: 'given' }])).to.equal('相如');
    });
  });

  describe('pinyin', () => {
    const name = (value: string, transforms: TransformSpec[]): unknown =>
      asName(aliceWith({ displayName: [value] }), 'displayName', ['first', ...transforms]);

    it('张三 -> family Zhang, given San', () => {
      expect(name('张三', [{ splitName: 'family' }, { pinyin: 'family' }])).to.equal('Zhang');
      expect(name('张三', [{ splitName: 'given' }, { pinyin: 'given' }])).to.equal('San');
    });
    it('欧阳娜娜 (compound surname) -> family Ouyang, given Nana', () => {
      expect(name('欧阳娜娜', [{ splitName: 'family' }, { pinyin: 'family' }])).to.equal('Ouyang');
      expect(name('欧阳娜娜', [{ splitName: 'given' }, { pinyin: 'given' }])).to.equal('Nana');
    });
    it('full name -> "Family Given"', () => {
      expect(name('欧阳娜娜', [{ pinyin: 'full' }])).to.equal('Ouyang Nana');
      expect(name('张三', [{ pinyin: 'full' }])).to.equal('Zhang San');
      expect(name('张 三', [{ pinyin: 'full' }])).to.equal('Zhang San');
    });
    it('uses surname readings for family names (单 Shan, 曾 Zeng)', () => {
      expect(name('单', [{ pinyin: 'family' }])).to.equal('Shan');
      expect(name('曾国藩', [{ splitName: 'family' }, { pinyin: 'family' }])).to.equal('Zeng');
    });
    it('writes an apostrophe before a/o/e syllables and keeps ü', () => {
      expect(name('嘉恩', [{ pinyin: 'given' }])).to.equal("Jia'en");
      expect(name('吕', [{ pinyin: 'family' }])).to.equal('Lü');
    });
    it('leaves non-Chinese names untouched, byte for byte', () => {
      sameBytes(asName(bob(), 'displayName', ['first', { pinyin: 'full' }]), BOB_DISPLAY_NAME);
      sameBytes(asName(bob(), 'displayName', ['first', { pinyin: 'given' }]), BOB_DISPLAY_NAME);
      expect(name('Alice Example', [{ pinyin: 'family' }])).to.equal('Alice Example');
    });
    it('leaves mixed text untouched', () => {
      expect(name('张三 (Zhang)', [{ pinyin: 'full' }])).to.equal('张三 (Zhang)');
    });
  });

  it('applies transforms in the order written', () => {
    const dns = aliceWith({ memberOf: ['cn=Staff,ou=groups,dc=example,dc=org', 'cn=Admins,ou=groups,dc=example,dc=org'] });
    expect(x(dns, 'memberOf', [{ regex: '^cn=([^,]+)' }, 'lowercase', { join: ' ' }])).to.equal('staff admins');
    expect(x(dns, 'memberOf', [{ join: ' ' }, { regex: '^cn=([^,]+)' }])).to.equal('Staff');
  });
});
