// A single-page app in Debian's Chromium, written with oidc-client-ts (its browser build, from
// npm) and served on loopback, registered as a public client: it logs in through the real CAS
// server (django-cas-server) and the consent page, shows the claims (with userinfo), refreshes its
// tokens (rotated), and logs out (refresh token revoked, through CAS /logout). The same app served
// from an origin no registration lists is refused by CORS, and its refused calls cost the real app
// nothing. Screenshots go to spec/.artifacts/.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startTestBridge, type TestBridge } from '../support/bridge.js';
import { openBrowser, requireChromium, type BrowserSession } from '../support/chromium.js';
import { freePort } from '../support/net.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { serveSpa, type SpaServer } from '../support/spa-server.js';

interface StoredUser {
  readonly access_token: string;
  readonly refresh_token: string;
}

describe('a single-page app with oidc-client-ts as a public client (Chromium, real CAS)', function () {
  this.timeout(180_000);
  let cas: RealCas;
  let bridge: TestBridge;
  let app: SpaServer;
  let stranger: SpaServer;
  let b: BrowserSession | undefined;
  const storageKey = () => `oidc.user:${bridge.issuer}:spa`;

  before(async function () {
    requireChromium(this);
    requireRealCas(this);
    cas = await startRealCas();
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    app = await serveSpa({ authority: issuer, clientId: 'spa' });
    stranger = await serveSpa({ authority: issuer, clientId: 'spa' });
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENTS: [{
        client_id: 'spa', client_name: 'Photo Album', token_endpoint_auth_method: 'none',
        redirect_uris: [`${app.origin}/callback`], post_logout_redirect_uris: [`${app.origin}/logged-out`],
      }],
    }, { port });
  });
  after(async () => {
    await b?.close();
    await bridge?.stop();
    await app?.close();
    await stranger?.close();
    await cas?.stop();
  });

  /** The app's stored user (oidc-client-ts keeps it in localStorage under this key), as JSON text. */
  const storedText = (page: Page): Promise<string | null> => page.evaluate<string | null>(`localStorage.getItem(${JSON.stringify(storageKey())})`);
  const stored = async (page: Page): Promise<StoredUser> => JSON.parse(await storedText(page) ?? 'null') as StoredUser;
  const status = (page: Page) => page.locator('#status');

  it('logs in through CAS and the consent page, shows the claims, refreshes, is refused from another origin, and logs out', async () => {
    b = await openBrowser({ locale: 'en-US' });
    const { page } = b;
    await page.goto(app.origin);
    await status(page).filter({ hasText: 'signed out' }).waitFor();
    await page.click('#login');
    await page.waitForURL((u) => u.href.startsWith(`${cas.url}/login`));
    await page.fill('input[name="username"]', 'alice');
    await page.fill('input[name="password"]', 'alice-pass');
    await page.click('button[type="submit"]');

    // a public client is not first-party: the person is asked
    await page.waitForURL((u) => u.href.startsWith(`${bridge.issuer}/`));
    await page.locator('button[value="allow"]').waitFor();
    expect(await page.textContent('main h1')).to.equal('Allow Photo Album to use your account?');
    expect(await page.locator('li[data-scope]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-scope')))).to.deep.equal(['openid', 'profile', 'email', 'offline_access']);
    await b.screenshot('spa-01-consent');
    await page.click('button[value="allow"]');

    await page.waitForURL((u) => u.origin === app.origin);
    await status(page).filter({ hasText: 'signed in as alice' }).waitFor();
    const claims = JSON.parse(await page.textContent('#claims') ?? '{}') as Record<string, unknown>;
    // ID token claims and userinfo (loadUserInfo), fetched by the browser across origins
    expect(claims).to.include({ sub: 'alice', email: 'alice@example.org', name: 'Alice Example', preferred_username: 'alice' });
    await page.click('#userinfo');
    await page.locator('#userinfo-out').filter({ hasText: 'alice@example.org' }).waitFor();
    await b.screenshot('spa-02-signed-in');

    const before = await stored(page);
    await page.click('#refresh');
    await page.locator('#refreshes').filter({ hasText: '1' }).waitFor();
    const after = await stored(page);
    expect(after.refresh_token, 'rotated').to.be.a('string').and.not.equal(before.refresh_token);
    expect(after.access_token).to.not.equal(before.access_token);
    expect(await page.textContent('#error')).to.equal('');

    // the same app from an origin no registration lists, holding the same tokens
    const other = await b.context.newPage();
    const otherConsole: string[] = [];
    other.on('console', (m) => otherConsole.push(m.text()));
    await other.goto(stranger.origin);
    await other.evaluate(`localStorage.setItem(${JSON.stringify(storageKey())}, ${JSON.stringify(await storedText(page))})`);
    await other.reload();
    await status(other).filter({ hasText: 'signed in as alice' }).waitFor();
    await other.click('#userinfo');
    await other.locator('#error').filter({ hasText: 'userinfo failed' }).waitFor();
    await other.click('#refresh');
    await other.locator('#error').filter({ hasText: 'refresh failed' }).waitFor();
    // Chromium says why: once for userinfo, once for the token endpoint
    expect(otherConsole.filter((m) => m.includes('blocked by CORS policy') && m.includes(`from origin '${stranger.origin}'`)).length, otherConsole.join('\n')).to.be.greaterThanOrEqual(2);
    // userinfo (Authorization header) was stopped at its preflight; the token request (a simple
    // form POST) was refused by the bridge before the refresh token was looked at
    expect(bridge.logs.some((l) => l.event === 'cors_refused' && l.origin === stranger.origin && l.route === 'cors.userinfo')).to.equal(true);
    await other.close();

    // so the real app's refresh token still works
    await page.click('#refresh');
    await page.locator('#refreshes').filter({ hasText: '2' }).waitFor();
    const last = await stored(page);
    expect(last.refresh_token).to.not.equal(after.refresh_token);

    // with its ID token and a registered post-logout URI the app logs out without a click: through
    // the bridge's end-session endpoint and CAS /logout, back to the app
    const navigations: string[] = [];
    page.on('request', (r) => { if (r.isNavigationRequest()) navigations.push(r.url()); });
    const back = page.waitForRequest((r) => r.url().startsWith(`${app.origin}/logged-out`), { timeout: 60_000 });
    await page.click('#logout');
    await back;
    expect(navigations.findIndex((u) => u.startsWith(`${bridge.issuer}/session/end`)), navigations.join('\n')).to.be.greaterThanOrEqual(0);
    expect(navigations.findIndex((u) => u.startsWith(`${cas.url}/logout?`)), navigations.join('\n')).to.be.greaterThan(0);
    await status(page).filter({ hasText: 'signed out' }).waitFor();
    await b.screenshot('spa-03-logged-out');
    expect(await storedText(page)).to.equal(null);

    // the app revoked its refresh token on the way out
    const refused = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: last.refresh_token, client_id: 'spa' }),
    });
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.include({ error: 'invalid_grant' });

    // the bridge's pages and the app: no script error, no blocked load (CAS's own page lacks its jQuery offline)
    const ours = b.problems.filter((p) => !p.startsWith(cas.url));
    expect(ours, ours.join('\n')).to.deep.equal([]);
  });
});
