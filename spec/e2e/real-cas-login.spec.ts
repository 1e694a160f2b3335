// Logins through a real CAS server (django-cas-server), posting its login form like a browser.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('login through a real CAS server (django-cas-server)', function () {
  let cas: RealCas;
  let bridge: TestBridge;
  let config: oidc.Configuration;

  before(async function () {
    this.timeout(120_000);
    requireRealCas(this);
    cas = await startRealCas();
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
    await cas?.stop();
  });

  async function login(username: string, password: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const browser = new TestBrowser();
    const form = await browser.follow(oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).href);
    expect(form.url.startsWith(`${cas.url}/login?service=`), form.url).to.equal(true);
    const back = await browser.submitForm(form, { username, password }, (l) => l.startsWith(REDIRECT));
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 400)}`).to.match(/^http:\/\/127\.0\.0\.1:9\/rp\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${bridge.issuer}/jwks`)), { issuer: bridge.issuer, audience: 'rp' });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(payload.sub));
    return { payload, userinfo };
  }

  it('alice: multi-valued memberOf becomes a groups array', async () => {
    const { payload, userinfo } = await login('alice', 'alice-pass');
    expect(payload.sub).to.equal('alice');
    expect(userinfo.groups).to.deep.equal(['staff', 'admins']);
    expect(userinfo).to.include({ email: 'alice@example.org', name: 'Alice Example', given_name: 'Alice', family_name: 'Example', preferred_username: 'alice' });
  });

  it('bob: a display name with non-ASCII and XML specials comes out exactly', async () => {
    const { payload, userinfo } = await login('bob', 'bob-pass');
    expect(userinfo.name).to.equal("Bób O'Brien & <Co>");
    expect(payload.name).to.equal("Bób O'Brien & <Co>");
    expect(userinfo.groups).to.deep.equal(['staff']);
  });
});
