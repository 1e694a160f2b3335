// zod schemas for the settings. They check the JSON skeleton only: the meaning of a claim definition
// or an access rule (transform names, regexes, templates, single vs multi-valued) is checked by
// compileClaims / compileAccessRules, which report every problem at once in one-line messages that
// name the claim or rule. Call those at startup (and in check-config), not just the schema.
import { z } from 'zod';
import { isObject } from './problems.js';
import type { AccessRulesSetting, ClaimDefinition, ClaimsSetting } from './types.js';

const claimDefinition = z.custom<ClaimDefinition>((v) => typeof v === 'string' || isObject(v), {
  message: 'a claim definition is an attribute name, a template or an object',
});

export const claimsSettingSchema: z.ZodType<ClaimsSetting> = z.strictObject({
  preset: z.string().optional(),
  claims: z.record(z.string(), claimDefinition.nullable()).optional(),
  scopes: z.record(z.string(), z.array(z.string()).nullable()).optional(),
});

export const accessRulesSchema: z.ZodType<AccessRulesSetting> = z.custom<AccessRulesSetting>((v) => isObject(v), {
  message: 'access rules are an object such as {"any": [{"attribute": "memberOf", "has": "staff"}]}',
});
