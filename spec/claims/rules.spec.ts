// Per-client access rules on the real CAS responses: every operator, allow/deny, the deciding rule's
// text (never the user's values), and startup errors naming the client and rule path.
import { expect } from 'chai';
import { ClaimsConfigError, compileAccessRules, type AccessDecision, type AccessRulesSetting } from '../../lib/claims/index.js';
import { alice, aliceWith, bob, carol, type CasLogin } from './support.js';

const WHERE = 'clients[0].access';

function decide(setting: AccessRulesSetting, login: CasLogin): AccessDecision {
  const decision = compileAccessRules(setting, WHERE).evaluate(login.user, login.attributes);
  assertNoUserValues(decision, setting, login);
  return decision;
}

/** The rule text may quote the rule itself, but no value of the user that the rule does not contain. */
function assertNoUserValues(decision: AccessDecision, setting: unknown, login: CasLogin): void {
  const ruleJson = JSON.stringify(setting);
  const values = [login.user, ...Object.values(login.attributes).flat()].filter((v) => v.length > 2 && !ruleJson.includes(v));
  for (const v of values) expect(decision.rule, `rule text leaks ${JSON.stringify(v)}`).not.to.include(v);
}

function problems(setting: unknown, where = WHERE): string[] {
  try {
    compileAccessRules(setting as AccessRulesSetting, where);
  } catch (err) {
    if (err instanceof ClaimsConfigError) return err.problems;
    throw err;
  }
  expect.fail('the rules compiled but should not have');
}

