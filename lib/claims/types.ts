// The JSON shapes of the `claims` setting and of a client's `access` property, as an administrator
// writes them. The zod schemas only check the skeleton; compileClaims/compileAccessRules check the
// meaning and report every problem at once, one line each (see README.md next to this file).
import type { CasAttributes } from '../cas/types.js';

export type { CasAttributes };

/** Applied in order to the list of values a source produced. */
export type TransformSpec =
  | 'first' // keep the first value only (makes the claim single-valued)
  | 'all' // keep every value (the claim is a JSON array)
  | 'lowercase'
  | 'uppercase'
  | 'trim'
  | { join: string } // join every value with the separator (single-valued)
  | { regex: string; flags?: string; group?: number | string } // keep the capture; values that don't match are dropped
  | { map: Record<string, string>; default?: string } // values not in the map become `default`, or are dropped
  | { splitName: 'given' | 'family' } // a full name -> its given or family part
  | { pinyin: 'given' | 'family' | 'full' }; // a Chinese name (part) -> Hanyu Pinyin; other text untouched

/** Where the values come from: exactly one of these keys. */
export type ClaimSourceSpec =
  | { user: true } // the CAS user (single-valued)
  | { attribute: string } // one CAS attribute (possibly multi-valued)
  | { firstOf: string[] } // the first of these attributes that has a value (possibly multi-valued)
  | { template: string }; // e.g. "{uid}@mail.example.edu"; {user} is the CAS user (single-valued)

export interface ClaimPipelineOptions {
  transforms?: TransformSpec[];
  /** email / phone_number only: the *_verified value when this source produced the claim */
  verified?: boolean;
  /** tried when this source (after its transforms) gives no value */
  fallback?: ClaimDefinition;
}

export interface AllAttributesOptions {
  /** only these attributes */
  only?: string[];
  /** every attribute but these */
  except?: string[];
  /** also release authenticationDate, isFromNewLogin, longTermAuthenticationRequestTokenUsed */
  includeProtocol?: boolean;
}

/**
 * One claim. A string is a shorthand: a template when it contains `{`, else an attribute name.
 * `{ allAttributes: … }` produces the raw attributes as an object (for a `cas_attributes` claim).
 */
export type ClaimDefinition =
  | string
  | (ClaimSourceSpec & ClaimPipelineOptions)
  | { allAttributes: true | AllAttributesOptions };

export interface ClaimsSetting {
  /** default | refeds | supann | none (default: "default") */
  preset?: string;
  /** overrides single claims of the preset; null removes one */
  claims?: Record<string, ClaimDefinition | null>;
  /** extra or replaced scopes -> the claims they release; null removes a scope */
  scopes?: Record<string, string[] | null>;
}

// ---- access rules ----------------------------------------------------------------------------

/** What a condition looks at: exactly one of these keys. */
export type ConditionTarget = { user: true } | { attribute: string };

/** Exactly one operator per condition. */
export type ConditionOperator =
  | { equals: string; ignoreCase?: boolean } // exactly one value, equal to this
  | { has: string; ignoreCase?: boolean } // one of the values equals this
  | { oneOf: string[]; ignoreCase?: boolean } // one of the values is in the list
  | { matches: string; flags?: string } // one of the values matches the regex (a search: anchor it yourself)
  | { present: boolean }; // has at least one value (true) / none (false)

export type AccessCondition = ConditionTarget & ConditionOperator & { name?: string };

export type AccessRule =
  | AccessCondition
  | { any: AccessRule[]; name?: string }
  | { all: AccessRule[]; name?: string }
  | { not: AccessRule; name?: string };

/** A client's `access` property: one rule (usually an any/all list); users it doesn't allow are denied. */
export type AccessRulesSetting = AccessRule;

// ---- results ---------------------------------------------------------------------------------

export interface MappedClaims {
  sub: string;
  /** every produced claim, sub included */
  claims: Record<string, unknown>;
}

/** One claim for one CAS authentication, as `claims preview` shows it. */
export interface ClaimTrace {
  readonly name: string;
  /** undefined: this login gives the claim no value */
  readonly value: unknown;
  /** the source and transforms that produced the value, or what was tried */
  readonly how: string;
  /** scopes that release it (none: a login claim, or released by no scope) */
  readonly scopes: string[];
}

export interface CompiledClaims {
  /** maps one CAS authentication to claims; the result's `sub` is within the bounds of a CAS user */
  map(user: string, attributes: CasAttributes): MappedClaims;
  /** every claim rule with its value for this authentication and where it came from; never throws */
  explain(user: string, attributes: CasAttributes): ClaimTrace[];
  /** scope -> claim names, the table oidc-provider's `claims` configuration wants (include openid: ['sub']) */
  readonly scopes: Record<string, string[]>;
  /** every claim name the mapping can produce (for discovery's claims_supported) */
  readonly claimNames: string[];
  /** one line per claim describing source and transforms, for the `check-config` command */
  describe(): string[];
}

export interface AccessDecision {
  allowed: boolean;
  /** the rule or condition that decided; the rule's own text only, never the user's values */
  rule: string;
}

export interface AccessPolicy {
  readonly restricted: boolean;
  evaluate(user: string, attributes: CasAttributes): AccessDecision;
  describe(): string[];
}
