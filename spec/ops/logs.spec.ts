// Logs at debug level through a full login, userinfo, refresh, a reused code and a reused ticket:
// one line per request and per login with the fields operators need, and never a ticket, code,
// token, secret, state, nonce, verifier or cookie value anywhere in any line.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { createLogger } from '../../lib/observability/logger.js';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, TEST_SECRET, type TestBridge } from '../support/bridge.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, replayTicketInNewLogin } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe('logs', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'alice-password-123', attributes: { mail: 'alice@example.org', memberOf: ['staff'] } } } }).listen();
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT], LOG_LEVEL: 'debug' });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('never carry a secret, ticket, token, code, state, nonce, verifier or cookie value', async () => {
    const secrets = new Map<string, string>([['SECRET_KEY', TEST_SECRET], ['client secret', CLIENT_SECRET], ['CAS password', 'alice-password-123']]);
    const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
    const browser = new TestBrowser();
    const request = await authorizationRequest(rp, { scope: 'openid offline_access' });
    secrets.set('state', request.state).set('nonce', request.nonce).set('code_verifier', request.verifier);

    const back = await loginThroughCas(browser, rp, request, 'alice', 'alice-password-123');
    const callback = new URL(back.location!);
    const code = callback.searchParams.get('code')!;
    secrets.set('authorization code', code);
    const withTicket = browser.history.find((h) => h.location?.includes('ticket='));
    const ticket = new URL(withTicket!.location!).searchParams.get('ticket')!;
    secrets.set('service ticket', ticket);
    for (const url of [bridge.issuer, cas.url]) {
      for (const cookie of await browser.jar.getCookies(url)) if (cookie.value.length >= 8) secrets.set(`cookie ${cookie.key}`, cookie.value);
    }

    const tokens = await redeem(rp, request, back.location!);
    secrets.set('access token', tokens.access_token).set('id token', tokens.id_token!).set('refresh token', tokens.refresh_token!);
    secrets.set('id token signature', tokens.id_token!.split('.')[2]!);
    await oidc.fetchUserInfo(rp.config, tokens.access_token, 'alice');
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    secrets.set('refreshed access token', refreshed.access_token).set('rotated refresh token', refreshed.refresh_token ?? tokens.refresh_token!);

    // a reused code (token error) and a reused ticket (CAS failure) are logged too
    const reuse = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.verifier, client_id: 'rp', client_secret: CLIENT_SECRET }),
    });
    expect(reuse.status).to.equal(400);
    await replayTicketInNewLogin(rp, ticket);

    const text = bridge.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(bridge.logs.length).to.be.greaterThan(15);
    for (const [what, value] of secrets) expect(text.includes(value), `${what} appears in the logs`).to.equal(false);
    expect(text).not.to.match(/ST-[A-Za-z0-9]{10,}/);
  });

  it('hide the values of a failed database statement (MariaDB writes them into the error text)', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { pretty: false, destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) });
    const parent = Object.assign(new Error("Table 'x' doesn't exist\nsql: INSERT INTO t (id) VALUES (?) - parameters:['AT-SECRET-1']"), { parameters: ['AT-SECRET-1'] });
    const err = Object.assign(new Error(parent.message), { parent, original: parent, parameters: ['AT-SECRET-1'], sql: 'INSERT INTO t (id) VALUES ($1)' });
    logger.error({ err }, 'request failed');
    expect(lines.join('')).not.to.contain('AT-SECRET-1');
    expect(lines.join('')).to.contain('VALUES (?) - parameters:[redacted]');
    expect(lines.join('')).to.contain('INSERT INTO t (id) VALUES ($1)');
  });

  it('write one line per request with method, path, status, duration and request id', () => {
    const requests = bridge.logs.filter((l) => l.event === 'request');
    expect(requests.length).to.be.greaterThan(8);
    for (const line of requests) {
      expect(line).to.include.keys('method', 'path', 'status', 'durationMs', 'requestId', 'time', 'level');
      expect(line.requestId).to.match(/^[0-9a-f-]{36}$/);
    }
    const token = requests.find((l) => l.path === '/token' && l.status === 200);
    expect(token?.method).to.equal('POST');
    const callback = requests.find((l) => String(l.path).startsWith('/callback'));
    expect(callback?.path).to.equal('/callback?login&ticket=…');
  });

  it('write one line per login with client, CAS user, CAS latency and outcome', () => {
    const logins = bridge.logs.filter((l) => l.event === 'login');
    const success = logins.filter((l) => l.outcome === 'success');
    expect(success).to.have.length(1);
    expect(success[0]).to.include({ client: 'rp', casUser: 'alice', sub: 'alice' });
    expect(success[0]!.casLatencyMs).to.be.a('number');
    const refused = logins.filter((l) => l.outcome === 'cas_failure');
    expect(refused).to.have.length(1);
    expect(refused[0]).to.include({ client: 'rp', casCode: 'INVALID_TICKET' });
    const tokenError = bridge.logs.find((l) => l.event === 'token_error');
    expect(tokenError).to.include({ error: 'invalid_grant', client: 'rp', route: 'token' });
  });
});
