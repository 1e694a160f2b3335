// Demo mode end to end: the demo application's page, the demo CAS form, back to a page with the
// verified ID token claims and userinfo, then logout through the bridge.
import { expect } from 'chai';
import { parse } from 'node-html-parser';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/observability/logger.js';
import { assertLoopback, DemoRefusedError, startDemo, type RunningDemo } from '../../lib/demo/run.js';
import { TestBrowser, type Hop } from '../support/browser.js';
import { freePort } from '../support/net.js';

const quietLogger = () => createLogger('warn', { destination: new Writable({ write: (_c, _e, cb) => cb() }), pretty: false });

function link(page: Hop, text: string): string {
  const a = parse(page.body).querySelectorAll('a').find((el) => el.text.trim() === text);
  if (!a) throw new Error(`no "${text}" link on ${page.url}: ${page.body.slice(0, 400)}`);
  return new URL(a.getAttribute('href') ?? '', page.url).href;
}

/** Reads the claims table under a heading: { claim: shown value }. */
function table(page: Hop, heading: string): Record<string, string> {
  const card = parse(page.body).querySelectorAll('.card').find((c) => c.querySelector('h2')?.text === heading);
  if (!card) throw new Error(`no "${heading}" section`);
  return Object.fromEntries(card.querySelectorAll('tr').map((tr) => [tr.querySelector('th')?.text ?? '', tr.querySelector('td')?.text ?? '']));
}

describe('demo mode', () => {
  let demo: RunningDemo;
  before(async () => {
    demo = await startDemo({ port: 0, logger: quietLogger() });
  });
  after(async () => {
    await demo?.close();
  });

  it('prints one URL whose page says "Log in", logs in through the demo CAS and shows claims and userinfo', async () => {
    const browser = new TestBrowser();
    const home = await browser.follow(demo.url);
    expect(home.status).to.equal(200);
    const casForm = await browser.follow(link(home, 'Log in'));
    expect(casForm.url.startsWith(`${demo.casUrl}/login?service=`), casForm.url).to.equal(true);
    expect(casForm.body).to.contain('any username');

    const back = await browser.submitForm(casForm, { username: 'zhangwei', password: 'anything' });
    expect(back.url).to.equal(demo.url);
    expect(back.body).to.contain('ID token signature verified');
    expect(back.body).to.contain('Signed in as 张伟');

    const claims = table(back, 'ID token claims');
    expect(claims.sub).to.equal('zhangwei');
    expect(claims.iss).to.equal(demo.bridge.services.config.issuer);
    expect(claims.aud).to.equal('demo-app');
    expect(claims.nonce).to.be.a('string').and.not.equal('');
    expect(claims.groups).to.equal('["staff","demo-users"]');
    const userinfo = table(back, 'Userinfo');
    expect(userinfo).to.include({ sub: 'zhangwei', name: '张伟', given_name: '伟', family_name: '张', email: 'zhangwei@example.edu', preferred_username: 'zhangwei' });
    expect(userinfo.groups).to.equal('["staff","demo-users"]');
  });

  it('"Log out" goes through the bridge\'s end_session endpoint and back to the application', async () => {
    const browser = new TestBrowser();
    const home = await browser.follow(demo.url);
    const casForm = await browser.follow(link(home, 'Log in'));
    const signedIn = await browser.submitForm(casForm, { username: 'alice', password: 'x' });
    expect(signedIn.body).to.contain('Signed in as');

    const logout = await browser.request(link(signedIn, 'Log out'));
    expect(logout.status).to.equal(302);
    expect(logout.location).to.match(new RegExp(`^${demo.bridge.services.config.issuer}/session/end\\?`));
    // whatever the bridge shows (a confirmation form, or straight back), end at the application
    let page = await browser.follow(logout.location!);
    if (page.url.startsWith(demo.bridge.services.config.issuer)) page = await browser.submitForm(page, {});
    expect(page.url).to.equal(demo.url);
    expect(page.body).to.contain('You are logged out');
    expect(page.body).to.contain('>Log in</a>');
  });

  it('takes the ports it is given for the bridge and the demo CAS (--bridge-port, --cas-port)', async () => {
    const [bridgePort, casPort] = [await freePort(), await freePort()];
    const other = await startDemo({ port: 0, bridgePort, casPort, logger: quietLogger() });
    try {
      expect(other.bridge.url).to.equal(`http://127.0.0.1:${bridgePort}`);
      expect(other.casUrl).to.equal(`http://127.0.0.1:${casPort}/cas`);
      const discovery = await (await fetch(`http://127.0.0.1:${bridgePort}/.well-known/openid-configuration`)).json() as { issuer: string };
      expect(discovery.issuer).to.equal(`http://127.0.0.1:${bridgePort}`);
    } finally {
      await other.close();
    }
  });

  it('deletes its temporary directory when stopped', async () => {
    const other = await startDemo({ port: 0, logger: quietLogger() });
    expect(existsSync(other.dir)).to.equal(true);
    await other.close();
    expect(existsSync(other.dir)).to.equal(false);
  });

  it('refuses a non-loopback issuer', async () => {
    expect(() => assertLoopback('the issuer', 'https://bridge.example.edu')).to.throw(DemoRefusedError, /loopback only/);
    expect(() => assertLoopback('the issuer', 'http://127.0.0.1:4000')).not.to.throw();
    let refused: unknown;
    await startDemo({ port: 0, logger: quietLogger(), settings: { ISSUER: 'https://bridge.example.edu' } }).catch((err: unknown) => { refused = err; });
    expect(refused).to.be.instanceOf(DemoRefusedError);
  });
});
