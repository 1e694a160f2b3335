// "PGT in the validation response" (Apereo CAS): the `proxyGrantingTicket` attribute is
// base64(RSA-encrypt(PGT)) with the bridge's public key, by Java's `Cipher.getInstance("RSA")`, i.e.
// RSA/ECB/PKCS1Padding. Node 20 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), so
// node-forge does it. Every failure is the same error with the same text: the caller learns
// nothing about why (no padding oracle through messages), and the ciphertext only ever comes from
// CAS over the back channel the bridge opened.
import type forge from 'node-forge';
import { lazyModule } from '../util/lazy.js';
import { CAS_TICKET } from '../cas/proxy.js';

export class PgtDecryptionError extends Error {
  constructor() {
    super('the encrypted proxy-granting ticket could not be decrypted');
    this.name = 'PgtDecryptionError';
  }
}

const nodeForge = lazyModule<typeof forge>('node-forge');

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class PgtDecrypter {
  readonly #key: forge.pki.rsa.PrivateKey;
  readonly #bytes: number;

  /** `pem`: PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"), unencrypted. */
  constructor(pem: string) {
    this.#key = nodeForge().pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
    this.#bytes = Math.ceil(this.#key.n.bitLength() / 8);
  }

  decrypt(attribute: string): string {
    let ticket: string;
    try {
      const compact = attribute.replace(/\s+/g, '');
      if (!BASE64.test(compact)) throw new PgtDecryptionError();
      const ciphertext = Buffer.from(compact, 'base64');
      if (ciphertext.length !== this.#bytes) throw new PgtDecryptionError();
      const plain = this.#key.decrypt(ciphertext.toString('binary'), 'RSAES-PKCS1-V1_5');
      ticket = Buffer.from(plain, 'binary').toString('utf8');
    } catch {
      throw new PgtDecryptionError();
    }
    if (!CAS_TICKET.test(ticket)) throw new PgtDecryptionError();
    return ticket;
  }
}
