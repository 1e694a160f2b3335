// check-config: every problem at once (exit 2), effective values with secrets hidden and their
// origins, CAS probes (ok, not CAS, unreachable, bad TLS), and what to register at CAS / Keycloak.
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { checkConfig } from '../../lib/check/report.js';
import { keycloakBroker } from '../../lib/check/instructions.js';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { freePort } from '../support/net.js';
import { requireRealCas, startRealCas } from '../support/real-cas.js';

const SECRET_KEY = 'check-config-secret-key-0123456789-abcdefghijklmnop';
const CLIENT_SECRET = 'check-config-client-secret-0123456789-QRSTUVWXYZ';
const KEYCLOAK = 'https://sso.example.edu/realms/example/broker/cas/endpoint';

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ISSUER: 'https://bridge.example.edu',
    SECRET_KEY,
    CLIENT_ID: 'keycloak',
    CLIENT_SECRET,
    REDIRECT_URI_ALLOWLIST: KEYCLOAK,
    ...extra,
  };
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('check-config', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  before(async () => {
    cas = await new MiniCas({ users: { alice: { attributes: {} } } }).listen();
  });
  after(async () => {
    await cas?.close();
  });

  it('lists every problem at once, prints the values with secrets hidden, and exits 2', async () => {
    const { text, exitCode } = await checkConfig({
      env: { ISSUER: 'cas-proxy', SECRET_KEY: 'short', CLIENT_ID: 'kc', CLIENT_SECRET: 'also-short', BRAND_COLOR: 'red', PORT: 'eighty' },
      cwd: mkdtempSync(join(tmpdir(), 'check-')),
    });
    expect(exitCode).to.equal(2);
    for (const name of ['ISSUER', 'CAS_LOGIN_URL', 'SECRET_KEY', 'CLIENT_SECRET', 'BRAND_COLOR', 'PORT', 'REDIRECT_URI_ALLOWLIST']) {
      expect(text).to.match(new RegExp(`^  - ${name}: `, 'm'), name);
    }
    expect(text).to.contain('Nothing was probed');
    expect(text).not.to.contain('also-short');
    expect(text).not.to.match(/\bshort\b.*env/);
    expect(text).to.match(/^ {2}SECRET_KEY +\[hidden, 5 characters\] +env$/m);
  });

  it('shows origins (default, file, env, derived), probes a CAS and says what to register', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ CAS_LOGIN_URL: `${cas.url}/login`, BRAND_NAME: 'Example University', DATABASE_PATH: 'data/bridge.sqlite3' }));
    const { text, exitCode } = await checkConfig({ env: env({ COOKIE_SECURE: 'true' }), configPath: file, cwd: dir });
    expect(exitCode, text).to.equal(0);
    expect(text).to.match(/^ {2}BRAND_NAME +Example University +file$/m);
    expect(text).to.match(/^ {2}ISSUER +https:\/\/bridge\.example\.edu +env$/m);
    expect(text).to.match(/^ {2}PORT +59084 +default$/m);
    expect(text).to.match(new RegExp(`^  CAS_VALIDATE_URL +${cas.url}/p3/serviceValidate +derived$`, 'm'));
    expect(text).to.match(/^ {2}SERVICE_URL +https:\/\/bridge\.example\.edu\/callback +derived$/m);
    expect(text).to.match(new RegExp(`^  DATABASE_PATH +data/bridge\\.sqlite3 = ${dir}/data/bridge\\.sqlite3 +file$`, 'm'));
    expect(text).to.match(new RegExp(`^  CAS_LOGOUT_URL +${cas.url}/logout +derived$`, 'm'));
    for (const secret of [SECRET_KEY, CLIENT_SECRET]) expect(text).not.to.contain(secret);

    expect(text).to.match(/\[ok\] {3}CAS login page: .*\n +answers 200 with an HTML login form/);
    expect(text).to.match(/\[ok\] {3}CAS ticket validation: .*\n +answers a dummy ticket with a CAS authenticationFailure \(INVALID_TICKET\)/);
    expect(text).to.contain('sub [scope openid]: CAS user (string, required)');
    expect(text).to.contain('access: CLIENT_ID.access: no access rules, every user may use this client');
    expect(text).to.contain('Service, as a pattern (each login adds ?login=<id>): ^https:\\/\\/bridge\\.example\\.edu\\/callback\\?login=[A-Za-z0-9_-]+$');
    // the probes ask CAS for the service URL as a login sends it
    expect(text).to.match(/CAS login for the service URL: .*service=https%3A%2F%2Fbridge\.example\.edu%2Fcallback%3Flogin%3Dcheck-config/);
    expect(text).to.contain('Discovery endpoint:     https://bridge.example.edu/.well-known/openid-configuration');
    expect(text).to.contain('Client authentication:  Client secret sent in the request body');
    expect(text).to.match(/^ {4}PKCE Method: +S256 /m);
    expect(text).to.match(/^ {4}Scopes: +openid profile email groups /m);
    expect(text).to.contain(`registered here:      ${KEYCLOAK} (Keycloak https://sso.example.edu, realm "example", alias "cas")`);
    // the flat form's allowlist is a prefix: the logout return under it is allowed
    expect(text).to.contain(`${KEYCLOAK}/logout_response (allowed)`);
    expect(text).to.contain('Keycloak receives it at https://sso.example.edu/realms/example/protocol/openid-connect/logout/backchannel-logout');
  });

  it('explains access rules and the claim mapping of a clients list', async () => {
    const clients = [{
      client_id: 'wiki', client_secret: CLIENT_SECRET, redirect_uris: ['https://wiki.example.edu/oidc/callback'],
      access: { name: 'staff only', attribute: 'memberOf', has: 'staff' },
    }];
    const { text, exitCode } = await checkConfig({ env: { ISSUER: 'https://bridge.example.edu', SECRET_KEY, CAS_LOGIN_URL: `${cas.url}/login`, CLIENTS: JSON.stringify(clients) }, probe: false });
    expect(exitCode, text).to.equal(0);
    expect(text).to.contain('CAS server (not probed: --no-probe)');
    expect(text).to.match(/access: .*memberOf.*staff/);
    expect(text).to.contain('clients[0].access: users the rule does not allow are denied');
    expect(text).to.contain('Settings for the relying party "wiki" (OpenID Connect)');
    expect(text).to.contain('Redirect URI:           https://wiki.example.edu/oidc/callback');
    expect(text).not.to.contain('Enter in Keycloak');
    expect(text).to.match(/^ {2}CLIENTS +1 entry \(see below\) +env$/m);
  });

  it('fails (exit 1) when the CAS URLs answer but are not CAS', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>It works!</p>'));
    const port = await listen(server);
    try {
      const { text, exitCode } = await checkConfig({ env: env({ CAS_LOGIN_URL: `http://127.0.0.1:${port}/cas/login` }) });
      expect(exitCode).to.equal(1);
      expect(text).to.contain('[FAIL] CAS login page');
      expect(text).to.contain('not an HTML page with a login form');
      expect(text).to.contain('[FAIL] CAS ticket validation');
      expect(text).to.contain('does not answer with CAS XML');
      expect(text).to.contain('a database or CAS probe FAILED (exit code 1)');
    } finally {
      server.close();
    }
  });

  it('fails when CAS is unreachable', async () => {
    const port = await freePort();
    const { text, exitCode } = await checkConfig({ env: env({ CAS_LOGIN_URL: `http://127.0.0.1:${port}/cas/login` }) });
    expect(exitCode).to.equal(1);
    expect(text).to.match(/\[FAIL\] CAS login page: .*\n +unreachable \(ECONNREFUSED\)/);
  });

  it('fails when the CAS TLS certificate is not valid', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
    cert.setIssuer([{ name: 'commonName', value: '127.0.0.1' }]);
    cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), forge.md.sha256.create());
    const server = createHttpsServer({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: forge.pki.certificateToPem(cert) }, (_req, res) => res.end('x'));
    const port = await listen(server as unknown as ReturnType<typeof createServer>);
    try {
      const { text, exitCode } = await checkConfig({ env: env({ CAS_LOGIN_URL: `https://127.0.0.1:${port}/cas/login` }) });
      expect(exitCode).to.equal(1);
      expect(text).to.contain('TLS certificate not valid (DEPTH_ZERO_SELF_SIGNED_CERT)');
    } finally {
      server.close();
    }
  });

  it('says what CAS must allow for proxying: the callback, and the public key for encrypted PGTs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-proxy-'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPath = join(dir, 'pgt.pem');
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const { text, exitCode } = await checkConfig({
      env: env({ CAS_LOGIN_URL: `${cas.url}/login`, CAS_PROXY_CALLBACK_URL: 'https://bridge.example.edu/cas/pgt', CAS_PGT_PRIVATE_KEY: keyPath }),
      probe: false,
    });
    expect(exitCode).to.equal(0);
    expect(text).to.contain('Proxy callback (pgtUrl):    https://bridge.example.edu/cas/pgt');
    expect(text).to.contain('authorizedToReleaseProxyGrantingTicket');
    expect(text).to.not.contain('PRIVATE KEY');
  });

  it('takes Keycloak broker redirect URIs apart', () => {
    expect(keycloakBroker('https://kc.example.edu/auth/realms/My%20Realm/broker/cas/endpoint')).to.deep.equal({ base: 'https://kc.example.edu/auth', realm: 'My Realm', alias: 'cas' });
    expect(keycloakBroker('https://app.example.edu/callback')).to.equal(undefined);
  });

  describe('against a real CAS server (django-cas-server)', function () {
    it('recognises its login page and its validation answer', async function () {
      this.timeout(120_000);
      requireRealCas(this);
      const real = await startRealCas();
      try {
        const { text, exitCode } = await checkConfig({ env: env({ ISSUER: 'http://127.0.0.1:9', COOKIE_SECURE: 'false', CAS_LOGIN_URL: `${real.url}/login`, REDIRECT_URI_ALLOWLIST: 'http://127.0.0.1:9/cb' }) });
        expect(exitCode, text).to.equal(0);
        expect(text).to.contain('[ok]   CAS login page');
        expect(text).to.contain('[ok]   CAS login for the service URL');
        expect(text).to.match(/\[ok\] {3}CAS ticket validation: .*\n +answers a dummy ticket with a CAS authenticationFailure \(INVALID_TICKET\)/);
      } finally {
        await real.stop();
      }
    });
  });
});
