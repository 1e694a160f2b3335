// A CAS ticket belongs to the browser that started the login (login CSRF). An attacker logs in at
// the real CAS server himself and sends the victim's browser, which has a login of its own in
// progress, to the bridge's service URL with his ticket. With the default configuration the ticket
// is refused with a page and nothing is created: no session, no account, no code.
import { expect } from 'chai';
import { countRows } from '../../adapters/cleanup.js';
import { TestBrowser, type Hop } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { requireRealCas, startRealCas, type RealCas } from '../support/real-cas.js';
import { authorizationRequest, relyingParty, type RelyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('a CAS ticket belongs to the browser that started the login (real CAS)', function () {
  let cas: RealCas;
  let bridge: TestBridge;
  let rp: RelyingParty;

  before(async function () {
    this.timeout(120_000);
    requireRealCas(this);
    cas = await startRealCas();
    // the defaults: nothing about the service URL is configured
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });
    rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
  });
  after(async () => {
    await bridge?.stop();
    await cas?.stop();
  });

  const atBridge = (l: string): boolean => l.startsWith(`${bridge.issuer}/callback`);
  const atCas = (l: string): boolean => l.startsWith(cas.url);

  /** The victim's browser with a login of its own in progress (stopped at CAS's form). */
  async function victimMidLogin(): Promise<TestBrowser> {
    const victim = new TestBrowser();
    const request = await authorizationRequest(rp, { prompt: 'login' });
    const hop = await victim.follow(request.url, atCas);
    expect(hop.location, 'the victim is on the way to CAS').to.satisfy(atCas);
    return victim;
  }

  /** The attacker's own login at the bridge and CAS, stopped before the return to the bridge. */
  async function attackerReturnUrl(): Promise<{ attacker: TestBrowser; url: string }> {
    const attacker = new TestBrowser();
    const request = await authorizationRequest(rp);
    const form = await attacker.follow(request.url);
    const back = await attacker.submitForm(form, { username: 'bob', password: 'bob-pass' }, atBridge);
    expect(back.location, back.body.slice(0, 300)).to.satisfy(atBridge).and.to.include('ticket=ST-');
    return { attacker, url: back.location! };
  }

  async function expectNoSessionFor(victim: TestBrowser): Promise<void> {
    const request = await authorizationRequest(rp, { prompt: 'none' });
    const hop = await victim.follow(request.url, (l) => l.startsWith(REDIRECT) || atCas(l));
    const location = hop.location ?? '';
    // either the bridge answers login_required at once, or asks CAS with gateway: never a code
    if (location.startsWith(REDIRECT)) expect(new URL(location).searchParams.get('error')).to.equal('login_required');
    else expect(new URL(location).searchParams.get('gateway')).to.equal('true');
    expect(location).to.not.include('code=');
  }

  function expectRefusedPage(hop: Hop): void {
    expect(hop.status, hop.body.slice(0, 300)).to.be.within(400, 499);
    expect(hop.headers.get('content-type')).to.match(/text\/html/);
    expect(hop.body).to.match(/not started in this browser|started in another browser/i);
  }

  it('the service URL CAS gets names the login, so a ticket CAS issued for another login is refused', async () => {
    const victim = await victimMidLogin();
    const service = new URL(victim.history.at(-1)!.location!).searchParams.get('service')!;
    expect(new URL(service).searchParams.get('login'), service).to.match(/^[\w-]+$/);
    const { url } = await attackerReturnUrl();
    const before = await countRows(bridge.services.db);
    const hop = await victim.follow(url);
    expectRefusedPage(hop);
    const after = await countRows(bridge.services.db);
    expect(after.bridge_accounts, 'no account was created for the attacker').to.equal(before.bridge_accounts);
    expect(after.bridge_cas_tickets).to.equal(before.bridge_cas_tickets);
    await expectNoSessionFor(victim);
  });

  it('a ticket for the bare service URL (the attack on a fixed service URL) is refused too', async () => {
    const victim = await victimMidLogin();
    const { attacker } = await attackerReturnUrl();
    // the attacker, logged in at CAS, asks it for a ticket for the bare service URL; CAS refuses it
    // for the service of the victim's login (django-cas-server says INVALID_TICKET, Apereo INVALID_SERVICE)
    const sso = await attacker.request(`${cas.url}/login?service=${encodeURIComponent(`${bridge.issuer}/callback`)}`);
    expect(sso.location, sso.body.slice(0, 200)).to.match(/\/callback\?ticket=ST-/);
    const hop = await victim.follow(sso.location!);
    expect(hop.status).to.be.within(400, 499);
    expect(bridge.logs.some((l) => l.outcome === 'cas_failure' && ['INVALID_SERVICE', 'INVALID_TICKET'].includes(String(l.casCode))), JSON.stringify(bridge.logs.filter((l) => l.event === 'login').slice(-3))).to.equal(true);
    await expectNoSessionFor(victim);
  });

  it('the browser that started the login still logs in', async () => {
    const browser = new TestBrowser();
    const request = await authorizationRequest(rp);
    const form = await browser.follow(request.url);
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(REDIRECT));
    expect(back.location).to.match(/\/rp\/callback\?code=/);
  });
});
