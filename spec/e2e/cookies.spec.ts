// Cookies the bridge sets during a login: always HttpOnly and SameSite=Lax; Secure when the issuer
// is https behind a TLS-terminating proxy that says so (X-Forwarded-Proto, TRUST_PROXY).
import { expect } from 'chai';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

interface SetCookie {
  readonly name: string;
  readonly attributes: string[];
  readonly raw: string;
}

/**
 * Walks a login the way a browser behind a TLS proxy would: `publicOrigin` is what the browser
 * sees, `backend` where the proxy forwards to; every Set-Cookie is recorded and every cookie is sent
 * back (paths ignored: sending more cookies than a browser would hides no problem here).
 */
async function walkLogin(start: string, publicOrigin: string, backend: string, proxyHeaders: Record<string, string>, casUrl: string): Promise<{ cookies: SetCookie[]; final: string }> {
  const jar = new Map<string, string>();
  const cookies: SetCookie[] = [];
  let url = start;
  for (let hops = 0; hops < 20; hops += 1) {
    const target = url.startsWith(publicOrigin) ? backend + url.slice(publicOrigin.length) : url;
    const toBridge = target.startsWith(backend);
    const res = await fetch(target, {
      redirect: 'manual',
      headers: toBridge ? { ...proxyHeaders, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    });
    await res.arrayBuffer();
    if (toBridge) {
      for (const raw of res.headers.getSetCookie()) {
        const [pair = '', ...attributes] = raw.split(';').map((s) => s.trim());
        const name = pair.slice(0, pair.indexOf('='));
        cookies.push({ name, attributes: attributes.map((a) => a.toLowerCase()), raw });
        jar.set(name, pair.slice(name.length + 1));
      }
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`stopped at ${target} with ${res.status}`);
    const next = new URL(location, url.startsWith(casUrl) ? casUrl : `${publicOrigin}/`).href;
    if (next.startsWith(REDIRECT)) return { cookies, final: next };
    url = next;
  }
  throw new Error('too many redirects');
}

describe('cookies', () => {
  let cas: ScriptedCas;
  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
  });
  after(async () => {
    await cas?.close();
  });

  const authorize = (origin: string): string => {
    const url = new URL('/authorize', origin);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'c-1' }).toString();
    return url.href;
  };

  function expectEvery(cookies: SetCookie[], check: (c: SetCookie) => void): void {
    const names = new Set(cookies.map((c) => c.name));
    for (const expected of ['_interaction', '_interaction_resume', '_session', 'cas_oidc_pending']) {
      expect([...names].some((n) => n === expected || n === `${expected}.sig`), `${expected} in ${[...names].join(', ')}`).to.equal(true);
    }
    for (const cookie of cookies) check(cookie);
  }

  it('plain-http loopback issuer: HttpOnly, SameSite=Lax, not Secure; signed', async () => {
    const bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });
    try {
      const { cookies, final } = await walkLogin(authorize(bridge.issuer), bridge.issuer, bridge.issuer, {}, cas.url);
      expect(new URL(final).searchParams.get('code')).to.be.a('string');
      expectEvery(cookies, (c) => {
        expect(c.attributes, c.raw).to.include('httponly');
        expect(c.attributes, c.raw).to.include('samesite=lax');
        expect(c.attributes, c.raw).not.to.include('secure');
      });
      expect(cookies.map((c) => c.name)).to.include('cas_oidc_pending.sig');
    } finally {
      await bridge.stop();
    }
  });

  it('https issuer behind a TLS proxy (X-Forwarded-Proto: https): every cookie is also Secure', async () => {
    const port = await freePort();
    const publicOrigin = `https://127.0.0.1:${port}`;
    const bridge: TestBridge = await startTestBridge({
      ISSUER: publicOrigin, COOKIE_SECURE: true, CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
    }, { port });
    try {
      expect(bridge.services.config.server.trustProxy).to.equal(true);
      const { cookies, final } = await walkLogin(authorize(publicOrigin), publicOrigin, `http://127.0.0.1:${port}`, { 'x-forwarded-proto': 'https' }, cas.url);
      const back = new URL(final);
      expect(back.searchParams.get('code')).to.be.a('string');
      expect(back.searchParams.get('iss')).to.equal(publicOrigin);
      expectEvery(cookies, (c) => {
        expect(c.attributes, c.raw).to.include('httponly');
        expect(c.attributes, c.raw).to.include('samesite=lax');
        expect(c.attributes, c.raw).to.include('secure');
      });
    } finally {
      await bridge.stop();
    }
  });

  it('warns once when a request reaches an https issuer as plain http (the proxy sends no X-Forwarded-Proto)', async () => {
    const port = await freePort();
    const publicOrigin = `https://127.0.0.1:${port}`;
    const bridge = await startTestBridge({
      ISSUER: publicOrigin, COOKIE_SECURE: true, CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
    }, { port });
    const warnings = () => bridge.logs.filter((l) => l.event === 'config_warning' && String(l.msg).includes('X-Forwarded-Proto'));
    try {
      await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(warnings()).to.have.length(0);
      await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
      await fetch(`http://127.0.0.1:${port}/jwks`);
      expect(warnings()).to.have.length(1);
    } finally {
      await bridge.stop();
    }
  });

  it('COOKIE_SAMESITE=None (with Secure) is what the cookies carry', async () => {
    const port = await freePort();
    const publicOrigin = `https://127.0.0.1:${port}`;
    const bridge = await startTestBridge({
      ISSUER: publicOrigin, COOKIE_SECURE: true, COOKIE_SAMESITE: 'None', CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
    }, { port });
    try {
      const { cookies } = await walkLogin(authorize(publicOrigin), publicOrigin, `http://127.0.0.1:${port}`, { 'x-forwarded-proto': 'https' }, cas.url);
      expectEvery(cookies, (c) => {
        expect(c.attributes, c.raw).to.include('samesite=none');
        expect(c.attributes, c.raw).to.include('secure');
      });
    } finally {
      await bridge.stop();
    }
  });
});
