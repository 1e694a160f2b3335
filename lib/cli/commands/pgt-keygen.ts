// `pgt-keygen`: the RSA key pair for CAS's "PGT in the validation response". The private key stays
// with the bridge (CAS_PGT_PRIVATE_KEY, PEM, mode 0600); the public key goes to the CAS
// administrators in the DER form CAS reads (what `openssl rsa -pubout -outform DER` writes).
import { createHash, generateKeyPair } from 'node:crypto';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXIT, UsageError, type Command } from '../command.js';
import { parseCommandArgs } from '../options.js';
import { MIN_PGT_KEY_BITS } from '../../config/cas-proxy.js';

const generate = promisify(generateKeyPair);
const MAX_BITS = 16384;

function parseBits(raw: string | undefined): number {
  if (raw === undefined) return 4096;
  const bits = Number(raw);
  if (!Number.isInteger(bits) || bits < MIN_PGT_KEY_BITS || bits > MAX_BITS || bits % 8 !== 0) {
    throw new UsageError(`--bits must be a multiple of 8 from ${MIN_PGT_KEY_BITS} to ${MAX_BITS}`);
  }
  return bits;
}

function write(path: string, data: string | Buffer, mode: number, force: boolean): void {
  try {
    writeFileSync(path, data, { mode, flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`${path} exists; use --force to replace it`);
    throw err;
  }
  chmodSync(path, mode); // an overwritten file keeps its old mode otherwise
}

export const pgtKeygen: Command = {
  path: ['pgt-keygen'],
  summary: 'make the RSA key pair for proxy-granting tickets returned encrypted by CAS',
  help: `Usage: cas-oidc-bridge pgt-keygen [--bits N] [--out DIR] [--private FILE] [--public FILE] [--force]

Makes the RSA key pair for CAS's "PGT in the validation response" (CAS_PGT_PRIVATE_KEY):
  --bits N        key size (default 4096, at least ${MIN_PGT_KEY_BITS}: CAS must fit the whole ticket)
  --out DIR       where to write both files (default: the current directory)
  --private FILE  private key, PEM (PKCS#8), mode 0600 (default DIR/pgt-private.pem)
  --public FILE   public key, DER (X.509 SubjectPublicKeyInfo) as CAS reads it (default DIR/pgt-public.der)
  --force         replace existing files

Same as: openssl genrsa -out pgt-private.pem 4096
         openssl rsa -pubout -in pgt-private.pem -outform DER -out pgt-public.der`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      bits: { type: 'string' },
      out: { type: 'string' },
      private: { type: 'string' },
      public: { type: 'string' },
      force: { type: 'boolean' },
    });
    const bits = parseBits(values.bits);
    const dir = resolve(values.out ?? '.');
    const privatePath = resolve(dir, values.private ?? 'pgt-private.pem');
    const publicPath = resolve(dir, values.public ?? 'pgt-public.der');
    const force = values.force ?? false;
    if (privatePath === publicPath) throw new UsageError('--private and --public must name different files');
    const existing = [privatePath, publicPath].filter((p) => existsSync(p));
    if (existing.length && !force) throw new Error(`${existing.join(' and ')} exist${existing.length === 1 ? 's' : ''}; use --force to replace`);

    const { privateKey, publicKey } = await generate('rsa', {
      modulusLength: bits,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    write(privatePath, privateKey, 0o600, force);
    write(publicPath, publicKey, 0o644, force);

    const fingerprint = createHash('sha256').update(publicKey).digest('hex');
    process.stdout.write(`RSA ${bits}-bit key pair written:
  private key (keep it, mode 0600): ${privatePath}
  public key for CAS (DER):         ${publicPath}
  public key SHA-256:               ${fingerprint}

Bridge setting:
  CAS_PGT_PRIVATE_KEY=${privatePath}

For the CAS administrators (Apereo CAS service definition of the bridge's service URL):
  "publicKey" : {
    "@class" : "org.apereo.cas.services.RegisteredServicePublicKeyImpl",
    "location" : "file:/etc/cas/keys/pgt-public.der",
    "algorithm" : "RSA"
  },
  "attributeReleasePolicy" : {
    "@class" : "org.apereo.cas.services.ReturnAllowedAttributeReleasePolicy",
    "authorizedToReleaseProxyGrantingTicket" : true
  }
plus a proxy policy that allows the bridge's CAS_PROXY_CALLBACK_URL (CAS still checks it).
`);
    return EXIT.ok;
  },
};
