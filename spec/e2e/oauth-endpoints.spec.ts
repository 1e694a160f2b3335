// The OAuth/OpenID endpoints a relying party talks to: JSON errors at /token, clean 401s at
// /userinfo, PKCE S256 only (with a page that explains it), both client authentication methods, discovery,
// RFC 9207 `iss`, the JWKS, single-use codes, introspection and revocation limited to the client's
// own tokens.
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const OTHER_REDIRECT = 'http://127.0.0.1:9/other/callback';
const OTHER_SECRET = 'other-client-secret-0123456789-ABCDEFGHIJ';

interface Login {
  readonly code: string;
  readonly verifier: string;
  readonly state: string;
  readonly location: URL;
}

describe('OAuth endpoints', () => {
  let cas: ScriptedCas;
  let bridge: TestBridge;

  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
      AUTH_CODE_EXPIRY: 120,
      ACCESS_TOKEN_EXPIRY: 900,
      CLIENTS: [{
        client_id: 'other', client_secret: OTHER_SECRET, redirect_uris: [OTHER_REDIRECT], token_endpoint_auth_method: 'client_secret_basic',
      }],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  /** every code and token the specs below obtained: none may reach a log line */
  const issued: string[] = [];

  async function login(clientId = 'rp', redirectUri = REDIRECT, extra: Record<string, string> = {}, browser = new TestBrowser()): Promise<Login> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({
      client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    }).toString();
    const hop = await browser.follow(url.href, (l) => l.startsWith(redirectUri));
    expect(hop.location, `${hop.status} ${hop.body.slice(0, 300)}`).to.be.a('string');
    const location = new URL(hop.location!);
    issued.push(location.searchParams.get('code') ?? '', verifier);
    return { code: location.searchParams.get('code') ?? '', verifier, state, location };
  }

  const form = (body: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function token(body: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const init = form(body);
    const res = await fetch(`${bridge.issuer}/token`, { ...init, headers: { ...init.headers, ...headers } });
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const json = (await res.json()) as Record<string, unknown>;
    for (const name of ['access_token', 'refresh_token', 'id_token']) if (typeof json[name] === 'string') issued.push(json[name]);
    return { status: res.status, json, headers: res.headers };
  }

  const redeem = (l: Login, extra: Record<string, string> = {}) => token({
    grant_type: 'authorization_code', code: l.code, redirect_uri: REDIRECT, code_verifier: l.verifier, client_id: 'rp', client_secret: CLIENT_SECRET, ...extra,
  });

  async function userinfo(accessToken: string | undefined): Promise<{ status: number; body: string; wwwAuthenticate: string | null; type: string | null }> {
    const res = await fetch(`${bridge.issuer}/userinfo`, { headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` } });
    return { status: res.status, body: await res.text(), wwwAuthenticate: res.headers.get('www-authenticate'), type: res.headers.get('content-type') };
  }

  describe('token endpoint errors are JSON OAuth errors', () => {
    it('a wrong client secret: 401 invalid_client', async () => {
      const l = await login();
      const res = await redeem(l, { client_secret: 'wrong-secret-wrong-secret-wrong-secret' });
      expect(res.status).to.equal(401);
      expect(res.json.error).to.equal('invalid_client');
      expect(JSON.stringify(res.json)).not.to.include('wrong-secret');
    });

    it('an unknown client: 401 invalid_client', async () => {
      const l = await login();
      expect((await redeem(l, { client_id: 'nobody' })).json.error).to.equal('invalid_client');
    });

    it('a redirect_uri other than the authorization request\'s: 400 invalid_grant', async () => {
      const l = await login();
      const res = await redeem(l, { redirect_uri: `${REDIRECT}/other` });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_grant');
    });

    it('no redirect_uri although the authorization request had one: 400 (RFC 6749 4.1.3)', async () => {
      const l = await login();
      const { redirect_uri: _omit, ...rest } = { grant_type: 'authorization_code', code: l.code, redirect_uri: '', code_verifier: l.verifier, client_id: 'rp', client_secret: CLIENT_SECRET };
      const res = await token(rest);
      expect(res.status).to.equal(400);
      expect(res.json.error).to.be.oneOf(['invalid_request', 'invalid_grant']);
      expect(res.json.error).to.equal('invalid_request');
    });

    it('an authorization request without redirect_uri gets an HTML error page (OIDC Core 3.1.2.1)', async () => {
      const url = new URL('/authorize', bridge.issuer);
      url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', state: 'x' }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).to.equal(400);
      expect(res.headers.get('location')).to.equal(null);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(await res.text()).to.match(/redirect_uri/);
    });

    it('a wrong PKCE verifier: 400 invalid_grant', async () => {
      const l = await login();
      const res = await redeem(l, { code_verifier: oidc.randomPKCECodeVerifier() });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_grant');
    });

    it('a reused code: 400 invalid_grant, and the tokens of its first use stop working', async () => {
      const l = await login();
      const first = await redeem(l);
      expect(first.status).to.equal(200);
      const accessToken = first.json.access_token as string;
      expect((await userinfo(accessToken)).status).to.equal(200);
      const second = await redeem(l);
      expect(second.status).to.equal(400);
      expect(second.json.error).to.equal('invalid_grant');
      expect((await userinfo(accessToken)).status).to.equal(401);
    });

    it('a code issued to another client: 400 invalid_grant', async () => {
      const l = await login('other', OTHER_REDIRECT);
      const res = await redeem(l, { redirect_uri: OTHER_REDIRECT });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('invalid_grant');
    });

    it('an unsupported grant type: 400 unsupported_grant_type', async () => {
      const res = await token({ grant_type: 'password', username: 'alice', password: 'x', client_id: 'rp', client_secret: CLIENT_SECRET });
      expect(res.status).to.equal(400);
      expect(res.json.error).to.equal('unsupported_grant_type');
    });

    it('a GET is not a token request (no HTML, no stack trace)', async () => {
      const res = await fetch(`${bridge.issuer}/token`);
      const body = await res.text();
      expect(res.status).to.be.within(400, 499);
      expect(body).not.to.match(/\n\s+at /);
    });
  });

  describe('client authentication', () => {
    it('the flat client (client_secret_post) may also use client_secret_basic', async () => {
      const viaPost = await redeem(await login());
      expect(viaPost.status).to.equal(200);
      const l = await login();
      const viaBasic = await token({ grant_type: 'authorization_code', code: l.code, redirect_uri: REDIRECT, code_verifier: l.verifier }, { authorization: basic('rp', CLIENT_SECRET) });
      expect(viaBasic.status, JSON.stringify(viaBasic.json)).to.equal(200);
    });

    it('a listed client registered with client_secret_basic may also use client_secret_post', async () => {
      const l1 = await login('other', OTHER_REDIRECT);
      const viaBasic = await token({ grant_type: 'authorization_code', code: l1.code, redirect_uri: OTHER_REDIRECT, code_verifier: l1.verifier }, { authorization: basic('other', OTHER_SECRET) });
      expect(viaBasic.status).to.equal(200);
      const l2 = await login('other', OTHER_REDIRECT);
      const viaPost = await token({ grant_type: 'authorization_code', code: l2.code, redirect_uri: OTHER_REDIRECT, code_verifier: l2.verifier, client_id: 'other', client_secret: OTHER_SECRET });
      expect(viaPost.status).to.equal(200);
    });

    it('openid-client with either method, as Keycloak would be configured', async () => {
      for (const auth of [oidc.ClientSecretPost(CLIENT_SECRET), oidc.ClientSecretBasic(CLIENT_SECRET)]) {
        const config = await oidc.discovery(new URL(bridge.issuer), 'rp', CLIENT_SECRET, auth, { execute: [oidc.allowInsecureRequests] });
        const l = await login();
        const tokens = await oidc.authorizationCodeGrant(config, l.location, { pkceCodeVerifier: l.verifier, expectedState: l.state });
        expect(tokens.id_token).to.be.a('string');
      }
    });
  });

  describe('userinfo errors are clean 401s', () => {
    it('no token: 401 with a Bearer challenge, no HTML', async () => {
      const res = await userinfo(undefined);
      expect(res.status).to.equal(401);
      expect(res.wwwAuthenticate).to.match(/^Bearer realm=/);
      expect(res.type).to.match(/^application\/json/);
      expect(res.body).not.to.match(/\n\s+at |<html/i);
    });

    it('a made-up token: 401 invalid_token, JSON and WWW-Authenticate', async () => {
      const res = await userinfo('not-a-token-at-all');
      expect(res.status).to.equal(401);
      expect(res.wwwAuthenticate).to.match(/^Bearer .*error="invalid_token"/);
      expect(JSON.parse(res.body)).to.include({ error: 'invalid_token' });
    });

    it('an expired token: 401 invalid_token', async () => {
      const l = await login();
      const accessToken = (await redeem(l)).json.access_token as string;
      expect((await userinfo(accessToken)).status).to.equal(200);
      // age the stored token instead of waiting ACCESS_TOKEN_EXPIRY
      const stored = await bridge.holder.current.AccessToken.find(accessToken);
      expect(stored?.exp! - stored?.iat!).to.equal(900);
      await bridge.services.db.run("UPDATE oidc_records SET expires_at = 1 WHERE model = 'AccessToken'");
      const res = await userinfo(accessToken);
      expect(res.status).to.equal(401);
      expect(res.wwwAuthenticate).to.match(/error="invalid_token"/);
    });

    it('a malformed Authorization header: 400 invalid_request with a Bearer challenge', async () => {
      for (const authorization of ['Bearer', 'Basic abc']) {
        const res = await fetch(`${bridge.issuer}/userinfo`, { headers: { authorization } });
        expect(res.status, authorization).to.equal(400);
        expect(res.headers.get('www-authenticate')).to.match(/^Bearer .*error="invalid_request"/);
        expect(((await res.json()) as { error: string }).error).to.equal('invalid_request');
      }
    });
  });

  describe('PKCE', () => {
    it('a plain challenge gets a page telling to use S256, whose way back is an error redirect saying so', async () => {
      const url = new URL('/authorize', bridge.issuer);
      url.search = new URLSearchParams({
        client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'pk-1',
        code_challenge: 'x'.repeat(43), code_challenge_method: 'plain',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const page = parseHtml(await res.text());
      expect(page.querySelector('h1')?.text).to.equal('This application\'s sign-in is set up wrongly');
      expect(page.querySelector('p')?.text).to.include('PKCE Method → S256');
      const location = new URL(page.querySelector('.actions a.primary')?.getAttribute('href') ?? '');
      expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT);
      expect(location.searchParams.get('error')).to.equal('invalid_request');
      expect(location.searchParams.get('error_description')).to.match(/S256/);
      expect(location.searchParams.get('state')).to.equal('pk-1');
      expect(location.searchParams.get('iss')).to.equal(bridge.issuer);
    });

    it('a confidential client may leave PKCE out (Keycloak\'s default)', async () => {
      const state = 'no-pkce';
      const url = new URL('/authorize', bridge.issuer);
      url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state }).toString();
      const hop = await new TestBrowser().follow(url.href, (l) => l.startsWith(REDIRECT));
      const code = new URL(hop.location!).searchParams.get('code')!;
      const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'rp', client_secret: CLIENT_SECRET });
      expect(res.status).to.equal(200);
    });

    it('a challenge sent at authorization must be answered at the token endpoint', async () => {
      const l = await login();
      const { code_verifier: _v, ...withoutVerifier } = { grant_type: 'authorization_code', code: l.code, redirect_uri: REDIRECT, code_verifier: '', client_id: 'rp', client_secret: CLIENT_SECRET };
      const res = await token(withoutVerifier);
      expect(res.status).to.equal(400);
      expect(res.json.error).to.be.oneOf(['invalid_grant', 'invalid_request']);
      expect(res.json.error).to.equal('invalid_grant');
    });
  });

  describe('logs', () => {
    it('carry no code, token, verifier or client secret of the flows above', () => {
      const text = JSON.stringify(bridge.logs);
      expect(issued.length).to.be.greaterThan(40);
      for (const value of issued.filter(Boolean)) expect(text.includes(value), 'a code or token is in the logs').to.equal(false);
      for (const secret of [CLIENT_SECRET, OTHER_SECRET]) expect(text).not.to.include(secret);
    });
  });

  describe('discovery, iss and keys', () => {
    it('discovery lists the endpoints where the Python service had them, S256 only, RFC 9207 support', async () => {
      const res = await fetch(`${bridge.issuer}/.well-known/openid-configuration`);
      const meta = (await res.json()) as Record<string, unknown>;
      expect(meta).to.include({
        issuer: bridge.issuer,
        authorization_endpoint: `${bridge.issuer}/authorize`,
        token_endpoint: `${bridge.issuer}/token`,
        userinfo_endpoint: `${bridge.issuer}/userinfo`,
        authorization_response_iss_parameter_supported: true,
      });
      expect(meta.end_session_endpoint).to.be.a('string').and.match(new RegExp(`^${bridge.issuer}/`));
      expect(meta.jwks_uri).to.be.a('string').and.match(new RegExp(`^${bridge.issuer}/`));
      expect(meta.introspection_endpoint).to.be.a('string');
      expect(meta.revocation_endpoint).to.be.a('string');
      expect(meta.code_challenge_methods_supported).to.deep.equal(['S256']);
      expect(meta.response_types_supported).to.deep.equal(['code']);
      expect(meta.token_endpoint_auth_methods_supported).to.include.members(['client_secret_post', 'client_secret_basic']);
      expect(meta.id_token_signing_alg_values_supported).to.include.members(['RS256', 'ES256']);
      expect(meta.scopes_supported).to.include.members(['openid', 'profile', 'email', 'groups', 'offline_access']);
    });

    it('the authorization response carries iss (RFC 9207) beside code and state', async () => {
      const l = await login();
      expect(l.location.searchParams.get('iss')).to.equal(bridge.issuer);
      expect(l.location.searchParams.get('state')).to.equal(l.state);
    });

    it('the JWKS has an RS256 and an ES256 public key, no private parts', async () => {
      const meta = (await (await fetch(`${bridge.issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
      const { keys } = (await (await fetch(meta.jwks_uri)).json()) as { keys: Array<Record<string, unknown>> };
      const algs = keys.map((k) => k.alg);
      expect(algs).to.include.members(['RS256', 'ES256']);
      for (const key of keys) {
        expect(key.kid).to.be.a('string');
        for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key, `${String(key.kid)}.${part}`).not.to.have.property(part);
      }
    });
  });

  describe('codes', () => {
    it('live AUTH_CODE_EXPIRY seconds', async () => {
      const l = await login();
      const stored = await bridge.holder.current.AuthorizationCode.find(l.code);
      expect(stored).to.not.equal(undefined);
      expect(stored!.exp! - stored!.iat!).to.equal(120);
    });
  });

  describe('introspection and revocation', () => {
    const introspect = async (tokenValue: string, id: string, secret: string) => {
      const res = await fetch(`${bridge.issuer}/token/introspection`, form({ token: tokenValue, client_id: id, client_secret: secret }));
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      return (await res.json()) as Record<string, unknown>;
    };
    const revoke = (tokenValue: string, id: string, secret: string) => fetch(`${bridge.issuer}/token/revocation`, form({ token: tokenValue, client_id: id, client_secret: secret }));

    it('a client introspects its own token, not another client\'s', async () => {
      const accessToken = (await redeem(await login())).json.access_token as string;
      expect(await introspect(accessToken, 'rp', CLIENT_SECRET)).to.include({ active: true, client_id: 'rp', sub: 'alice' });
      expect(await introspect(accessToken, 'other', OTHER_SECRET)).to.deep.equal({ active: false });
      expect(await introspect('made-up', 'rp', CLIENT_SECRET)).to.deep.equal({ active: false });
    });

    it('introspection needs client authentication', async () => {
      const res = await fetch(`${bridge.issuer}/token/introspection`, form({ token: 'x', client_id: 'rp', client_secret: 'wrong-wrong-wrong-wrong-wrong-wrong' }));
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { error: string }).error).to.equal('invalid_client');
    });

    it('a client revokes its own token; another client\'s revocation does nothing', async () => {
      const accessToken = (await redeem(await login())).json.access_token as string;
      expect((await revoke(accessToken, 'other', OTHER_SECRET)).status).to.equal(200);
      expect((await introspect(accessToken, 'rp', CLIENT_SECRET)).active).to.equal(true);
      expect((await userinfo(accessToken)).status).to.equal(200);
      expect((await revoke(accessToken, 'rp', CLIENT_SECRET)).status).to.equal(200);
      expect((await introspect(accessToken, 'rp', CLIENT_SECRET)).active).to.equal(false);
      expect((await userinfo(accessToken)).status).to.equal(401);
    });

    it('a refresh token (offline_access) is revoked the same way', async () => {
      const l = await login('rp', REDIRECT, { scope: 'openid offline_access' });
      const tokens = (await redeem(l)).json;
      const refresh = tokens.refresh_token as string;
      expect(refresh).to.be.a('string');
      expect((await introspect(refresh, 'other', OTHER_SECRET)).active).to.equal(false);
      expect((await introspect(refresh, 'rp', CLIENT_SECRET)).active).to.equal(true);
      await revoke(refresh, 'rp', CLIENT_SECRET);
      const again = await token({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 'rp', client_secret: CLIENT_SECRET });
      expect(again.status).to.equal(400);
      expect(again.json.error).to.equal('invalid_grant');
    });
  });
});
