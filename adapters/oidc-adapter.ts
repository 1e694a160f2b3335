// oidc-provider storage adapter: every model in one table, one SQL statement per call.
// `consume` is a conditional UPDATE, so of N parallel redemptions of a code exactly one wins.
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { epochSeconds as now, toNumber, upsertStatement, type Database, type Dialect } from './database.js';

/**
 * Records whose grant oidc-provider looks up next, with no write in between: /userinfo (access
 * token, then its grant), a refresh (refresh token, then its grant) and a code exchange (code,
 * then its grant, then the code's consumption). Their find reads the grant in the same statement;
 * the grant lookup that follows in the same request takes it from there.
 */
const GRANT_READ_WITH = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);

const FIND = 'SELECT payload, consumed_at FROM oidc_records WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)';

/** The record's `accountId`, read from its JSON payload in SQL, per dialect. */
const ACCOUNT_ID: Record<Dialect, string> = {
  sqlite: "json_extract(t.payload, '$.accountId')",
  postgres: "(t.payload::json ->> 'accountId')",
  mariadb: "JSON_VALUE(t.payload, '$.accountId')",
};

/**
 * The same, with the grant the record names (under the same conditions as a find of that grant)
 * and the account it is for: /userinfo and the code exchange look both up right after the token.
 */
const findWithGrant = (dialect: Dialect): string => 'SELECT t.payload, t.consumed_at, t.grant_id,'
  + ' g.payload AS grant_payload, g.consumed_at AS grant_consumed_at, a.sub AS account_sub, a.claims AS account_claims, a.attributes AS account_attributes'
  + ' FROM oidc_records t LEFT JOIN oidc_records g ON g.model = $4 AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > $3)'
  + ` LEFT JOIN bridge_accounts a ON a.sub = ${ACCOUNT_ID[dialect]}`
  + ' WHERE t.model = $1 AND t.id = $2 AND (t.expires_at IS NULL OR t.expires_at > $3)';

/** Where accounts read with a token go: the account store, for the rest of that request. */
export interface AccountsReadWithTokens {
  rememberForRequest(request: object, sub: string, claimsJson: string, attributesJson: string): void;
}

/** The grant read with a token, for the Grant lookup that follows in the same request only. */
interface GrantReadWithToken {
  readonly grantId: string;
  readonly payload: AdapterPayload | undefined;
}

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
  /**
   * Per request (oidc-provider's context of the request being served), the grant last read with a
   * token. Kept only until the request's next lookup of that grant, or any write of the request,
   * whichever comes first: never across requests, so never older than the token it came with.
   */
  readonly #grantsReadWithTokens: WeakMap<object, GrantReadWithToken>;
  readonly #accounts: AccountsReadWithTokens | undefined;
  readonly #findWithGrant: string;

  constructor(db: Database, model: string, grantsReadWithTokens = new WeakMap<object, GrantReadWithToken>(), accounts?: AccountsReadWithTokens) {
    this.#db = db;
    this.#model = model;
    this.#upsert = upsertStatement(db.dialect, 'oidc_records', UPSERT_COLUMNS, ['model', 'id']);
    this.#findWithGrant = findWithGrant(db.dialect);
    this.#grantsReadWithTokens = grantsReadWithTokens;
    this.#accounts = accounts;
  }

  /** The factory oidc-provider's `adapter` option wants (one adapter per model name). */
  static factory(db: Database, accounts?: AccountsReadWithTokens): (model: string) => SequelizeAdapter {
    const cache = new Map<string, SequelizeAdapter>();
    const grantsReadWithTokens = new WeakMap<object, GrantReadWithToken>();
    return (model) => {
      let adapter = cache.get(model);
      if (!adapter) {
        adapter = new SequelizeAdapter(db, model, grantsReadWithTokens, accounts);
        cache.set(model, adapter);
      }
      return adapter;
    };
  }

  /** A write in this request: a grant read before it may no longer be what the database holds. */
  #wrote(): void {
    const request = Provider.ctx;
    if (request) this.#grantsReadWithTokens.delete(request);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    this.#wrote();
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
    const request = Provider.ctx;
    if (request && this.#model === 'Grant') {
      const read = this.#grantsReadWithTokens.get(request);
      if (read?.grantId === id) {
        this.#grantsReadWithTokens.delete(request);
        return read.payload;
      }
    }
    if (request && GRANT_READ_WITH.has(this.#model)) return this.#readWithGrant(request, id);
    const rows = await this.#db.select<RecordRow>(FIND, [this.#model, id, now()]);
    return toPayload(rows[0]);
  }

  /**
   * The token, its grant and its account in one statement; the grant (or its absence) kept for
   * this request's grant lookup, the account for this request's account lookups.
   */
  async #readWithGrant(request: object, id: string): Promise<AdapterPayload | undefined> {
    const rows = await this.#db.select<RecordRow & {
      grant_id: string | null; grant_payload: string | null; grant_consumed_at: unknown;
      account_sub: string | null; account_claims: string | null; account_attributes: string | null;
    }>(this.#findWithGrant, [this.#model, id, now(), 'Grant']);
    const row = rows[0];
    if (row?.grant_id) {
      const grant = row.grant_payload === null ? undefined : toPayload({ payload: row.grant_payload, consumed_at: row.grant_consumed_at });
      this.#grantsReadWithTokens.set(request, { grantId: row.grant_id, payload: grant });
    }
    if (row?.account_sub && row.account_claims !== null && row.account_attributes !== null) {
      this.#accounts?.rememberForRequest(request, row.account_sub, row.account_claims, row.account_attributes);
    }
    return toPayload(row);
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
    this.#wrote();
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
    this.#wrote();
    await this.#db.run('DELETE FROM oidc_records WHERE model = $1 AND id = $2', [this.#model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.#wrote();
    await this.#db.run('DELETE FROM oidc_records WHERE model = $1 AND grant_id = $2', [this.#model, grantId]);
  }

  async #revokeGrant(grantId: string): Promise<void> {
    await this.#db.run('DELETE FROM oidc_records WHERE grant_id = $1 OR (model = $2 AND id = $1)', [grantId, 'Grant']);
  }
}
