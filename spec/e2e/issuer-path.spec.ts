// An issuer with a path (https://idp.example.edu/oidc): oidc-provider is mounted there, the bridge's
// own routes (interaction, CAS service URL) stay at the origin, and the provider middlewares still
// apply (default scopes, the PKCE explanation).
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('an issuer with a path', () => {
  let cas: ScriptedCas;
  let bridge: TestBridge;
  let issuer: string;

  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/oidc`;
    bridge = await startTestBridge({ ISSUER: issuer, CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] }, { port });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('serves discovery under the path and logs in through CAS with the service URL at the origin', async () => {
    const config = await oidc.discovery(new URL(issuer), 'rp', CLIENT_SECRET, undefined, { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().authorization_endpoint).to.equal(`${issuer}/authorize`);
    expect(config.serverMetadata().token_endpoint).to.equal(`${issuer}/token`);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 'p', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const browser = new TestBrowser();
    const back = await browser.follow(url.href, (l) => l.startsWith(REDIRECT));
    const casLogin = browser.history.find((h) => h.url.startsWith(cas.url));
    expect(new URL(casLogin!.url).searchParams.get('service')).to.match(new RegExp(`^${new URL(issuer).origin}/callback\\?login=[\\w-]+$`));
    expect(new URL(back.location!).searchParams.get('iss')).to.equal(issuer);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.location!), { pkceCodeVerifier: verifier, expectedState: 'p' });
    // the flat client's default scopes were added to `openid`
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userinfo).to.include({ sub: 'alice', email: 'alice@example.org', name: 'Alice Example' });
    expect(userinfo.groups).to.deep.equal(['staff', 'admins']);
  });

  it('explains a plain PKCE challenge there too', async () => {
    const url = new URL(`${issuer}/authorize`);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 'x', code_challenge: 'y'.repeat(43), code_challenge_method: 'plain' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).to.equal(400);
    const back = new URL(parseHtml(await res.text()).querySelector('.actions a.primary')?.getAttribute('href') ?? '');
    expect(`${back.origin}${back.pathname}`).to.equal(REDIRECT);
    expect(back.searchParams.get('error_description')).to.match(/S256/);
  });
});
