// The zod schemas check the JSON skeleton; the example configuration of README.md parses and compiles.
import { expect } from 'chai';
import { accessRulesSchema, claimsSettingSchema, compileAccessRules, compileClaims } from '../../lib/claims/index.js';
import { alice, carol } from './support.js';

/** The example of lib/claims/README.md, as JSON. */
const EXAMPLE = JSON.parse(`{
  "claims": {
    "preset": "refeds",
    "claims": {
      "email": {
        "firstOf": ["mail", "email"],
        "transforms": ["first", "trim", "lowercase"],
        "fallback": { "template": "{uid}@mail.example.edu" }
      },
      "given_name": {
        "attribute": "givenName",
        "transforms": ["first"],
        "fallback": { "attribute": "displayName", "transforms": ["first", { "splitName": "given" }, { "pinyin": "given" }] }
      },
      "family_name": {
        "attribute": "sn",
        "transforms": ["first"],
        "fallback": { "attribute": "displayName", "transforms": ["first", { "splitName": "family" }, { "pinyin": "family" }] }
      },
      "groups": { "attribute": "memberOf", "transforms": [{ "regex": "^cn=([^,]+)", "flags": "i" }] },
      "amr": "authenticationMethod",
      "acr": { "attribute": "authnContextClass", "transforms": ["first", { "map": { "mfa": "https://refeds.org/profile/mfa" } }] },
      "cas_attributes": { "allAttributes": true },
      "nickname": null
    },
    "scopes": { "cas_attributes": ["cas_attributes"] }
  },
  "access": {
    "name": "staff or named guests",
    "any": [
      { "attribute": "memberOf", "has": "cn=staff,ou=groups,dc=example,dc=org" },
      { "attribute": "eduPersonAffiliation", "oneOf": ["faculty", "staff"] },
      { "user": true, "matches": "^guest-[0-9]+$" }
    ]
  }
}`) as { claims: unknown; access: unknown };

describe('claims schemas', () => {
  it('the README example parses and compiles', () => {
    const setting = claimsSettingSchema.parse(EXAMPLE.claims);
    const compiled = compileClaims(setting);
    expect(compiled.scopes['cas_attributes']).to.deep.equal(['cas_attributes']);
    expect(compiled.claimNames).not.to.include('nickname');
    const claims = compiled.map(carol().user, carol().attributes).claims;
    expect(claims).to.deep.equal({ sub: 'carol', preferred_username: 'carol' });
    expect(compiled.map(alice().user, alice().attributes).claims['email']).to.equal('alice@example.org');

    const policy = compileAccessRules(accessRulesSchema.parse(EXAMPLE.access), 'clients[0].access');
    expect(policy.evaluate('guest-12', {}).allowed).to.equal(true);
    expect(policy.evaluate('alice', alice().attributes).allowed).to.equal(false);
  });

  it('claimsSettingSchema rejects a wrong skeleton', () => {
    expect(claimsSettingSchema.safeParse({ preset: 3 }).success).to.equal(false);
    expect(claimsSettingSchema.safeParse({ presets: 'default' }).success).to.equal(false);
    expect(claimsSettingSchema.safeParse({ claims: { name: 42 } }).success).to.equal(false);
    expect(claimsSettingSchema.safeParse({ scopes: { eduperson: 'eduperson_affiliation' } }).success).to.equal(false);
  });

  it('claimsSettingSchema leaves the meaning to compileClaims (one-line problems)', () => {
    const parsed = claimsSettingSchema.safeParse({ claims: { email: { attribute: 'mail', transforms: ['lowercas'] } } });
    expect(parsed.success).to.equal(true);
  });

  it('accessRulesSchema wants an object', () => {
    expect(accessRulesSchema.safeParse({ user: true, equals: 'alice' }).success).to.equal(true);
    expect(accessRulesSchema.safeParse('alice').success).to.equal(false);
    expect(accessRulesSchema.safeParse([{ user: true, equals: 'alice' }]).success).to.equal(false);
  });
});
