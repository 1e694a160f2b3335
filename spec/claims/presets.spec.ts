// Each preset on a synthetic attribute set (real response shape, see aliceWith), overrides and scopes.
import { expect } from 'chai';
import { compileClaims } from '../../lib/claims/index.js';
import { aliceWith, carol } from './support.js';

describe('claims presets', () => {
  it('default: mail before email, cn when there is no displayName', () => {
    const login = aliceWith({ mail: ['Alice.Example@example.org'], displayName: [], cn: ['Alice E.'] });
    const claims = compileClaims({ preset: 'default' }).map(login.user, login.attributes).claims;
    expect(claims['email']).to.equal('Alice.Example@example.org');
    expect(claims['name']).to.equal('Alice E.');
    expect(claims['groups']).to.deep.equal(['staff', 'admins']);
  });

  it('an absent setting is the default preset', () => {
    expect(compileClaims(undefined).claimNames).to.deep.equal(compileClaims({ preset: 'default' }).claimNames);
  });

  describe('refeds', () => {
    const login = aliceWith({
      mail: ['alice@example.org'],
      eduPersonPrincipalName: ['alice@example.org'],
      eduPersonUniqueId: ['8f3e2a@example.org'],
      eduPersonAffiliation: ['member', 'staff'],
      eduPersonPrimaryAffiliation: ['staff'],
      eduPersonScopedAffiliation: ['member@example.org', 'staff@example.org'],
      eduPersonEntitlement: ['urn:mace:dir:entitlement:common-lib-terms'],
      eduPersonAssurance: ['https://refeds.org/assurance/ID/unique'],
      eduPersonNickname: ['Ali'],
      schacHomeOrganization: ['example.org'],
    });
    const compiled = compileClaims({ preset: 'refeds' });
    const claims = compiled.map(login.user, login.attributes).claims;

    it('maps the eduPerson attributes to REFEDS claim names', () => {
      expect(claims).to.deep.include({
        eduperson_principal_name: 'alice@example.org',
        eduperson_unique_id: '8f3e2a@example.org',
        eduperson_affiliation: ['member', 'staff'],
        eduperson_primary_affiliation: 'staff',
        eduperson_scoped_affiliation: ['member@example.org', 'staff@example.org'],
        eduperson_entitlement: ['urn:mace:dir:entitlement:common-lib-terms'],
        eduperson_assurance: ['https://refeds.org/assurance/ID/unique'],
        schac_home_organization: 'example.org',
        nickname: 'Ali',
      });
    });

    it('keeps the default claims', () => {
      expect(claims).to.deep.include({ sub: 'alice', email: 'alice@example.org', name: 'Alice Example', groups: ['staff', 'admins'] });
    });

    it('adds an eduperson scope', () => {
      expect(compiled.scopes['eduperson']).to.include.members(['eduperson_affiliation', 'eduperson_scoped_affiliation', 'eduperson_entitlement']);
      expect(compiled.scopes['profile']).to.include('nickname');
    });
  });

  describe('supann', () => {
    const login = aliceWith({
      supannAliasLogin: ['aexample'],
      supannEtablissement: ['{UAI}0751717J'],
      supannEntiteAffectation: ['DSI', 'LAB42'],
      supannEntiteAffectationPrincipale: ['DSI'],
      eduPersonAffiliation: ['employee', 'member'],
      eduPersonPrimaryAffiliation: ['employee'],
      eduPersonPrincipalName: ['alice@univ.example.fr'],
    });
    const compiled = compileClaims({ preset: 'supann' });

    it('maps the SUPANN attributes', () => {
      expect(compiled.map(login.user, login.attributes).claims).to.deep.include({
        preferred_username: 'aexample',
        supann_etablissement: ['{UAI}0751717J'],
        supann_entite_affectation: ['DSI', 'LAB42'],
        supann_entite_affectation_principale: 'DSI',
        eduperson_affiliation: ['employee', 'member'],
        eduperson_primary_affiliation: 'employee',
        eduperson_principal_name: 'alice@univ.example.fr',
        email: 'alice@example.org',
      });
    });

    it('preferred_username falls back to uid, then the CAS user', () => {
      const withUid = aliceWith({ uid: ['alice.uid'] });
      expect(compiled.map('alice', withUid.attributes).claims['preferred_username']).to.equal('alice.uid');
      expect(compiled.map(carol().user, carol().attributes).claims['preferred_username']).to.equal('carol');
    });

    it('adds a supann scope', () => {
      expect(compiled.scopes['supann']).to.include.members(['supann_etablissement', 'supann_entite_affectation']);
    });
  });

  it('none: sub only', () => {
    const compiled = compileClaims({ preset: 'none' });
    expect(compiled.claimNames).to.deep.equal(['sub']);
    expect(compiled.scopes).to.deep.equal({ openid: ['sub'] });
  });

  describe('overrides', () => {
    it('replace a claim in place and add new ones at the end', () => {
      const compiled = compileClaims({ claims: { name: { attribute: 'cn', transforms: ['first'] }, employee_number: 'employeeNumber' } });
      expect(compiled.claimNames.indexOf('name')).to.equal(compileClaims(undefined).claimNames.indexOf('name'));
      expect(compiled.claimNames.at(-1)).to.equal('employee_number');
    });

    it('null removes a claim, and a standard scope left empty disappears', () => {
      const compiled = compileClaims({ preset: 'refeds', claims: { groups: null } });
      expect(compiled.claimNames).not.to.include('groups');
      expect(compiled.scopes).not.to.have.property('groups');
    });

    it('a removed claim leaves the preset scope that listed it', () => {
      const compiled = compileClaims({ preset: 'refeds', claims: { eduperson_entitlement: null } });
      expect(compiled.scopes['eduperson']).not.to.include('eduperson_entitlement');
      expect(compiled.scopes['eduperson']).to.include('eduperson_affiliation');
    });

    it('custom scopes are added, replaced or removed', () => {
      const compiled = compileClaims({
        preset: 'refeds',
        claims: { employee_number: 'employeeNumber' },
        scopes: { hr: ['employee_number', 'email'], eduperson: ['eduperson_affiliation'], groups: null },
      });
      expect(compiled.scopes['hr']).to.deep.equal(['employee_number', 'email']);
      expect(compiled.scopes['eduperson']).to.deep.equal(['eduperson_affiliation']);
      expect(compiled.scopes).not.to.have.property('groups');
      expect(compiled.scopes['openid']).to.deep.equal(['sub']);
    });
  });
});
