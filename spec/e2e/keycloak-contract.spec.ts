// What Keycloak's OIDC identity-provider broker needs from the bridge (../shared/notes/keycloak.md),
// exercised with requests shaped exactly as Keycloak sends them: scope=openid only,
// client_secret_post, a long state with dots, userinfo without an Accept header.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

const BROKER = 'http://127.0.0.1:9/realms/example/broker/cas/endpoint';

describe('Keycloak broker contract', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  let discovery: Record<string, unknown>;

  before(async () => {
    cas = await new MiniCas({
      users: { alice: { password: 'pw', attributes: { mail: 'alice@example.org', displayName: 'Alice Example', givenName: 'Alice', sn: 'Example', memberOf: ['staff'] } } },
    }).listen();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'keycloak', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [BROKER],
    });
    const res = await fetch(`${bridge.issuer}/.well-known/openid-configuration`, { redirect: 'manual' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    discovery = (await res.json()) as Record<string, unknown>;
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('discovery publishes every endpoint Keycloak imports, as absolute URLs', () => {
    expect(discovery.issuer).to.equal(bridge.issuer);
    expect(discovery.authorization_endpoint).to.equal(`${bridge.issuer}/authorize`);
    expect(discovery.token_endpoint).to.equal(`${bridge.issuer}/token`);
    expect(discovery.userinfo_endpoint).to.equal(`${bridge.issuer}/userinfo`);
    for (const key of ['jwks_uri', 'end_session_endpoint']) expect(String(discovery[key])).to.match(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(discovery.code_challenge_methods_supported).to.deep.equal(['S256']);
    expect(discovery.token_endpoint_auth_methods_supported).to.include.members(['client_secret_post', 'client_secret_basic']);
  });

  it('a Keycloak-shaped login: state byte for byte, tokens, ID token, userinfo with every profile claim', async () => {
    // Keycloak's state: long, with dots and base64url characters
    const state = `${randomBytes(120).toString('base64url')}.${randomBytes(60).toString('base64url')}.${randomBytes(40).toString('base64url')}`;
    const nonce = randomBytes(16).toString('base64url');
    const authorize = new URL(String(discovery.authorization_endpoint));
    authorize.search = new URLSearchParams({ scope: 'openid', state, response_type: 'code', client_id: 'keycloak', redirect_uri: BROKER, nonce }).toString();
    const browser = new TestBrowser();
    const form = await browser.follow(authorize.href, (l) => l.startsWith(BROKER));
    const back = await browser.submitForm(form, { username: 'alice', password: 'pw' }, (l) => l.startsWith(BROKER));
    const redirectHop = browser.history.at(-1)!;
    expect([302, 303]).to.include(redirectHop.status);
    const callback = new URL(back.location!);
    expect(callback.hash).to.equal('');
    expect(callback.searchParams.get('state')).to.equal(state);
    const code = callback.searchParams.get('code')!;

    // token request: form-encoded with charset, client_secret_post, parameters in Keycloak's order
    const tokenResponse = await fetch(String(discovery.token_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: `code=${encodeURIComponent(code)}&grant_type=authorization_code&redirect_uri=${encodeURIComponent(BROKER)}&client_id=keycloak&client_secret=${CLIENT_SECRET}`,
    });
    expect(tokenResponse.status).to.equal(200);
    const tokens = (await tokenResponse.json()) as Record<string, unknown>;
    expect(tokens.token_type).to.equal('Bearer');
    expect(tokens.expires_in).to.be.a('number');
    expect(tokens.access_token).to.be.a('string');

    const idToken = String(tokens.id_token);
    const header = decodeProtectedHeader(idToken);
    expect(header.alg).to.equal('RS256');
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Array<Record<string, unknown>> };
    const key = jwks.keys.find((k) => k.kid === header.kid);
    expect(key, 'the ID token kid is in the JWKS').to.not.equal(undefined);
    expect(key?.use === undefined || key.use === 'sig').to.equal(true);
    expect(key?.alg === undefined || key.alg === 'RS256').to.equal(true);
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(String(discovery.jwks_uri))), { issuer: bridge.issuer, audience: 'keycloak', clockTolerance: 0 });
    expect(payload.nonce).to.equal(nonce);
    expect(payload.azp === undefined || payload.azp === 'keycloak').to.equal(true);
    expect(payload.nbf === undefined || payload.nbf <= Math.floor(Date.now() / 1000)).to.equal(true);
    for (const claim of ['name', 'given_name', 'family_name', 'preferred_username', 'email']) {
      if (claim in payload) expect(payload[claim], claim).to.be.a('string');
    }

    // userinfo: GET, Bearer, no Accept header
    const userinfo = await fetch(String(discovery.userinfo_endpoint), { headers: { authorization: `Bearer ${String(tokens.access_token)}` } });
    expect(userinfo.status).to.equal(200);
    expect(userinfo.headers.get('content-type')).to.match(/^application\/json/);
    const profile = (await userinfo.json()) as Record<string, unknown>;
    expect(profile.sub).to.equal(payload.sub);
    expect(profile).to.include({ email: 'alice@example.org', preferred_username: 'alice', given_name: 'Alice', family_name: 'Example', name: 'Alice Example' });
  });

  it('client_secret_basic credentials sent without form-encoding (Keycloak up to 26.4.1) are accepted', async () => {
    const browser = new TestBrowser();
    const authorize = new URL(String(discovery.authorization_endpoint));
    authorize.search = new URLSearchParams({ scope: 'openid', state: 's', response_type: 'code', client_id: 'keycloak', redirect_uri: BROKER }).toString();
    const first = await browser.follow(authorize.href, (l) => l.startsWith(BROKER));
    const back = first.location?.startsWith(BROKER) ? first : await browser.submitForm(first, { username: 'alice', password: 'pw' }, (l) => l.startsWith(BROKER));
    const code = new URL(back.location!).searchParams.get('code')!;
    const res = await fetch(String(discovery.token_endpoint), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`keycloak:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: BROKER }),
    });
    expect(res.status).to.equal(200);
  });
});
