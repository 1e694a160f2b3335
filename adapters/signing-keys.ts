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
