// Signing keys as rows: the private JWK is stored sealed (encrypted with a key derived from
// SECRET_KEY); this file only moves rows.
import { epochSeconds, toNumber, type Database } from './database.js';

export type KeyStatus = 'staged' | 'active' | 'retiring' | 'retired';

export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: string;
  readonly sealedJwk: string;
  readonly status: KeyStatus;
  readonly createdAt: number;
  readonly promotedAt: number | undefined;
  readonly retiredAt: number | undefined;
}

interface Raw {
  kid: string;
  alg: string;
  private_jwk: string;
  status: KeyStatus;
  created_at: unknown;
  promoted_at: unknown;
  retired_at: unknown;
}

export class SigningKeyStore {
  constructor(private readonly db: Database) {}

  async list(): Promise<SigningKeyRow[]> {
    const rows = await this.db.select<Raw & Record<string, unknown>>(
      'SELECT kid, alg, private_jwk, status, created_at, promoted_at, retired_at FROM bridge_signing_keys ORDER BY created_at, kid',
    );
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      sealedJwk: r.private_jwk,
      status: r.status,
      createdAt: toNumber(r.created_at) ?? 0,
      promotedAt: toNumber(r.promoted_at),
      retiredAt: toNumber(r.retired_at),
    }));
  }

  /** Inserts a key unless one with the same kid exists; answers whether it was inserted. */
  async insert(row: Omit<SigningKeyRow, 'createdAt' | 'promotedAt' | 'retiredAt'>): Promise<boolean> {
    const existing = await this.db.select('SELECT kid FROM bridge_signing_keys WHERE kid = $1', [row.kid]);
    if (existing.length) return false;
    const at = epochSeconds();
    await this.db.run(
      'INSERT INTO bridge_signing_keys (kid, alg, private_jwk, status, created_at, promoted_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [row.kid, row.alg, row.sealedJwk, row.status, at, row.status === 'active' ? at : null, null],
    );
    return true;
  }

  async setStatus(kid: string, status: KeyStatus): Promise<void> {
    const at = epochSeconds();
    if (status === 'active') {
      await this.db.run('UPDATE bridge_signing_keys SET status = $1, promoted_at = $2 WHERE kid = $3', [status, at, kid]);
    } else if (status === 'retiring' || status === 'retired') {
      await this.db.run(
        'UPDATE bridge_signing_keys SET status = $1, retired_at = COALESCE(retired_at, $2) WHERE kid = $3',
        [status, at, kid],
      );
    } else {
      await this.db.run('UPDATE bridge_signing_keys SET status = $1 WHERE kid = $2', [status, kid]);
    }
  }

  /**
   * Makes a staged key the one that signs for its algorithm; the key it replaces becomes
   * retiring (still published). Conditional, so of several nodes doing it at once one wins.
   */
  async promote(kid: string, alg: string): Promise<boolean> {
    const at = epochSeconds();
    const won = await this.db.run(
      "UPDATE bridge_signing_keys SET status = 'active', promoted_at = $1 WHERE kid = $2 AND status = 'staged'",
      [at, kid],
    );
    if (!won) return false;
    await this.db.run(
      "UPDATE bridge_signing_keys SET status = 'retiring', retired_at = $1 WHERE alg = $2 AND status = 'active' AND kid <> $3",
      [at, alg, kid],
    );
    return true;
  }

  /** Retiring keys replaced at or before `cutoff` leave JWKS; answers how many did. */
  async retireReplacedBefore(cutoff: number): Promise<number> {
    return this.db.run(
      "UPDATE bridge_signing_keys SET status = 'retired' WHERE status = 'retiring' AND retired_at <= $1",
      [cutoff],
    );
  }

  /** Forgets retired keys retired at or before `cutoff`. */
  async deleteRetiredBefore(cutoff: number): Promise<number> {
    return this.db.run("DELETE FROM bridge_signing_keys WHERE status = 'retired' AND retired_at <= $1", [cutoff]);
  }

  async resealAll(reseal: (sealed: string) => string | undefined): Promise<number> {
    let count = 0;
    for (const row of await this.list()) {
      const next = reseal(row.sealedJwk);
      if (next && next !== row.sealedJwk) {
        await this.db.run('UPDATE bridge_signing_keys SET private_jwk = $1 WHERE kid = $2', [next, row.kid]);
        count += 1;
      }
    }
    return count;
  }

  async delete(kid: string): Promise<void> {
    await this.db.run('DELETE FROM bridge_signing_keys WHERE kid = $1', [kid]);
  }
}
