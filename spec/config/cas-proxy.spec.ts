// CAS proxying settings: every mistake stops the start with a line naming the setting (exit 2).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig, type SettingName } from '../../lib/config/index.js';
import { main } from '../../lib/cli/main.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';

const BASE = {
  ISSUER: 'https://bridge.example.edu',
  TRUST_PROXY: true,
  CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
  SECRET_KEY: TEST_SECRET,
  CLIENT_ID: 'app',
  CLIENT_SECRET,
  REDIRECT_URI_ALLOWLIST: ['https://app.example.edu/cb'],
  DATABASE_PATH: ':memory:',
};

function problems(settings: Partial<Record<SettingName, unknown>>): string[] {
  try {
    loadConfig({ env: {}, overrides: { ...BASE, ...settings } });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('CAS proxying settings', () => {
  let dir: string;
  const keyFile = (name: string, contents: string | Buffer, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, contents, { mode });
    return path;
  };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'proxy-config-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default, and on with a callback URL on the issuer (proxy URL derived from CAS)', () => {
    expect(loadConfig({ env: {}, overrides: BASE }).cas.proxy).to.equal(undefined);
    const config = loadConfig({ env: {}, overrides: { ...BASE, CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cas/proxy-callback' } });
    expect(config.cas.proxy).to.deep.equal({
      callbackUrl: 'https://bridge.example.edu/cas/proxy-callback',
      callbackPath: '/cas/proxy-callback',
      proxyUrl: 'https://cas.example.edu/cas/proxy',
      pgtPrivateKeyPem: undefined,
    });
  });

  const wrong: Array<[string, Partial<Record<SettingName, unknown>>, RegExp]> = [
    ['plain http off loopback', { CAS_PROXY_CALLBACK_URL: 'http://bridge.example.edu/cb' }, /^CAS_PROXY_CALLBACK_URL: must use https/],
    ['another origin', { CAS_PROXY_CALLBACK_URL: 'https://other.example.edu/cb' }, /^CAS_PROXY_CALLBACK_URL: must be on the issuer's origin/],
    ['a query', { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cb?x=1' }, /^CAS_PROXY_CALLBACK_URL: must not carry a query/],
    ['the service URL path', { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/callback' }, /^CAS_PROXY_CALLBACK_URL: its path \/callback is already SERVICE_URL/],
    ['an interaction path', { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/interaction/pgt' }, /^CAS_PROXY_CALLBACK_URL: .*login pages/],
    ['an OpenID Provider route', { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/token' }, /^CAS_PROXY_CALLBACK_URL: .*OpenID Provider endpoint \(\/token\)/],
    ['not a URL', { CAS_PROXY_CALLBACK_URL: 'cas/proxy-callback' }, /^CAS_PROXY_CALLBACK_URL: must be an http:\/\/ or https:\/\/ URL/],
    ['a bad proxy URL', { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cb', CAS_PROXY_URL: 'proxy' }, /^CAS_PROXY_URL: must be an http:\/\/ or https:\/\/ URL/],
    ['a key without a callback', { CAS_PGT_PRIVATE_KEY: '/nonexistent/key.pem' }, /^CAS_PGT_PRIVATE_KEY: .*cannot be read/],
  ];
  for (const [what, settings, expected] of wrong) {
    it(`refuses ${what}, naming the setting`, () => {
      const found = problems(settings);
      expect(found.some((p) => expected.test(p)), found.join('\n')).to.equal(true);
    });
  }

  it('reads and checks the PGT private key at start', () => {
    const callback = { CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cb' };
    const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
    const key = rsa(2048);
    const good = keyFile('good.pem', key.export({ type: 'pkcs8', format: 'pem' }));
    const config = loadConfig({ env: {}, overrides: { ...BASE, ...callback, CAS_PGT_PRIVATE_KEY: good } });
    expect(config.cas.proxy?.pgtPrivateKeyPem).to.include('BEGIN PRIVATE KEY');

    expect(problems({ CAS_PGT_PRIVATE_KEY: good })).to.satisfy((p: string[]) => p.some((l) => l.startsWith('CAS_PGT_PRIVATE_KEY: needs CAS_PROXY_CALLBACK_URL')));
    const small = keyFile('small.pem', rsa(1024).export({ type: 'pkcs1', format: 'pem' }));
    expect(problems({ ...callback, CAS_PGT_PRIVATE_KEY: small }).join('\n')).to.match(/^CAS_PGT_PRIVATE_KEY: the key has 1024 bits/m);
    const ec = keyFile('ec.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(problems({ ...callback, CAS_PGT_PRIVATE_KEY: ec }).join('\n')).to.match(/^CAS_PGT_PRIVATE_KEY: .* holds a ec key/m);
    const der = keyFile('key.der', key.export({ type: 'pkcs8', format: 'der' }));
    expect(problems({ ...callback, CAS_PGT_PRIVATE_KEY: der }).join('\n')).to.match(/^CAS_PGT_PRIVATE_KEY: .* not an unencrypted PEM RSA private key/m);
    const locked = keyFile('locked.pem', key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }));
    expect(problems({ ...callback, CAS_PGT_PRIVATE_KEY: locked }).join('\n')).to.match(/^CAS_PGT_PRIVATE_KEY: .* not an unencrypted PEM RSA private key/m);
    const open = keyFile('open.pem', key.export({ type: 'pkcs8', format: 'pem' }), 0o644);
    const warned = loadConfig({ env: {}, overrides: { ...BASE, ...callback, CAS_PGT_PRIVATE_KEY: open } });
    expect(warned.warnings.join('\n')).to.match(/CAS_PGT_PRIVATE_KEY: .* readable by other users/);
  });

  it('checks every client\'s cas_proxy_targets entry by name', () => {
    const found = problems({
      CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cb',
      CLIENTS: [{ client_id: 'two', client_secret: CLIENT_SECRET, redirect_uris: ['https://two.example.edu/cb'], cas_proxy_targets: ['https://ok.example.edu/', 'https://*.example.edu/x', '^(unclosed'] }],
    });
    expect(found).to.include.members([
      'clients[0].cas_proxy_targets[1]: wildcards are allowed only as a final /* (or write a regular expression starting with ^)',
    ]);
    expect(found.some((p) => p.startsWith('clients[0].cas_proxy_targets[2]: regular expression does not compile'))).to.equal(true);
  });

  it('stops `start` with exit code 2 and the setting\'s name', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ...BASE, CAS_PROXY_CALLBACK_URL: 'http://bridge.example.edu/cb' }));
    let stderr = '';
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { stderr += chunk; return true; }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['start', '--config', file]);
    } finally {
      process.stderr.write = write;
    }
    expect(code).to.equal(2);
    expect(stderr).to.include('CAS_PROXY_CALLBACK_URL: must use https');
  });
});
