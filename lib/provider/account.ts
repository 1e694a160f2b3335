// findAccount: claims come from the account store (written at each CAS login), so userinfo and
// refresh work after a restart and on any node. oidc-provider filters them by scope.
import type { FindAccount } from 'oidc-provider';
import type { AccountStore } from '../../adapters/accounts.js';
import { LOGIN_CLAIMS } from '../claims/oidc.js';

export function findAccountFrom(accounts: AccountStore): FindAccount {
  return async (_ctx, sub) => {
    const account = await accounts.find(sub);
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
