// findAccount: claims come from the account store (written at each CAS login), so userinfo and
// refresh work after a restart and on any node. oidc-provider filters them by scope.
import type { FindAccount } from 'oidc-provider';
import type { AccountStore } from '../../adapters/accounts.js';

export function findAccountFrom(accounts: AccountStore): FindAccount {
  return async (_ctx, sub) => {
    const account = await accounts.find(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: () => ({ ...account.claims, sub }),
    };
  };
}
