// Accounts: the latest claims and CAS attributes of each user, so that userinfo and refresh work
// after a restart and on any node.
import { epochSeconds, upsertStatement, type Database } from './database.js';
import type { CasAttributes } from '../lib/cas/types.js';

export interface StoredAccount {
  readonly sub: string;
  readonly claims: Record<string, unknown>;
  readonly attributes: CasAttributes;
}

/**
 * How long a node answers an account from memory. One login reads its account three times
 * within a second (authorization resume, token, userinfo); the node that saved it answers from
 * memory at once, and a new CAS login on another node reaches this one within this many seconds.
 */
export const ACCOUNT_CACHE_MS = 5_000;
const ACCOUNT_CACHE_ENTRIES = 10_000;

export class AccountStore {
  readonly #upsert: string;
  readonly #recent = new Map<string, { account: StoredAccount; until: number }>();

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_accounts', ['sub', 'claims', 'attributes', 'updated_at'], ['sub']);
  }

  async save(account: StoredAccount): Promise<void> {
    await this.db.run(this.#upsert, [account.sub, JSON.stringify(account.claims), JSON.stringify(account.attributes), epochSeconds()]);
    this.#remember(account);
  }

  async find(sub: string): Promise<StoredAccount | undefined> {
    const recent = this.#recent.get(sub);
    if (recent && recent.until > Date.now()) return recent.account;
    const rows = await this.db.select<{ claims: string; attributes: string }>(
      'SELECT claims, attributes FROM bridge_accounts WHERE sub = $1',
      [sub],
    );
    const row = rows[0];
    if (!row) return undefined;
    const account = { sub, claims: JSON.parse(row.claims) as Record<string, unknown>, attributes: JSON.parse(row.attributes) as CasAttributes };
    this.#remember(account);
    return account;
  }

  #remember(account: StoredAccount): void {
    this.#recent.delete(account.sub);
    // a Map iterates in insertion order: the first key is the least recently stored
    if (this.#recent.size >= ACCOUNT_CACHE_ENTRIES) this.#recent.delete(this.#recent.keys().next().value!);
    this.#recent.set(account.sub, { account, until: Date.now() + ACCOUNT_CACHE_MS });
  }
}
