// CAS proxying end to end against a CAS stand-in (spec/support/proxying-cas.ts): the PGT returned
// encrypted in the validation response (Apereo's "PGT in validation response"), the token-exchange
// request rules, CAS failures mapped onto OAuth errors, and the callback endpoint itself.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { parseValidationResponse } from '../../lib/cas/xml.js';
import { CAS_PROXY_SCOPE, CAS_PROXY_TICKET_TYPE, TOKEN_EXCHANGE_GRANT } from '../../lib/proxy/index.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { ProxyingCas } from '../support/proxying-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, type RelyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const REDIRECT = 'http://127.0.0.1:9/app/callback';
const BACKEND = 'https://backend.example.edu/api';

describe('CAS proxy tickets with a CAS stand-in (encrypted PGT, failures, callback endpoint)', function () {
  let cas: ProxyingCas;
  let bridge: TestBridge;
  let app: RelyingParty;
  let callbackUrl: string;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgt-key-'));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPath = join(dir, 'pgt-private.pem');
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    cas = await new ProxyingCas().listen();
    cas.publicKey = publicKey;
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/cas/proxy-callback`;
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_PROXY_CALLBACK_URL: callbackUrl,
      CAS_PGT_PRIVATE_KEY: keyPath,
      CLIENTS: [
        { client_id: 'app', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND] },
        { client_id: 'other', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND] },
      ],
    }, { port });
    app = await relyingParty(bridge.issuer, 'app', CLIENT_SECRET, REDIRECT, 'post');
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    cas.delivery = 'encrypted';
    cas.encryptedOverride = undefined;
    cas.proxyOverride = undefined;
    cas.validationOverride = undefined;
  });

  async function login(scope = `openid ${CAS_PROXY_SCOPE}`) {
    const request = await authorizationRequest(app, { scope });
    const back = await loginThroughCas(new TestBrowser(), app, request, 'alice', '');
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 300)}`).to.match(/\/app\/callback\?code=/);
    return (await redeem(app, request, back.location!)).access_token;
  }
  const exchange = (subjectToken: string, extra: Record<string, string> = {}, clientId = 'app') =>
    exchangeForProxyTicket(bridge.issuer, clientId, CLIENT_SECRET, { subject_token: subjectToken, resource: BACKEND, ...extra });

  it('decrypts the PGT CAS returned in the validation response and gets a proxy ticket with it', async () => {
    const checks = cas.stats.endpointChecks;
    const callbacks = cas.stats.callbacks;
    const accessToken = await login();
    expect(cas.stats.endpointChecks, 'CAS checked the callback URL').to.equal(checks + 1);
    expect(cas.stats.callbacks, 'no pgtIou callback in this mode').to.equal(callbacks);

    const { status, body, headers } = await exchange(accessToken);
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body).to.include({ issued_token_type: CAS_PROXY_TICKET_TYPE, token_type: 'N_A', expires_in: 10 });
    expect(headers.get('cache-control')).to.equal('no-store');
    const xml = await (await fetch(`${cas.url}/p3/proxyValidate?${new URLSearchParams({ service: BACKEND, ticket: String(body.access_token) })}`)).text();
    const result = parseValidationResponse(xml);
    expect(result.kind === 'success' && result.user).to.equal('alice');
    expect(result.kind === 'success' && result.proxies).to.deep.equal([callbackUrl]);
  });

  it('keeps the encrypted attribute out of the account, the claims and the logs', async () => {
    const accessToken = await login();
    const account = await bridge.services.accounts.find('alice');
    expect(account?.attributes).to.have.property('email');
    expect(account?.attributes).to.not.have.property('proxyGrantingTicket');
    const userinfo = await oidc.fetchUserInfo(app.config, accessToken, 'alice');
    expect(JSON.stringify(userinfo)).to.not.include('proxyGrantingTicket');
    expect(JSON.stringify(bridge.logs)).to.not.match(/PGT-|PT-/);
  });

  it('logs in without a PGT when the attribute cannot be decrypted; the exchange then says so', async () => {
    cas.encryptedOverride = Buffer.alloc(256, 7).toString('base64');
    const accessToken = await login();
    expect(bridge.logs.some((l) => l.casProxy === 'pgt_undecryptable')).to.equal(true);
    const { status, body } = await exchange(accessToken);
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_grant');
    expect(body.error_description).to.include('no CAS proxy-granting ticket');
  });

  it('falls back to the pgtIou callback when CAS calls back instead', async () => {
    cas.delivery = 'callback';
    const accessToken = await login();
    expect((await exchange(accessToken)).status).to.equal(200);
  });

  it('refuses malformed exchange requests with invalid_request / invalid_target', async () => {
    const accessToken = await login();
    const cases: Array<[Record<string, string>, string]> = [
      [{ requested_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, 'invalid_request'],
      [{ subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'invalid_request'],
      [{ actor_token: 'x', actor_token_type: 'urn:ietf:params:oauth:token-type:access_token' }, 'invalid_request'],
      [{ resource: '' }, 'invalid_target'],
      [{ audience: 'backend' }, 'invalid_target'],
      [{ resource: 'https://backend.example.edu/other' }, 'invalid_target'],
    ];
    for (const [extra, error] of cases) {
      const { status, body } = await exchange(accessToken, extra);
      expect(status, JSON.stringify(extra)).to.equal(400);
      expect(body.error, JSON.stringify(extra)).to.equal(error);
      expect(body.error_description, JSON.stringify(extra)).to.be.a('string');
    }
    const twice = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${encodeURIComponent(TOKEN_EXCHANGE_GRANT)}&client_id=app&client_secret=${CLIENT_SECRET}&subject_token=${accessToken}`
        + `&subject_token_type=${encodeURIComponent('urn:ietf:params:oauth:token-type:access_token')}`
        + `&requested_token_type=${encodeURIComponent(CAS_PROXY_TICKET_TYPE)}&resource=${encodeURIComponent(BACKEND)}&resource=${encodeURIComponent(BACKEND)}`,
    });
    expect(twice.status).to.equal(400);
    expect(((await twice.json()) as { error: string }).error).to.equal('invalid_request');
  });

  it('refuses a subject token that is unknown, or issued to another client', async () => {
    const accessToken = await login();
    const unknown = await exchange(`${accessToken}x`);
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.equal('invalid_grant');
    const foreign = await exchange(accessToken, {}, 'other');
    expect(foreign.status).to.equal(400);
    expect(foreign.body.error).to.equal('invalid_grant');
    const badClient = await exchangeForProxyTicket(bridge.issuer, 'app', 'wrong-secret', { subject_token: accessToken, resource: BACKEND });
    expect(badClient.status).to.equal(401);
    expect(badClient.body.error).to.equal('invalid_client');
  });

  it('maps CAS /proxy failures onto OAuth errors without repeating what CAS said', async () => {
    const accessToken = await login();
    cas.proxyOverride = (pgt) => `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:proxyFailure code="INTERNAL_ERROR">db down for ${pgt}</cas:proxyFailure></cas:serviceResponse>`;
    const internal = await exchange(accessToken);
    expect(internal.status).to.equal(503);
    expect(internal.body).to.include({ error: 'temporarily_unavailable' });
    expect(JSON.stringify(internal.body)).to.not.include('PGT-');

    cas.proxyOverride = () => '<html>Bad gateway</html>';
    const garbage = await exchange(accessToken);
    expect(garbage.status).to.equal(503);
    expect(garbage.body.error).to.equal('temporarily_unavailable');

    // CAS no longer knows the PGT: invalid_grant, and the bridge drops it
    cas.proxyOverride = undefined;
    for (const pgt of cas.pgts) cas.forgetPgt(pgt);
    const dead = await exchange(accessToken);
    expect(dead.status).to.equal(400);
    expect(dead.body.error).to.equal('invalid_grant');
    expect(dead.body.error_description).to.include('CAS: INVALID_TICKET').and.not.include('PGT-');
    const after = await exchange(accessToken);
    expect(after.body.error_description).to.include('no CAS proxy-granting ticket');
    expect(JSON.stringify(bridge.logs)).to.not.match(/PGT-|PT-/);
  });

  it('shows only the code when CAS refuses the proxy callback, never its text (it can hold the PGT)', async () => {
    cas.validationOverride = `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_PROXY_CALLBACK">HTTPSConnectionPool: /cb?pgtId=PGT-secret-123&amp;pgtIou=PGTIOU-456</cas:authenticationFailure></cas:serviceResponse>`;
    const request = await authorizationRequest(app, { scope: 'openid cas_proxy' });
    const page = await new TestBrowser().follow(request.url, (l) => l.startsWith(REDIRECT));
    expect(page.status).to.equal(401);
    expect(page.body).to.include('INVALID_PROXY_CALLBACK').and.not.include('PGT-secret');
    expect(JSON.stringify(bridge.logs)).to.not.include('PGT-secret');
  });

  it('answers CAS at the callback URL: bare GET and HEAD 200, half a delivery 400, PGT logout 200', async () => {
    expect((await fetch(callbackUrl)).status).to.equal(200);
    expect((await fetch(callbackUrl, { method: 'HEAD' })).status).to.equal(200);
    expect((await fetch(`${callbackUrl}?pgtIou=PGTIOU-1`)).status).to.equal(400);
    expect((await fetch(`${callbackUrl}?pgtIou=PGTIOU-1&pgtId=PGT%201`)).status).to.equal(400);
    const form = (body: string) => fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const logout = (index: string) => new URLSearchParams({
      logoutRequest: `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="LR-1" Version="2.0" IssueInstant="2026-11-22T05:30:39Z"><saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"></saml:NameID><samlp:SessionIndex>${index}</samlp:SessionIndex></samlp:LogoutRequest>`,
    }).toString();
    expect((await form(logout('PGT-not-held-here'))).status).to.equal(200);
    expect((await form('logoutRequest=%3Cnot-xml')).status).to.equal(400);
    expect((await form('other=1')).status).to.equal(400);
    expect((await form(`logoutRequest=${'x'.repeat(70 * 1024)}`)).status).to.equal(413);
  });

  it('a logoutRequest for the PGT at the callback URL destroys it', async () => {
    cas.delivery = 'callback';
    const accessToken = await login();
    const [pgt] = cas.pgts.slice(-1);
    const body = new URLSearchParams({
      logoutRequest: `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="LR-2" Version="2.0" IssueInstant="2026-11-22T05:30:39Z"><saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">alice</saml:NameID><samlp:SessionIndex>${pgt}</samlp:SessionIndex></samlp:LogoutRequest>`,
    });
    const res = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).to.equal(200);
    const { body: answer } = await exchange(accessToken);
    expect(answer.error).to.equal('invalid_grant');
    expect(answer.error_description).to.include('no CAS proxy-granting ticket');
  });

  it('announces the grant type and the cas_proxy scope in discovery', async () => {
    const discovery = await (await fetch(`${bridge.issuer}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
    expect(discovery.grant_types_supported).to.include(TOKEN_EXCHANGE_GRANT);
    expect(discovery.scopes_supported).to.include(CAS_PROXY_SCOPE);
  });

  it('answers 503 temporarily_unavailable when CAS cannot be reached for /proxy', async () => {
    const closed = await freePort();
    const port = await freePort();
    const unreachable = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`,
      CAS_PROXY_URL: `http://127.0.0.1:${closed}/cas/proxy`,
      CLIENTS: [{ client_id: 'app', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND] }],
    }, { port });
    try {
      cas.delivery = 'callback';
      const rp = await relyingParty(unreachable.issuer, 'app', CLIENT_SECRET, REDIRECT, 'post');
      const request = await authorizationRequest(rp, { scope: 'openid cas_proxy' });
      const back = await loginThroughCas(new TestBrowser(), rp, request, 'alice', '');
      const { access_token: accessToken } = await redeem(rp, request, back.location!);
      const { status, body } = await exchangeForProxyTicket(unreachable.issuer, 'app', CLIENT_SECRET, { subject_token: accessToken, resource: BACKEND });
      expect(status).to.equal(503);
      expect(body.error).to.equal('temporarily_unavailable');
    } finally {
      await unreachable.stop();
    }
  });
});
