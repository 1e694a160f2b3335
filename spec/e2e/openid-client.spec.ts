// A full login with a real relying party library (openid-client) through the bridge and an
// in-process CAS: authorization code + PKCE, ID token verified against the JWKS, userinfo, refresh.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('login with openid-client through an in-process CAS', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  let config: oidc.Configuration;

  before(async () => {
    cas = await new MiniCas({
      users: {
        alice: { password: 'alice-pass', attributes: { email: 'alice@example.org', displayName: 'Alice Example', givenName: 'Alice', sn: 'Example', memberOf: ['staff', 'admins'] } },
      },
    }).listen();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
    });
    config = await oidc.discovery(new URL(bridge.issuer), 'rp', CLIENT_SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('logs alice in and serves her claims', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new TestBrowser();
    const loginPage = await browser.follow(authUrl.href);
    expect(loginPage.status).to.equal(200);
    expect(loginPage.url).to.match(/\/cas\/login\?service=/);
    const back = await browser.submitForm(loginPage, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(REDIRECT));
    expect(back.location, `stopped at ${back.url} ${back.status} ${back.body.slice(0, 500)}`).to.be.a('string');
    // the client's registration stands for the consent offline_access asks for: one interaction
    // (the CAS login), no second round trip through /interaction/:uid for consent
    const interactionPages = browser.history.map((h) => new URL(h.url).pathname).filter((p) => /^\/interaction\/[^/]+$/.test(p));
    expect(interactionPages).to.have.length(1);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${bridge.issuer}/jwks`)), {
      issuer: bridge.issuer,
      audience: 'rp',
    });
    expect(payload.sub).to.equal('alice');
    expect(payload.nonce).to.equal(nonce);
    expect(payload.email).to.equal('alice@example.org');
    expect(payload.groups).to.deep.equal(['staff', 'admins']);
    expect(payload.sid).to.be.a('string');
    expect(payload.auth_time).to.be.a('number');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).to.include({ sub: 'alice', email: 'alice@example.org', name: 'Alice Example', given_name: 'Alice', family_name: 'Example', preferred_username: 'alice' });
    expect(userinfo.groups).to.deep.equal(['staff', 'admins']);

    expect(tokens.refresh_token, 'a refresh token for offline_access').to.be.a('string');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).to.be.a('string').and.not.equal(tokens.access_token);
    const again = await oidc.fetchUserInfo(config, refreshed.access_token, 'alice');
    expect(again.email).to.equal('alice@example.org');
  });
});
