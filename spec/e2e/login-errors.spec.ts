// Every failure a person can hit during the CAS login gets a readable HTML page with a fitting
// status, no stack trace, and the way forward: "Try again" restarts the CAS login for the same
// pending authorization; once it has expired, "back to the application" returns access_denied
// with the original state to the client.
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import { freePort } from '../support/net.js';
import { TestBrowser, type Hop } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const ALICE = xmlAnswer(fixture('p3-serviceValidate-success-alice.xml'));

/** An error page as a person sees it. */
function expectPage(hop: Hop, status: number, title: RegExp): { actions: Array<{ href: string; text: string }> } {
  expect(hop.status, hop.body.slice(0, 400)).to.equal(status);
  expect(hop.headers.get('content-type')).to.match(/^text\/html/);
  expect(hop.location).to.equal(undefined);
  expect(hop.body).not.to.match(/\n\s+at |Error:|stack/);
  expect(hop.body).not.to.match(/ST-\d+-scriptedTicket/); // the ticket is never echoed
  const root = parseHtml(hop.body);
  expect(root.querySelector('h1')?.text).to.match(title);
  return { actions: root.querySelectorAll('.actions a').map((a) => ({ href: a.getAttribute('href') ?? '', text: a.text.trim() })) };
}

describe('login errors end to end', () => {
  let cas: ScriptedCas;
  let bridge: TestBridge;

  before(async () => {
    cas = await scriptedCas(ALICE);
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_REQUEST_TIMEOUT: 0.5,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });
  afterEach(() => {
    cas.validate = ALICE;
  });

  const authorizeUrl = (extra: Record<string, string> = {}): string => {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'state-42', ...extra }).toString();
    return url.href;
  };
  const atCas = (l: string): boolean => l.startsWith(cas.url);
  const atRp = (l: string): boolean => l.startsWith(REDIRECT);

  /** Starts an authorization and stops at CAS /login (the browser about to leave for CAS). */
  async function toCas(browser: TestBrowser, extra: Record<string, string> = {}): Promise<{ casLogin: URL; uid: string }> {
    const hop = await browser.follow(authorizeUrl(extra), atCas);
    expect(hop.location, `${hop.status} ${hop.body.slice(0, 300)}`).to.satisfy(atCas);
    const previous = browser.history.at(-1)!;
    const uid = /\/interaction\/([^/?]+)/.exec(previous.url)?.[1] ?? '';
    return { casLogin: new URL(hop.location!), uid };
  }

  /** CAS sends the browser back to the service URL with this ticket; follow to a page or the RP. */
  const backFromCas = (browser: TestBrowser, casLogin: URL, ticket: string | undefined): Promise<Hop> => {
    const service = new URL(casLogin.searchParams.get('service')!);
    if (ticket) service.searchParams.set('ticket', ticket);
    return browser.follow(service.href, atRp);
  };

  /** The whole round trip through the scripted CAS (its /login issues a ticket at once). */
  const login = (browser: TestBrowser, extra: Record<string, string> = {}): Promise<Hop> => browser.follow(authorizeUrl(extra), atRp);

  async function expectTryAgainCompletes(browser: TestBrowser, actions: Array<{ href: string; text: string }>, uid: string): Promise<void> {
    const retry = actions.find((a) => a.text === 'Try again');
    expect(retry?.href).to.equal(`${bridge.issuer}/interaction/${uid}`);
    cas.validate = ALICE;
    const done = await browser.follow(new URL(retry!.href, bridge.issuer).href, atRp);
    const back = new URL(done.location!);
    expect(back.searchParams.get('code')).to.be.a('string');
    expect(back.searchParams.get('state')).to.equal('state-42');
    expect(back.searchParams.get('iss')).to.equal(bridge.issuer);
  }

  for (const [code, file] of [['INVALID_TICKET', 'serviceValidate-INVALID_TICKET-unknown.xml'], ['INVALID_SERVICE', 'serviceValidate-INVALID_SERVICE.xml']] as const) {
    it(`CAS authenticationFailure ${code}: 401 page naming the code; "Try again" restarts the same authorization`, async () => {
      cas.validate = xmlAnswer(fixture(file));
      const browser = new TestBrowser();
      const { casLogin, uid } = await toCas(browser);
      const page = await backFromCas(browser, casLogin, 'ST-1-scriptedTicket1');
      const { actions } = expectPage(page, 401, /CAS could not confirm your login/);
      expect(page.body).to.include(`CAS: ${code}`);
      await expectTryAgainCompletes(browser, actions, uid);
    });
  }

  it('CAS INVALID_REQUEST: 400; INTERNAL_ERROR: 502', async () => {
    cas.validate = xmlAnswer(fixture('serviceValidate-INVALID_REQUEST.xml'));
    expectPage(await login(new TestBrowser()), 400, /CAS could not confirm/);
    cas.validate = xmlAnswer('<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INTERNAL_ERROR">boom</cas:authenticationFailure></cas:serviceResponse>');
    expectPage(await login(new TestBrowser()), 502, /CAS could not confirm/);
  });

  it('CAS too slow (CAS_REQUEST_TIMEOUT): 504 page, and "Try again" works once CAS answers', async () => {
    cas.validate = () => { /* never answers */ };
    const browser = new TestBrowser();
    const { uid } = await toCas(browser);
    const page = await browser.follow(browser.history.at(-1)!.location!, atRp);
    const { actions } = expectPage(page, 504, /not answering/);
    await expectTryAgainCompletes(browser, actions, uid);
  });

  it('a non-XML answer from CAS: 502 page', async () => {
    cas.validate = (_r, res) => res.end('<!DOCTYPE html><html><body>CAS is under maintenance</body></html>');
    const { actions } = expectPage(await login(new TestBrowser()), 502, /answered strangely/);
    expect(actions.map((a) => a.text)).to.include('Try again');
    cas.validate = (_r, res) => res.end('yes\nalice\n');
    expectPage(await login(new TestBrowser()), 502, /answered strangely/);
  });

  it('CAS answering HTTP 500: 502 page', async () => {
    cas.validate = (_r, res) => { res.statusCode = 500; res.end('oops'); };
    expectPage(await login(new TestBrowser()), 502, /answered strangely/);
  });

  it('CAS unreachable: 502 page', async () => {
    const closed = await freePort();
    const other = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_VALIDATE_URL: `http://127.0.0.1:${closed}/cas/p3/serviceValidate`,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
    });
    try {
      const url = new URL('/authorize', other.issuer);
      url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 's' }).toString();
      const page = await new TestBrowser().follow(url.href, atRp);
      const { actions } = expectPage(page, 502, /cannot be reached/);
      expect(actions.map((a) => a.text)).to.deep.equal(['Try again']);
    } finally {
      await other.stop();
    }
  });

  it('the callback without a ticket, login in progress: 400 page with "Try again"', async () => {
    const browser = new TestBrowser();
    const { casLogin, uid } = await toCas(browser);
    const page = await backFromCas(browser, casLogin, undefined);
    const { actions } = expectPage(page, 400, /The login did not finish/);
    await expectTryAgainCompletes(browser, actions, uid);
  });

  it('the callback without a ticket and without a login in progress: 400 page', async () => {
    const page = await new TestBrowser().follow(`${bridge.issuer}/callback`);
    expectPage(page, 400, /The login did not finish/);
  });

  it('the callback with a ticket but no login in progress (another browser): 400 page, CAS not asked', async () => {
    const before = cas.requests.length;
    const page = await new TestBrowser().follow(`${bridge.issuer}/callback?ticket=ST-9-scriptedTicket9`);
    expectPage(page, 400, /No login in progress/);
    expect(cas.requests.length).to.equal(before);
  });

  it('a forged pending-login cookie is ignored (the signature does not match)', async () => {
    const browser = new TestBrowser();
    await browser.jar.setCookie('cas_oidc_pending=someone-elses-uid', bridge.issuer);
    await browser.jar.setCookie('cas_oidc_pending.sig=AAAA', bridge.issuer);
    const page = await browser.follow(`${bridge.issuer}/callback?ticket=ST-9-scriptedTicket9`);
    expectPage(page, 400, /No login in progress/);
  });

  it('an interaction that no longer exists: page with "back to the application" -> access_denied and the original state', async () => {
    const browser = new TestBrowser();
    const { casLogin, uid } = await toCas(browser);
    const interaction = await bridge.holder.current.Interaction.find(uid);
    expect(interaction, 'interaction stored').to.not.equal(undefined);
    await interaction!.destroy();
    const before = cas.requests.length;
    const page = await backFromCas(browser, casLogin, 'ST-7-scriptedTicket7');
    const { actions } = expectPage(page, 400, /The login took too long/);
    expect(cas.requests.length, 'the ticket is not validated for a dead login').to.equal(before);
    expectBackToApp(actions);
  });

  function expectBackToApp(actions: Array<{ href: string; text: string }>): void {
    expect(actions).to.have.length(1);
    expect(actions[0]?.text).to.equal('Back to rp');
    const back = new URL(actions[0]!.href);
    expect(`${back.origin}${back.pathname}`).to.equal(REDIRECT);
    expect(back.searchParams.get('error')).to.equal('access_denied');
    expect(back.searchParams.get('state')).to.equal('state-42');
    expect(back.searchParams.get('iss')).to.equal(bridge.issuer);
    expect(back.searchParams.get('error_description')).to.match(/expired/);
  }

  it('SESSION_EXPIRY elapsed while the person was at CAS: the same page, the way back still offered', async function () {
    this.timeout(20_000);
    const short = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      SESSION_EXPIRY: 1,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
    });
    try {
      const browser = new TestBrowser();
      const url = new URL('/authorize', short.issuer);
      url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'state-42' }).toString();
      const hop = await browser.follow(url.href, atCas);
      const casLogin = new URL(hop.location!);
      await new Promise((r) => setTimeout(r, 2100));
      const page = await backFromCas(browser, casLogin, 'ST-8-scriptedTicket8');
      const { actions } = expectPage(page, 400, /The login took too long/);
      expect(actions).to.have.length(1);
      const back = new URL(actions[0]!.href);
      expect(back.searchParams.get('error')).to.equal('access_denied');
      expect(back.searchParams.get('state')).to.equal('state-42');
      expect(back.searchParams.get('iss')).to.equal(short.issuer);
    } finally {
      await short.stop();
    }
  });

  it('renew requested (prompt=login) but CAS says isFromNewLogin=false: 401 page asking to sign in again', async () => {
    cas.validate = xmlAnswer(fixture('serviceValidate-success-alice-sso.xml'));
    const browser = new TestBrowser();
    const { casLogin, uid } = await toCas(browser, { prompt: 'login' });
    expect(casLogin.searchParams.get('renew')).to.equal('true');
    const page = await backFromCas(browser, casLogin, 'ST-5-scriptedTicket5');
    const validation = cas.requests.at(-1)!;
    expect(validation.pathname).to.equal('/cas/p3/serviceValidate');
    expect(validation.searchParams.get('renew')).to.equal('true');
    const { actions } = expectPage(page, 401, /Please sign in again/);
    await expectTryAgainCompletes(browser, actions, uid);
  });

  it('a successful login sends the validation with the exact service string the browser was sent to CAS with', async () => {
    const browser = new TestBrowser();
    const { casLogin } = await toCas(browser);
    const done = await backFromCas(browser, casLogin, 'ST-6-scriptedTicket6');
    expect(done.location).to.satisfy(atRp);
    const validation = cas.requests.at(-1)!;
    expect(validation.searchParams.get('service')).to.equal(casLogin.searchParams.get('service'));
    expect(validation.searchParams.get('service')).to.match(new RegExp(`^${bridge.issuer}/callback\\?login=[\\w-]+$`));
    expect(validation.searchParams.get('ticket')).to.equal('ST-6-scriptedTicket6');
  });

  it('no log line carries a ticket (after every flow above)', () => {
    const text = JSON.stringify(bridge.logs);
    expect(bridge.logs.length).to.be.greaterThan(20);
    expect(text).to.include('/callback?ticket=…');
    expect(text).not.to.match(/scriptedTicket/);
    expect(text).not.to.include(CLIENT_SECRET);
  });

  it('the pages speak the browser\'s language (zh-CN)', async () => {
    cas.validate = xmlAnswer(fixture('serviceValidate-INVALID_TICKET-unknown.xml'));
    const browser = new TestBrowser();
    browser.acceptLanguage = 'zh-CN,zh;q=0.9,en;q=0.5';
    const page = await login(browser);
    expect(page.status).to.equal(401);
    expect(parseHtml(page.body).querySelector('html')?.getAttribute('lang')).to.equal('zh-CN');
  });
});
