// CORS by registration: a browser origin may call the token, userinfo, revocation and
// introspection endpoints only for a client whose registration allows it; preflights answer as the
// real request will; discovery and the JWKS stay open; oidc-provider's default rule (and its
// "you SHOULD change it" notice) is gone.
import { expect } from 'chai';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

const SPA_ORIGIN = 'http://127.0.0.1:9';
const WEB_ORIGIN = 'https://web.example.edu';
const LISTED_ORIGIN = 'https://portal.example.edu';
const FOREIGN = 'https://evil.example.net';

describe('CORS by client registration', () => {
  let bridge: TestBridge;
  const notices: string[] = [];
  const consoleInfo = console.info;

  before(async () => {
    console.info = (...args: unknown[]) => { notices.push(args.map(String).join(' ')); };
    bridge = await startTestBridge({
      CAS_LOGIN_URL: 'http://127.0.0.1:9/cas/login',
      CLIENTS: [
        { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [`${SPA_ORIGIN}/spa/callback`] },
        { client_id: 'web', client_secret: CLIENT_SECRET, redirect_uris: [`${WEB_ORIGIN}/cb`] },
        { client_id: 'portal', client_secret: CLIENT_SECRET, redirect_uris: [`${LISTED_ORIGIN}/cb`], allowed_origins: [LISTED_ORIGIN] },
      ],
    });
  });
  after(async () => {
    console.info = consoleInfo;
    await bridge?.stop();
  });

  const preflight = (path: string, origin: string, method = 'POST') => fetch(`${bridge.issuer}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
  });
  const tokenRequest = (origin: string, form: Record<string, string>, headers: Record<string, string> = {}) => fetch(`${bridge.issuer}/token`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });

  for (const path of ['/token', '/userinfo', '/token/revocation', '/token/introspection']) {
    it(`preflight at ${path}: a registered origin is allowed, a foreign one gets 403 without CORS headers`, async () => {
      const allowed = await preflight(path, SPA_ORIGIN);
      expect(allowed.status).to.equal(204);
      expect(allowed.headers.get('access-control-allow-origin')).to.equal(SPA_ORIGIN);
      expect(allowed.headers.get('access-control-allow-headers')).to.equal('authorization,content-type');

      const foreign = await preflight(path, FOREIGN);
      expect(foreign.status).to.equal(403);
      expect([...foreign.headers.keys()].filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);
      expect(foreign.headers.get('vary')).to.match(/origin/i);
      expect(await foreign.json()).to.deep.equal({ error: 'invalid_request', error_description: `origin ${FOREIGN} is not allowed by any client registration` });
    });
  }

  it('a confidential client\'s redirect origin is no browser origin unless listed: its preflight is refused too', async () => {
    expect((await preflight('/token', WEB_ORIGIN)).status).to.equal(403);
    const listed = await preflight('/token', LISTED_ORIGIN);
    expect(listed.status).to.equal(204);
    expect(listed.headers.get('access-control-allow-origin')).to.equal(LISTED_ORIGIN);
    expect(bridge.logs.some((l) => l.event === 'cors_refused' && l.origin === WEB_ORIGIN && l.route === 'cors.token')).to.equal(true);
  });

  it('the real token request is judged for its client: allowed origins read the answer, others are refused before the grant is looked at', async () => {
    // the SPA's own origin: the (failed) grant answer is readable by the app
    const own = await tokenRequest(SPA_ORIGIN, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'spa' });
    expect(own.status).to.equal(400);
    expect(own.headers.get('access-control-allow-origin')).to.equal(SPA_ORIGIN);
    expect((await own.json() as { error: string }).error).to.equal('invalid_grant');

    // a simple (form) POST needs no preflight: the bridge itself refuses it, without CORS headers
    for (const [origin, client, auth] of [
      [FOREIGN, 'spa', {}],
      // an origin another client may use is not this client's
      [LISTED_ORIGIN, 'spa', {}],
      // a confidential client at /token: never from its redirect origin unless listed
      [WEB_ORIGIN, 'web', { client_secret: CLIENT_SECRET }],
      ['null', 'spa', {}],
    ] as const) {
      const refused = await tokenRequest(origin, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: client, ...auth });
      expect(refused.status, `${client} from ${origin}`).to.equal(400);
      expect(refused.headers.get('access-control-allow-origin'), `${client} from ${origin}`).to.equal(null);
      expect(await refused.json(), `${client} from ${origin}`).to.deep.equal({ error: 'invalid_request', error_description: `origin ${origin} not allowed for client: ${client}` });
    }

    const listed = await tokenRequest(LISTED_ORIGIN, { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'portal', client_secret: CLIENT_SECRET });
    expect(listed.status).to.equal(400);
    expect(listed.headers.get('access-control-allow-origin')).to.equal(LISTED_ORIGIN);
    expect((await listed.json() as { error: string }).error).to.equal('invalid_grant');
  });

  it('a server-side request without an Origin header is not a CORS request and works as before', async () => {
    const res = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown', client_id: 'web', client_secret: CLIENT_SECRET }),
    });
    expect(res.status).to.equal(400);
    expect((await res.json() as { error: string }).error).to.equal('invalid_grant');
  });

  it('revocation from the app\'s origin: 200, readable, without a content type (oidc-client-ts refuses anything but JSON)', async () => {
    const res = await fetch(`${bridge.issuer}/token/revocation`, {
      method: 'POST',
      headers: { origin: SPA_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'unknown', client_id: 'spa' }),
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('access-control-allow-origin')).to.equal(SPA_ORIGIN);
    expect(res.headers.get('content-type')).to.equal(null);
    expect(await res.text()).to.equal('');
  });

  it('discovery and the JWKS stay open to every origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const res = await fetch(`${bridge.issuer}${path}`, { headers: { origin: FOREIGN } });
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('access-control-allow-origin'), path).to.equal(FOREIGN);
      const pre = await preflight(path, FOREIGN, 'GET');
      expect(pre.status, path).to.equal(204);
      expect(pre.headers.get('access-control-allow-origin'), path).to.equal(FOREIGN);
    }
  });

  it('oidc-provider\'s default CORS rule is not in use: no "you SHOULD change it" notice', () => {
    expect(notices.filter((n) => /clientBasedCORS|SHOULD change/.test(n))).to.deep.equal([]);
    // the capture itself works: CORS requests above did run through the provider
    expect(bridge.logs.some((l) => l.event === 'cors_refused')).to.equal(true);
  });
});
