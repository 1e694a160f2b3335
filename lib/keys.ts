// Signing keys: generated on first start (RS256 and ES256), stored sealed in the database so every
// process and every restart serves the same JWKS with stable kids.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyStatus, SigningKeyRow, SigningKeyStore } from '../adapters/signing-keys.js';
import type { MetaStore } from '../adapters/meta.js';
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

export async function bumpKeysGeneration(meta: MetaStore): Promise<void> {
  const current = Number((await meta.get(KEYS_GENERATION)) ?? '0');
  await meta.set(KEYS_GENERATION, String(current + 1));
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
