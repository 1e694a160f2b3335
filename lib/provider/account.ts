// findAccount: claims come from the account store (written at each CAS login), so userinfo and
// refresh work after a restart and on any node. oidc-provider filters them by scope.
import type { FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore, StoredAccount } from '../../adapters/accounts.js';
import type { CasAttributes } from '../cas/types.js';
import { LOGIN_CLAIMS } from '../claims/oidc.js';

/** What a CAS login's interaction result carries to its resume (`result.cas`). */
export interface CasLoginResult {
  /** the service ticket's hash, to link the session the resume creates to it (single logout) */
  readonly ticketHash: string;
  /** the account the CAS return saved, so that the resume need not read it back */
  readonly account?: { readonly claims: Record<string, unknown>; readonly attributes: CasAttributes };
}

/** The CAS login this request resumes, if it is a resume of one. */
export function resumedCasLogin(ctx: KoaContextWithOIDC): { readonly sub: string; readonly cas: CasLoginResult } | undefined {
  if (ctx.oidc?.route !== 'resume') return undefined;
  const result = ctx.oidc.result as { login?: { accountId?: unknown }; cas?: CasLoginResult } | undefined;
  const sub = result?.login?.accountId;
  return typeof sub === 'string' && result?.cas ? { sub, cas: result.cas } : undefined;
}

/** The account the resumed login saved, when `sub` is that login's. */
function accountSavedByResumedLogin(ctx: KoaContextWithOIDC, sub: string): StoredAccount | undefined {
  const login = resumedCasLogin(ctx);
  const saved = login?.sub === sub ? login.cas.account : undefined;
  return saved ? { sub, claims: saved.claims, attributes: saved.attributes } : undefined;
}

export function findAccountFrom(accounts: AccountStore): FindAccount {
  return async (ctx, sub) => {
    const saved = accountSavedByResumedLogin(ctx, sub);
    // remembered for the request, so the access rules that follow read it from there too
    if (saved) accounts.rememberSavedForRequest(ctx, saved);
    const account = saved ?? await accounts.find(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      // acr/amr describe one login: the ID token takes them from the session, userinfo has none
      claims: (use) => {
        const claims: Record<string, unknown> = { ...account.claims, sub };
        if (use === 'userinfo') for (const name of LOGIN_CLAIMS) delete claims[name];
        return claims as { sub: string };
      },
    };
  };
}
