// The pages people see, in Debian's Chromium: a full login through the real CAS login form
// (django-cas-server) from the demo application, the logout, and the bridge's error pages in
// English, Simplified Chinese and on a phone-sized screen. Every page is screenshotted to
// spec/.artifacts/ for a person to look at; the assertions check what can be checked mechanically.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/observability/logger.js';
import { startDemo, type RunningDemo } from '../../lib/demo/run.js';
import { openBrowser, requireChromium, type BrowserSession } from '../support/chromium.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';

const LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="8" fill="#fff"/><path d="M10 28V12h6l4 10 4-10h6v16h-4V19l-4 9h-4l-4-9v9z" fill="#8c1d40"/></svg>')}`;

describe('pages in a browser (Chromium, real CAS)', function () {
  this.timeout(120_000);
  let cas: RealCas;
  let demo: RunningDemo;
  let issuer: string;

  before(async function () {
    requireChromium(this);
    requireRealCas(this);
    cas = await startRealCas();
    demo = await startDemo({
      port: 0,
      casLoginUrl: `${cas.url}/login`,
      logger: createLogger('warn', { destination: new Writable({ write: (_c, _e, cb) => cb() }), pretty: false }),
      settings: { BRAND_NAME: 'Example University Sign-in', BRAND_COLOR: '#8c1d40', BRAND_LOGO_URL: LOGO },
      // carol has no attributes: she is refused, which gives the access-denied page
      access: { name: 'staff only', attribute: 'memberOf', has: 'staff' },
    });
    issuer = demo.bridge.services.config.issuer;
  });
  after(async () => {
    await demo?.close();
    await cas?.stop();
  });

  async function bridgePage(b: BrowserSession, name: string) {
    const lang = await b.page.getAttribute('html', 'lang');
    const title = await b.page.title();
    const h1 = (await b.page.textContent('main h1'))?.trim();
    expect(await b.page.locator('header').count(), 'a banner landmark').to.equal(1);
    expect(await b.page.locator('main').count(), 'a main landmark').to.equal(1);
    await b.screenshot(name);
    return { lang, title, h1 };
  }

  it('walks a full login through the real CAS form and back to the claims, then logs out (English, desktop)', async () => {
    const b = await openBrowser({ locale: 'en-US' });
    try {
      await b.page.goto(demo.url);
      await b.screenshot('01-app-start');
      await b.page.click('text=Log in');
      await b.page.waitForURL((u) => u.href.startsWith(`${cas.url}/login`));
      await b.page.fill('input[name="username"]', 'alice');
      await b.page.fill('input[name="password"]', 'alice-pass');
      await b.screenshot('02-real-cas-login-form');
      await b.page.click('button[type="submit"]');
      await b.page.waitForURL(demo.url);
      await b.page.waitForSelector('text=ID token signature verified');
      await b.screenshot('03-app-signed-in');
      expect(await b.page.textContent('h1')).to.contain('Alice Example');
      expect(await b.page.textContent('body')).to.contain('["staff","admins"]');

      await b.page.click('text=Log out');
      await b.page.waitForURL((u) => u.href.startsWith(issuer) || u.href === demo.url);
      // oidc-provider's own confirmation page (until the bridge's logout pages replace it) loads a web font
      let stockLogoutPage = false;
      if (b.page.url().startsWith(issuer)) {
        stockLogoutPage = (await b.page.title()) === 'Logout Request';
        await b.screenshot('04-bridge-logout-confirmation');
        await b.page.click('button[type="submit"], input[type="submit"]');
        await b.page.waitForURL(demo.url);
      }
      await b.screenshot('05-app-logged-out');
      expect(await b.page.textContent('body')).to.contain('You are logged out');
      const ours = b.problems.filter((p) => p.startsWith(issuer) && !(stockLogoutPage && p.startsWith(`${issuer}/session/end`)));
      expect(ours, b.problems.join('\n')).to.deep.equal([]);
    } finally {
      await b.close();
    }
  });

  it('shows the error pages in English: no login in progress, a bad request, access denied', async () => {
    const b = await openBrowser({ locale: 'en-US' });
    try {
      await b.page.goto(`${issuer}/callback?ticket=ST-1-not-a-real-ticket`);
      const noLogin = await bridgePage(b, '10-error-no-login-en');
      expect(noLogin).to.include({ lang: 'en', h1: 'No login in progress' });
      expect(noLogin.title).to.equal('No login in progress · Example University Sign-in');
      expect(await b.page.textContent('.meta')).to.match(/Error 400\s+Reference for the IT service desk: [0-9a-f-]{36}/);

      await b.page.goto(`${issuer}/authorize?client_id=demo-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
      const bad = await bridgePage(b, '11-error-redirect-uri-not-registered-en');
      expect(bad.h1).to.equal('This application is not set up at the sign-in bridge');
      expect(await b.page.textContent('.detail')).to.match(/^Technical details:invalid_redirect_uri/);

      await b.page.goto(`${issuer}/no/such/page`);
      const missing = await bridgePage(b, '11b-error-not-found-en');
      expect(missing).to.include({ lang: 'en', h1: 'Page not found' });

      await b.page.goto(demo.url);
      await b.page.click('text=Log in');
      await b.page.fill('input[name="username"]', 'carol');
      await b.page.fill('input[name="password"]', 'carol-pass');
      await b.page.click('button[type="submit"]');
      await b.page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`));
      const denied = await bridgePage(b, '12-error-access-denied-en');
      await b.page.keyboard.press('Tab');
      expect(await b.page.locator(':focus').textContent()).to.equal('Back to Demo application');
      await b.screenshot('13-error-access-denied-keyboard-focus-en');
      expect(denied.h1).to.equal('Access not allowed');
      expect(await b.page.textContent('main p')).to.contain('Demo application');
      await b.page.click('text=Back to Demo application');
      await b.page.waitForURL(demo.url);
      expect(await b.page.textContent('body')).to.contain('access_denied');
      expect(b.problems.filter((p) => p.startsWith(issuer)), b.problems.join('\n')).to.deep.equal([]);
    } finally {
      await b.close();
    }
  });

  it('speaks Simplified Chinese to a zh-CN browser', async () => {
    const b = await openBrowser({ locale: 'zh-CN' });
    try {
      await b.page.goto(`${issuer}/callback?ticket=ST-1-not-a-real-ticket`);
      const page = await bridgePage(b, '20-error-no-login-zh-CN');
      expect(page).to.include({ lang: 'zh-CN', h1: '没有正在进行的登录' });
      expect(await b.page.textContent('.meta')).to.contain('错误 400');
    } finally {
      await b.close();
    }
  });

  it('fits a phone screen (390 px wide, no horizontal scrolling)', async () => {
    const b = await openBrowser({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await b.page.goto(demo.url);
      await b.page.click('text=Log in');
      await b.page.fill('input[name="username"]', 'carol');
      await b.page.fill('input[name="password"]', 'carol-pass');
      await b.page.click('button[type="submit"]');
      await b.page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`));
      const denied = await bridgePage(b, '30-error-access-denied-mobile-zh-CN');
      expect(denied.h1).to.equal('无权访问');
      const widths = await b.page.evaluate<{ doc: number; view: number }>('({ doc: document.documentElement.scrollWidth, view: window.innerWidth })');
      expect(widths.doc, 'no horizontal scroll').to.be.at.most(widths.view);

      await b.page.goto(`${issuer}/authorize?client_id=demo-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/a/very/long/path/that/should/wrap/instead/of/overflowing/the/screen')}`);
      await bridgePage(b, '31-error-bad-request-mobile-zh-CN');
      const after = await b.page.evaluate<{ doc: number; view: number }>('({ doc: document.documentElement.scrollWidth, view: window.innerWidth })');
      expect(after.doc, 'no horizontal scroll').to.be.at.most(after.view);
    } finally {
      await b.close();
    }
  });
});

describe('demo mode in a browser (Chromium)', function () {
  this.timeout(60_000);
  let demo: RunningDemo;

  before(async function () {
    requireChromium(this);
    demo = await startDemo({ port: 0, logger: createLogger('warn', { destination: new Writable({ write: (_c, _e, cb) => cb() }), pretty: false }) });
  });
  after(async () => {
    await demo?.close();
  });

  it('logs in through the demo CAS form and shows the Chinese display name', async () => {
    const b = await openBrowser({ locale: 'en-US' });
    try {
      await b.page.goto(demo.url);
      await b.page.click('text=Log in');
      await b.page.waitForURL((u) => u.href.startsWith(`${demo.casUrl}/login`));
      await b.page.fill('input[name="username"]', 'zhangwei');
      await b.screenshot('40-demo-cas-login-form');
      await b.page.click('button[type="submit"]');
      await b.page.waitForURL(demo.url);
      await b.screenshot('41-demo-app-signed-in');
      expect(await b.page.textContent('h1')).to.equal('Signed in as 张伟');
    } finally {
      await b.close();
    }
  });
});
