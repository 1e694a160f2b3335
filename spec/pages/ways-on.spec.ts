// Pages people meet offer a way on (issue 17, section 4): an unknown path gets the branded page in
// the reader's language; the logged-out page links back to the application; the end-session
// confirmation offers a cancel; a CAS failure and an unusable account offer "back to the
// application"; the technical detail line is labelled as technical (in English) on Chinese pages; a
// redirect URI that is not registered gets a page that says so, and a log line with both URIs.
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { relyingParty } from '../support/rp.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'https://app.example.edu/oidc/callback';
const HOME = 'https://app.example.edu/start';
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9' };

const page = (body: string) => parseHtml(body);
const actionsOf = (body: string) => page(body).querySelectorAll('.actions a, .actions button').map((a) => ({
  tag: a.tagName.toLowerCase(), href: a.getAttribute('href') ?? '', text: a.text.trim(), hidden: a.hasAttribute('hidden'),
}));

describe('pages offer a way on', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`, BRAND_NAME: 'Example University',
      CLIENTS: [
        { client_id: 'portal', client_secret: CLIENT_SECRET, client_name: 'Staff Portal', client_uri: HOME, redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://app.example.edu/bye'] },
        { client_id: 'kc', client_secret: CLIENT_SECRET, redirect_uris: ['https://sso.example.edu/realms/staff/broker/cas/endpoint'] },
      ],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('an unknown path: the branded 404 page in the reader\'s language (JSON for a client that asks for JSON)', async () => {
    const en = await fetch(`${bridge.issuer}/no/such/page`);
    expect(en.status).to.equal(404);
    expect(en.headers.get('content-type')).to.match(/^text\/html/);
    expect(en.headers.get('content-security-policy')).to.contain("default-src 'none'");
    const enBody = await en.text();
    expect(page(enBody).querySelector('h1')?.text).to.equal('Page not found');
    expect(enBody).to.contain('Example University');
    const zh = await fetch(`${bridge.issuer}/favicon.ico`, { headers: ZH });
    expect(zh.status).to.equal(404);
    expect(page(await zh.text()).querySelector('h1')?.text).to.equal('页面不存在');
    const json = await fetch(`${bridge.issuer}/no/such/endpoint`, { headers: { accept: 'application/json' } });
    expect(json.status).to.equal(404);
    expect(await json.json()).to.deep.equal({ error: 'not_found', error_description: 'no such endpoint' });
    // oidc-provider's own answers are untouched
    expect((await fetch(`${bridge.issuer}/.well-known/openid-configuration`)).status).to.equal(200);
  });

  it('the end-session confirmation offers a cancel: back to the application, or back in history', async () => {
    const withClient = await new TestBrowser().follow(`${bridge.issuer}/session/end?client_id=portal`);
    // no session: oidc-provider's own form; log in first for the bridge's confirmation page
    expect(withClient.status).to.equal(200);
    const browser = new TestBrowser();
    const rp = await relyingParty(bridge.issuer, 'portal', CLIENT_SECRET, REDIRECT);
    const request = oidc.buildAuthorizationUrl(rp.config, { redirect_uri: REDIRECT, scope: 'openid', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const form = await browser.follow(request.href);
    await browser.submitForm(form, { username: 'alice', password: 'pw' }, (l) => l.startsWith(REDIRECT));

    const confirm = await browser.follow(`${bridge.issuer}/session/end?client_id=portal`);
    expect(confirm.status).to.equal(200);
    const actions = actionsOf(confirm.body);
    expect(actions.map((a) => a.text)).to.deep.equal(['Log out', 'Log out of Staff Portal only', 'Cancel']);
    expect(actions[2]).to.include({ tag: 'a', href: HOME });

    browser.acceptLanguage = 'zh-CN,zh;q=0.9';
    const anonymous = await browser.request(`${bridge.issuer}/session/end`);
    browser.acceptLanguage = 'en';
    const cancel = actionsOf(anonymous.body).find((a) => a.text === '取消');
    expect(cancel, anonymous.body.slice(0, 500)).to.include({ tag: 'button', hidden: true }); // shown by a script when there is a page to go back to
    const nonce = /script-src 'nonce-([^']+)'/.exec(anonymous.headers.get('content-security-policy') ?? '')?.[1];
    expect(page(anonymous.body).querySelector('script')?.getAttribute('nonce')).to.equal(nonce);
    expect(page(anonymous.body).querySelector('script')?.text).to.contain('history.back()');

    // the logged-out page links back to the application
    const again = await browser.follow(`${bridge.issuer}/session/end?client_id=portal`); // a fresh xsrf
    const out = await browser.submitForm(again, { logout: 'yes' });
    expect(new URL(out.url).pathname).to.equal('/session/end/success');
    expect(actionsOf(out.body)).to.deep.equal([{ tag: 'a', href: HOME, text: 'Back to Staff Portal', hidden: false }]);
  });

  it('a Keycloak client without client_uri leads back to its realm\'s account page', () => {
    const kc = bridge.services.clients.get('kc');
    expect(kc?.homeUri).to.equal('https://sso.example.edu/realms/staff/account');
    expect(bridge.services.clients.get('portal')?.homeUri).to.equal(HOME);
  });

  it('a redirect URI that is not registered: a page that says so, the URIs in the log only', async () => {
    const sent = 'https://app.example.edu/oidc/callbak';
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'portal', response_type: 'code', scope: 'openid', redirect_uri: sent, state: 'x' }).toString();
    const res = await fetch(url, { redirect: 'manual', headers: ZH });
    expect(res.status).to.equal(400);
    const body = await res.text();
    const root = page(body);
    expect(root.querySelector('h1')?.text).to.equal('此应用尚未在登录桥接服务中正确配置');
    expect(root.querySelector('main p')?.text).to.contain('回调地址');
    expect(body).not.to.contain(REDIRECT);
    // the detail line is labelled as technical, in English, and marked as English text
    expect(root.querySelector('.detail')?.text).to.match(/^技术详情（英文，供技术人员排查）：/);
    expect(root.querySelector('.detail code')?.getAttribute('lang')).to.equal('en');
    const line = bridge.logs.find((l) => l.event === 'authorization_error' && l.error === 'invalid_redirect_uri');
    expect(line).to.include({ level: 40, client: 'portal', redirectUri: sent });
    expect(line?.registered).to.deep.equal([REDIRECT]);
  });
});

describe('CAS failure pages offer "back to the application"', () => {
  let cas: ScriptedCas;
  let bridge: TestBridge;
  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('serviceValidate-INVALID_TICKET-unknown.xml')));
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENTS: [{ client_id: 'rp', client_secret: CLIENT_SECRET, client_name: 'Library', redirect_uris: [REDIRECT] }] });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('CAS refused the ticket: "Try again" and "Back to Library" (access_denied with the state)', async () => {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'st-7' }).toString();
    const hop = await new TestBrowser().follow(url.href, (l) => l.startsWith(REDIRECT));
    expect(hop.status).to.equal(401);
    const actions = actionsOf(hop.body);
    expect(actions.map((a) => a.text)).to.deep.equal(['Try again', 'Back to Library']);
    const back = new URL(actions[1]?.href ?? '');
    expect(`${back.origin}${back.pathname}`).to.equal(REDIRECT);
    expect(Object.fromEntries(back.searchParams)).to.include({ error: 'access_denied', state: 'st-7' });
  });
});
