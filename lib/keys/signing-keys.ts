// Signing keys: generated on first start (RS256 and ES256), stored sealed in the database so every
// process and every restart serves the same JWKS with stable kids.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyStatus, SigningKeyRow, SigningKeyStore } from '../../adapters/signing-keys.js';
import type { MetaStore } from '../../adapters/meta.js';
import type { SecretBox } from './secrets.js';

export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];
const SEAL_PURPOSE = 'signing-key';
export const KEYS_GENERATION = 'keys_generation';

export async function generateSigningKey(alg: SigningAlg): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' };
}

export async function addSigningKey(
  store: SigningKeyStore,
  meta: MetaStore,
  box: SecretBox,
  alg: SigningAlg,
  status: KeyStatus,
): Promise<string> {
  const jwk = await generateSigningKey(alg);
  await store.insert({ kid: jwk.kid, alg, sealedJwk: box.seal(JSON.stringify(jwk), SEAL_PURPOSE), status });
  await bumpKeysGeneration(meta);
  return jwk.kid;
}

/**
 * Tells every process that the keys changed. A fresh random value rather than a counter: two
 * nodes changing keys at once must not both write the same "next" value and hide one change.
 */
export async function bumpKeysGeneration(meta: MetaStore): Promise<void> {
  await meta.set(KEYS_GENERATION, randomUUID());
}

export async function keysGeneration(meta: MetaStore): Promise<string> {
  return (await meta.get(KEYS_GENERATION)) ?? '';
}

export interface KeyTimings {
  readonly promoteAfterSeconds: number;
  readonly retireAfterSeconds: number;
}

/** retired keys are forgotten a day after they left JWKS (kept that long for `keys list`) */
const FORGET_AFTER_SECONDS = 86_400;

/**
 * Moves the lifecycle on: a staged key whose publication delay passed starts signing (the newest
 * such per algorithm), replaced keys leave JWKS once what they signed has expired. Safe to run on
 * every node at once. Answers whether anything changed.
 */
export async function advanceKeys(store: SigningKeyStore, meta: MetaStore, timings: KeyTimings, now: number): Promise<boolean> {
  let changed = false;
  const rows = await store.list();
  for (const alg of SIGNING_ALGS) {
    const due = rows
      .filter((r) => r.alg === alg && r.status === 'staged' && r.createdAt + timings.promoteAfterSeconds <= now)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (due && await store.promote(due.kid, alg)) changed = true;
  }
  if (await store.retireReplacedBefore(now - timings.retireAfterSeconds)) changed = true;
  await store.deleteRetiredBefore(now - timings.retireAfterSeconds - FORGET_AFTER_SECONDS);
  if (changed) await bumpKeysGeneration(meta);
  return changed;
}

/** When the next transition of a key is due (epoch seconds), for `keys list`. */
export function nextTransition(row: SigningKeyRow, timings: KeyTimings): { what: string; at: number } | undefined {
  if (row.status === 'staged') return { what: 'signs', at: row.createdAt + timings.promoteAfterSeconds };
  if (row.status === 'retiring' && row.retiredAt !== undefined) return { what: 'leaves JWKS', at: row.retiredAt + timings.retireAfterSeconds };
  return undefined;
}

/** Makes sure one active key exists per algorithm (first start). */
export async function ensureSigningKeys(store: SigningKeyStore, meta: MetaStore, box: SecretBox): Promise<void> {
  const rows = await store.list();
  for (const alg of SIGNING_ALGS) {
    if (!rows.some((r) => r.alg === alg && r.status === 'active')) await addSigningKey(store, meta, box, alg, 'active');
  }
}

const ORDER: Record<KeyStatus, number> = { active: 0, staged: 1, retiring: 2, retired: 3 };

/**
 * Private JWKs for oidc-provider's `jwks`: active keys first (the first usable key per algorithm
 * signs), then staged keys (published before they sign) and retiring keys (published until the
 * tokens they signed have expired). Retired keys are left out.
 */
export function jwksFromRows(rows: readonly SigningKeyRow[], box: SecretBox): { keys: JWK[] } {
  const published = rows
    .filter((r) => r.status !== 'retired')
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || b.createdAt - a.createdAt);
  return { keys: published.map((r) => JSON.parse(box.open(r.sealedJwk, SEAL_PURPOSE)) as JWK) };
}

export function resealKey(box: SecretBox, sealed: string): string | undefined {
  return box.isStale(sealed, SEAL_PURPOSE) ? box.seal(box.open(sealed, SEAL_PURPOSE), SEAL_PURPOSE) : undefined;
}
