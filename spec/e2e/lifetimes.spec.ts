// AUTH_CODE_EXPIRY and ACCESS_TOKEN_EXPIRY in real time: an expired code is invalid_grant, an
// expired access token a 401 at userinfo.
import { expect } from 'chai';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('code and access token lifetimes', function () {
  this.timeout(20_000);
  let cas: ScriptedCas;
  let bridge: TestBridge;
  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
      // 2 s, not 1: lifetimes count from a whole second (oidc-provider's iat is floored), so a
      // 1 s code issued late in a second may expire a few milliseconds later, before its redemption
      AUTH_CODE_EXPIRY: 2, ACCESS_TOKEN_EXPIRY: 2,
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  async function code(): Promise<string> {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 's' }).toString();
    const hop = await new TestBrowser().follow(url.href, (l) => l.startsWith(REDIRECT));
    return new URL(hop.location!).searchParams.get('code')!;
  }
  const redeem = async (value: string) => {
    const res = await fetch(`${bridge.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: value, redirect_uri: REDIRECT, client_id: 'rp', client_secret: CLIENT_SECRET }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const userinfo = (token: string) => fetch(`${bridge.issuer}/userinfo`, { headers: { authorization: `Bearer ${token}` } });

  it('a code older than AUTH_CODE_EXPIRY and an access token older than ACCESS_TOKEN_EXPIRY are refused', async () => {
    const fresh = await redeem(await code());
    expect(fresh.status).to.equal(200);
    expect(fresh.json.expires_in).to.equal(2);
    const accessToken = fresh.json.access_token as string;
    expect((await userinfo(accessToken)).status).to.equal(200);
    const kept = await code();

    await new Promise((r) => setTimeout(r, 2500));

    const late = await redeem(kept);
    expect(late.status).to.equal(400);
    expect(late.json.error).to.equal('invalid_grant');
    const expired = await userinfo(accessToken);
    expect(expired.status).to.equal(401);
    expect(expired.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
  });
});
