// The compat-form allowlist end to end: /authorize admits only allowlisted redirect URIs (anything
// else gets oidc-provider's HTML error page, never a redirect), and for the flat form the same
// entries govern post_logout_redirect_uri (Keycloak's …/endpoint/logout_response).
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

const ENDPOINT = 'https://sso.example.org/realms/uni/broker/cas/endpoint';

describe('redirect allowlist through the bridge', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;

  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: { email: 'alice@example.org' } } } }).listen();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'kc',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [ENDPOINT],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  const authorize = (redirectUri: string): Promise<Response> => {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'kc', response_type: 'code', scope: 'openid', redirect_uri: redirectUri, state: 'st-1' }).toString();
    return fetch(url, { redirect: 'manual' });
  };

  for (const attack of [
    'https://sso.example.org.evil.test/realms/uni/broker/cas/endpoint',
    'https://sso.example.org@evil.test/realms/uni/broker/cas/endpoint',
    'https://sso.example.orgx/realms/uni/broker/cas/endpoint',
    'https://sso.example.org:8443/realms/uni/broker/cas/endpoint',
    'http://sso.example.org/realms/uni/broker/cas/endpoint',
    `${ENDPOINT}x`,
    `${ENDPOINT}/../../../admin`,
    `${ENDPOINT}/%2e%2e/%2e%2e/admin`,
    `${ENDPOINT}%2f..%2fadmin`,
    `${ENDPOINT}#fragment`,
    'https://evil.test/callback',
  ]) {
    it(`an unregistered redirect_uri gets an HTML error page, never a redirect: ${attack}`, async () => {
      const res = await authorize(attack);
      const body = await res.text();
      expect(res.status).to.equal(400);
      expect(res.headers.get('location')).to.equal(null);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(body).to.match(/redirect_uri/);
      expect(body).not.to.include('evil.test');
      expect(body).not.to.match(/\n\s+at /);
    });
  }

  it('an allowlisted prefix admits a deeper redirect_uri, and the code arrives there', async () => {
    const config = await oidc.discovery(new URL(bridge.issuer), 'kc', CLIENT_SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
    const redirectUri = `${ENDPOINT}/deeper`;
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state: 'st-2',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const page = await browser.follow(url.href);
    const back = await browser.submitForm(page, { username: 'alice', password: 'pw' }, (l) => l.startsWith(ENDPOINT));
    expect(back.location).to.match(new RegExp(`^${redirectUri}\\?code=`));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 'st-2' });
    expect(tokens.access_token).to.be.a('string');
  });

  describe('post_logout_redirect_uri of the flat form', () => {
    const endSession = (uri: string): Promise<Response> => {
      const url = new URL('/session/end', bridge.issuer);
      url.search = new URLSearchParams({ client_id: 'kc', post_logout_redirect_uri: uri, state: 'lo-1' }).toString();
      return fetch(url, { redirect: 'manual' });
    };

    it("admits Keycloak's …/endpoint/logout_response under the allowlisted …/endpoint", async () => {
      const res = await endSession(`${ENDPOINT}/logout_response`);
      const body = await res.text();
      expect(res.status, body.slice(0, 300)).to.be.oneOf([200, 303]);
      expect(body).not.to.match(/not registered/);
    });

    for (const bad of [
      'https://sso.example.org.evil.test/realms/uni/broker/cas/endpoint/logout_response',
      'https://sso.example.org@evil.test/realms/uni/broker/cas/endpoint/logout_response',
      `${ENDPOINT}x/logout_response`,
      'https://evil.test/',
    ]) {
      it(`refuses ${bad}`, async () => {
        const res = await endSession(bad);
        const body = await res.text();
        expect(res.status).to.equal(400);
        expect(res.headers.get('location')).to.equal(null);
        expect(body).to.match(/post_logout_redirect_uri not registered/);
        expect(body).not.to.include('evil.test');
      });
    }
  });
});
