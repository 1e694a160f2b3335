// Input from CAS is bounded like input from browsers (issue 14 section 4), end to end: a CAS that
// names a 10 KB user, too many values, or a mapping that makes an overlong sub gets the person the
// same page and the bridge the same log line as any other CAS answer it cannot use, and nothing is
// stored. Before the bounds, the 10 KB user logged in as a 10,240-character sub.
import { expect } from 'chai';
import { parse as parseHtml } from 'node-html-parser';
import { TestBrowser, type Hop } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { scriptedCas, xmlAnswer, type ScriptedCas } from '../support/scripted-cas.js';
import { fixture } from '../cas/support.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

const casSuccess = (user: string, attributes = ''): string => '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
  + `<cas:user>${user}</cas:user><cas:attributes>${attributes}</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`;

describe('bounds on input from CAS, end to end', () => {
  let cas: ScriptedCas;
  let bridge: TestBridge;

  before(async () => {
    cas = await scriptedCas(xmlAnswer(fixture('p3-serviceValidate-success-alice.xml')));
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp',
      CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: [REDIRECT],
      // the sub is the CAS user plus a suffix from an attribute: a mapping can overflow on its own
      CLAIMS: { claims: { sub: { template: '{user}{suffix}', fallback: { user: true } } } },
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  const login = (): Promise<Hop> => {
    const url = new URL('/authorize', bridge.issuer);
    url.search = new URLSearchParams({ client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state: 's' }).toString();
    return new TestBrowser().follow(url.href, (l) => l.startsWith(REDIRECT));
  };
  const title = (hop: Hop): string => parseHtml(hop.body).querySelector('h1')?.text ?? '';
  const lastLogin = (): Record<string, unknown> | undefined => bridge.logs.filter((l) => l.event === 'login').at(-1);
  const accounts = async (): Promise<number> => (await bridge.services.db.select('SELECT sub FROM bridge_accounts')).length;

  it('a 10 KB cas:user: the page and log of an unusable CAS answer, no account, no code', async () => {
    // what another unusable answer gets, for comparison
    cas.validate = (_r, res) => res.end('<html>maintenance</html>');
    const reference = await login();
    const referenceLog = lastLogin();

    cas.validate = xmlAnswer(casSuccess('u'.repeat(10_240)));
    const page = await login();
    expect(page.status, page.body.slice(0, 300)).to.equal(502);
    expect(page.location).to.equal(undefined);
    expect(title(page)).to.equal(title(reference)).and.match(/answered strangely/);
    const log = lastLogin();
    expect(log).to.include({ outcome: 'cas_bad_response', level: referenceLog?.level });
    expect(log?.reason).to.equal('CAS user refused: it is 10240 characters long (at most 255)');
    expect(JSON.stringify(bridge.logs)).not.to.contain('u'.repeat(256));
    expect(await accounts()).to.equal(0);
  });

  it('a user with control characters and an attribute with 1001 values: the same', async () => {
    // a C1 control (XML carries it); an escape character XML forbids is refused by the XML check
    cas.validate = xmlAnswer(casSuccess('alice&#x85;'));
    expect((await login()).status).to.equal(502);
    expect(lastLogin()?.reason).to.match(/CAS user refused: it contains control characters/);
    cas.validate = xmlAnswer(casSuccess('ali&#x1b;[31mce'));
    expect((await login()).status).to.equal(502);
    expect(lastLogin()?.reason).to.match(/characters XML does not allow/);

    cas.validate = xmlAnswer(casSuccess('alice', Array.from({ length: 1001 }, (_, i) => `<cas:memberOf>g${i}</cas:memberOf>`).join('')));
    expect((await login()).status).to.equal(502);
    expect(lastLogin()?.reason).to.match(/1001 values of attribute "memberOf"/);
    expect(await accounts()).to.equal(0);
  });

  it('a mapped sub over 255 characters: the account page and a claims_failed log, nothing stored', async () => {
    cas.validate = xmlAnswer(casSuccess('alice', `<cas:suffix>${'s'.repeat(251)}</cas:suffix>`));
    const page = await login();
    expect(page.status).to.equal(403);
    expect(title(page)).to.match(/cannot be used here/);
    expect(lastLogin()).to.include({ outcome: 'claims_failed', reason: 'the mapped sub claim is 256 characters long (at most 255)' });
    expect(await accounts()).to.equal(0);
  });

  it('within the bounds, the same mapping logs in with a 255-character sub', async () => {
    cas.validate = xmlAnswer(casSuccess('alice', `<cas:suffix>${'s'.repeat(250)}</cas:suffix>`));
    const back = await login();
    expect(back.location, back.body.slice(0, 300)).to.match(/\/rp\/callback\?code=/);
    expect(lastLogin()).to.include({ outcome: 'success', sub: `alice${'s'.repeat(250)}` });
  });
});
