// `pgt-keygen`: a key pair CAS can use (DER public key, X.509 SubjectPublicKeyInfo) and the
// bridge can read (PEM private key, mode 0600), never overwriting by accident.
import { createPublicKey, publicEncrypt, constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../lib/cli/main.js';
import { loadConfig } from '../../lib/config/index.js';
import { PgtDecrypter } from '../../lib/proxy/pgt-decrypt.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const capture = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { code: await main(args), out };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('cas-oidc-bridge pgt-keygen', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'pgt-keygen-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a 0600 PEM private key and the DER public key CAS reads; the pair works end to end', async () => {
    const { code, out } = await run(['pgt-keygen', '--out', dir, '--bits', '2048']);
    expect(code, out).to.equal(0);
    const privatePath = join(dir, 'pgt-private.pem');
    const publicPath = join(dir, 'pgt-public.der');
    expect(statSync(privatePath).mode & 0o777).to.equal(0o600);
    expect(out).to.include(`CAS_PGT_PRIVATE_KEY=${privatePath}`).and.include('authorizedToReleaseProxyGrantingTicket');

    const publicKey = createPublicKey({ key: readFileSync(publicPath), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const pgt = 'PGT-12-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-cas';
    const encrypted = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(pgt)).toString('base64');
    expect(new PgtDecrypter(readFileSync(privatePath, 'utf8')).decrypt(encrypted)).to.equal(pgt);

    // and the bridge accepts it as CAS_PGT_PRIVATE_KEY, without a permissions warning
    const config = loadConfig({ env: {}, overrides: {
      ISSUER: 'https://bridge.example.edu', TRUST_PROXY: true, CAS_LOGIN_URL: 'https://cas.example.edu/cas/login', SECRET_KEY: TEST_SECRET,
      CLIENT_ID: 'app', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: ['https://app.example.edu/cb'],
      CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cas/proxy-callback', CAS_PGT_PRIVATE_KEY: privatePath,
    } });
    expect(config.cas.proxy?.pgtPrivateKeyPem).to.be.a('string');
    expect(config.warnings.join('\n')).to.not.include('CAS_PGT_PRIVATE_KEY');
  });

  it('refuses to overwrite (exit 1) unless --force, and then keeps the private key 0600', async () => {
    const again = await run(['pgt-keygen', '--out', dir, '--bits', '2048']);
    expect(again.code).to.equal(1);
    expect(again.out).to.include('--force');
    writeFileSync(join(dir, 'loose.pem'), 'x', { mode: 0o644 });
    const forced = await run(['pgt-keygen', '--out', dir, '--bits', '2048', '--private', 'loose.pem', '--public', 'loose.der', '--force']);
    expect(forced.code, forced.out).to.equal(0);
    expect(statSync(join(dir, 'loose.pem')).mode & 0o777).to.equal(0o600);
  });

  it('refuses keys too small for a PGT (exit 2)', async () => {
    const { code, out } = await run(['pgt-keygen', '--out', dir, '--bits', '1024']);
    expect(code).to.equal(2);
    expect(out).to.include('--bits must be');
  });
});
