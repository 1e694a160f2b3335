// Accounts: the latest claims and CAS attributes of each user, so that userinfo and refresh work
// after a restart and on any node.
import { epochSeconds, upsertStatement, type Database } from './database.js';
import type { CasAttributes } from '../lib/cas/types.js';

export interface StoredAccount {
  readonly sub: string;
  readonly claims: Record<string, unknown>;
  readonly attributes: CasAttributes;
}

export class AccountStore {
  readonly #upsert: string;

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_accounts', ['sub', 'claims', 'attributes', 'updated_at'], ['sub']);
  }

  async save(account: StoredAccount): Promise<void> {
    await this.db.run(this.#upsert, [account.sub, JSON.stringify(account.claims), JSON.stringify(account.attributes), epochSeconds()]);
  }

  async find(sub: string): Promise<StoredAccount | undefined> {
    const rows = await this.db.select<{ claims: string; attributes: string }>(
      'SELECT claims, attributes FROM bridge_accounts WHERE sub = $1',
      [sub],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { sub, claims: JSON.parse(row.claims) as Record<string, unknown>, attributes: JSON.parse(row.attributes) as CasAttributes };
  }
}
