// RP-initiated logout with the in-process CAS: no click with a valid id_token_hint, state back byte
// for byte, the hop through CAS /logout, the requesting client not back-channelled, the
// confirmation and logged-out pages, CAS_LOGOUT_URL=off.
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { parse as parseHtml } from 'node-html-parser';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { verifyLogoutToken } from '../support/backchannel.js';
import { TestBrowser, type Hop } from '../support/browser.js';
import { authorizationRequest } from '../support/rp.js';
import { loginAt, silentAuthorization, startLogoutSetup, type LogoutSetup, type TestApp } from '../support/logout-setup.js';

const USERS = { alice: { password: 'alice-pass', attributes: {} }, bob: { password: 'bob-pass', attributes: {} } };
// a Keycloak-like state: long, with dots and base64url characters
const STATE = 'eyJhbGciOiJIUzI1NiJ9.c3RhdGUtb2YtdGhlLWtleWNsb2FrLWJyb2tlci1sb2dvdXQ_-~.AbC-dEf_123.';

function endSessionUrl(app: TestApp, params: Record<string, string>): string {
  return oidc.buildEndSessionUrl(app.rp.config, params).href;
}

/** Follows a logout: auto-submits the bridge's form like a browser with scripts, then the redirects. */
async function logout(browser: TestBrowser, url: string, stop: (l: string) => boolean, fields: Record<string, string> = {}): Promise<{ page: Hop; end: Hop }> {
  const page = await browser.follow(url, stop);
  expect(page.status, page.body.slice(0, 300)).to.equal(200);
  const end = await browser.submitForm(page, fields, stop);
  return { page, end };
}

