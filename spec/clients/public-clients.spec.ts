// Public clients through the real CAS server (django-cas-server), driven by openid-client without
// a secret: a browser app and a native app (RFC 8252: loopback redirect on a random port, a
// private-use scheme). PKCE S256 is required, no secret is accepted, refresh tokens rotate on every
// use and a reused one revokes the chain. Public clients are not first-party: the person sees a
// consent page once per bridge session (every time for a native app), unless the admin marks the
// client first-party.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { parse as parseHtml } from 'node-html-parser';
import { TestBrowser, type Hop } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';

const SPA_REDIRECT = 'http://127.0.0.1:9/spa/callback';
const APP_SCHEME_REDIRECT = 'com.example.app:/oauth2redirect';

/** A native app's loopback listener (RFC 8252 7.3): on a random port, it records what arrives. */
async function loopbackListener(): Promise<{ server: Server; redirectUri: string; received: URL[] }> {
  const received: URL[] = [];
  const server = createServer((req, res) => {
    received.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, received };
}

interface Flow {
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

async function flow(config: oidc.Configuration, redirectUri: string, scope: string, extra: Record<string, string> = {}): Promise<Flow> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  return { url: url.href, verifier, state, nonce };
}

const isConsentPage = (hop: Hop): boolean => hop.status === 200 && hop.body.includes('name="decision"');
const scopesOnPage = (hop: Hop): string[] => parseHtml(hop.body).querySelectorAll('li[data-scope]').map((li) => li.getAttribute('data-scope') ?? '');

/** Through CAS (when it asks) to the consent page or the redirect; `stop` says where the client is. */
async function toConsentOrClient(browser: TestBrowser, url: string, stop: (l: string) => boolean): Promise<Hop> {
  const page = await browser.follow(url, stop);
  if (page.body.includes('name="password"')) return browser.submitForm(page, { username: 'alice', password: 'alice-pass' }, stop);
  return page;
}

describe('public clients (browser and native apps) through the real CAS server', function () {
  this.timeout(120_000);
  let cas: RealCas;
  let bridge: TestBridge;
  let loopback: Awaited<ReturnType<typeof loopbackListener>>;
  const discover = (clientId: string, secret?: string, auth?: oidc.ClientAuth) =>
    oidc.discovery(new URL(bridge.issuer), clientId, secret, auth ?? oidc.None(), { execute: [oidc.allowInsecureRequests] });

  before(async function () {
    requireRealCas(this);
    cas = await startRealCas();
    loopback = await loopbackListener();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENTS: [
        { client_id: 'spa', client_name: 'Photo Album', token_endpoint_auth_method: 'none', redirect_uris: [SPA_REDIRECT] },
        { client_id: 'spa-trusted', token_endpoint_auth_method: 'none', first_party: true, redirect_uris: [SPA_REDIRECT] },
        { client_id: 'spa-narrow', token_endpoint_auth_method: 'none', redirect_uris: [SPA_REDIRECT], allowed_scopes: ['openid', 'profile'] },
        { client_id: 'app', client_name: 'Desktop App', token_endpoint_auth_method: 'none', application_type: 'native', redirect_uris: ['http://127.0.0.1/callback', APP_SCHEME_REDIRECT] },
        { client_id: 'web', client_secret: CLIENT_SECRET, redirect_uris: [SPA_REDIRECT] },
      ],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.stop();
    loopback?.server.close();
  });

  describe('a browser app (public, web)', () => {
    it('logs in with PKCE and no secret after the consent page; a second authorization in the session needs no page; refresh tokens rotate and a reused one revokes the chain', async () => {
      const config = await discover('spa');
      const browser = new TestBrowser();
      const atSpa = (l: string) => l.startsWith(SPA_REDIRECT);
      const first = await flow(config, SPA_REDIRECT, 'openid profile email offline_access');
      const consent = await toConsentOrClient(browser, first.url, atSpa);
      expect(isConsentPage(consent), `${consent.url} ${consent.status}`).to.equal(true);
      expect(consent.body).to.include('Allow Photo Album to use your account?');
      expect(consent.body).to.include('127.0.0.1:9');
      expect(scopesOnPage(consent)).to.deep.equal(['openid', 'profile', 'email', 'offline_access']);
      expect(consent.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");

      const back = await browser.submitForm(consent, { decision: 'allow' }, atSpa);
      expect(back.location, back.body.slice(0, 300)).to.match(/^http:\/\/127\.0\.0\.1:9\/spa\/callback\?code=/);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: first.verifier, expectedState: first.state, expectedNonce: first.nonce });
      expect(tokens.claims()?.sub).to.equal('alice');
      expect(tokens.scope?.split(' ').sort()).to.deep.equal(['email', 'offline_access', 'openid', 'profile']);
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
      expect(userinfo).to.include({ email: 'alice@example.org', name: 'Alice Example' });
      expect(bridge.logs.some((l) => l.event === 'consent' && l.outcome === 'allowed' && l.client === 'spa')).to.equal(true);

      // same session, same scopes: the grant stands, no page
      const second = await flow(config, SPA_REDIRECT, 'openid profile email offline_access');
      const again = await toConsentOrClient(browser, second.url, atSpa);
      expect(again.location, `${again.url} ${again.status}`).to.match(/^http:\/\/127\.0\.0\.1:9\/spa\/callback\?code=/);

      // rotation: each use gives a new refresh token
      const r1 = tokens.refresh_token!;
      const step1 = await oidc.refreshTokenGrant(config, r1);
      expect(step1.refresh_token).to.be.a('string').and.not.equal(r1);
      const step2 = await oidc.refreshTokenGrant(config, step1.refresh_token!);
      expect(step2.refresh_token).to.be.a('string').and.not.equal(step1.refresh_token);
      expect((await oidc.fetchUserInfo(config, step2.access_token, 'alice')).sub).to.equal('alice');

      // reuse of a spent refresh token: refused, and the whole chain (latest refresh and access tokens) revoked
      const reuse = await oidc.refreshTokenGrant(config, r1).then(() => undefined, (err: unknown) => err);
      expect(reuse).to.be.instanceOf(oidc.ResponseBodyError);
      expect((reuse as oidc.ResponseBodyError).error).to.equal('invalid_grant');
      const latest = await oidc.refreshTokenGrant(config, step2.refresh_token!).then(() => undefined, (err: unknown) => err);
      expect((latest as oidc.ResponseBodyError).error, 'the newest refresh token of the chain').to.equal('invalid_grant');
      const revokedAccess = await oidc.fetchUserInfo(config, step2.access_token, 'alice').then(() => undefined, (err: unknown) => err);
      expect(revokedAccess, 'the newest access token of the chain').to.be.instanceOf(oidc.WWWAuthenticateChallengeError);
    });

    it('"Deny" sends access_denied with the state back to the app', async () => {
      const config = await discover('spa');
      const browser = new TestBrowser();
      const request = await flow(config, SPA_REDIRECT, 'openid');
      const consent = await toConsentOrClient(browser, request.url, (l) => l.startsWith(SPA_REDIRECT));
      expect(isConsentPage(consent)).to.equal(true);
      const back = await browser.submitForm(consent, { decision: 'deny' }, (l) => l.startsWith(SPA_REDIRECT));
      const url = new URL(back.location!);
      expect(url.searchParams.get('error')).to.equal('access_denied');
      expect(url.searchParams.get('state')).to.equal(request.state);
    });

    it('the consent page lists only scopes the client may have, refuses a post from another site and a bad answer', async () => {
      const config = await discover('spa-narrow');
      const browser = new TestBrowser();
      const request = await flow(config, SPA_REDIRECT, 'openid profile email groups');
      const consent = await toConsentOrClient(browser, request.url, (l) => l.startsWith(SPA_REDIRECT));
      expect(scopesOnPage(consent)).to.deep.equal(['openid', 'profile']);
      const action = new URL(parseHtml(consent.body).querySelector('form')!.getAttribute('action')!, consent.url).href;
      const crossSiteHeaders: Array<Record<string, string>> = [{ origin: 'https://evil.example.net' }, { origin: 'null', 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }];
      for (const headers of crossSiteHeaders) {
        const crossSite = await browser.request(action, { method: 'POST', form: { decision: 'allow' }, headers });
        expect(crossSite.status, JSON.stringify(headers)).to.equal(403);
      }
      const bad = await browser.request(action, { method: 'POST', form: { decision: 'maybe' } });
      expect(bad.status).to.equal(400);
      // the page still works afterwards
      const back = await browser.submitForm(consent, { decision: 'allow' }, (l) => l.startsWith(SPA_REDIRECT));
      expect(back.location, `${back.status} ${back.url}`).to.match(/\?code=/);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(tokens.scope?.split(' ').sort(), 'what the client may not have is not granted').to.deep.equal(['openid', 'profile']);
    });

    it('a public client the admin marked first_party gets its grant without a page', async () => {
      const config = await discover('spa-trusted');
      const browser = new TestBrowser();
      const request = await flow(config, SPA_REDIRECT, 'openid offline_access');
      const back = await toConsentOrClient(browser, request.url, (l) => l.startsWith(SPA_REDIRECT));
      expect(back.location, `${back.url} ${back.status}`).to.match(/^http:\/\/127\.0\.0\.1:9\/spa\/callback\?code=/);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(tokens.refresh_token, 'offline_access granted without a page').to.be.a('string');
    });

    it('prompt=none cannot show the consent page: consent_required', async () => {
      const browser = new TestBrowser();
      // a bridge session through the first-party client, then a silent request of a client never consented to
      const trusted = await discover('spa-trusted');
      await toConsentOrClient(browser, (await flow(trusted, SPA_REDIRECT, 'openid')).url, (l) => l.startsWith(SPA_REDIRECT));
      const config = await discover('spa');
      const silent = await flow(config, SPA_REDIRECT, 'openid', { prompt: 'none' });
      const back = await browser.follow(silent.url, (l) => l.startsWith(SPA_REDIRECT));
      const url = new URL(back.location!);
      expect(url.searchParams.get('error')).to.equal('consent_required');
      expect(url.searchParams.get('state')).to.equal(silent.state);
    });
  });

  describe('a native app (RFC 8252)', () => {
    it('logs in to a loopback redirect on a random port (registered without a port); the consent page comes every time', async () => {
      const config = await discover('app');
      expect(loopback.redirectUri).to.match(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      for (const round of [1, 2]) {
        const browser = round === 1 ? new TestBrowser() : sessionBrowser!;
        sessionBrowser = browser;
        const request = await flow(config, loopback.redirectUri, 'openid profile offline_access');
        const consent = await toConsentOrClient(browser, request.url, () => false);
        expect(isConsentPage(consent), `round ${round}: ${consent.url}`).to.equal(true);
        expect(consent.body).to.include('Desktop App');
        // the browser really reaches the app's listener
        const arrived = await browser.submitForm(consent, { decision: 'allow' });
        expect(arrived.status).to.equal(200);
        const callback = loopback.received.at(-1)!;
        expect(callback.searchParams.get('state')).to.equal(request.state);
        const tokens = await oidc.authorizationCodeGrant(config, new URL(`${loopback.redirectUri}${callback.search}`), {
          pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce,
        });
        expect(tokens.claims()?.sub).to.equal('alice');
        const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
        expect(refreshed.refresh_token).to.not.equal(tokens.refresh_token);
      }
    });
    let sessionBrowser: TestBrowser | undefined;

    it('logs in to a private-use scheme redirect; other loopback paths and hosts are refused', async () => {
      const config = await discover('app');
      const browser = sessionBrowser ?? new TestBrowser();
      const request = await flow(config, APP_SCHEME_REDIRECT, 'openid');
      const consent = await toConsentOrClient(browser, request.url, (l) => l.startsWith(APP_SCHEME_REDIRECT));
      const back = await browser.submitForm(consent, { decision: 'allow' }, (l) => l.startsWith(APP_SCHEME_REDIRECT));
      expect(back.location).to.match(/^com\.example\.app:\/oauth2redirect\?code=/);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(tokens.claims()?.sub).to.equal('alice');

      const port = new URL(loopback.redirectUri).port;
      for (const wrong of [`http://127.0.0.1:${port}/other`, `http://localhost:${port}/callback`, `http://[::1]:${port}/callback`]) {
        const refused = await browser.follow((await flow(config, wrong, 'openid')).url);
        expect(refused.status, wrong).to.equal(400);
        expect(refused.body, wrong).to.include('redirect_uri');
      }
    });
  });

  describe('what a public client may not do', () => {
    async function codeFor(clientId: string, redirectUri = SPA_REDIRECT): Promise<{ code: URL; request: Flow }> {
      const config = await discover(clientId);
      const browser = new TestBrowser();
      const request = await flow(config, redirectUri, 'openid');
      let hop = await toConsentOrClient(browser, request.url, (l) => l.startsWith(redirectUri));
      if (isConsentPage(hop)) hop = await browser.submitForm(hop, { decision: 'allow' }, (l) => l.startsWith(redirectUri));
      return { code: new URL(hop.location!), request };
    }
    const tokenCall = (form: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${bridge.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form),
    });

    it('a public client presenting a secret (in the body or as basic auth) is refused with invalid_client; the code still works without it', async () => {
      const { code, request } = await codeFor('spa-trusted');
      const form = { grant_type: 'authorization_code', code: code.searchParams.get('code')!, redirect_uri: SPA_REDIRECT, code_verifier: request.verifier, client_id: 'spa-trusted' };
      const inBody = await tokenCall({ ...form, client_secret: CLIENT_SECRET });
      expect(inBody.status).to.equal(401);
      expect(await inBody.json()).to.include({ error: 'invalid_client' });
      const basic = await tokenCall(form, { authorization: `Basic ${Buffer.from(`spa-trusted:${CLIENT_SECRET}`).toString('base64')}` });
      expect(basic.status).to.equal(401);
      expect(await basic.json()).to.include({ error: 'invalid_client' });
      const ok = await tokenCall(form);
      expect(ok.status, 'nothing was lost').to.equal(200);
    });

    it('a confidential client without its secret is refused with invalid_client', async () => {
      const browser = new TestBrowser();
      const config = await discover('web', CLIENT_SECRET, oidc.ClientSecretPost(CLIENT_SECRET));
      const request = await flow(config, SPA_REDIRECT, 'openid');
      const back = await toConsentOrClient(browser, request.url, (l) => l.startsWith(SPA_REDIRECT));
      const res = await tokenCall({ grant_type: 'authorization_code', code: new URL(back.location!).searchParams.get('code')!, redirect_uri: SPA_REDIRECT, code_verifier: request.verifier, client_id: 'web' });
      expect(res.status).to.equal(401);
      expect(await res.json()).to.include({ error: 'invalid_client' });
    });

    it('PKCE is required, and only S256: no challenge is refused at the redirect URI, a plain challenge by a page whose way back says so', async () => {
      const config = await discover('spa');
      const browser = new TestBrowser();
      const without = new URL((await flow(config, SPA_REDIRECT, 'openid')).url);
      without.searchParams.delete('code_challenge');
      without.searchParams.delete('code_challenge_method');
      const noPkce = await browser.follow(without.href, (l) => l.startsWith(SPA_REDIRECT));
      const noPkceUrl = new URL(noPkce.location!);
      expect(noPkceUrl.searchParams.get('error')).to.equal('invalid_request');
      expect(noPkceUrl.searchParams.get('error_description')).to.match(/PKCE/);

      const plain = new URL((await flow(config, SPA_REDIRECT, 'openid')).url);
      plain.searchParams.set('code_challenge', oidc.randomPKCECodeVerifier());
      plain.searchParams.set('code_challenge_method', 'plain');
      const plainHop = await browser.follow(plain.href, (l) => l.startsWith(SPA_REDIRECT));
      expect(plainHop.status).to.equal(400);
      const plainUrl = new URL(parseHtml(plainHop.body).querySelector('.actions a.primary')?.getAttribute('href') ?? '');
      expect(`${plainUrl.origin}${plainUrl.pathname}`).to.equal(SPA_REDIRECT);
      expect(plainUrl.searchParams.get('error')).to.equal('invalid_request');
      expect(plainUrl.searchParams.get('error_description')).to.match(/code_challenge_method must be S256/);
    });

    it('a code redeemed without its PKCE verifier is refused', async () => {
      const { code } = await codeFor('spa-trusted');
      const res = await tokenCall({ grant_type: 'authorization_code', code: code.searchParams.get('code')!, redirect_uri: SPA_REDIRECT, client_id: 'spa-trusted' });
      expect(res.status).to.equal(400);
      expect(await res.json()).to.include({ error: 'invalid_grant' });
    });
  });
});
