// compileClaims(...).map on the real CAS responses: alice, bob, carol.
import { expect } from 'chai';
import { ClaimMappingError, compileClaims, type ClaimsSetting } from '../../lib/claims/index.js';
import { alice, aliceWith, bob, BOB_DISPLAY_NAME, carol, type CasLogin } from './support.js';

const mapWith = (setting: ClaimsSetting | undefined, login: CasLogin): Record<string, unknown> =>
  compileClaims(setting).map(login.user, login.attributes).claims;

/** The email claim of the issue: directory mail/email, else built from uid. */
const EMAIL_WITH_FALLBACK: ClaimsSetting = {
  claims: {
    email: {
      firstOf: ['mail', 'email'],
      transforms: ['first', 'lowercase'],
      fallback: { template: '{uid}@mail.example.edu' },
    },
  },
};

const STRING_CLAIMS = ['sub', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'nickname'];

describe('claims mapping on real CAS responses', () => {
  describe('alice (default preset)', () => {
    it('maps every default claim, groups as an array', () => {
      const { sub, claims } = compileClaims(undefined).map(alice().user, alice().attributes);
      expect(sub).to.equal('alice');
      expect(claims).to.deep.equal({
        sub: 'alice',
        preferred_username: 'alice',
        email: 'alice@example.org',
        email_verified: true,
        name: 'Alice Example',
        given_name: 'Alice',
        family_name: 'Example',
        groups: ['staff', 'admins'],
      });
    });

    it('does not leak the CAS protocol attributes', () => {
      const json = JSON.stringify(mapWith(undefined, alice()));
      for (const leak of ['authenticationDate', 'isFromNewLogin', 'longTermAuthenticationRequestTokenUsed', '2026-11-22']) {
        expect(json).not.to.include(leak);
      }
    });

    it('releases a protocol attribute only when mapped explicitly', () => {
      const claims = mapWith({ claims: { auth_date: { attribute: 'authenticationDate', transforms: ['first'] } } }, alice());
      expect(claims['auth_date']).to.equal('2026-11-22T05:30:32+00:00');
    });

    it('turns LDAP DNs in memberOf into group names with a regex override', () => {
      const login = aliceWith({ memberOf: ['cn=staff,ou=groups,dc=example,dc=org', 'cn=admins,ou=groups,dc=example,dc=org'] });
      const claims = mapWith({ claims: { groups: { attribute: 'memberOf', transforms: [{ regex: '^cn=([^,]+)', flags: 'i' }] } } }, login);
      expect(claims['groups']).to.deep.equal(['staff', 'admins']);
    });
  });

  describe('bob', () => {
    it('keeps the display name byte for byte and a single group as an array', () => {
      const claims = mapWith(undefined, bob());
      expect(Buffer.from(claims['name'] as string).equals(Buffer.from(BOB_DISPLAY_NAME))).to.equal(true);
      expect(claims['groups']).to.deep.equal(['staff']);
    });

    it('has no given_name/family_name (no givenName/sn in his response)', () => {
      const claims = mapWith(undefined, bob());
      expect(claims).not.to.have.property('given_name');
      expect(claims).not.to.have.property('family_name');
    });

    it('can fall back to splitting the display name', () => {
      const claims = mapWith(
        {
          claims: {
            given_name: { attribute: 'givenName', transforms: ['first'], fallback: { attribute: 'displayName', transforms: ['first', { splitName: 'given' }] } },
          },
        },
        bob(),
      );
      expect(claims['given_name']).to.equal('Bób O\'Brien &');
      expect(mapWith({ claims: { given_name: { attribute: 'givenName', transforms: ['first'], fallback: 'displayName' } } }, alice())['given_name']).to.equal('Alice');
    });
  });

  describe('carol (no attributes)', () => {
    it('gets sub and preferred_username only; name claims are absent, not empty', () => {
      expect(mapWith(undefined, carol())).to.deep.equal({ sub: 'carol', preferred_username: 'carol' });
    });

    it('gets an email from a {user} template, with email_verified false', () => {
      const claims = mapWith({ claims: { email: { firstOf: ['mail', 'email'], transforms: ['first'], fallback: '{user}@mail.example.edu' } } }, carol());
      expect(claims['email']).to.equal('carol@mail.example.edu');
      expect(claims['email_verified']).to.equal(false);
    });

    it('gets no email at all when the template needs a missing attribute ({uid})', () => {
      const claims = mapWith(EMAIL_WITH_FALLBACK, carol());
      expect(claims).not.to.have.property('email');
      expect(claims).not.to.have.property('email_verified');
    });
  });

  describe('email_verified per source', () => {
    it('is true for a directory email', () => {
      expect(mapWith(EMAIL_WITH_FALLBACK, alice())['email_verified']).to.equal(true);
    });

    it('is false for a template-built email', () => {
      const login = aliceWith({ email: [] });
      const claims = mapWith(EMAIL_WITH_FALLBACK, login);
      expect(claims['email']).to.equal('alice@mail.example.edu');
      expect(claims['email_verified']).to.equal(false);
    });

    it('follows "verified" when a source says so', () => {
      const setting: ClaimsSetting = {
        claims: { email: { attribute: 'email', transforms: ['first'], verified: false, fallback: { template: '{uid}@mail.example.edu', verified: true } } },
      };
      expect(mapWith(setting, alice())['email_verified']).to.equal(false);
      expect(mapWith(setting, aliceWith({ email: [] }))['email_verified']).to.equal(true);
    });

    it('comes from an attribute, as a boolean, when email_verified is mapped explicitly', () => {
      const setting: ClaimsSetting = { claims: { email_verified: { attribute: 'mailVerified', transforms: ['first'] } } };
      expect(mapWith(setting, aliceWith({ mailVerified: ['TRUE'] }))['email_verified']).to.equal(true);
      expect(mapWith(setting, aliceWith({ mailVerified: ['false'] }))['email_verified']).to.equal(false);
      expect(mapWith(setting, aliceWith({ mailVerified: ['maybe'] }))).not.to.have.property('email_verified');
    });

    it('is absent when removed with null', () => {
      expect(mapWith({ claims: { email_verified: null } }, alice())).not.to.have.property('email_verified');
    });

    it('works the same for phone_number', () => {
      const claims = mapWith({ claims: { phone_number: 'telephoneNumber' } }, aliceWith({ telephoneNumber: ['+33 1 23 45 67 89', '+33 9 99'] }));
      expect(claims['phone_number']).to.equal('+33 1 23 45 67 89');
      expect(claims['phone_number_verified']).to.equal(true);
    });
  });

  describe('JSON types', () => {
    it('string claims are strings even from multi-valued attributes', () => {
      const login = aliceWith({ displayName: ['Alice Example', 'A. Example'], mail: ['a@example.org', 'b@example.org'], eduPersonNickname: ['Al', 'Ali'] });
      const claims = mapWith({ claims: { nickname: 'eduPersonNickname' } }, login);
      for (const name of STRING_CLAIMS) expect(claims[name], name).to.be.a('string');
      expect(claims['email']).to.equal('a@example.org');
      expect(claims['name']).to.equal('Alice Example');
    });

    it('a numeric-looking value stays a string', () => {
      const claims = mapWith({ claims: { preferred_username: { attribute: 'employeeNumber', transforms: ['first'] } } }, aliceWith({ employeeNumber: ['00123'] }));
      expect(claims['preferred_username']).to.equal('00123');
    });

    it('amr is always an array and acr a string through a value map', () => {
      const setting: ClaimsSetting = {
        claims: {
          amr: { attribute: 'authenticationMethod' },
          acr: { attribute: 'authnContextClass', transforms: ['first', { map: { mfa: 'https://refeds.org/profile/mfa' }, default: 'urn:example:loa:1' }] },
        },
      };
      const mfa = mapWith(setting, aliceWith({ authenticationMethod: ['LdapAuthenticationHandler'], authnContextClass: ['mfa'] }));
      expect(mfa['amr']).to.deep.equal(['LdapAuthenticationHandler']);
      expect(mfa['acr']).to.equal('https://refeds.org/profile/mfa');
      const pwd = mapWith(setting, aliceWith({ authnContextClass: ['pwd'] }));
      expect(pwd['acr']).to.equal('urn:example:loa:1');
      expect(pwd).not.to.have.property('amr');
    });

    it('updated_at is a number of seconds (epoch, ISO 8601 or LDAP GeneralizedTime)', () => {
      const setting: ClaimsSetting = { claims: { updated_at: { attribute: 'modifyTimestamp', transforms: ['first'] } } };
      expect(mapWith(setting, aliceWith({ modifyTimestamp: ['20260102030405Z'] }))['updated_at']).to.equal(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
      expect(mapWith(setting, aliceWith({ modifyTimestamp: ['2026-01-02T03:04:05+01:00'] }))['updated_at']).to.equal(Date.UTC(2026, 0, 2, 2, 4, 5) / 1000);
      expect(mapWith(setting, aliceWith({ modifyTimestamp: ['1767323045'] }))['updated_at']).to.equal(1767323045);
      expect(mapWith(setting, aliceWith({ modifyTimestamp: ['yesterday'] }))).not.to.have.property('updated_at');
    });

    it('address is an object with the mapped string as formatted', () => {
      const claims = mapWith({ claims: { address: 'postalAddress' } }, aliceWith({ postalAddress: ['1 rue X$75000 Paris'] }));
      expect(claims['address']).to.deep.equal({ formatted: '1 rue X$75000 Paris' });
    });
  });

  describe('cas_attributes (raw attributes object)', () => {
    const setting = (allAttributes: unknown): ClaimsSetting =>
      ({ claims: { cas_attributes: { allAttributes } }, scopes: { cas_attributes: ['cas_attributes'] } }) as ClaimsSetting;

    it('releases every attribute as lists, without the protocol attributes', () => {
      const compiled = compileClaims(setting(true));
      expect(compiled.scopes['cas_attributes']).to.deep.equal(['cas_attributes']);
      expect(compiled.map('alice', alice().attributes).claims['cas_attributes']).to.deep.equal({
        uid: ['alice'],
        email: ['alice@example.org'],
        displayName: ['Alice Example'],
        givenName: ['Alice'],
        sn: ['Example'],
        memberOf: ['staff', 'admins'],
      });
    });

    it('includes the protocol attributes when asked', () => {
      const raw = mapWith(setting({ includeProtocol: true }), alice())['cas_attributes'] as Record<string, string[]>;
      expect(raw['isFromNewLogin']).to.deep.equal(['true']);
      expect(raw['authenticationDate']).to.deep.equal(['2026-11-22T05:30:32+00:00']);
    });

    it('honours only and except', () => {
      expect(mapWith(setting({ only: ['uid', 'memberof'] }), alice())['cas_attributes']).to.deep.equal({ uid: ['alice'], memberOf: ['staff', 'admins'] });
      const raw = mapWith(setting({ except: ['memberOf', 'email'] }), alice())['cas_attributes'] as Record<string, string[]>;
      expect(Object.keys(raw)).to.deep.equal(['uid', 'displayName', 'givenName', 'sn']);
    });

    it('is absent for carol, whose response has only protocol attributes', () => {
      expect(mapWith(setting(true), carol())).not.to.have.property('cas_attributes');
    });

    it('returns copies: changing the claim does not change the input', () => {
      const login = alice();
      const raw = mapWith(setting(true), login)['cas_attributes'] as Record<string, string[]>;
      raw['memberOf']?.push('root');
      expect(login.attributes['memberOf']).to.deep.equal(['staff', 'admins']);
    });
  });

  describe('sub', () => {
    it('fails with a ClaimMappingError when its source gives nothing', () => {
      const compiled = compileClaims({ claims: { sub: { attribute: 'employeeNumber', transforms: ['first'] } } });
      expect(() => compiled.map(carol().user, carol().attributes))
        .to.throw(ClaimMappingError, /sub/)
        .with.property('claim', 'sub');
    });

    it('fails for an empty CAS user', () => {
      expect(() => compileClaims(undefined).map('', alice().attributes)).to.throw(ClaimMappingError);
    });

    it('can fall back to the CAS user', () => {
      const compiled = compileClaims({ claims: { sub: { attribute: 'employeeNumber', transforms: ['first'], fallback: { user: true } } } });
      expect(compiled.map(carol().user, carol().attributes).sub).to.equal('carol');
      expect(compiled.map('alice', aliceWith({ employeeNumber: ['E42'] }).attributes).sub).to.equal('E42');
    });
  });

  describe('attribute names', () => {
    it('match exactly first, then ignoring case', () => {
      expect(mapWith({ claims: { name: 'DISPLAYNAME' } }, alice())['name']).to.equal('Alice Example');
      const both = { ...alice().attributes, DisplayName: ['Other'] };
      expect(compileClaims({ claims: { name: 'DisplayName' } }).map('alice', both).claims['name']).to.equal('Other');
    });

    it('firstOf takes the first attribute that has a value', () => {
      const login = aliceWith({ mail: ['primary@example.org'] });
      expect(mapWith(undefined, login)['email']).to.equal('primary@example.org');
      expect(mapWith(undefined, aliceWith({ mail: [''] }))['email']).to.equal('alice@example.org');
    });
  });

  describe('names that look like Object.prototype members', () => {
    it('are ordinary claim, attribute and scope names', () => {
      // JSON.parse, as a configuration file would be read: a "__proto__" literal in code sets the prototype.
      const compiled = compileClaims(
        JSON.parse(`{
          "claims": { "constructor": { "attribute": "toString", "transforms": ["first"] }, "raw": { "allAttributes": true } },
          "scopes": { "__proto__": ["constructor"] }
        }`) as ClaimsSetting,
      );
      expect(Object.getOwnPropertyNames(compiled.scopes)).to.include('__proto__');
      const attributes = JSON.parse('{"toString": ["x"], "__proto__": ["y"]}') as Record<string, string[]>;
      const claims = compiled.map('alice', attributes).claims;
      expect(claims['constructor']).to.equal('x');
      expect(Object.getPrototypeOf(claims)).to.equal(Object.prototype);
      const raw = claims['raw'] as Record<string, string[]>;
      expect(Object.getOwnPropertyNames(raw)).to.deep.equal(['toString', '__proto__']);
      expect(Object.getPrototypeOf(raw)).to.equal(Object.prototype);
    });

    it('a custom claim named like an Object.prototype member gets no *_verified companion', () => {
      expect(compileClaims({ preset: 'none', claims: { toString: '{user}' } }).claimNames).to.deep.equal(['sub', 'toString']);
    });
  });

  describe('describe, claimNames and scopes', () => {
    it('gives one line per claim with its scope, source and transforms', () => {
      const lines = compileClaims(EMAIL_WITH_FALLBACK).describe();
      expect(lines).to.have.length(compileClaims(EMAIL_WITH_FALLBACK).claimNames.length);
      expect(lines).to.include(
        'email [scope email]: first present of attributes "mail", "email" -> first -> lowercase (verified); else template "{uid}@mail.example.edu" (unverified) (string)',
      );
      expect(lines).to.include('groups [scope groups]: attribute "memberOf" -> all values (array)');
      expect(lines[0]).to.equal('sub [scope openid]: CAS user (string, required)');
    });

    it('lists every claim the mapping can produce', () => {
      expect(compileClaims(undefined).claimNames).to.deep.equal([
        'sub',
        'preferred_username',
        'email',
        'email_verified',
        'name',
        'given_name',
        'family_name',
        'groups',
      ]);
    });

    it('gives the scope table for oidc-provider, listing only produced claims', () => {
      expect(compileClaims(undefined).scopes).to.deep.equal({
        openid: ['sub'],
        profile: ['name', 'family_name', 'given_name', 'preferred_username'],
        email: ['email', 'email_verified'],
        groups: ['groups'],
      });
    });
  });
});
