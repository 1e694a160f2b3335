// oidc-provider storage adapter: every model in one table, one SQL statement per call.
// `consume` is a conditional UPDATE, so of N parallel redemptions of a code exactly one wins.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { epochSeconds as now, toNumber, upsertStatement, type Database } from './database.js';

/** Models whose consumption must be single-use at the storage level. */
const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

// consumed_at is left out on purpose: re-saving a model must not undo a consume
const UPSERT_COLUMNS = ['model', 'id', 'payload', 'grant_id', 'user_code', 'uid', 'expires_at'];

interface RecordRow {
  payload: string;
  consumed_at: unknown;
  [key: string]: unknown;
}

function toPayload(row: RecordRow | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  const consumed = toNumber(row.consumed_at);
  return consumed === undefined ? payload : { ...payload, consumed };
}

export class SequelizeAdapter implements Adapter {
  readonly #db: Database;
  readonly #model: string;
  readonly #upsert: string;

  constructor(db: Database, model: string) {
    this.#db = db;
    this.#model = model;
    this.#upsert = upsertStatement(db.dialect, 'oidc_records', UPSERT_COLUMNS, ['model', 'id']);
  }

  /** The factory oidc-provider's `adapter` option wants (one adapter per model name). */
  static factory(db: Database): (model: string) => SequelizeAdapter {
    const cache = new Map<string, SequelizeAdapter>();
    return (model) => {
      let adapter = cache.get(model);
      if (!adapter) {
        adapter = new SequelizeAdapter(db, model);
        cache.set(model, adapter);
      }
      return adapter;
    };
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const expiresAt = expiresIn ? now() + expiresIn : null;
    await this.#db.run(this.#upsert, [
      this.#model,
      id,
      JSON.stringify(payload),
      payload.grantId ?? null,
      payload.userCode ?? null,
      payload.uid ?? null,
      expiresAt,
    ]);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const rows = await this.#db.select<RecordRow>(
      'SELECT payload, consumed_at FROM oidc_records WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [this.#model, id, now()],
    );
    return toPayload(rows[0]);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const rows = await this.#db.select<RecordRow>(
      'SELECT payload, consumed_at FROM oidc_records WHERE model = $1 AND user_code = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [this.#model, userCode, now()],
    );
    return toPayload(rows[0]);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const rows = await this.#db.select<RecordRow>(
      'SELECT payload, consumed_at FROM oidc_records WHERE model = $1 AND uid = $2 AND (expires_at IS NULL OR expires_at > $3)',
      [this.#model, uid, now()],
    );
    return toPayload(rows[0]);
  }

  async consume(id: string): Promise<void> {
    const changed = await this.#db.run(
      'UPDATE oidc_records SET consumed_at = $1 WHERE model = $2 AND id = $3 AND consumed_at IS NULL',
      [now(), this.#model, id],
    );
    if (changed === 0 && SINGLE_USE.has(this.#model)) {
      // Lost a race with another redemption of the same code or token: treat it as the replay it
      // is and revoke the grant, as the provider does for a sequential replay (RFC 6749 4.1.2).
      const rows = await this.#db.select<{ grant_id: string | null }>(
        'SELECT grant_id FROM oidc_records WHERE model = $1 AND id = $2',
        [this.#model, id],
      );
      const grantId = rows[0]?.grant_id;
      if (grantId) await this.#revokeGrant(grantId);
      throw new errors.InvalidGrant(`${this.#model.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} already used`);
    }
  }

  async destroy(id: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_records WHERE model = $1 AND id = $2', [this.#model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_records WHERE model = $1 AND grant_id = $2', [this.#model, grantId]);
  }

  async #revokeGrant(grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_records WHERE grant_id = $1 OR (model = $2 AND id = $1)', [grantId, 'Grant']);
  }
}
