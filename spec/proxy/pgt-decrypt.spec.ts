// Decrypting a PGT that CAS returned in the validation response: PKCS#1 v1.5 exactly as Java's
// default RSA cipher writes it (a ciphertext made by Java's Cipher.getInstance("RSA") is a fixture;
// spec/fixtures/pgt/EncryptLikeCas.java made it), and node-forge's RSAES-PKCS1-V1_5 encryption with
// the public key. Every failure is one error with one message.
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import forge from 'node-forge';
import { PgtDecrypter, PgtDecryptionError } from '../../lib/proxy/pgt-decrypt.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/pgt/${name}`, import.meta.url));

describe('PGT decryption (PGT in the validation response)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const decrypter = new PgtDecrypter(pem);
  const forgePublic = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const forgeEncrypt = (text: string): string => Buffer.from(forgePublic.encrypt(text, 'RSAES-PKCS1-V1_5'), 'binary').toString('base64');
  const PGT = 'PGT-3-d9Zs0pQe7Xv2LmN8cT4bR6yH1kW5jU0aF3gV9-cas01.example.edu';

  it('decrypts a ticket encrypted by Java\'s Cipher.getInstance("RSA") (SunJCE, PKCS#1 v1.5)', () => {
    const fromJava = new PgtDecrypter(fixture('test-private.pem').toString('utf8'));
    const expected = fixture('java-encrypted-pgt.plain').toString('utf8');
    expect(fromJava.decrypt(fixture('java-encrypted-pgt.b64').toString('utf8').trim())).to.equal(expected);
  });

  it('decrypts node-forge RSAES-PKCS1-V1_5 with the public key, PKCS#8 and PKCS#1 PEM alike', () => {
    expect(decrypter.decrypt(forgeEncrypt(PGT))).to.equal(PGT);
    const pkcs1 = new PgtDecrypter(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    expect(pkcs1.decrypt(forgeEncrypt(PGT))).to.equal(PGT);
  });

  it('takes base64 with line breaks (Java MIME encoders wrap at 76)', () => {
    const wrapped = forgeEncrypt(PGT).replace(/(.{76})/g, '$1\r\n');
    expect(decrypter.decrypt(wrapped)).to.equal(PGT);
  });

  it('fails closed, always with the same error and message', () => {
    const good = Buffer.from(forgeEncrypt(PGT), 'base64');
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const cases: Record<string, string> = {
      'a flipped bit': flipped.toString('base64'),
      'another key': publicEncrypt({ key: other, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(PGT)).toString('base64'),
      'OAEP padding': publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from(PGT)).toString('base64'),
      'a short ciphertext': good.subarray(1).toString('base64'),
      'random bytes': randomBytes(256).toString('base64'),
      'not base64': '***not base64***',
      'empty': '',
      'a plaintext that is not a ticket': forgeEncrypt('PGT with spaces\nand a line'),
      'the PGT in the clear': PGT,
    };
    const messages = new Set<string>();
    for (const [what, input] of Object.entries(cases)) {
      let caught: unknown;
      try {
        decrypter.decrypt(input);
      } catch (err) {
        caught = err;
      }
      expect(caught, what).to.be.instanceOf(PgtDecryptionError);
      messages.add((caught as Error).message);
    }
    expect([...messages]).to.deep.equal(['the encrypted proxy-granting ticket could not be decrypted']);
  });
});
