// OIDC login rules mapped onto CAS, with the in-process CAS: prompt=none → gateway, prompt=login and
// max_age → renew, auth_time from authenticationDate, acr/amr from the claims mapping.
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { authorizationRequest } from '../support/rp.js';
import { finishLogin, loginAt, silentAuthorization, startLogoutSetup, type LogoutSetup } from '../support/logout-setup.js';

const USERS = {
  alice: {
    password: 'alice-pass',
    attributes: { authnContextClass: 'https://refeds.org/profile/mfa', authenticationMethod: ['pwd', 'otp'] },
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Logs in at CAS itself (as at another CAS application), leaving a CAS session in the browser. */
async function loginAtCasOnly(browser: TestBrowser, casUrl: string): Promise<void> {
  const form = await browser.follow(`${casUrl}/login`);
  const done = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' });
  expect(done.body).to.include('Logged in');
}

describe('login rules mapped onto CAS (in-process CAS)', function () {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let mini: MiniCas;
  let setup: LogoutSetup;

  beforeEach(async () => {
    mini = new MiniCas({ users: USERS });
    cas = await mini.listen();
    setup = await startLogoutSetup(`${cas.url}/login`, {
      CLAIMS: { claims: { acr: { attribute: 'authnContextClass', transforms: ['first'] }, amr: 'authenticationMethod' } },
    });
  });
  afterEach(async () => {
    await setup?.stop();
    await cas?.close();
  });

  it('prompt=none with a CAS session but no bridge session logs in silently through CAS gateway', async () => {
    const browser = new TestBrowser();
    await loginAtCasOnly(browser, cas.url);
    const silent = await silentAuthorization(browser, setup.apps.a);
    const toCas = browser.history.find((h) => h.url.startsWith(`${cas.url}/login?`));
    expect(new URL(toCas?.url ?? 'x:').searchParams.get('gateway')).to.equal('true');
    expect(browser.history.some((h) => h.body.includes('name="password"') && h.url.includes('gateway'))).to.equal(false);
    expect(silent.url.searchParams.get('code')).to.be.a('string');
    const login = await finishLogin(setup.apps.a, silent.request, silent.hop);
    expect(decodeJwt(login.idToken).sub).to.equal('alice');
    expect(mini.stats.ssoLogins).to.equal(1);
  });

  it('prompt=none without any session answers login_required at the redirect URI, with the state', async () => {
    const browser = new TestBrowser();
    const silent = await silentAuthorization(browser, setup.apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
    expect(silent.url.searchParams.get('state')).to.equal(silent.request.state);
    expect(silent.url.searchParams.get('iss')).to.equal(setup.bridge.issuer);
    expect(browser.history.every((h) => h.status !== 200), 'no page on the way').to.equal(true);
    expect(browser.history.some((h) => h.url.startsWith(`${cas.url}/login?`) && h.url.includes('gateway=true'))).to.equal(true);
  });

  it('prompt=none with a bridge session does not go to CAS', async () => {
    const browser = new TestBrowser();
    await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    const validations = mini.stats.validations;
    const silent = await silentAuthorization(browser, setup.apps.b);
    expect(silent.url.searchParams.get('code')).to.be.a('string');
    expect(mini.stats.validations).to.equal(validations);
  });

  it('prompt=none with a bridge session older than max_age answers login_required', async () => {
    const browser = new TestBrowser();
    await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    await sleep(1100);
    const request = await authorizationRequest(setup.apps.a.rp, { prompt: 'none', max_age: '0' });
    const hop = await browser.follow(request.url, (l) => l.startsWith(setup.apps.a.redirectUri));
    const back = new URL(hop.location ?? 'x:');
    expect(back.searchParams.get('error')).to.equal('login_required');
    expect(back.searchParams.get('state')).to.equal(request.state);
  });

  it('a cas_gateway parameter sent by a client is ignored', async () => {
    const browser = new TestBrowser();
    const request = await authorizationRequest(setup.apps.a.rp, { cas_gateway: 'true' });
    const page = await browser.follow(request.url);
    expect(page.url.startsWith(`${cas.url}/login?`)).to.equal(true);
    expect(new URL(page.url).searchParams.get('gateway')).to.equal(null);
    expect(page.body).to.include('name="password"');
  });

  it('prompt=login sends CAS renew=true and needs the password again despite the CAS session', async () => {
    const browser = new TestBrowser();
    await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    expect(mini.stats.passwordLogins).to.equal(1);
    const request = await authorizationRequest(setup.apps.a.rp, { prompt: 'login' });
    const form = await browser.follow(request.url);
    expect(new URL(form.url).searchParams.get('renew')).to.equal('true');
    expect(form.body).to.include('name="password"');
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(setup.apps.a.redirectUri));
    await finishLogin(setup.apps.a, request, back);
    expect(mini.stats.passwordLogins).to.equal(2);
  });

  it('a login CAS marks isFromNewLogin=false does not count when a fresh one was asked for', async () => {
    await setup.stop();
    await cas.close();
    mini = new MiniCas({ users: USERS, ignoreRenew: true });
    cas = await mini.listen();
    setup = await startLogoutSetup(`${cas.url}/login`);
    const browser = new TestBrowser();
    await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    const request = await authorizationRequest(setup.apps.a.rp, { prompt: 'login' });
    const page = await browser.follow(request.url, (l) => l.startsWith(setup.apps.a.redirectUri));
    expect(page.status).to.equal(401);
    expect(page.body).to.include('Please sign in again');
    expect(setup.bridge.logs.some((l) => l.outcome === 'renew_not_honoured')).to.equal(true);
  });

  it('max_age older than the CAS login asks CAS for credentials again', async () => {
    const browser = new TestBrowser();
    await loginAtCasOnly(browser, cas.url);
    await sleep(2100);
    const request = await authorizationRequest(setup.apps.a.rp, { max_age: '1' });
    const form = await browser.follow(request.url);
    // first through single sign-on, then, the CAS login being older than max_age, with renew
    const toCas = browser.history.filter((h) => h.url.startsWith(`${cas.url}/login?`)).map((h) => new URL(h.url).searchParams.get('renew'));
    expect(toCas).to.deep.equal([null, 'true']);
    expect(form.body).to.include('name="password"');
    const before = Math.floor(Date.now() / 1000);
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(setup.apps.a.redirectUri));
    const login = await finishLogin(setup.apps.a, request, back);
    expect(Number(decodeJwt(login.idToken).auth_time)).to.be.at.least(before);
  });

  it('auth_time is when CAS says the person logged in; acr and amr come from the claims mapping', async () => {
    const browser = new TestBrowser();
    const casLogin = Math.floor(Date.now() / 1000);
    await loginAtCasOnly(browser, cas.url);
    await sleep(1100);
    const login = await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    const claims = decodeJwt(login.idToken);
    expect(claims.auth_time).to.be.within(casLogin, casLogin + 1);
    expect(Number(claims.iat)).to.be.greaterThan(Number(claims.auth_time));
    expect(claims.acr).to.equal('https://refeds.org/profile/mfa');
    expect(claims.amr).to.deep.equal(['pwd', 'otp']);
    // they describe one login: not in userinfo
    const info = await oidc.fetchUserInfo(setup.apps.a.rp.config, login.tokens.access_token, 'alice');
    expect(info).to.not.have.any.keys('acr', 'amr');
  });
});
