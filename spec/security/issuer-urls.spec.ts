// Every URL the bridge publishes or redirects to comes from ISSUER: a request's Host,
// X-Forwarded-Host or Forwarded header, or an absolute-form request target, never changes them.
// X-Forwarded-Proto still says whether the request is secure (cookies' Secure flag), nothing more.
import { connect } from 'node:net';
import { expect } from 'chai';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { authorizationRequest, relyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const FOREIGN: Array<Record<string, string>> = [
  { host: 'evil.test' },
  { 'x-forwarded-host': 'evil.test' },
  { forwarded: 'host=evil.test;proto=https' },
  { host: 'evil.test:8443', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https', forwarded: 'for=1.2.3.4;host=evil.test' },
];

/** Every string value of a discovery document that looks like a URL. */
const urlsOf = (doc: Record<string, unknown>): string[] => Object.values(doc).filter((v): v is string => typeof v === 'string' && /^\w+:\/\//.test(v));

/** One raw HTTP/1.1 request (to send an absolute-form target, which fetch never does). */
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.on('data', (chunk) => { data += chunk.toString('utf8'); });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('every published URL comes from ISSUER', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;

  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'alice-pass', attributes: { email: 'alice@example.org' } } } }).listen();
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  for (const headers of FOREIGN) {
    it(`discovery names ISSUER only, with ${JSON.stringify(headers)}`, async () => {
      const response = await fetch(`${bridge.url}/.well-known/openid-configuration`, { headers });
      expect(response.status).to.equal(200);
      const doc = (await response.json()) as Record<string, unknown>;
      const urls = urlsOf(doc);
      expect(urls.length).to.be.greaterThan(7);
      for (const url of urls) expect(url, url).to.satisfy((u: string) => u === bridge.issuer || u.startsWith(`${bridge.issuer}/`));
    });
  }

  it('an absolute-form request target does not change them either', async () => {
    const port = new URL(bridge.url).port;
    const answer = await rawRequest(Number(port), 'GET http://evil.test/.well-known/openid-configuration HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n');
    expect(answer).to.match(/^HTTP\/1\.1 200/);
    expect(answer).to.not.include('evil.test');
    expect(answer).to.include(`"authorization_endpoint":"${bridge.issuer}/authorize"`);
  });

  it('a whole login with forged host headers: every Location is ISSUER, CAS or the client', async () => {
    const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
    const request = await authorizationRequest(rp);
    const browser = new TestBrowser();
    browser.extraHeaders = (url): Record<string, string> => (url.startsWith(bridge.issuer) ? { host: 'evil.test', 'x-forwarded-host': 'evil.test', forwarded: 'host=evil.test' } : {});
    const form = await browser.follow(request.url);
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(REDIRECT));
    expect(back.location).to.match(/^http:\/\/127\.0\.0\.1:9\/rp\/callback\?code=/);
    const locations = browser.history.flatMap((hop) => (hop.headers.get('location') ? [hop.headers.get('location')!] : []));
    expect(locations.length).to.be.greaterThan(3);
    for (const location of locations) {
      expect(location, location).to.satisfy((l: string) => l.startsWith(`${bridge.issuer}/`) || l.startsWith(`${cas.url}/`) || l.startsWith(REDIRECT));
    }
    for (const hop of browser.history) expect(hop.body, hop.url).to.not.include('evil.test');
  });
});

describe('an https ISSUER behind a proxy that forgets X-Forwarded-Proto', () => {
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge({
      ISSUER: 'https://bridge.example.test:8443', COOKIE_SECURE: true,
      CAS_LOGIN_URL: 'https://cas.example.test/cas/login', CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: ['https://rp.example.test/cb'],
    });
  });
  after(async () => bridge?.stop());

  it('still publishes https URLs with the issuer\'s port', async () => {
    const doc = (await (await fetch(`${bridge.url}/.well-known/openid-configuration`, { headers: { host: 'bridge.example.test' } })).json()) as Record<string, unknown>;
    for (const url of urlsOf(doc)) expect(url, url).to.match(/^https:\/\/bridge\.example\.test:8443(\/|$)/);
  });

  it('and an authorization request redirects to an https interaction URL on the issuer, Secure cookies only when the proxy says https', async () => {
    const query = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: 'https://rp.example.test/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
    const plain = await fetch(`${bridge.url}/authorize?${query}`, { redirect: 'manual' });
    expect(plain.status).to.equal(303);
    expect(plain.headers.get('location')).to.match(/^https:\/\/bridge\.example\.test:8443\/interaction\/[\w-]+$/);
    const secure = await fetch(`${bridge.url}/authorize?${query}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers.get('location')).to.match(/^https:\/\/bridge\.example\.test:8443\/interaction\/[\w-]+$/);
    for (const cookie of secure.headers.getSetCookie()) expect(cookie.toLowerCase(), cookie).to.include('; secure');
  });
});
