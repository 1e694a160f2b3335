// Accounts: the latest claims and CAS attributes of each user, so that userinfo and refresh work
// after a restart and on any node. Never answered from memory across requests (another node may
// have saved a newer login since): within one request of oidc-provider's, an account is read once
// (the access rules and findAccount of an authorization both need it), or not at all when it came
// with the request's token (/token, /userinfo, refresh: oidc-adapter.ts) or, at the resume of a CAS
// login, with the interaction's result (lib/provider/account.ts).
import Provider from 'oidc-provider';
import { epochSeconds, upsertStatement, type Database } from './database.js';
import type { CasAttributes } from '../lib/cas/types.js';

export interface StoredAccount {
  readonly sub: string;
  readonly claims: Record<string, unknown>;
  readonly attributes: CasAttributes;
}

const storedAccount = (sub: string, claimsJson: string, attributesJson: string): StoredAccount =>
  ({ sub, claims: JSON.parse(claimsJson) as Record<string, unknown>, attributes: JSON.parse(attributesJson) as CasAttributes });

export class AccountStore {
  readonly #upsert: string;
  /** per request being served by oidc-provider: the accounts it read, by sub */
  readonly #readInRequest = new WeakMap<object, Map<string, StoredAccount | undefined>>();

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_accounts', ['sub', 'claims', 'attributes', 'updated_at'], ['sub']);
  }

  async save(account: StoredAccount): Promise<void> {
    await this.db.run(this.#upsert, [account.sub, JSON.stringify(account.claims), JSON.stringify(account.attributes), epochSeconds()]);
    const request = Provider.ctx;
    if (request) this.#readInRequest.get(request)?.delete(account.sub);
  }

  /** An account read together with a token (oidc-adapter.ts), for the rest of that request. */
  rememberForRequest(request: object, sub: string, claimsJson: string, attributesJson: string): void {
    this.#remember(request, sub, storedAccount(sub, claimsJson, attributesJson));
  }

  /**
   * The account a login saved, handed to the resume of that same login in its interaction result
   * (lib/provider/account.ts), for the rest of that request: what the resume issues comes from the
   * CAS validation it follows, as it was saved.
   */
  rememberSavedForRequest(request: object, account: StoredAccount): void {
    this.#remember(request, account.sub, account);
  }

  #remember(request: object, sub: string, account: StoredAccount | undefined): void {
    const read = this.#readInRequest.get(request);
    if (read) read.set(sub, account);
    else this.#readInRequest.set(request, new Map([[sub, account]]));
  }

  async find(sub: string): Promise<StoredAccount | undefined> {
    const request = Provider.ctx;
    const read = request ? this.#readInRequest.get(request) : undefined;
    if (read?.has(sub)) return read.get(sub);
    const rows = await this.db.select<{ claims: string; attributes: string }>(
      'SELECT claims, attributes FROM bridge_accounts WHERE sub = $1',
      [sub],
    );
    const row = rows[0];
    const account = row ? storedAccount(sub, row.claims, row.attributes) : undefined;
    if (request) this.#remember(request, sub, account);
    return account;
  }
}
