// Presets: ready-made mappings for the usual CAS attribute names. A setting picks one and overrides
// single claims. refeds and supann extend default, so sub/email/name/groups keep working.
// Claim names for eduPerson follow the REFEDS OIDCre white paper (eduperson_*, schac_home_organization);
// SUPANN has no standard OIDC names, so supann_* are this project's snake_case of the LDAP names.
import type { ClaimDefinition } from './types.js';

export interface Preset {
  readonly claims: Readonly<Record<string, ClaimDefinition>>;
  /** scopes added to the standard ones */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
}

const DEFAULT: Preset = {
  claims: {
    sub: { user: true },
    preferred_username: { user: true },
    email: { firstOf: ['mail', 'email'], transforms: ['first'] },
    name: { firstOf: ['displayName', 'cn'], transforms: ['first'] },
    given_name: { attribute: 'givenName', transforms: ['first'] },
    family_name: { attribute: 'sn', transforms: ['first'] },
    groups: { attribute: 'memberOf', transforms: ['all'] },
  },
  scopes: {},
};

const REFEDS: Preset = {
  claims: {
    ...DEFAULT.claims,
    nickname: { attribute: 'eduPersonNickname', transforms: ['first'] },
    eduperson_principal_name: { attribute: 'eduPersonPrincipalName', transforms: ['first'] },
    eduperson_unique_id: { attribute: 'eduPersonUniqueId', transforms: ['first'] },
    eduperson_affiliation: { attribute: 'eduPersonAffiliation', transforms: ['all'] },
    eduperson_primary_affiliation: { attribute: 'eduPersonPrimaryAffiliation', transforms: ['first'] },
    eduperson_scoped_affiliation: { attribute: 'eduPersonScopedAffiliation', transforms: ['all'] },
    eduperson_entitlement: { attribute: 'eduPersonEntitlement', transforms: ['all'] },
    eduperson_assurance: { attribute: 'eduPersonAssurance', transforms: ['all'] },
    schac_home_organization: { attribute: 'schacHomeOrganization', transforms: ['first'] },
  },
  scopes: {
    eduperson: [
      'eduperson_principal_name',
      'eduperson_unique_id',
      'eduperson_affiliation',
      'eduperson_primary_affiliation',
      'eduperson_scoped_affiliation',
      'eduperson_entitlement',
      'eduperson_assurance',
      'schac_home_organization',
    ],
  },
};

const SUPANN: Preset = {
  claims: {
    ...DEFAULT.claims,
    // supannAliasLogin is the login users know; uid or the CAS user when the directory has none.
    preferred_username: {
      firstOf: ['supannAliasLogin', 'uid'],
      transforms: ['first'],
      fallback: { user: true },
    },
    eduperson_principal_name: { attribute: 'eduPersonPrincipalName', transforms: ['first'] },
    eduperson_affiliation: { attribute: 'eduPersonAffiliation', transforms: ['all'] },
    eduperson_primary_affiliation: { attribute: 'eduPersonPrimaryAffiliation', transforms: ['first'] },
    supann_etablissement: { attribute: 'supannEtablissement', transforms: ['all'] },
    supann_entite_affectation: { attribute: 'supannEntiteAffectation', transforms: ['all'] },
    supann_entite_affectation_principale: { attribute: 'supannEntiteAffectationPrincipale', transforms: ['first'] },
  },
  scopes: {
    supann: [
      'eduperson_principal_name',
      'eduperson_affiliation',
      'eduperson_primary_affiliation',
      'supann_etablissement',
      'supann_entite_affectation',
      'supann_entite_affectation_principale',
    ],
  },
};

/** Only sub from the CAS user: for settings that define every claim themselves. */
const NONE: Preset = { claims: { sub: { user: true } }, scopes: {} };

export const PRESETS: Readonly<Record<string, Preset>> = {
  default: DEFAULT,
  refeds: REFEDS,
  supann: SUPANN,
  none: NONE,
};
