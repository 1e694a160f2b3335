// Claim mapping and per-client access rules end to end, on real CAS responses from
// django-cas-server: a staff-only client, a Chinese name romanised, XML specials kept.
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, type RelyingParty } from '../support/rp.js';
import * as oidc from 'openid-client';

const OPEN = 'http://127.0.0.1:9/open/cb';
const STAFF = 'http://127.0.0.1:9/staff/cb';

export const SAMPLE_CLAIMS = {
  preset: 'default',
  claims: {
    email: { firstOf: ['mail', 'email'], transforms: ['first', 'trim', 'lowercase'], fallback: { template: '{uid}@mail.example.edu' } },
    given_name: {
      attribute: 'givenName', transforms: ['first'],
      fallback: { attribute: 'displayName', transforms: ['first', { splitName: 'given' }, { pinyin: 'given' }] },
    },
    family_name: {
      attribute: 'sn', transforms: ['first'],
      fallback: { attribute: 'displayName', transforms: ['first', { splitName: 'family' }, { pinyin: 'family' }] },
    },
    groups: { attribute: 'memberOf', transforms: [{ regex: '^(?:cn=)?([^,]+)', flags: 'i' }] },
  },
};

describe('claims and access rules with a real CAS server', function () {
  let cas: RealCas;
  let bridge: TestBridge;
  let open: RelyingParty;
  let staff: RelyingParty;

  before(async function () {
    this.timeout(120_000);
    requireRealCas(this);
    cas = await startRealCas();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLAIMS: SAMPLE_CLAIMS,
      CLIENTS: [
        { client_id: 'open-app', client_secret: CLIENT_SECRET, redirect_uris: [OPEN], scope: ['openid', 'profile', 'email', 'groups'] },
        {
          client_id: 'staff-app', client_secret: CLIENT_SECRET, client_name: 'Staff Portal', redirect_uris: [STAFF],
          scope: ['openid', 'profile', 'email', 'groups'],
          access: { name: 'staff only', any: [{ attribute: 'memberOf', has: 'staff' }] },
        },
      ],
    });
    open = await relyingParty(bridge.issuer, 'open-app', CLIENT_SECRET, OPEN);
    staff = await relyingParty(bridge.issuer, 'staff-app', CLIENT_SECRET, STAFF);
  });
  after(async () => {
    await bridge?.stop();
    await cas?.stop();
  });

  async function claimsOf(rp: RelyingParty, username: string, browser = new TestBrowser()) {
    const request = await authorizationRequest(rp);
    const back = await loginThroughCas(browser, rp, request, username, `${username}-pass`);
    expect(back.location, back.body.slice(0, 300)).to.be.a('string');
    const tokens = await redeem(rp, request, back.location!);
    return oidc.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub);
  }

  it('alice (member of staff) may use the staff-only client', async () => {
    const claims = await claimsOf(staff, 'alice');
    expect(claims).to.include({ sub: 'alice', email: 'alice@example.org', email_verified: true, given_name: 'Alice', family_name: 'Example' });
    expect(claims.groups).to.deep.equal(['staff', 'admins']);
  });

  it('carol (no attributes) is refused with a page naming the application, and the client gets access_denied', async () => {
    const browser = new TestBrowser();
    const request = await authorizationRequest(staff);
    const page = await loginThroughCas(browser, staff, request, 'carol', 'carol-pass');
    expect(page.status).to.equal(403);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(page.body).to.include('Staff Portal');
    const link = parseHtml(page.body).querySelector('a.button.primary')?.getAttribute('href');
    expect(link).to.match(/\/abort$/);
    const back = await browser.follow(new URL(link!, page.url).href, (l) => l.startsWith(STAFF));
    const url = new URL(back.location!);
    expect(url.searchParams.get('error')).to.equal('access_denied');
    expect(url.searchParams.get('state')).to.equal(request.state);
    const decision = bridge.logs.find((l) => l.event === 'access_decision' && l.user === 'carol');
    expect(decision).to.include({ allowed: false, client: 'staff-app' });
    expect(String(decision?.rule)).to.include('staff only');
  });

  it('rules also apply to a single sign-on login that skips CAS', async () => {
    const browser = new TestBrowser();
    const first = await claimsOf(open, 'carol', browser);
    expect(first.sub).to.equal('carol');
    expect(first.email, 'carol has no uid, so the email template yields nothing').to.equal(undefined);
    const request = await authorizationRequest(staff);
    const page = await browser.follow(request.url, (l) => l.startsWith(STAFF));
    expect(page.url, 'no CAS round trip').to.not.include(cas.url);
    expect(page.status).to.equal(403);
    expect(page.body).to.include('Staff Portal');
  });

  it('bob: the display name with non-ASCII and XML specials survives the transforms', async () => {
    const claims = await claimsOf(open, 'bob');
    expect(claims.name).to.equal("Bób O'Brien & <Co>");
    expect(claims.family_name, 'split from displayName: last word').to.equal('<Co>');
    expect(claims.given_name).to.equal("Bób O'Brien &");
    expect(claims.groups).to.deep.equal(['staff']);
  });

  it('zhang: 张三 becomes given_name San, family_name Zhang; an LDAP DN group becomes its cn', async () => {
    const claims = await claimsOf(open, 'zhang');
    expect(claims).to.include({ name: '张三', given_name: 'San', family_name: 'Zhang', email: 'zhang.san@example.org' });
    expect(claims.groups).to.deep.equal(['students']);
  });

  it('ouyang: a compound surname stays whole (欧阳娜娜 → Ouyang, Nana) and the email comes from the template, unverified', async () => {
    const claims = await claimsOf(open, 'ouyang');
    expect(claims).to.include({ given_name: 'Nana', family_name: 'Ouyang', email: 'ouyang@mail.example.edu', email_verified: false });
  });
});
