// Rotating SECRET_KEY and a client secret across restarts, as the README tells admins to do:
// SECRET_KEY A → B with SECRET_KEY_PREVIOUS=[A], and the client's new secret with its old one in
// client_secret_previous. During the overlap the browser's session (cookie signed with A) still
// logs in silently, signing keys sealed with A open and are sealed again with B, a PGT stored
// under A still yields proxy tickets, and the old client secret is still accepted at /token. Once
// the previous values are removed, the old client secret is refused; the keys still open.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { CAS_PROXY_SCOPE, CAS_PROXY_TICKET_TYPE } from '../../lib/proxy/index.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, TEST_SECRET, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { ProxyingCas } from '../support/proxying-cas.js';
import { authorizationRequest, redeem, relyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const REDIRECT = 'http://127.0.0.1:9/app/callback';
const BACKEND = 'https://backend.example.edu/api';
const NEW_SECRET_KEY = 'spec-secret-key-rotated-9876543210-ZYXWVUTSRQPONMLK';
const NEW_CLIENT_SECRET = 'spec-client-secret-rotated-9876543210-qrstuvwxyz';

/** The key id part of each sealed signing key (`v1.<key id>.…`), by kid. */
async function sealedWith(bridge: TestBridge): Promise<Record<string, string>> {
  const rows = await bridge.services.db.select<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM bridge_signing_keys');
  return Object.fromEntries(rows.map((r) => [r.kid, r.private_jwk.split('.')[1] ?? '']));
}

async function tokenStatus(issuer: string, secret: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`app:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe('secret rotation across restarts (SECRET_KEY_PREVIOUS, client_secret_previous)', function () {
  this.timeout(60_000);
  let dir: string;
  let cas: ProxyingCas;
  let bridge: TestBridge | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rotation-'));
    cas = await new ProxyingCas().listen();
    cas.delivery = 'callback';
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs nobody out during the overlap, and refuses the old client secret once it is removed', async () => {
    const port = await freePort();
    const start = (secretKey: string, previousKeys: string[], clientSecret: string, previousClientSecrets: string[]) => startTestBridge({
      SECRET_KEY: secretKey,
      SECRET_KEY_PREVIOUS: previousKeys,
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`,
      CLIENTS: [{
        client_id: 'app', client_secret: clientSecret, client_secret_previous: previousClientSecrets,
        redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND],
      }],
    }, { port, dir });

    // before: SECRET_KEY A, client secret S1
    bridge = await start(TEST_SECRET, [], CLIENT_SECRET, []);
    const keysUnderA = await sealedWith(bridge);
    const jwksBefore = await (await fetch(`${bridge.issuer}/jwks`)).json() as { keys: Array<{ kid: string }> };
    const rpOld = await relyingParty(bridge.issuer, 'app', CLIENT_SECRET, REDIRECT, 'basic');
    const browser = new TestBrowser();
    const request = await authorizationRequest(rpOld, { scope: `openid offline_access ${CAS_PROXY_SCOPE}` });
    const back = await browser.follow(request.url, (l) => l.startsWith(REDIRECT));
    const tokens = await redeem(rpOld, request, back.location!);
    const sid = decodeJwt(tokens.id_token!).sid;
    expect(tokens.refresh_token).to.be.a('string');
    expect(await bridge.services.db.select('SELECT session_uid FROM bridge_session_pgts')).to.have.length(1);
    await bridge.stop();

    // overlap: SECRET_KEY B with A as previous, client secret S2 with S1 as previous
    bridge = await start(NEW_SECRET_KEY, [TEST_SECRET], NEW_CLIENT_SECRET, [CLIENT_SECRET]);
    expect(bridge.logs.find((l) => l.event === 'keys_resealed')).to.include({ count: 2 });
    const keysUnderB = await sealedWith(bridge);
    expect(Object.keys(keysUnderB).sort()).to.deep.equal(Object.keys(keysUnderA).sort());
    for (const kid of Object.keys(keysUnderA)) expect(keysUnderB[kid], 'sealed again with the new secret').not.to.equal(keysUnderA[kid]);
    expect(await (await fetch(`${bridge.issuer}/jwks`)).json(), 'same public keys').to.deep.equal(jwksBefore);

    // the session cookie signed with A: prompt=none logs in without passing through CAS
    const rpNew = await relyingParty(bridge.issuer, 'app', NEW_CLIENT_SECRET, REDIRECT, 'basic');
    const from = browser.history.length;
    const silent = await authorizationRequest(rpNew, { prompt: 'none' });
    const silentBack = await browser.follow(silent.url, (l) => l.startsWith(REDIRECT));
    expect(silentBack.location, silentBack.body.slice(0, 200)).to.match(/\?code=/);
    expect(browser.history.slice(from).some((h) => h.url.startsWith(cas.url)), 'no trip to CAS').to.equal(false);
    const silentTokens = await redeem(rpNew, silent, silentBack.location!);
    expect(decodeJwt(silentTokens.id_token!).sid, 'the same session').to.equal(sid);

    // the PGT stored under A still gives proxy tickets; the old client secret is still accepted
    const exchanged = await exchangeForProxyTicket(bridge.issuer, 'app', CLIENT_SECRET, { subject_token: tokens.access_token, resource: BACKEND });
    expect(exchanged.status, JSON.stringify(exchanged.body)).to.equal(200);
    expect(exchanged.body).to.include({ issued_token_type: CAS_PROXY_TICKET_TYPE });
    expect(String(exchanged.body.access_token)).to.match(/^PT-/);
    const withOld = await tokenStatus(bridge.issuer, CLIENT_SECRET, tokens.refresh_token!);
    expect(withOld.status, JSON.stringify(withOld.body)).to.equal(200);
    const rotatedRefresh = String(withOld.body.refresh_token ?? tokens.refresh_token);
    await bridge.stop();

    // after: the previous values removed
    bridge = await start(NEW_SECRET_KEY, [], NEW_CLIENT_SECRET, []);
    expect(bridge.logs.some((l) => l.event === 'keys_resealed'), 'nothing left to reseal').to.equal(false);
    expect(await (await fetch(`${bridge.issuer}/jwks`)).json(), 'keys open with B alone').to.deep.equal(jwksBefore);
    const refused = await tokenStatus(bridge.issuer, CLIENT_SECRET, rotatedRefresh);
    expect(refused.status).to.equal(401);
    expect(refused.body.error).to.equal('invalid_client');
    const accepted = await tokenStatus(bridge.issuer, NEW_CLIENT_SECRET, rotatedRefresh);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    await bridge.stop();
    bridge = undefined;
  });
});
