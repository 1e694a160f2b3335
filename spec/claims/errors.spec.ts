// Startup errors of compileClaims: every problem is one line naming the claim, all collected at once.
import { expect } from 'chai';
import { ClaimsConfigError, compileClaims, type ClaimsSetting } from '../../lib/claims/index.js';

/** The problem lines of a setting that must not compile (typed loosely: these are bad on purpose). */
function problems(setting: unknown): string[] {
  try {
    compileClaims(setting as ClaimsSetting);
  } catch (err) {
    if (err instanceof ClaimsConfigError) return err.problems;
    throw err;
  }
  expect.fail('the setting compiled but should not have');
}

const claim = (name: string, def: unknown): string[] => problems({ claims: { [name]: def } });

describe('claims configuration errors', () => {
  it('unknown transform', () => {
    const [line, ...rest] = claim('email', { attribute: 'mail', transforms: ['first', 'lowercas'] });
    expect(line).to.match(/^claims\.email: unknown transform "lowercas"/);
    expect(rest).to.deep.equal([]);
  });

  it('unknown transform given as an object', () => {
    expect(claim('email', { attribute: 'mail', transforms: ['first', { replace: 'x' }] })[0]).to.match(/^claims\.email: unknown transform "replace"/);
  });

  it('a transform named like an Object.prototype member is unknown', () => {
    expect(claim('email', { attribute: 'mail', transforms: ['first', 'constructor'] })[0]).to.match(/^claims\.email: unknown transform "constructor"/);
  });

  it('a transform that needs an argument', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: ['join'] })).to.deep.equal([
      'claims.groups: transform "join" needs an argument, e.g. {"join": ", "}',
    ]);
  });

  it('two transforms in one object', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ join: ',', pinyin: 'full' }] })[0]).to.match(/^claims\.groups: one transform per object/);
  });

  it('a regex that does not compile', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ regex: '^cn=([^,]+' }] })[0]).to.match(
      /^claims\.groups: transform "regex": regex "\^cn=\(\[\^,\]\+" does not compile: /,
    );
  });

  it('regex flags g and y are refused', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ regex: 'cn=(.+)', flags: 'g' }] })[0]).to.match(
      /^claims\.groups: transform "regex": regex flags "g" not allowed/,
    );
  });

  it('a regex group that does not exist', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ regex: 'cn=(.+)', group: 2 }] })).to.deep.equal([
      'claims.groups: transform "regex": group 2 does not exist in /cn=(.+)/ (it has 1 capture group)',
    ]);
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ regex: 'cn=(.+)', group: 'cn' }] })[0]).to.match(
      /^claims\.groups: transform "regex": group "cn" is not a named group/,
    );
  });

  it('an unknown key in a transform', () => {
    expect(claim('groups', { attribute: 'memberOf', transforms: [{ regex: 'cn=(.+)', flag: 'i' }] })[0]).to.equal(
      'claims.groups: transform "regex": unknown key "flag" (expected: regex, flags, group)',
    );
  });

  it('bad map, splitName and pinyin arguments', () => {
    expect(claim('x', { attribute: 'a', transforms: [{ map: { a: 1 } }] })[0]).to.match(/^claims\.x: transform "map": "map" must be an object of strings/);
    expect(claim('x', { attribute: 'a', transforms: [{ map: {}, default: 3 }] })[0]).to.match(/^claims\.x: transform "map": "default" must be a string/);
    expect(claim('x', { attribute: 'a', transforms: [{ splitName: 'first' }] })[0]).to.equal('claims.x: transform "splitName": must be "given" or "family", got "first"');
    expect(claim('x', { attribute: 'a', transforms: [{ pinyin: true }] })[0]).to.equal('claims.x: transform "pinyin": must be "given", "family" or "full", got true');
  });

  it('transforms that are not a list', () => {
    expect(claim('x', { attribute: 'a', transforms: 'first' })).to.deep.equal(['claims.x: "transforms" must be a list, got "first"']);
  });

  it('a string claim fed by a possibly multi-valued source without first/join', () => {
    expect(claim('name', { attribute: 'displayName' })).to.deep.equal([
      'claims.name: attribute "displayName" may have several values but name is a single string: add a "first" or "join" transform',
    ]);
    expect(claim('email', { firstOf: ['mail', 'email'], transforms: ['lowercase'] })[0]).to.match(
      /^claims\.email: first present of attributes "mail", "email" .* single string/,
    );
  });

  it('"all" after "first" makes the source multi-valued again', () => {
    expect(claim('sub', { attribute: 'uid', transforms: ['first', 'all'] })[0]).to.match(/^claims\.sub: .*may have several values/);
  });

  it('a boolean claim fed by a multi-valued source', () => {
    expect(claim('email_verified', { attribute: 'mailVerified' })[0]).to.match(/^claims\.email_verified: .* is a boolean/);
  });

  it('a multi-valued fallback is checked too', () => {
    expect(claim('name', { attribute: 'displayName', transforms: ['first'], fallback: { attribute: 'cn' } })[0]).to.match(
      /^claims\.name: attribute "cn" may have several values/,
    );
  });

  it('a problem inside a fallback names the claim and the fallback', () => {
    expect(claim('email', { attribute: 'mail', transforms: ['first'], fallback: { template: '{uid@mail.example.edu' } })).to.deep.equal([
      'claims.email.fallback: template "{uid@mail.example.edu": "{" at 0 is never closed',
    ]);
  });

  it('template syntax errors', () => {
    expect(claim('email', { template: '{uid' })).to.deep.equal(['claims.email: template "{uid": "{" at 0 is never closed']);
    expect(claim('email', { template: 'uid}@x' })[0]).to.match(/^claims\.email: template "uid}@x": "}" at 3 without "{"/);
    expect(claim('email', { template: '{}@x' })[0]).to.match(/^claims\.email: template "{}@x": bad placeholder {}/);
    expect(claim('email', '{first name}@x')[0]).to.match(/^claims\.email: template "{first name}@x": bad placeholder \{first name\}/);
  });

  it('an unknown preset', () => {
    expect(problems({ preset: 'eduPerson' })).to.deep.equal(['claims.preset: unknown preset "eduPerson" (known: default, refeds, supann, none)']);
  });

  it('removing sub', () => {
    expect(problems({ claims: { sub: null } })).to.deep.equal(['claims.sub: cannot be removed: every login needs a subject']);
  });

  it('mapping a claim the provider sets', () => {
    expect(claim('iss', 'issuer')).to.deep.equal(['claims.iss: is set by the provider and cannot be mapped']);
    expect(claim('auth_time', 'authenticationDate')).to.deep.equal(['claims.auth_time: is set by the provider and cannot be mapped']);
  });

  it('a bad claim name', () => {
    expect(claim('my claim', 'x')).to.deep.equal(['claims.my claim: a claim name is printable ASCII without spaces or quotes']);
  });

  it('no source, several sources, unknown keys', () => {
    expect(claim('x', { transforms: ['first'] })[0]).to.match(/^claims\.x: no source: give one of "user", "attribute", "firstOf", "template"/);
    expect(claim('x', { attribute: 'a', template: '{b}' })[0]).to.match(/^claims\.x: several sources \("attribute", "template"\)/);
    expect(claim('x', { attribtue: 'a' })).to.include('claims.x: unknown key "attribtue" (expected one of: user, attribute, firstOf, template, transforms, verified, fallback)');
    expect(claim('x', { user: 'yes' })).to.deep.equal(['claims.x: "user" must be true, got "yes"']);
    expect(claim('x', { firstOf: [] })[0]).to.match(/^claims\.x: "firstOf" must be a non-empty list/);
    expect(claim('x', 42)).to.deep.equal(['claims.x: a claim definition is a string or an object, got 42']);
  });

  it('"verified" outside email/phone_number, or overridden by an explicit *_verified', () => {
    expect(claim('name', { attribute: 'cn', transforms: ['first'], verified: true })).to.deep.equal([
      'claims.name: "verified" only applies to email and phone_number',
    ]);
    expect(
      problems({ claims: { email: { attribute: 'mail', transforms: ['first'], verified: false }, email_verified: { attribute: 'v', transforms: ['first'] } } }),
    ).to.deep.equal(['claims.email: "verified" has no effect because email_verified is mapped explicitly']);
  });

  it('allAttributes misuse', () => {
    expect(claim('name', { allAttributes: true })).to.deep.equal(['claims.name: "allAttributes" gives an object but name must be a single string']);
    expect(claim('raw', { allAttributes: true, transforms: ['first'] })[0]).to.match(/^claims\.raw: "allAttributes" takes no other keys/);
    expect(claim('raw', { allAttributes: { only: 'uid' } })[0]).to.match(/^claims\.raw: "allAttributes\.only" must be a list/);
    expect(claim('email', { attribute: 'mail', transforms: ['first'], fallback: { allAttributes: true } })[0]).to.match(/^claims\.email\.fallback: "allAttributes" cannot be/);
  });

  describe('scopes', () => {
    it('a scope releasing a claim the mapping does not produce', () => {
      expect(problems({ scopes: { eduperson: ['eduperson_affiliation'] } })).to.deep.equal([
        'claims.scopes.eduperson: claim "eduperson_affiliation" is not produced by the mapping',
      ]);
    });

    it('redefining openid', () => {
      expect(problems({ scopes: { openid: ['sub', 'email'] } })).to.deep.equal([
        'claims.scopes.openid: the openid scope always releases exactly sub and cannot be changed',
      ]);
    });

    it('releasing acr/amr through a scope', () => {
      expect(problems({ claims: { amr: 'authenticationMethod' }, scopes: { login: ['amr'] } })[0]).to.match(/^claims\.scopes\.login: amr goes on the ID token/);
    });

    it('an empty scope or a bad scope name', () => {
      expect(problems({ scopes: { empty: [] } })[0]).to.match(/^claims\.scopes\.empty: must be a non-empty list/);
      expect(problems({ scopes: { 'two words': ['email'] } })[0]).to.match(/^claims\.scopes\.two words: a scope name is printable ASCII/);
    });
  });

  it('collects every problem at once, one line each, each naming its claim', () => {
    const lines = problems({
      preset: 'nope',
      claims: {
        email: { attribute: 'mail', transforms: ['lowercas'] },
        name: 'displayName',
        given_name: { attribute: 'givenName' },
        groups: { attribute: 'memberOf', transforms: [{ regex: '(' }] },
        nickname: { template: '{nick' },
      },
      scopes: { extra: ['unknown_claim'] },
    });
    expect(lines).to.have.length(6);
    for (const line of lines) {
      expect(line).to.match(/^claims\.[a-z_.]+: \S/);
      expect(line).not.to.include('\n');
    }
    expect(lines.map((l) => l.split(':')[0])).to.deep.equal([
      'claims.preset',
      'claims.email',
      'claims.given_name',
      'claims.groups',
      'claims.nickname',
      'claims.scopes.extra',
    ]);
  });

  it('the error message lists the problems', () => {
    try {
      compileClaims({ claims: { sub: null } });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ClaimsConfigError);
      expect((err as Error).message).to.include('claims.sub: cannot be removed');
    }
  });

  it('a setting that is not an object, or with unknown keys', () => {
    expect(problems('default')[0]).to.equal('claims: must be an object, got "default"');
    expect(problems({ presets: 'refeds' })[0]).to.match(/^claims: unknown key "presets"/);
  });
});
