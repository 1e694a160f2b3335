// Public API of the claims module: CAS attributes -> OIDC claims, scopes, and per-client access rules.
// Pure code, no I/O. See README.md in this folder for the JSON shapes.
export { claimsSettingSchema, accessRulesSchema } from './schema.js';
export { ClaimsConfigError, ClaimMappingError } from './errors.js';
export { compileClaims } from './compile.js';
export { compileAccessRules } from './rules.js';
export { PROTOCOL_ATTRIBUTES } from './attributes.js';
export { PRESETS } from './presets.js';
export type {
  AccessCondition,
  AccessDecision,
  AccessPolicy,
  AccessRule,
  AccessRulesSetting,
  AllAttributesOptions,
  ClaimDefinition,
  ClaimPipelineOptions,
  ClaimSourceSpec,
  ClaimTrace,
  ClaimsSetting,
  CompiledClaims,
  ConditionOperator,
  ConditionTarget,
  MappedClaims,
  TransformSpec,
} from './types.js';
