// Every CAS validation protocol against the real CAS server (django-cas-server implements
// /p3/serviceValidate, /serviceValidate, /proxyValidate, /samlValidate and /validate): a whole login
// through CAS's form, the claims each protocol can deliver, and CAS's own request log showing which
// endpoint the bridge used. CAS 1 carries the user only; SAML 1.1 also the AuthenticationStatement.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { SettingName } from '../../lib/config/index.js';
import { CAS_PROXY_TICKET_TYPE } from '../../lib/proxy/index.js';
import { readValidation } from '../../lib/cas/validation.js';
import { TestBrowser, type Hop } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { authorizationRequest, redeem, relyingParty, type RelyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const BACKEND = 'http://127.0.0.1:9/backend/api';

interface Login {
  readonly idToken: JWTPayload;
  readonly userinfo: Record<string, unknown>;
  readonly accessToken: string;
}

describe('CAS protocols against a real CAS server (django-cas-server)', function () {
  let cas: RealCas;
  const bridges: TestBridge[] = [];

  before(async function () {
    this.timeout(120_000);
    requireRealCas(this);
    cas = await startRealCas();
  });
  after(async () => {
    for (const bridge of bridges) await bridge.stop();
    await cas?.stop();
  });

  async function bridgeWith(settings: Partial<Record<SettingName, unknown>>, port?: number): Promise<{ bridge: TestBridge; rp: RelyingParty }> {
    const bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
      CLIENT_SCOPE: ['openid', 'profile', 'email', 'groups'],
      ...settings,
    }, port === undefined ? {} : { port });
    bridges.push(bridge);
    return { bridge, rp: await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT, 'post') };
  }

  /** CAS's request lines since `mark` (runserver prints one per request). */
  const requestsSince = (mark: number): string[] => cas.output().slice(mark).split('\n').filter((l) => /"(GET|POST) \//.test(l));

  /** Through CAS's login form; `back` may rewrite where CAS sends the browser back to (SAMLart). */
  async function login(bridge: TestBridge, rp: RelyingParty, username: string, scope = 'openid profile email groups', back?: (location: string) => string): Promise<Login> {
    const browser = new TestBrowser();
    const request = await authorizationRequest(rp, { scope });
    const form = await browser.follow(request.url);
    expect(form.url.startsWith(`${cas.url}/login?service=`), form.url).to.equal(true);
    const atRp = (l: string): boolean => l.startsWith(REDIRECT);
    let hop: Hop;
    if (back) {
      const atBridge = await browser.submitForm(form, { username, password: `${username}-pass` }, (l) => l.startsWith(bridge.issuer));
      expect(atBridge.location, atBridge.body.slice(0, 300)).to.match(/[?&]ticket=ST-/);
      hop = await browser.follow(back(atBridge.location!), atRp);
    } else {
      hop = await browser.submitForm(form, { username, password: `${username}-pass` }, atRp);
    }
    expect(hop.location, `${hop.url} ${hop.status} ${hop.body.slice(0, 400)}`).to.match(/^http:\/\/127\.0\.0\.1:9\/rp\/callback\?code=/);
    const tokens = await redeem(rp, request, hop.location!);
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${bridge.issuer}/jwks`)), { issuer: bridge.issuer, audience: 'rp' });
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(payload.sub)) as Record<string, unknown>;
    return { idToken: payload, userinfo, accessToken: tokens.access_token };
  }

  it('cas3: /p3/serviceValidate, attributes become claims', async () => {
    const { bridge, rp } = await bridgeWith({});
    const mark = cas.output().length;
    const alice = await login(bridge, rp, 'alice');
    expect(alice.idToken.sub).to.equal('alice');
    expect(alice.userinfo).to.deep.include({ email: 'alice@example.org', name: 'Alice Example', groups: ['staff', 'admins'] });
    expect(requestsSince(mark).filter((l) => l.includes('/p3/serviceValidate?'))).to.have.length(1);
  });

  it('cas2: /serviceValidate (not /p3/), and the attributes django-cas-server adds to CAS 2 answers become claims', async () => {
    const { bridge, rp } = await bridgeWith({ CAS_PROTOCOL: 'cas2' });
    expect(bridge.services.config.cas.validateUrl).to.equal(`${cas.url}/serviceValidate`);
    const mark = cas.output().length;
    const bob = await login(bridge, rp, 'bob');
    expect(bob.idToken.sub).to.equal('bob');
    expect(bob.userinfo).to.deep.include({ email: 'bob@example.org', name: "Bób O'Brien & <Co>", groups: ['staff'] });
    const requests = requestsSince(mark);
    expect(requests.filter((l) => /"GET \/serviceValidate\?/.test(l)), requests.join('\n')).to.have.length(1);
    expect(requests.some((l) => l.includes('/p3/'))).to.equal(false);
  });

  it('cas2 with proxying: /proxyValidate with a pgtUrl, and the PGT yields proxy tickets CAS validates', async () => {
    const port = await freePort();
    const callbackUrl = `http://127.0.0.1:${port}/cas/proxy-callback`;
    const { bridge } = await bridgeWith({
      CAS_PROTOCOL: 'cas2',
      CAS_PROXY_CALLBACK_URL: callbackUrl,
      CLIENT_ID: undefined,
      CLIENT_SECRET: undefined,
      REDIRECT_URI_ALLOWLIST: [],
      CLIENTS: [{ client_id: 'rp', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], cas_proxy_targets: [BACKEND] }],
    }, port);
    const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT, 'post');
    expect(bridge.services.config.cas.validateUrl).to.equal(`${cas.url}/proxyValidate`);
    const mark = cas.output().length;
    const alice = await login(bridge, rp, 'alice', 'openid cas_proxy');
    expect(requestsSince(mark).filter((l) => /"GET \/proxyValidate\?.*pgtUrl=/.test(l))).to.have.length(1);

    const exchanged = await exchangeForProxyTicket(bridge.issuer, 'rp', CLIENT_SECRET, { subject_token: alice.accessToken, resource: BACKEND });
    expect(exchanged.status, JSON.stringify(exchanged.body)).to.equal(200);
    expect(exchanged.body.issued_token_type).to.equal(CAS_PROXY_TICKET_TYPE);
    const validation = await (await fetch(`${cas.url}/proxyValidate?${new URLSearchParams({ service: BACKEND, ticket: String(exchanged.body.access_token) })}`)).text();
    const result = readValidation('cas2', validation);
    expect(result.kind === 'success' && result.user, validation).to.equal('alice');
    expect(result.kind === 'success' && result.proxies).to.deep.equal([callbackUrl]);
  });

  it('saml11: the SOAP POST to /samlValidate?TARGET=<service>; attributes, multi-valued groups, and the authentication method as amr', async () => {
    const { bridge, rp } = await bridgeWith({ CAS_PROTOCOL: 'saml11', CLAIMS: { claims: { amr: 'authenticationMethod' } } });
    expect(bridge.services.config.cas.validateUrl).to.equal(`${cas.url}/samlValidate`);
    const mark = cas.output().length;
    const before = Math.floor(Date.now() / 1000);
    const alice = await login(bridge, rp, 'alice');
    expect(alice.idToken.sub).to.equal('alice');
    expect(alice.idToken.amr).to.deep.equal(['urn:oasis:names:tc:SAML:1.0:am:password']);
    // auth_time from the login time CAS reports (a fresh password login moments ago)
    expect(alice.idToken.auth_time).to.be.within(before - 5, Math.floor(Date.now() / 1000) + 1);
    expect(alice.userinfo).to.deep.include({ email: 'alice@example.org', given_name: 'Alice', family_name: 'Example', groups: ['staff', 'admins'] });
    const requests = requestsSince(mark);
    expect(requests.filter((l) => /"POST \/samlValidate\?TARGET=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback%3Flogin%3D/.test(l)), requests.join('\n')).to.have.length(1);
    expect(cas.output().slice(mark)).to.match(/SamlValidate: ticket ST-\S+ validated for user alice/);

    const bob = await login(bridge, rp, 'bob');
    expect(bob.userinfo).to.deep.include({ name: "Bób O'Brien & <Co>", groups: ['staff'] });
  });

  it('saml11: a return with SAMLart instead of ticket (the artifact way) logs in the same', async () => {
    const { bridge, rp } = await bridgeWith({ CAS_PROTOCOL: 'saml11' });
    const asArtifact = (location: string): string => {
      const url = new URL(location);
      const ticket = url.searchParams.get('ticket')!;
      url.searchParams.delete('ticket');
      url.searchParams.set('SAMLart', ticket);
      return url.href;
    };
    const alice = await login(bridge, rp, 'alice', 'openid email', asArtifact);
    expect(alice.idToken.sub).to.equal('alice');
    expect(alice.userinfo.email).to.equal('alice@example.org');
  });

  it('cas1: /validate gives the user name only: sub and preferred_username, no other claim', async () => {
    const { bridge, rp } = await bridgeWith({ CAS_PROTOCOL: 'cas1' });
    expect(bridge.services.config.cas.validateUrl).to.equal(`${cas.url}/validate`);
    const mark = cas.output().length;
    const alice = await login(bridge, rp, 'alice');
    expect(alice.idToken.sub).to.equal('alice');
    expect(alice.userinfo).to.deep.equal({ sub: 'alice', preferred_username: 'alice' });
    expect(requestsSince(mark).filter((l) => /"GET \/validate\?service=/.test(l))).to.have.length(1);
    expect(cas.output().slice(mark)).to.match(/Validate: Service ticket ST-\S+ validated, user alice/);
  });

  it('a used ticket answered by each protocol\'s failure: the CAS failure page, CAS\'s reason logged with the ticket masked', async () => {
    for (const protocol of ['saml11', 'cas1', 'cas2'] as const) {
      const { bridge, rp } = await bridgeWith({ CAS_PROTOCOL: protocol });
      const browser = new TestBrowser();
      const form = await browser.follow((await authorizationRequest(rp)).url);
      const atBridge = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(bridge.issuer));
      const service = new URL(atBridge.location!);
      const ticket = service.searchParams.get('ticket')!;
      // the ticket is used up once, at CAS itself, before the bridge sees it
      service.searchParams.delete('ticket');
      const burn = protocol === 'cas1' ? 'validate' : 'serviceValidate';
      await (await fetch(`${cas.url}/${burn}?${new URLSearchParams({ service: service.href, ticket })}`)).text();
      const page = await browser.follow(atBridge.location!, (l) => l.startsWith(REDIRECT));
      expect(page.status, `${protocol}: ${page.body.slice(0, 200)}`).to.equal(401);
      expect(page.body).to.match(/CAS could not confirm your login/);
      const log = bridge.logs.filter((l) => l.event === 'login' && l.outcome === 'cas_failure').at(-1);
      expect(log, protocol).to.include({ casCode: protocol === 'saml11' ? 'AuthnFailed' : 'INVALID_TICKET' });
      if (protocol === 'saml11') expect(log?.casReason).to.equal('ticket ST-… not found');
      expect(JSON.stringify(bridge.logs), protocol).not.to.contain(ticket);
    }
  });
});
