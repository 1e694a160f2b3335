// Everything derived from SECRET_KEY: cookie signing keys and authenticated encryption of data at
// rest. Keys are derived once (HKDF-SHA256), never per request. Previous secrets stay usable for
// verifying and decrypting, so a rotation logs nobody out.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const SALT = 'cas-oidc-bridge/v1';

export class SecretOpenError extends Error {
  constructor() {
    super('sealed value cannot be opened with the configured secrets');
    this.name = 'SecretOpenError';
  }
}

interface DerivedKey {
  readonly id: string;
  readonly key: Buffer;
}

function derive(secret: string, purpose: string): DerivedKey {
  const key = Buffer.from(hkdfSync('sha256', secret, SALT, purpose, 32));
  return { key, id: createHash('sha256').update(key).digest('base64url').slice(0, 8) };
}

export class SecretBox {
  readonly #secrets: readonly string[];
  readonly #sealKeys = new Map<string, readonly DerivedKey[]>();

  /** `current` signs and encrypts; `previous` values only verify and decrypt. */
  constructor(current: string, previous: readonly string[] = []) {
    this.#secrets = [current, ...previous.filter((p) => p !== current)];
  }

  /** Keygrip keys for cookie signing, current first (koa and oidc-provider share them). */
  cookieKeys(): string[] {
    return this.#secrets.map((s) => derive(s, 'cookie-signing').key.toString('base64url'));
  }

  /** A 32-byte key for one purpose (e.g. the DPoP nonce secret), from the current secret. */
  purposeKey(purpose: string): Buffer {
    return derive(this.#secrets[0] as string, purpose).key;
  }

  #keys(purpose: string): readonly DerivedKey[] {
    let keys = this.#sealKeys.get(purpose);
    if (!keys) {
      keys = this.#secrets.map((s) => derive(s, `seal:${purpose}`));
      this.#sealKeys.set(purpose, keys);
    }
    return keys;
  }

  /** AES-256-GCM; output `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts). */
  seal(plaintext: string, purpose: string): string {
    const { id, key } = this.#keys(purpose)[0] as DerivedKey;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, purpose: string): string {
    const [version, id, iv, ciphertext, tag] = sealed.split('.');
    const entry = this.#keys(purpose).find((k) => k.id === id);
    if (version !== 'v1' || !entry || !iv || ciphertext === undefined || !tag) throw new SecretOpenError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretOpenError();
    }
  }

  /** True when the value was sealed with an older secret and should be re-sealed. */
  isStale(sealed: string, purpose: string): boolean {
    return sealed.split('.')[1] !== this.#keys(purpose)[0]?.id;
  }
}
