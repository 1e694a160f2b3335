// CAS proxying against a real CAS server (django-cas-server): the bridge validates with a pgtUrl,
// receives the PGT at its callback, and a client exchanges its access token for a proxy ticket
// that CAS then validates for the back-end service.
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseValidationResponse } from '../../lib/cas/xml.js';
import { CAS_PROXY_TICKET_TYPE } from '../../lib/proxy/index.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, type RelyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const REDIRECT = 'http://127.0.0.1:9/app/callback';
const BACKEND = 'http://127.0.0.1:9/backend/api';

describe('CAS proxy tickets through a real CAS server (django-cas-server)', function () {
  let cas: RealCas;
  let bridge: TestBridge;
  let app: RelyingParty;
  let callbackUrl: string;

  before(async function () {
    this.timeout(120_000);
    requireRealCas(this);
    cas = await startRealCas();
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/cas/proxy-callback`;
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_PROXY_CALLBACK_URL: callbackUrl,
      CLIENTS: [
        {
          client_id: 'app',
          client_secret: CLIENT_SECRET,
          redirect_uris: [REDIRECT],
          post_logout_redirect_uris: ['http://127.0.0.1:9/app/bye'],
          cas_proxy_targets: [BACKEND, 'http://127.0.0.1:9/reports/*', 'http://example.invalid/x'],
        },
        { client_id: 'other', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT] },
      ],
    }, { port });
    app = await relyingParty(bridge.issuer, 'app', CLIENT_SECRET, REDIRECT, 'post');
  });
  after(async () => {
    await bridge?.stop();
    await cas?.stop();
  });

  async function login(scope = 'openid cas_proxy') {
    const browser = new TestBrowser();
    const request = await authorizationRequest(app, { scope });
    const back = await loginThroughCas(browser, app, request, 'alice', 'alice-pass');
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 300)}`).to.match(/\/app\/callback\?code=/);
    const tokens = await redeem(app, request, back.location!);
    return { browser, accessToken: tokens.access_token };
  }

  const exchange = (accessToken: string, resource: string, clientId = 'app') =>
    exchangeForProxyTicket(bridge.issuer, clientId, CLIENT_SECRET, { subject_token: accessToken, resource });

  async function sessionUidOf(accessToken: string): Promise<string> {
    const token = await bridge.holder.current.AccessToken.find(accessToken);
    expect(token?.sessionUid).to.be.a('string');
    return token!.sessionUid!;
  }

  it('issues a proxy ticket that CAS validates for the back-end, with the bridge as the proxy', async () => {
    const { accessToken } = await login();
    const { status, body } = await exchange(accessToken, BACKEND);
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body).to.include({ issued_token_type: CAS_PROXY_TICKET_TYPE, token_type: 'N_A', expires_in: 10 });
    expect(body.access_token).to.be.a('string').and.match(/^PT-/);

    const validation = await fetch(`${cas.url}/p3/proxyValidate?${new URLSearchParams({ service: BACKEND, ticket: String(body.access_token) })}`);
    const xml = await validation.text();
    if (process.env.CAS_PROXY_XML_OUT) writeFileSync(process.env.CAS_PROXY_XML_OUT, xml);
    const result = parseValidationResponse(xml);
    expect(result.kind, xml).to.equal('success');
    if (result.kind !== 'success') return;
    expect(result.user).to.equal('alice');
    expect(result.proxies).to.deep.equal([callbackUrl]);

    // a second exchange gets a fresh ticket (a PT is single use)
    const again = await exchange(accessToken, BACKEND);
    expect(again.status).to.equal(200);
    expect(again.body.access_token).to.match(/^PT-/).and.not.equal(body.access_token);
    // the PGT never shows in the bridge's logs
    expect(JSON.stringify(bridge.logs)).to.not.match(/PGT-|PGTIOU-|PT-/);
  });

  it('accepts a target under a /* entry and refuses targets not on the client\'s list', async () => {
    const { accessToken } = await login();
    expect((await exchange(accessToken, 'http://127.0.0.1:9/reports/q1?year=2026')).status).to.equal(200);
    for (const target of ['http://127.0.0.1:9/backend/api/other', 'http://127.0.0.1:9/reportsx', 'http://127.0.0.1:9/reports/../backend/api',
      'http://127.0.0.1:9@evil.test/reports/x', 'http://127.0.0.1:99/reports/x']) {
      const { status, body } = await exchange(accessToken, target);
      expect(status, target).to.equal(400);
      expect(body.error, target).to.equal('invalid_target');
    }
  });

  it('maps a CAS refusal of the target onto invalid_target', async () => {
    const { accessToken } = await login();
    const { status, body } = await exchange(accessToken, 'http://example.invalid/x');
    expect(status).to.equal(400);
    expect(body).to.include({ error: 'invalid_target' });
    expect(body.error_description).to.include('CAS: UNAUTHORIZED_SERVICE');
  });

  it('refuses an access token without the cas_proxy scope, and a client without targets', async () => {
    const { accessToken } = await login('openid');
    const { status, body } = await exchange(accessToken, BACKEND);
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_scope');
    const other = await exchange(accessToken, BACKEND, 'other');
    expect(other.status).to.equal(400);
    expect(other.body.error).to.equal('unauthorized_client');
  });

  it('destroys the PGT when the bridge ends the session (session.ended)', async () => {
    const { accessToken } = await login();
    expect((await exchange(accessToken, BACKEND)).status).to.equal(200);
    const sessionUid = await sessionUidOf(accessToken);
    await bridge.services.events.emitAndWait('session.ended', { sessionUid, accountId: 'alice', reason: 'cas_single_logout' });
    expect(await bridge.services.pgts.forSession(sessionUid)).to.equal(undefined);
    const { status, body } = await exchange(accessToken, BACKEND);
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_grant');
  });

  it('destroys the PGT when CAS logs it out (logoutRequest to the callback URL)', async () => {
    const { browser, accessToken } = await login();
    const sessionUid = await sessionUidOf(accessToken);
    expect(await bridge.services.pgts.forSession(sessionUid)).to.not.equal(undefined);
    const mark = bridge.logs.length;
    // CAS logout: django-cas-server POSTs a logoutRequest for every ticket, the PGT to its pgtUrl
    const out = await browser.request(`${cas.url}/logout`);
    expect(out.status).to.equal(200);
    expect(await bridge.services.pgts.forSession(sessionUid)).to.equal(undefined);
    // the same CAS logout also single-logs-out the service ticket, which ends the bridge session;
    // whichever request lands first destroys the PGT, the other finds it gone
    const logs = bridge.logs.slice(mark);
    const casLogouts = logs.filter((l) => l.event === 'cas_proxy' && l.reason === 'cas_logout');
    expect(casLogouts.map((l) => l.outcome)).to.have.length(1).and.satisfy((o: string[]) => ['pgt_destroyed', 'pgt_logout_unknown'].includes(o[0]!));
    expect(logs.filter((l) => l.outcome === 'pgt_destroyed')).to.have.length(1);
    const { status, body } = await exchange(accessToken, BACKEND);
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_grant');
  });

  it('fails after the user logs out of the bridge (RP-initiated logout)', async () => {
    const { browser, accessToken } = await login();
    const sessionUid = await sessionUidOf(accessToken);
    const confirm = await browser.request(`${bridge.issuer}/session/end?client_id=app`);
    expect(confirm.status).to.equal(200);
    await browser.submitForm(confirm, { logout: 'yes' });
    const { status, body } = await exchange(accessToken, BACKEND);
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_grant');
    expect(await bridge.services.pgts.forSession(sessionUid)).to.equal(undefined);
  });
});
