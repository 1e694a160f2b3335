// The salt of pairwise subject identifiers: 32 random bytes made once, on the first start, and
// kept in the database (bridge_meta `pairwise_salt`) in the clear. It is deliberately not derived
// from or sealed with SECRET_KEY: a rotated or replaced SECRET_KEY must not change anybody's `sub`.
// Whoever can read the database reads the accounts' own identifiers anyway. Losing it changes every
// pairwise `sub`: it is backed up with the database (README "Pairwise subjects").
import { randomBytes } from 'node:crypto';
import type { MetaStore } from '../../adapters/meta.js';

export const PAIRWISE_SALT = 'pairwise_salt';

/** Run under the migration lock: the first node to start creates the salt, the others find it. */
export async function ensurePairwiseSalt(meta: MetaStore): Promise<void> {
  if (await meta.get(PAIRWISE_SALT)) return;
  await meta.set(PAIRWISE_SALT, randomBytes(32).toString('base64url'));
}

export async function loadPairwiseSalt(meta: MetaStore): Promise<Buffer> {
  const stored = await meta.get(PAIRWISE_SALT);
  const salt = stored ? Buffer.from(stored, 'base64url') : undefined;
  if (!salt || salt.length < 16) {
    throw new Error('the database holds no pairwise salt (bridge_meta pairwise_salt): start the bridge once with database migration (a single process or the cluster primary), or restore it from a backup');
  }
  return salt;
}
