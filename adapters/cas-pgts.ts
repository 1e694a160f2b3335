// Proxy-granting tickets. Two stages:
// - IOU -> PGT as the CAS callback delivered it (any node may receive the callback; the node that
//   validated the ticket takes it from here moments later);
// - OP session -> PGT, for as long as the session lives.
// Tickets are sealed with a key derived from SECRET_KEY, and the sealed text names the row it
// belongs to, so a sealed value copied into another row does not open. Rows are found by SHA-256.
import { createHash } from 'node:crypto';
import { epochSeconds, upsertStatement, type Database } from './database.js';
import { SecretOpenError, type SecretBox } from '../lib/keys/secrets.js';

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

const IOU_PURPOSE = 'cas-pgt-iou';
const SESSION_PURPOSE = 'cas-pgt';

/**
 * How long a PGT delivered at the callback waits to be picked up by the validating node: CAS calls
 * back while the validation waits for its answer, and the node takes it right after. Short, since
 * anyone who can reach the callback URL can make rows (CAS_SERVER_ADDRESSES stops that).
 */
export const IOU_TTL_SECONDS = 60;

export interface SessionPgt {
  readonly accountId: string;
  readonly pgt: string;
}

export class CasPgtStore {
  readonly #insertIou: string;
  readonly #upsertSession: string;

  constructor(private readonly db: Database, private readonly box: SecretBox) {
    // first delivery wins: a later request naming the same IOU cannot swap the PGT
    this.#insertIou = db.dialect === 'mariadb'
      ? 'INSERT IGNORE INTO bridge_pgt_ious (iou_hash, sealed_pgt, expires_at) VALUES ($1, $2, $3)'
      : 'INSERT INTO bridge_pgt_ious (iou_hash, sealed_pgt, expires_at) VALUES ($1, $2, $3) ON CONFLICT (iou_hash) DO NOTHING';
    this.#upsertSession = upsertStatement(db.dialect, 'bridge_session_pgts',
      ['session_uid', 'account_id', 'pgt_hash', 'sealed_pgt', 'expires_at'], ['session_uid']);
  }

  /** The callback: CAS says `iou` stands for `pgt`. */
  async saveIou(iou: string, pgt: string, ttlSeconds = IOU_TTL_SECONDS): Promise<void> {
    const hash = sha256(iou);
    await this.db.run(this.#insertIou, [hash, this.box.seal(`${hash}\n${pgt}`, IOU_PURPOSE), epochSeconds() + ttlSeconds]);
  }

  /** The PGT for `iou`, removed from the store (single use); undefined when not (yet) there. */
  async takeIou(iou: string): Promise<string | undefined> {
    const hash = sha256(iou);
    const rows = await this.db.select<{ sealed_pgt: string }>(
      'SELECT sealed_pgt FROM bridge_pgt_ious WHERE iou_hash = $1 AND expires_at > $2',
      [hash, epochSeconds()],
    );
    const sealed = rows[0]?.sealed_pgt;
    if (sealed === undefined) return undefined;
    // whoever deletes the row owns the ticket
    if (await this.db.run('DELETE FROM bridge_pgt_ious WHERE iou_hash = $1', [hash]) === 0) return undefined;
    return this.#open(sealed, IOU_PURPOSE, hash);
  }

  /** Gives the OP session its PGT (replacing an earlier one). */
  async attach(sessionUid: string, accountId: string, pgt: string, ttlSeconds: number): Promise<void> {
    const sealed = this.box.seal(`${sessionUid}\n${accountId}\n${pgt}`, SESSION_PURPOSE);
    await this.db.run(this.#upsertSession, [sessionUid, accountId, sha256(pgt), sealed, epochSeconds() + ttlSeconds]);
  }

  async forSession(sessionUid: string): Promise<SessionPgt | undefined> {
    const rows = await this.db.select<{ account_id: string; sealed_pgt: string }>(
      'SELECT account_id, sealed_pgt FROM bridge_session_pgts WHERE session_uid = $1 AND expires_at > $2',
      [sessionUid, epochSeconds()],
    );
    const row = rows[0];
    if (!row) return undefined;
    const pgt = this.#open(row.sealed_pgt, SESSION_PURPOSE, `${sessionUid}\n${row.account_id}`);
    return pgt === undefined ? undefined : { accountId: row.account_id, pgt };
  }

  /** Destroys the session's PGT; answers how many were removed (0 or 1). */
  async forgetSession(sessionUid: string): Promise<number> {
    return this.db.run('DELETE FROM bridge_session_pgts WHERE session_uid = $1', [sessionUid]);
  }

  /** Destroys a PGT wherever it is held (CAS logged it out). */
  async forgetPgt(pgt: string): Promise<number> {
    return this.db.run('DELETE FROM bridge_session_pgts WHERE pgt_hash = $1', [sha256(pgt)]);
  }

  /** Opens a sealed `<binding>\n<pgt>`; undefined when the seal or the binding does not match. */
  #open(sealed: string, purpose: string, binding: string): string | undefined {
    let plain: string;
    try {
      plain = this.box.open(sealed, purpose);
    } catch (err) {
      if (err instanceof SecretOpenError) return undefined;
      throw err;
    }
    const prefix = `${binding}\n`;
    return plain.startsWith(prefix) ? plain.slice(prefix.length) : undefined;
  }
}