describe('RP-initiated logout with the in-process CAS', function () {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let mini: MiniCas;
  let setup: LogoutSetup | undefined;

  beforeEach(async () => {
    mini = new MiniCas({ users: USERS });
    cas = await mini.listen();
  });
  afterEach(async () => {
    await setup?.stop();
    setup = undefined;
    await cas?.close();
  });

  it('logs out without a click, through CAS /logout, back to the client with the same state', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const ended: unknown[] = [];
    setup.bridge.services.events.on('session.ended', (e) => { ended.push(e); });
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const atB = await loginAt(browser, apps.b, 'alice', 'alice-pass');
    expect(atA.tokens.session_state, 'session_state = sid of the ID token').to.equal(atA.sid);
    expect(atB.tokens.session_state).to.equal(atB.sid);

    const atPostLogout = (l: string) => l.startsWith(apps.a.postLogoutUri);
    const { page, end } = await logout(browser, endSessionUrl(apps.a, {
      id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri, state: STATE,
    }), atPostLogout);
    // the page posts itself: a script with the page's CSP nonce, a button for browsers without scripts
    const form = parseHtml(page.body).querySelector('form#logout');
    expect(form?.querySelector('input[name=logout]')?.getAttribute('value')).to.equal('yes');
    expect(form?.querySelector('input[name=xsrf]')?.getAttribute('value')).to.match(/^[0-9a-f]{48}$/);
    expect(form?.querySelector('noscript')?.innerHTML).to.match(/<button[^>]*type="submit"/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers.get('content-security-policy') ?? '')?.[1];
    expect(parseHtml(page.body).querySelector('script')?.getAttribute('nonce')).to.equal(nonce);

    expect(end.location, `${end.url} ${end.status}`).to.be.a('string');
    const back = new URL(end.location ?? '');
    expect(`${back.origin}${back.pathname}`).to.equal(apps.a.postLogoutUri);
    expect(back.searchParams.get('state')).to.equal(STATE);

    const hops = browser.history.map((h) => h.url);
    const casLogout = hops.findIndex((u) => u.startsWith(`${cas.url}/logout?`));
    expect(casLogout, hops.join('\n')).to.be.greaterThan(-1);
    expect(new URL(hops[casLogout] ?? '').searchParams.get('service')).to.equal(`${new URL(setup.bridge.issuer).origin}/callback`);
    expect(new URL(hops[casLogout + 1] ?? '').pathname, 'CAS sent the browser back to the service URL').to.equal('/callback');

    // B was told through the back channel; A, which asked for the logout, was not
    expect(apps.a.backchannel.tokens).to.have.length(0);
    expect(apps.b.backchannel.tokens).to.have.length(1);
    expect(await verifyLogoutToken(apps.b.backchannel.tokens[0] ?? '', setup.bridge.issuer, 'app-b')).to.include({ sid: atB.sid, sub: 'alice' });
    const backchannel = setup.bridge.logs.filter((l) => l.event === 'backchannel_logout').map((l) => `${String(l.client)} ${String(l.outcome)} ${String(l.reason)}`);
    expect(backchannel.sort()).to.deep.equal(['app-a skipped rp_logout', 'app-b delivered rp_logout']);
    expect(ended).to.have.length(1);
    expect(ended[0]).to.include({ accountId: 'alice', reason: 'rp_logout' });
    // CAS's logout requests that followed found the session's tickets already forgotten
    expect(setup.bridge.logs.filter((l) => l.event === 'cas_single_logout').map((l) => l.outcome)).to.deep.equal(['unknown_ticket']);

    // offline grants survive an RP-initiated logout (oidc-provider's rule, kept; a CAS logout ends them)
    const refreshed = await oidc.refreshTokenGrant(apps.b.rp.config, atB.tokens.refresh_token ?? '');
    expect(refreshed.access_token).to.be.a('string');

    // the CAS session ended too: the next login asks for a password
    const silent = await silentAuthorization(browser, apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
    const again = await browser.follow((await authorizationRequest(apps.a.rp)).url);
    expect(again.url.startsWith(`${cas.url}/login`)).to.equal(true);
    expect(again.body).to.include('name="password"');
  });

  it('accepts an expired id_token_hint', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`, { ACCESS_TOKEN_EXPIRY: 1 });
    const { apps } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const exp = decodeJwt(atA.idToken).exp ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100));
    expect(decodeJwt(atA.idToken).exp ?? 0).to.be.lessThan(Date.now() / 1000);

    const { page, end } = await logout(browser, endSessionUrl(apps.a, {
      id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri, state: 's',
    }), (l) => l.startsWith(apps.a.postLogoutUri));
    expect(parseHtml(page.body).querySelector('form#logout'), 'no confirmation').to.not.equal(null);
    expect(new URL(end.location ?? 'x:').searchParams.get('state')).to.equal('s');
  });

  it('asks for confirmation without an id_token_hint (English and Chinese pages)', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const browser = new TestBrowser();
    await loginAt(browser, apps.a, 'alice', 'alice-pass');

    browser.acceptLanguage = 'zh-CN,zh;q=0.9';
    const zh = await browser.follow(endSessionUrl(apps.a, { client_id: 'app-a', post_logout_redirect_uri: apps.a.postLogoutUri }));
    expect(zh.status).to.equal(200);
    expect(zh.body).to.include('确认退出').and.include('统一身份认证');
    browser.acceptLanguage = 'en';
    const page = await browser.follow(endSessionUrl(apps.a, { client_id: 'app-a', post_logout_redirect_uri: apps.a.postLogoutUri, state: 'st' }));
    const root = parseHtml(page.body);
    expect(root.querySelector('h1')?.text).to.equal('Log out?');
    expect(root.querySelector('script'), 'nothing submits this page by itself').to.equal(null);
    expect(root.querySelector('button[name=logout]')?.getAttribute('value')).to.equal('yes');
    expect(page.body).to.include('App A');

    const end = await browser.submitForm(page, { logout: 'yes' }, (l) => l.startsWith(apps.a.postLogoutUri));
    expect(new URL(end.location ?? 'x:').searchParams.get('state')).to.equal('st');
    expect(browser.history.some((h) => h.url.startsWith(`${cas.url}/logout`))).to.equal(true);
    expect(apps.b.backchannel.tokens).to.have.length(0); // B never logged in
  });

  it('asks for confirmation when the id_token_hint names someone else than the person logged in', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const bobs = await loginAt(new TestBrowser(), apps.a, 'bob', 'bob-pass');
    const browser = new TestBrowser();
    await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const page = await browser.follow(endSessionUrl(apps.a, { id_token_hint: bobs.idToken, post_logout_redirect_uri: apps.a.postLogoutUri }));
    expect(parseHtml(page.body).querySelector('h1')?.text).to.equal('Log out?');
    expect(parseHtml(page.body).querySelector('form#logout')).to.equal(null);
  });

  it('"log out of this application only" keeps the bridge and CAS sessions', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const browser = new TestBrowser();
    await loginAt(browser, apps.a, 'alice', 'alice-pass');
    await loginAt(browser, apps.b, 'alice', 'alice-pass');
    const page = await browser.follow(endSessionUrl(apps.a, { client_id: 'app-a', post_logout_redirect_uri: apps.a.postLogoutUri }));
    const end = await browser.submitForm(page, {}, (l) => l.startsWith(apps.a.postLogoutUri));
    expect(end.location?.startsWith(apps.a.postLogoutUri)).to.equal(true);
    expect(browser.history.some((h) => h.url.startsWith(`${cas.url}/logout`))).to.equal(false);
    expect(apps.b.backchannel.tokens).to.have.length(0);
    const silent = await silentAuthorization(browser, apps.b);
    expect(silent.url.searchParams.get('code'), 'B still logged in').to.be.a('string');
  });

  it('shows the logged-out page when no post_logout_redirect_uri is given', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const page = await browser.follow(endSessionUrl(apps.a, { id_token_hint: atA.idToken }));
    const end = await browser.submitForm(page, { logout: 'yes' });
    expect(end.status).to.equal(200);
    expect(new URL(end.url).pathname).to.equal('/session/end/success');
    expect(parseHtml(end.body).querySelector('h1')?.text).to.equal('You are logged out');
    expect(end.body).to.include('You have been logged out.');
    // a way on: back to the application (no client_uri here: the origin of its redirect URI)
    const back = parseHtml(end.body).querySelector('.actions a');
    expect(back?.text).to.equal('Back to App A');
    expect(back?.getAttribute('href')).to.equal('http://127.0.0.1:9/');
    expect(browser.history.some((h) => h.url.startsWith(`${cas.url}/logout`))).to.equal(true);
  });

  it('goes straight back to the client with CAS_LOGOUT_URL=off', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`, { CAS_LOGOUT_URL: 'off' });
    const { apps } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const { end } = await logout(browser, endSessionUrl(apps.a, {
      id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri, state: STATE,
    }), (l) => l.startsWith(apps.a.postLogoutUri));
    expect(new URL(end.location ?? 'x:').searchParams.get('state')).to.equal(STATE);
    expect(browser.history.some((h) => h.url.startsWith(`${cas.url}/logout`))).to.equal(false);
    // the CAS session lives on, so the next login is silent
    const silent = await silentAuthorization(browser, apps.a);
    expect(silent.url.searchParams.get('code')).to.be.a('string');
  });

  it('a stale logout cookie does not hijack a later login', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`);
    const { apps } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    // the browser stops before CAS sends it back: the logout cookie stays
    const page = await browser.follow(endSessionUrl(apps.a, { id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri }));
    const toCas = await browser.submitForm(page, {}, (l) => l.startsWith(`${cas.url}/logout`));
    expect(toCas.location?.startsWith(`${cas.url}/logout`)).to.equal(true);
    expect(await browser.jar.getCookieString(setup.bridge.issuer)).to.include('cas_oidc_logout=');
    await browser.request(`${cas.url}/logout`);
    // a prompt=none login without any session comes back from CAS without a ticket: that is the
    // gateway's answer (login_required), not the end of the old logout
    const silent = await silentAuthorization(browser, apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
  });
});
