// The production topology for real: Debian's nginx terminating TLS (a throwaway self-signed
// certificate, a port other than 443) with the README's server block, in front of the bridge on
// loopback with an https ISSUER, and a real CAS server. The client connects from 127.0.0.2, so the
// address nginx saw differs from the one the bridge's socket sees (nginx, on 127.0.0.1).
import { checkServerIdentity } from 'node:tls';
import got from 'got';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { requireNginx, startNginx, type Nginx } from '../support/nginx.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const CLIENT_ADDRESS = '127.0.0.2';

/** A fetch for openid-client that trusts `ca` (the spec's certificate), through got. */
function trustingFetch(ca: string, localAddress: string): (url: string, options: oidc.CustomFetchOptions) => Promise<Response> {
  return async (url, options) => {
    const body = options.body instanceof URLSearchParams ? options.body.toString() : (options.body as string | null | undefined) ?? undefined;
    const res = await got(url, {
      method: options.method as 'GET' | 'POST',
      headers: options.headers,
      body,
      https: { certificateAuthority: ca },
      localAddress,
      throwHttpErrors: false,
      followRedirect: false,
      retry: { limit: 0 },
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [String(value)]) headers.append(name, v);
    }
    return new Response(res.statusCode === 204 ? null : res.rawBody, { status: res.statusCode, headers });
  };
}

describe('behind Debian\'s nginx with the README\'s server block (TLS on a non-443 port, real CAS)', function () {
  let cas: RealCas;
  let bridge: TestBridge;
  let nginx: Nginx;
  let issuer: string;

  before(async function () {
    this.timeout(120_000);
    requireNginx(this);
    requireRealCas(this);
    cas = await startRealCas();
    const [tlsPort, bridgePort] = [await freePort(), await freePort()];
    issuer = `https://localhost:${tlsPort}`;
    bridge = await startTestBridge({
      ISSUER: issuer, COOKIE_SECURE: true, CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
    }, { port: bridgePort });
    nginx = await startNginx({ port: tlsPort, host: 'localhost', backendPort: bridgePort });
  });
  after(async () => {
    await nginx?.stop();
    await bridge?.stop();
    await cas?.stop();
  });

  for (const forged of [{}, { host: 'evil.test' }, { 'x-forwarded-host': 'evil.test' }, { forwarded: 'host=evil.test;proto=http' }]) {
    it(`discovery through nginx names ISSUER only (${JSON.stringify(forged)})`, async () => {
      const res = await got(`${issuer}/.well-known/openid-configuration`, {
        headers: forged, throwHttpErrors: false, retry: { limit: 0 },
        // the certificate is checked for the host connected to, not the forged Host header
        https: { certificateAuthority: nginx.certificate, checkServerIdentity: (_host, cert) => checkServerIdentity('localhost', cert) },
      });
      expect(res.statusCode).to.equal(200);
      const doc = JSON.parse(res.body) as Record<string, unknown>;
      expect(doc.issuer).to.equal(issuer);
      const urls = Object.values(doc).filter((v): v is string => typeof v === 'string' && v.includes('://'));
      expect(urls.length).to.be.greaterThan(7);
      for (const url of urls) expect(url, url).to.satisfy((u: string) => u === issuer || u.startsWith(`${issuer}/`));
      expect(res.headers['strict-transport-security']).to.equal('max-age=31536000');
    });
  }

  it('a full login (openid-client trusting the test certificate): Secure cookies only, and the logs name the client nginx saw', async () => {
    const config = await oidc.discovery(new URL(issuer), 'rp', CLIENT_SECRET, undefined, {
      [oidc.customFetch]: trustingFetch(nginx.certificate, CLIENT_ADDRESS),
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid profile email', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    browser.ca = nginx.certificate;
    browser.localAddress = CLIENT_ADDRESS;
    // a client that claims another address: nginx's X-Forwarded-For $remote_addr replaces it
    browser.extraHeaders = (u): Record<string, string> => (u.startsWith(issuer) ? { 'x-forwarded-for': '203.0.113.66' } : {});
    const form = await browser.follow(url.href);
    expect(form.url.startsWith(`${cas.url}/login?service=`), form.url).to.equal(true);
    expect(new URL(form.url).searchParams.get('service')).to.match(new RegExp(`^${issuer}/callback\\?login=[\\w-]+$`));
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(REDIRECT));
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 300)}`).to.match(/^http:\/\/127\.0\.0\.1:9\/rp\/callback\?code=/);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()?.iss).to.equal(issuer);
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo.email).to.equal('alice@example.org');

    const fromBridge = browser.history.filter((hop) => hop.url.startsWith(issuer));
    const cookies = fromBridge.flatMap((hop) => hop.headers.getSetCookie());
    expect(cookies.length).to.be.greaterThan(2);
    for (const cookie of cookies) expect(cookie.toLowerCase(), cookie).to.include('; secure');
    for (const hop of fromBridge) {
      const location = hop.headers.get('location');
      if (location) expect(location, location).to.satisfy((l: string) => l.startsWith(`${issuer}/`) || l.startsWith(cas.url) || l.startsWith(REDIRECT));
    }

    const addresses = new Set(bridge.logs.filter((l) => l.event === 'request' && String(l.path).startsWith('/authorize')).map((l) => l.ip));
    expect([...addresses]).to.deep.equal([CLIENT_ADDRESS]);
    expect(bridge.logs.some((l) => l.ip === '203.0.113.66')).to.equal(false);
  });
});
