// TEMPORARY minimal implementation; replaced by the claims branch (issue 7).
import { z } from 'zod';
import type { CasAttributes } from '../cas/types.js';

export type ClaimsSetting = { preset?: string; claims?: Record<string, unknown>; scopes?: Record<string, string[]> };
export type AccessRulesSetting = unknown;
export const claimsSettingSchema: z.ZodType<ClaimsSetting> = z.object({ preset: z.string().optional(), claims: z.record(z.string(), z.unknown()).optional(), scopes: z.record(z.string(), z.array(z.string())).optional() });
export const accessRulesSchema: z.ZodType<AccessRulesSetting> = z.unknown();
export class ClaimsConfigError extends Error { constructor(readonly problems: string[]) { super(problems.join('\n')); } }
export class ClaimMappingError extends Error {}
export interface MappedClaims { sub: string; claims: Record<string, unknown> }
export interface CompiledClaims { map(user: string, attributes: CasAttributes): MappedClaims; readonly scopes: Record<string, string[]>; readonly claimNames: string[]; describe(): string[] }
export interface AccessDecision { allowed: boolean; rule: string }
export interface AccessPolicy { readonly restricted: boolean; evaluate(user: string, attributes: CasAttributes): AccessDecision; describe(): string[] }
const first = (a: CasAttributes, ...names: string[]) => { for (const n of names) { const v = a[n]; if (v?.length) return v[0]; } return undefined; };
export function compileClaims(_setting: ClaimsSetting | undefined): CompiledClaims {
  return {
    map(user, a) {
      if (!user) throw new ClaimMappingError('empty sub');
      const claims: Record<string, unknown> = { sub: user, preferred_username: user };
      const email = first(a, 'mail', 'email'); if (email) { claims.email = email; claims.email_verified = true; }
      const name = first(a, 'displayName', 'cn'); if (name) claims.name = name;
      const g = first(a, 'givenName'); if (g) claims.given_name = g;
      const f = first(a, 'sn'); if (f) claims.family_name = f;
      if (a.memberOf) claims.groups = [...a.memberOf];
      return { sub: user, claims };
    },
    scopes: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'preferred_username'], email: ['email', 'email_verified'], groups: ['groups'] },
    claimNames: ['sub', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'email_verified', 'groups'],
    describe: () => [],
  };
}
export function compileAccessRules(setting: AccessRulesSetting | undefined, _where: string): AccessPolicy {
  return { restricted: setting !== undefined, evaluate: () => ({ allowed: true, rule: 'no rules' }), describe: () => [] };
}
