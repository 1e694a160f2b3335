// A client never gets more than its `allowed_scopes`, whichever way a scope would be granted:
// the first login, a single sign-on login, a second interaction in the same browser, a refresh,
// and the token exchange for CAS proxy tickets.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { CAS_PROXY_SCOPE } from '../../lib/proxy/index.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { ProxyingCas } from '../support/proxying-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, type RelyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const REDIRECT = 'http://127.0.0.1:9/narrow/callback';
const BACKEND = 'https://backend.example.edu/api';
const GREEDY = `openid profile email groups ${CAS_PROXY_SCOPE} offline_access`;

describe('a client never gets more than its allowed_scopes', () => {
  let cas: ProxyingCas;
  let bridge: TestBridge;
  let narrow: RelyingParty;
  let wide: RelyingParty;

  before(async () => {
    cas = await new ProxyingCas().listen();
    const port = await freePort();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`,
      CLIENTS: [
        {
          client_id: 'narrow', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT],
          allowed_scopes: ['openid', 'profile'], cas_proxy_targets: [BACKEND],
        },
        { client_id: 'wide', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND] },
      ],
    }, { port });
    narrow = await relyingParty(bridge.issuer, 'narrow', CLIENT_SECRET, REDIRECT, 'post');
    wide = await relyingParty(bridge.issuer, 'wide', CLIENT_SECRET, REDIRECT, 'post');
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  async function login(browser: TestBrowser, rp: RelyingParty, scope: string) {
    const request = await authorizationRequest(rp, { scope });
    const back = await loginThroughCas(browser, rp, request, 'alice', '');
    expect(back.location, `${back.url} ${back.status} ${back.body.slice(0, 300)}`).to.match(/\/narrow\/callback\?code=/);
    return redeem(rp, request, back.location!);
  }

  function expectNarrow(tokens: oidc.TokenEndpointResponse): void {
    expect(tokens.scope?.split(' ').sort()).to.deep.equal(['openid', 'profile']);
    expect(tokens.refresh_token, 'no refresh token without offline_access').to.equal(undefined);
  }

  async function expectNarrowUserinfo(accessToken: string): Promise<void> {
    const userinfo = await oidc.fetchUserInfo(narrow.config, accessToken, 'alice');
    expect(userinfo).to.not.have.any.keys('email', 'email_verified', 'groups');
    expect(userinfo.preferred_username).to.equal('alice');
  }

  it('first login: the token response, userinfo and the ID token carry only the allowed scopes', async () => {
    const tokens = await login(new TestBrowser(), narrow, GREEDY);
    expectNarrow(tokens);
    await expectNarrowUserinfo(tokens.access_token);
    const claims = tokens.claims();
    expect(claims).to.not.have.any.keys('email', 'groups');
  });

  it('single sign-on: a second login in a browser whose session came from a wide client', async () => {
    const browser = new TestBrowser();
    const wideTokens = await login(browser, wide, GREEDY);
    expect(wideTokens.scope?.split(' ')).to.include.members(['email', 'groups', CAS_PROXY_SCOPE, 'offline_access']);
    const casLogins = cas.stats.logins;
    const tokens = await login(browser, narrow, GREEDY);
    expect(cas.stats.logins, 'no trip to CAS: single sign-on').to.equal(casLogins);
    expectNarrow(tokens);
    await expectNarrowUserinfo(tokens.access_token);
  });

  it('a second interaction for the same client and browser adds nothing beyond the allowed scopes', async () => {
    const browser = new TestBrowser();
    await login(browser, narrow, 'openid profile');
    const tokens = await login(browser, narrow, GREEDY);
    expectNarrow(tokens);
    await expectNarrowUserinfo(tokens.access_token);
  });

  it('a scope outside allowed_scopes sent at the token endpoint (refresh) is refused', async () => {
    const tokens = await login(new TestBrowser(), wide, 'openid offline_access');
    expect(tokens.refresh_token).to.be.a('string');
    // the same grant, asked for more at refresh: invalid_scope, never a wider token
    const response = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, scope: 'openid email',
        client_id: 'wide', client_secret: CLIENT_SECRET,
      }),
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: string }).error).to.equal('invalid_scope');
  });

  it('token exchange: an access token of a client without cas_proxy in allowed_scopes yields no proxy ticket', async () => {
    const tokens = await login(new TestBrowser(), narrow, GREEDY);
    const answer = await exchangeForProxyTicket(bridge.issuer, 'narrow', CLIENT_SECRET, { subject_token: tokens.access_token, resource: BACKEND });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
    expect(answer.body.error).to.equal('invalid_scope');
  });

  it('discovery-driven clients learn nothing new, and pushed or request-object scopes are refused too', async () => {
    const response = await fetch(`${bridge.issuer}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'narrow', client_secret: CLIENT_SECRET, response_type: 'code', redirect_uri: REDIRECT,
        scope: 'openid email', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256',
      }),
    });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: string }).error).to.equal('invalid_scope');
  });
});
