// Small named values shared by every node (e.g. the signing-key generation counter).
import { upsertStatement, type Database } from './database.js';

export class MetaStore {
  readonly #upsert: string;

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_meta', ['name', 'value'], ['name']);
  }

  async get(name: string): Promise<string | undefined> {
    const rows = await this.db.select<{ value: string }>('SELECT value FROM bridge_meta WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  async set(name: string, value: string): Promise<void> {
    await this.db.run(this.#upsert, [name, value]);
  }
}
