// Sessions and logout against the real CAS server (django-cas-server): CAS single logout reaching
// two clients through back-channel logout, prompt=none through CAS gateway, prompt=login through
// CAS renew, and RP-initiated logout passing through CAS /logout. A spec that logs out of CAS gets
// a fresh CAS server: django-cas-server sends one logout POST per ticket it ever issued.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { verifyLogoutToken } from '../support/backchannel.js';
import { TestBrowser } from '../support/browser.js';
import { loginAt, silentAuthorization, startLogoutSetup, type LogoutSetup } from '../support/logout-setup.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { authorizationRequest } from '../support/rp.js';

/** Forgets the bridge's cookies and keeps CAS's (both live on 127.0.0.1, on different ports). */
async function forgetBridgeCookies(browser: TestBrowser, bridgeUrl: string): Promise<void> {
  const casCookies = new Set(['sessionid', 'csrftoken']);
  for (const cookie of await browser.jar.getCookies(bridgeUrl)) {
    if (!casCookies.has(cookie.key)) await browser.jar.store.removeCookie(cookie.domain ?? '', cookie.path ?? '/', cookie.key);
  }
}

describe('sessions and logout with the real CAS server (django-cas-server)', function () {
  this.timeout(120_000);
  let cas: RealCas | undefined;
  let setup: LogoutSetup | undefined;

  before(function () {
    requireRealCas(this);
  });
  beforeEach(async () => {
    cas = await startRealCas();
    setup = await startLogoutSetup(`${cas.url}/login`);
  });
  afterEach(async () => {
    const errors = setup?.bridge.logs.filter((l) => Number(l.level) >= 50) ?? [];
    await setup?.stop();
    await cas?.stop();
    expect(errors, 'no error logged by the bridge').to.deep.equal([]);
  });
  it('CAS /logout ends the session at two clients: verified logout tokens with their sid, then login_required and refused refresh tokens', async () => {
    if (!cas || !setup) throw new Error('not started');
    const { apps, bridge } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const formsBefore = browser.history.filter((h) => h.body.includes('name="password"')).length;
    const atB = await loginAt(browser, apps.b, 'alice', 'alice-pass');
    expect(browser.history.filter((h) => h.body.includes('name="password"')).length, 'B logged in without a password').to.equal(formsBefore);

    const out = await browser.follow(`${cas.url}/logout`);
    expect(out.status).to.equal(200);
    const outcomes = bridge.logs.filter((l) => l.event === 'cas_single_logout').map((l) => l.outcome);
    expect(outcomes, 'one logout request per ticket; the known one ends the session').to.include('ended');

    expect(apps.a.backchannel.tokens).to.have.length(1);
    expect(apps.b.backchannel.tokens).to.have.length(1);
    const tokenA = await verifyLogoutToken(apps.a.backchannel.tokens[0] ?? '', bridge.issuer, 'app-a');
    const tokenB = await verifyLogoutToken(apps.b.backchannel.tokens[0] ?? '', bridge.issuer, 'app-b');
    expect(tokenA.sid).to.equal(atA.sid);
    expect(tokenB.sid).to.equal(atB.sid);
    expect(tokenA.sub).to.equal('alice');

    const silent = await silentAuthorization(browser, apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
    expect(silent.url.searchParams.get('state')).to.equal(silent.request.state);
    for (const [app, login] of [[apps.a, atA], [apps.b, atB]] as const) {
      const error = await oidc.refreshTokenGrant(app.rp.config, login.tokens.refresh_token ?? '').then(() => undefined, (err: unknown) => err);
      expect(error, `${app.id} refresh token`).to.be.instanceOf(oidc.ResponseBodyError);
      expect((error as oidc.ResponseBodyError).error).to.equal('invalid_grant');
    }
  });

  it('prompt=none with a live CAS session but no bridge session logs in silently; prompt=login shows the CAS password form', async () => {
    if (!cas || !setup) throw new Error('not started');
    const { apps, bridge } = setup;
    const browser = new TestBrowser();
    await loginAt(browser, apps.a, 'alice', 'alice-pass');
    await forgetBridgeCookies(browser, bridge.issuer);

    const start = browser.history.length;
    const silent = await silentAuthorization(browser, apps.b);
    expect(silent.url.searchParams.get('code'), silent.hop.location).to.be.a('string');
    const hops = browser.history.slice(start);
    expect(hops.some((h) => h.url.startsWith(`${cas?.url}/login?`) && new URL(h.url).searchParams.get('gateway') === 'true')).to.equal(true);
    expect(hops.some((h) => h.body.includes('name="password"'))).to.equal(false);

    const request = await authorizationRequest(apps.b.rp, { prompt: 'login' });
    const form = await browser.follow(request.url);
    expect(form.url.startsWith(`${cas.url}/login?`)).to.equal(true);
    expect(new URL(form.url).searchParams.get('renew')).to.equal('true');
    expect(form.body).to.include('name="password"');
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(apps.b.redirectUri));
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 300)}`).to.match(/[?&]code=/);
  });

  it('RP-initiated logout passes through CAS /logout and returns the state unchanged', async () => {
    if (!cas || !setup) throw new Error('not started');
    const { apps, bridge } = setup;
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const atB = await loginAt(browser, apps.b, 'alice', 'alice-pass');
    const state = 'kc.eyJzdGF0ZSI6InJlYWwtY2FzIn0.-_~x';
    const start = browser.history.length;
    const page = await browser.follow(oidc.buildEndSessionUrl(apps.a.rp.config, {
      id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri, state,
    }).href);
    const end = await browser.submitForm(page, {}, (l) => l.startsWith(apps.a.postLogoutUri));
    expect(new URL(end.location ?? 'x:').searchParams.get('state')).to.equal(state);

    const hops = browser.history.slice(start).map((h) => h.url);
    const casLogout = hops.findIndex((u) => u.startsWith(`${cas?.url}/logout?`));
    expect(casLogout, hops.join('\n')).to.be.greaterThan(-1);
    expect(new URL(hops[casLogout] ?? '').searchParams.get('service')).to.equal(`${new URL(bridge.issuer).origin}/callback`);
    expect(hops[casLogout + 1]).to.equal(`${new URL(bridge.issuer).origin}/callback`);

    expect(apps.a.backchannel.tokens, 'the requesting client is not back-channelled').to.have.length(0);
    expect(apps.b.backchannel.tokens).to.have.length(1);
    expect((await verifyLogoutToken(apps.b.backchannel.tokens[0] ?? '', bridge.issuer, 'app-b')).sid).to.equal(atB.sid);

    // CAS's session ended too: a new login needs the password
    const again = await browser.follow((await authorizationRequest(apps.a.rp)).url);
    expect(again.url.startsWith(`${cas.url}/login?`)).to.equal(true);
    expect(again.body).to.include('name="password"');
  });
});
