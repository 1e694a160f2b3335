// The pages people see: every dynamic value escaped, a strict CSP, the language from
// Accept-Language, branding that stays readable, and the admin's template directory.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa, { type Context } from 'koa';
import { contrast, makeBranding } from '../../lib/pages/branding.js';
import { loadConfig } from '../../lib/config/index.js';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { pickLocale, Views } from '../../lib/pages/views.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, TEST_SECRET } from '../support/bridge.js';
import { authorizationRequest, loginThroughCas, relyingParty } from '../support/rp.js';

const XSS = '<script>alert("x")</script>';
const REDIRECT = 'http://127.0.0.1:9/cb';

function koaContext(headers: Record<string, string> = {}): Context {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  req.method = 'GET';
  req.url = '/';
  const app = new Koa();
  return app.createContext(req, new ServerResponse(req));
}

describe('pages', () => {
  describe('escaping', () => {
    it('escapes an error description and parameters on the error page', () => {
      const views = new Views();
      const ctx = koaContext({ 'accept-language': 'en' });
      ctx.state.requestId = `"><img src=x onerror=alert(1)>`;
      views.renderError(ctx, {
        status: 400, titleKey: 'error.access_denied.title', messageKey: 'error.access_denied.message',
        params: { client: XSS }, detail: `invalid_request: ${XSS}`, actions: [{ href: `javascript:"${XSS}`, label: 'action.retry' }],
      });
      const html = String(ctx.body);
      expect(html).not.to.contain('<script>alert');
      expect(html).not.to.contain('<img src=x');
      expect(html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(html).to.contain('href="javascript:&quot;&lt;script&gt;');
      const csp = String(ctx.response.get('content-security-policy'));
      expect(csp).to.match(/default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(ctx.status).to.equal(400);
    });

    it('escapes a client name on the access-denied page of a running bridge', async () => {
      const cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();
      const bridge = await startTestBridge({
        CAS_LOGIN_URL: `${cas.url}/login`,
        CLIENTS: [{ client_id: 'rp', client_secret: CLIENT_SECRET, client_name: XSS, redirect_uris: [REDIRECT], access: { user: true, equals: 'nobody' } }],
      });
      try {
        const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
        const page = await loginThroughCas(new TestBrowser(), rp, await authorizationRequest(rp), 'alice', 'pw');
        expect(page.status).to.equal(403);
        expect(page.body).to.contain('Access not allowed');
        expect(page.body).not.to.contain('<script>alert');
        expect(page.body).to.contain('Your account is not allowed to use &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
        expect(page.headers.get('content-security-policy')).to.contain("default-src 'none'");
      } finally {
        await bridge.stop();
        await cas.close();
      }
    });
  });

  describe('language', () => {
    it('follows Accept-Language with q-values, English by default', () => {
      expect(pickLocale('zh-CN,zh;q=0.9,en;q=0.8')).to.equal('zh-CN');
      expect(pickLocale('en-GB,zh;q=0.5')).to.equal('en');
      expect(pickLocale('fr;q=1, zh-TW;q=0.7')).to.equal('zh-CN');
      expect(pickLocale(undefined)).to.equal('en');
      const views = new Views();
      const html = views.html('error', { titleKey: 'error.server.title', messageKey: 'error.server.message', params: {}, actions: [], status: 500 }, { locale: 'zh-CN', nonce: 'n' });
      expect(html).to.contain('<html lang="zh-CN">');
      expect(html).to.contain('出现错误');
    });

    it('has the same keys in English and Simplified Chinese', async () => {
      const en = Object.keys((await import('../../views/locales/en.json', { with: { type: 'json' } })).default).sort();
      const zh = Object.keys((await import('../../views/locales/zh-CN.json', { with: { type: 'json' } })).default).sort();
      expect(zh).to.deep.equal(en);
    });
  });

  describe('branding', () => {
    it('keeps text readable on any brand colour (WCAG AA 4.5:1)', () => {
      for (const color of ['#1f4e8c', '#8c1d40', '#f5b400', '#ffffff', '#000000', '#7fbf7f', '#00a3e0']) {
        const b = makeBranding('x', color);
        expect(contrast(b.color, b.onColor), `${color} text`).to.be.at.least(4.5);
        expect(contrast(b.accent, '#ffffff'), `${color} accent`).to.be.at.least(4.5);
      }
      expect(makeBranding('x', '#f5b400').onColor).to.equal('#1b1f24');
      expect(makeBranding('x', '#1f4e8c').onColor).to.equal('#ffffff');
    });

    it('validates BRAND_COLOR and BRAND_LOGO_URL', () => {
      const base = { ISSUER: 'http://127.0.0.1:9', CAS_LOGIN_URL: 'http://127.0.0.1:8/cas/login', SECRET_KEY: TEST_SECRET, COOKIE_SECURE: false, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] };
      const problems = (overrides: Record<string, unknown>): string[] => {
        try {
          loadConfig({ env: {}, overrides: { ...base, ...overrides } });
          return [];
        } catch (err) {
          return [...(err as { problems: string[] }).problems];
        }
      };
      expect(problems({ BRAND_COLOR: 'red' })).to.deep.equal(['BRAND_COLOR: must be a colour written #rgb or #rrggbb, e.g. #1f4e8c']);
      expect(problems({ BRAND_COLOR: '#1f4e8c;}body{display:none' })).to.have.length(1);
      expect(problems({ BRAND_LOGO_URL: 'http://cdn.example.edu/logo.png' })[0]).to.match(/^BRAND_LOGO_URL: must be an https: URL or a data:image/);
      expect(problems({ BRAND_LOGO_URL: 'javascript:alert(1)' })).to.have.length(1);
      expect(problems({ BRAND_LOGO_URL: 'data:text/html,<script>' })).to.have.length(1);
      expect(problems({ BRAND_LOGO_URL: 'https://www.example.edu/logo.svg', BRAND_COLOR: '#ABC' })).to.deep.equal([]);
      expect(loadConfig({ env: {}, overrides: { ...base, BRAND_COLOR: '#ABC' } }).pages.brandColor).to.equal('#aabbcc');
      expect(problems({ TEMPLATE_DIR: '/nonexistent/templates' })).to.deep.equal(['TEMPLATE_DIR: /nonexistent/templates is not a directory']);
    });
  });

  describe('TEMPLATE_DIR', () => {
    it('overrides templates file by file and texts key by key, and the bridge uses them', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'templates-'));
      mkdirSync(join(dir, 'locales'));
      writeFileSync(join(dir, 'error.eta'), `<% layout('./layout', { ...it, title: 'Custom' }) %><h1 class="custom"><%= it.t(it.titleKey, it.params) %></h1><p><%= it.t('custom.help') %></p>`);
      writeFileSync(join(dir, 'locales', 'en.json'), JSON.stringify({ 'error.no_ticket.title': 'Your login was interrupted', 'custom.help': 'Call 1234 <24/7>' }));
      const cas = await new MiniCas({}).listen();
      const bridge = await startTestBridge({
        CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
        TEMPLATE_DIR: dir, BRAND_NAME: 'Example University', BRAND_COLOR: '#8c1d40',
      });
      try {
        const page = await new TestBrowser().request(`${bridge.issuer}/callback`);
        expect(page.status).to.equal(400);
        expect(page.body).to.contain('<h1 class="custom">Your login was interrupted</h1>');
        expect(page.body).to.contain('Call 1234 &lt;24/7&gt;');
        // the built-in layout still frames the admin's page, with the branding
        expect(page.body).to.contain('<title>Custom · Example University</title>');
        expect(page.body).to.contain('--brand: #8c1d40');
      } finally {
        await bridge.stop();
        await cas.close();
      }
    });
  });
});
