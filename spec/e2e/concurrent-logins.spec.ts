// Two logins in progress in one browser (two tabs). With the fixed SERVICE_URL the bridge cannot
// tell the returns apart: the latest login wins and the other return gets a page saying to start
// again. SERVICE_URL_PER_LOGIN=true puts the login's id in the service URL: both complete.
import { expect } from 'chai';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('two logins in progress in one browser', () => {
  let cas: ScriptedCas;
  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
  });
  after(async () => {
    await cas?.close();
  });

  async function withBridge(settings: Record<string, unknown>, run: (bridge: TestBridge) => Promise<void>): Promise<void> {
    const bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT], ...settings,
    });
    try {
      await run(bridge);
    } finally {
      await bridge.stop();
    }
  }

  const atCas = (l: string): boolean => l.startsWith(cas.url);
  const atRp = (l: string): boolean => l.startsWith(REDIRECT);

  /** One tab: the authorization request up to the browser's departure for CAS. */
  async function tab(browser: TestBrowser, bridge: TestBridge, state: string): Promise<{ service: string; uid: string }> {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state }).toString();
    const hop = await browser.follow(url.href, atCas);
    expect(hop.location).to.satisfy(atCas);
    const uid = /\/interaction\/([^/?]+)/.exec(hop.url)?.[1] ?? '';
    expect(uid).not.to.equal('');
    return { service: new URL(hop.location!).searchParams.get('service')!, uid };
  }

  /** CAS sends the tab back to its service URL with a ticket. */
  const returnFromCas = (browser: TestBrowser, service: string, ticket: string) => {
    const url = new URL(service);
    url.searchParams.set('ticket', ticket);
    return browser.follow(url.href, atRp);
  };

  it('fixed SERVICE_URL: the latest login wins, the other return gets the start-again page, the older login can be restarted', async () => {
    await withBridge({ SERVICE_URL_PER_LOGIN: false }, async (bridge) => {
      const browser = new TestBrowser();
      const first = await tab(browser, bridge, 'state-first');
      const second = await tab(browser, bridge, 'state-second');
      expect(first.service).to.equal(second.service);

      // the first tab comes back first, but its ticket completes the latest login
      const a = await returnFromCas(browser, first.service, 'ST-101-scriptedTicket');
      expect(new URL(a.location!).searchParams.get('state')).to.equal('state-second');
      expect(new URL(a.location!).searchParams.get('code')).to.be.a('string');
      // validated at the service URL itself: its answer leads straight to the authorization resume
      const atService = browser.history.find((h) => h.url.startsWith(first.service));
      expect(atService?.location).to.match(new RegExp(`^${bridge.issuer}/auth(orize)?/${second.uid}$`));

      // the second tab's return finds no login in progress
      const b = await returnFromCas(browser, second.service, 'ST-102-scriptedTicket');
      expect(b.status).to.equal(400);
      expect(b.headers.get('content-type')).to.match(/^text\/html/);
      expect(b.body).to.match(/No login in progress/).and.match(/Start again/);

      // the first login's interaction still lives: going back to it restarts its CAS login
      const restarted = await browser.follow(`${bridge.issuer}/interaction/${first.uid}`, atRp);
      expect(new URL(restarted.location!).searchParams.get('state')).to.equal('state-first');
    });
  });

  it('SERVICE_URL_PER_LOGIN=true: each return completes its own login, in any order', async () => {
    await withBridge({ SERVICE_URL_PER_LOGIN: true }, async (bridge) => {
      const browser = new TestBrowser();
      const first = await tab(browser, bridge, 'state-first');
      const second = await tab(browser, bridge, 'state-second');
      expect(first.service).to.equal(`${bridge.issuer}/callback?login=${first.uid}`);
      expect(second.service).to.equal(`${bridge.issuer}/callback?login=${second.uid}`);

      const b = await returnFromCas(browser, second.service, 'ST-201-scriptedTicket');
      expect(new URL(b.location!).searchParams.get('state')).to.equal('state-second');
      const a = await returnFromCas(browser, first.service, 'ST-202-scriptedTicket');
      expect(new URL(a.location!).searchParams.get('state')).to.equal('state-first');

      // the login the pending cookie names is validated at the service URL; the other goes on to
      // its interaction, whose own cookie ties it to this browser
      const nextHop = (service: string): string | undefined => browser.history.find((h) => h.url.startsWith(service))?.location;
      expect(nextHop(second.service)).to.match(new RegExp(`/auth(orize)?/${second.uid}$`));
      expect(nextHop(first.service)).to.match(new RegExp(`/interaction/${first.uid}/cas\\?ticket=ST-202-scriptedTicket$`));

      // validation repeated each login's own service string, byte for byte
      const validations = cas.requests.filter((r) => r.pathname.endsWith('/serviceValidate')).slice(-2);
      expect(validations.map((v) => v.searchParams.get('service'))).to.deep.equal([second.service, first.service]);

      // both codes are good
      for (const hop of [a, b]) {
        const code = new URL(hop.location!).searchParams.get('code')!;
        const res = await fetch(`${bridge.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: 'rp', client_secret: CLIENT_SECRET }),
        });
        expect(res.status).to.equal(200);
      }
    });
  });

  it('SERVICE_URL_PER_LOGIN=true: a login id that is not a pending login falls back to the pending cookie or the page', async () => {
    await withBridge({ SERVICE_URL_PER_LOGIN: true }, async (bridge) => {
      const stranger = new TestBrowser();
      const hop = await stranger.follow(`${bridge.issuer}/callback?login=not-a-login&ticket=ST-301-scriptedTicket`, atRp);
      expect(hop.status).to.equal(400);
      expect(hop.body).to.match(/took too long|No login in progress/);
      expect(hop.body).not.to.match(/\n\s+at /);
    });
  });
});