describe('access rules', () => {
  it('no rules: unrestricted, everyone allowed', () => {
    const policy = compileAccessRules(undefined, WHERE);
    expect(policy.restricted).to.equal(false);
    expect(policy.evaluate('carol', carol().attributes)).to.deep.equal({
      allowed: true,
      rule: 'clients[0].access: no access rules, every user may use this client',
    });
  });

  it('a rule makes the client restricted', () => {
    expect(compileAccessRules({ user: true, equals: 'alice' }, WHERE).restricted).to.equal(true);
  });

  describe('equals', () => {
    it('on the user', () => {
      const rule: AccessRulesSetting = { user: true, equals: 'alice' };
      expect(decide(rule, alice())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: user equals "alice"' });
      expect(decide(rule, bob())).to.deep.equal({ allowed: false, rule: 'clients[0].access did not match: user equals "alice"' });
    });

    it('on a multi-valued attribute: only when that is its one value', () => {
      const rule: AccessRulesSetting = { attribute: 'memberOf', equals: 'staff' };
      expect(decide(rule, bob()).allowed).to.equal(true); // memberOf = [staff]
      expect(decide(rule, alice()).allowed).to.equal(false); // memberOf = [staff, admins]
      expect(decide(rule, carol()).allowed).to.equal(false);
    });

    it('ignoring case when asked', () => {
      expect(decide({ attribute: 'uid', equals: 'ALICE' }, alice()).allowed).to.equal(false);
      const rule: AccessRulesSetting = { attribute: 'uid', equals: 'ALICE', ignoreCase: true };
      expect(decide(rule, alice())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: attribute "uid" equals "ALICE" (ignoring case)' });
    });
  });

  describe('has (a value of a multi-valued attribute)', () => {
    const rule: AccessRulesSetting = { attribute: 'memberOf', has: 'admins' };
    it('allows alice (staff, admins) and denies bob (staff) and carol (none)', () => {
      expect(decide(rule, alice())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: attribute "memberOf" has "admins"' });
      expect(decide(rule, bob()).allowed).to.equal(false);
      expect(decide(rule, carol()).allowed).to.equal(false);
    });

    it('works on LDAP DNs as written', () => {
      const login = aliceWith({ memberOf: ['cn=admins,ou=groups,dc=example,dc=org'] });
      expect(decide({ attribute: 'memberOf', has: 'cn=admins,ou=groups,dc=example,dc=org' }, login).allowed).to.equal(true);
      expect(decide(rule, login).allowed).to.equal(false);
    });
  });

  describe('oneOf', () => {
    it('on the user', () => {
      const rule: AccessRulesSetting = { user: true, oneOf: ['bob', 'dave'] };
      expect(decide(rule, bob())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: user is one of ["bob","dave"]' });
      expect(decide(rule, alice()).allowed).to.equal(false);
    });

    it('on an attribute: one of its values is in the list', () => {
      const rule: AccessRulesSetting = { attribute: 'memberOf', oneOf: ['admins', 'auditors'] };
      expect(decide(rule, alice())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: attribute "memberOf" has one of ["admins","auditors"]' });
      expect(decide(rule, bob()).allowed).to.equal(false);
    });
  });

  describe('matches', () => {
    it('a regex on an attribute, without quoting the value in the decision', () => {
      const rule: AccessRulesSetting = { attribute: 'email', matches: '@example\\.org$' };
      const d = decide(rule, alice());
      expect(d).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: attribute "email" has a value matching /@example\\.org$/' });
      expect(d.rule).not.to.include('alice@');
      expect(decide({ attribute: 'email', matches: '@example\\.com$' }, alice()).allowed).to.equal(false);
    });

    it('with flags', () => {
      expect(decide({ attribute: 'displayName', matches: '^alice ', flags: 'i' }, alice()).allowed).to.equal(true);
      expect(decide({ attribute: 'displayName', matches: '^alice ' }, alice()).allowed).to.equal(false);
    });

    it('on bob\'s display name with XML specials', () => {
      expect(decide({ attribute: 'displayName', matches: "O'Brien & <Co>$" }, bob()).allowed).to.equal(true);
    });

    it('on the user', () => {
      expect(decide({ user: true, matches: '^[a-c]' }, carol())).to.deep.equal({ allowed: true, rule: 'clients[0].access matched: user matches /^[a-c]/' });
    });
  });

  describe('present', () => {
    it('true: the attribute has a value', () => {
      expect(decide({ attribute: 'memberOf', present: true }, bob()).allowed).to.equal(true);
      expect(decide({ attribute: 'memberOf', present: true }, carol())).to.deep.equal({
        allowed: false,
        rule: 'clients[0].access did not match: attribute "memberOf" is present',
      });
    });

    it('false: the attribute is absent', () => {
      expect(decide({ attribute: 'memberOf', present: false }, carol()).allowed).to.equal(true);
      expect(decide({ attribute: 'memberOf', present: false }, alice()).allowed).to.equal(false);
    });
  });

  describe('any / all / not', () => {
    const staffOrBob: AccessRulesSetting = {
      name: 'staff or bob',
      any: [
        { attribute: 'memberOf', has: 'admins' },
        { user: true, equals: 'bob' },
      ],
    };

    it('any: allowed by the first condition that holds, named in the decision', () => {
      expect(decide(staffOrBob, alice()).rule).to.equal('clients[0].access.any[0] matched: attribute "memberOf" has "admins"');
      expect(decide(staffOrBob, bob()).rule).to.equal('clients[0].access.any[1] matched: user equals "bob"');
    });

    it('any: denied when none holds', () => {
      expect(decide(staffOrBob, carol())).to.deep.equal({ allowed: false, rule: 'clients[0].access.any ("staff or bob"): none of the 2 conditions matched' });
    });

    it('all: denied by the first condition that fails', () => {
      const rule: AccessRulesSetting = { all: [{ attribute: 'memberOf', has: 'staff' }, { attribute: 'email', matches: '^alice@' }] };
      expect(decide(rule, alice())).to.deep.equal({ allowed: true, rule: 'clients[0].access.all: all 2 conditions matched' });
      expect(decide(rule, bob())).to.deep.equal({ allowed: false, rule: 'clients[0].access.all[1] did not match: attribute "email" has a value matching /^alice@/' });
    });

    it('not and nesting', () => {
      const rule: AccessRulesSetting = {
        all: [
          { any: [{ attribute: 'memberOf', has: 'staff' }, { attribute: 'eduPersonAffiliation', has: 'faculty' }] },
          { not: { user: true, oneOf: ['bob'] }, name: 'not banned' },
        ],
      };
      expect(decide(rule, alice()).allowed).to.equal(true);
      const denied = decide(rule, bob());
      expect(denied.allowed).to.equal(false);
      expect(denied.rule).to.equal('clients[0].access.all[1] ("not banned"): not (clients[0].access.all[1].not matched: user is one of ["bob"])');
      expect(decide(rule, carol()).rule).to.equal('clients[0].access.all[0].any: none of the 2 conditions matched');
    });
  });

  it('no decision quotes a user value the rule does not contain (all fixtures, all operators)', () => {
    const rules: AccessRulesSetting[] = [
      { attribute: 'email', matches: 'example' },
      { attribute: 'displayName', present: true },
      { attribute: 'memberOf', oneOf: ['nobody'] },
      { user: true, matches: '^.' },
      { not: { attribute: 'sn', present: true } },
      { any: [{ attribute: 'uid', equals: 'x' }, { attribute: 'givenName', has: 'y' }] },
    ];
    let checked = 0;
    for (const rule of rules) {
      for (const login of [alice(), bob(), carol()]) {
        const d = decide(rule, login); // decide() asserts it
        expect(d.rule.startsWith('clients[0].access')).to.equal(true);
        checked += 1;
      }
    }
    expect(checked).to.equal(18);
  });

  it('describe gives the rule tree, one line per node', () => {
    const policy = compileAccessRules({ any: [{ attribute: 'memberOf', has: 'staff' }, { user: true, oneOf: ['bob'] }] }, 'clients[3].access');
    expect(policy.describe()).to.deep.equal([
      'clients[3].access.any: any of 2 conditions',
      'clients[3].access.any[0]: attribute "memberOf" has "staff"',
      'clients[3].access.any[1]: user is one of ["bob"]',
      'clients[3].access: users the rule does not allow are denied',
    ]);
  });

  describe('startup errors name the client and the rule path', () => {
    it('a regex that does not compile', () => {
      expect(problems({ any: [{ user: true, equals: 'a' }, { attribute: 'mail', matches: '([a-z' }] }, 'clients[2].access')).to.have.length(1);
      expect(problems({ any: [{ user: true, equals: 'a' }, { attribute: 'mail', matches: '([a-z' }] }, 'clients[2].access')[0]).to.match(
        /^clients\[2\]\.access\.any\[1\]: regex "\(\[a-z" does not compile: /,
      );
    });

    it('refused regex flags, flags without matches, ignoreCase with matches', () => {
      expect(problems({ attribute: 'mail', matches: 'x', flags: 'g' })[0]).to.match(/^clients\[0\]\.access: regex flags "g" not allowed/);
      expect(problems({ attribute: 'mail', has: 'x', flags: 'i' })).to.deep.equal(['clients[0].access: "flags" only goes with matches']);
      expect(problems({ attribute: 'mail', matches: 'x', ignoreCase: true })).to.deep.equal([
        'clients[0].access: "ignoreCase" (true or false) only goes with equals, has and oneOf',
      ]);
    });

    it('missing or doubled target and operator', () => {
      expect(problems({ equals: 'x' })).to.deep.equal(['clients[0].access: no target: give "user": true or "attribute": "<name>"']);
      expect(problems({ user: true, attribute: 'uid', equals: 'x' })).to.deep.equal(['clients[0].access: give "user" or "attribute", not both']);
      expect(problems({ attribute: 'uid' })[0]).to.match(/^clients\[0\]\.access: no operator/);
      expect(problems({ attribute: 'uid', equals: 'x', has: 'y' })).to.deep.equal(['clients[0].access: one operator per condition, got equals, has']);
      expect(problems({ attribute: 'uid', contains: 'x' })[0]).to.match(/^clients\[0\]\.access: unknown key "contains"/);
    });

    it('bad operator arguments', () => {
      expect(problems({ attribute: 'uid', oneOf: 'alice' })[0]).to.match(/^clients\[0\]\.access: "oneOf" must be a non-empty list of strings/);
      expect(problems({ attribute: 'uid', equals: 3 })[0]).to.match(/^clients\[0\]\.access: "equals" must be a string/);
      expect(problems({ attribute: 'uid', present: 'yes' })[0]).to.match(/^clients\[0\]\.access: "present" must be true or false/);
    });

    it('empty or malformed groups', () => {
      expect(problems({ any: [] })).to.deep.equal(['clients[0].access.any: must be a non-empty list of rules, got []']);
      expect(problems({ all: [{ user: true, equals: 'a' }, 'alice'] })[0]).to.match(/^clients\[0\]\.access\.all\[1\]: a rule is an object/);
      expect(problems({ any: [{ user: true, equals: 'a' }], all: [] })[0]).to.match(/^clients\[0\]\.access: "any" cannot be combined/);
    });

    it('collects every problem at once', () => {
      const lines = problems({ all: [{ attribute: 'mail', matches: '(' }, { user: true }, { any: [] }, { not: { attribute: 'x', equals: 1 } }] });
      expect(lines.map((l) => l.split(': ')[0])).to.deep.equal([
        'clients[0].access.all[0]',
        'clients[0].access.all[1]',
        'clients[0].access.all[2].any',
        'clients[0].access.all[3].not',
      ]);
    });
  });
});
