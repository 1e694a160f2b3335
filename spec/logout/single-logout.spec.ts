// CAS single logout → OpenID back-channel logout, with the in-process CAS (one logout POST per
// ticket, like django-cas-server and Apereo). The same scenario against the real CAS server is in
// spec/e2e/real-cas-logout.spec.ts.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { verifyLogoutToken } from '../support/backchannel.js';
import { TestBrowser } from '../support/browser.js';
import { DATABASE_KINDS, checkDatabaseKind } from '../support/databases.js';
import { loginAt, silentAuthorization, startLogoutSetup, type LogoutSetup } from '../support/logout-setup.js';

const USERS = { alice: { password: 'alice-pass', attributes: { email: 'alice@example.org' } } };

function logoutRequest(ticket: string): string {
  return `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-1" Version="2.0" IssueInstant="2026-11-22T05:30:33Z"><saml:NameID></saml:NameID><samlp:SessionIndex>${ticket}</samlp:SessionIndex></samlp:LogoutRequest>`;
}

async function postToService(url: string, body: string, contentType = 'application/x-www-form-urlencoded'): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  await res.arrayBuffer();
  return res.status;
}

/** The service tickets the browser carried back to the bridge, in order. */
const ticketsSeen = (browser: TestBrowser): string[] => browser.history
  .map((h) => URL.parse(h.url)?.searchParams.get('ticket'))
  .filter((t): t is string => typeof t === 'string' && t.startsWith('ST-'))
  .filter((t, i, all) => all.indexOf(t) === i);

describe('CAS single logout with the in-process CAS', function () {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let mini: MiniCas;
  let setup: LogoutSetup;

  beforeEach(async () => {
    mini = new MiniCas({ users: USERS });
    cas = await mini.listen();
    setup = await startLogoutSetup(`${cas.url}/login`);
  });
  afterEach(async () => {
    await setup?.stop();
    await cas?.close();
  });

  it('ends the session at both clients: logout tokens with their sid, login_required, refresh tokens refused', async () => {
    const { bridge, apps } = setup;
    const ended: unknown[] = [];
    bridge.services.events.on('session.ended', (e) => { ended.push(e); });
    const browser = new TestBrowser();
    const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const atB = await loginAt(browser, apps.b, 'alice', 'alice-pass');
    expect(mini.stats.passwordLogins, 'one password login, then single sign-on').to.equal(1);
    expect(atA.tokens.refresh_token).to.be.a('string');

    const out = await browser.follow(`${cas.url}/logout`);
    expect(out.status).to.equal(200);
    expect(mini.stats.logoutPosts).to.be.greaterThan(0);

    expect(apps.a.backchannel.tokens).to.have.length(1);
    expect(apps.b.backchannel.tokens).to.have.length(1);
    const tokenA = await verifyLogoutToken(apps.a.backchannel.tokens[0] ?? '', bridge.issuer, 'app-a');
    const tokenB = await verifyLogoutToken(apps.b.backchannel.tokens[0] ?? '', bridge.issuer, 'app-b');
    expect(tokenA).to.include({ sub: 'alice', sid: atA.sid });
    expect(tokenB).to.include({ sub: 'alice', sid: atB.sid });
    expect(ended).to.have.length(1);
    expect(ended[0]).to.include({ accountId: 'alice', reason: 'cas_single_logout' });

    const silent = await silentAuthorization(browser, apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
    expect(silent.url.searchParams.get('state')).to.equal(silent.request.state);

    for (const [app, login] of [[apps.a, atA], [apps.b, atB]] as const) {
      let error: unknown;
      await oidc.refreshTokenGrant(app.rp.config, login.tokens.refresh_token ?? '').catch((err: unknown) => { error = err; });
      expect(error, `${app.id} refresh token`).to.be.instanceOf(oidc.ResponseBodyError);
      expect((error as oidc.ResponseBodyError).error).to.equal('invalid_grant');
    }
    expect(bridge.logs.filter((l) => l.event === 'cas_single_logout' && l.outcome === 'ended')).to.have.length(1);
  });

  it('answers 200 and changes nothing for an unknown ticket and for a repeat', async () => {
    const { bridge, apps } = setup;
    const browser = new TestBrowser();
    const login = await loginAt(browser, apps.a, 'alice', 'alice-pass');
    const service = `${new URL(bridge.issuer).origin}/callback`;

    expect(await postToService(service, new URLSearchParams({ logoutRequest: logoutRequest('ST-unknown-0123456789') }).toString())).to.equal(200);
    expect(apps.a.backchannel.tokens).to.have.length(0);
    const stillIn = await silentAuthorization(browser, apps.a);
    expect(stillIn.url.searchParams.get('code'), 'session still alive').to.be.a('string');
    const refreshed = await oidc.refreshTokenGrant(apps.a.rp.config, login.tokens.refresh_token ?? '');
    expect(refreshed.access_token).to.be.a('string');

    const [ticket] = ticketsSeen(browser);
    expect(ticket).to.match(/^ST-/);
    const body = new URLSearchParams({ logoutRequest: logoutRequest(ticket ?? '') }).toString();
    expect(await postToService(service, body)).to.equal(200);
    expect(await postToService(service, body)).to.equal(200);
    expect(apps.a.backchannel.tokens, 'one logout token, not two').to.have.length(1);
    expect(bridge.logs.filter((l) => l.event === 'cas_single_logout').map((l) => l.outcome)).to.deep.equal(['unknown_ticket', 'ended', 'unknown_ticket']);
  });

  it('ends a session once when CAS posts logout requests for two of its tickets at the same time (SQLite)', async () => {
    await concurrentLogoutRequests(setup);
  });

  it('takes logout requests at the per-login service URL (SERVICE_URL_PER_LOGIN)', async () => {
    await setup.stop();
    setup = await startLogoutSetup(`${cas.url}/login`, { SERVICE_URL_PER_LOGIN: true });
    const browser = new TestBrowser();
    await loginAt(browser, setup.apps.a, 'alice', 'alice-pass');
    expect(browser.history.some((h) => /\/callback\?login=[^&]+&ticket=ST-/.test(h.url))).to.equal(true);
    await browser.follow(`${cas.url}/logout`);
    expect(setup.apps.a.backchannel.tokens).to.have.length(1);
    const silent = await silentAuthorization(browser, setup.apps.a);
    expect(silent.url.searchParams.get('error')).to.equal('login_required');
  });

  it('answers 400 to a body that is not a logout request, 413 to a huge one, never 500', async () => {
    const service = `${new URL(setup.bridge.issuer).origin}/callback`;
    const cases: Array<[string, string, number]> = [
      ['empty body', '', 400],
      ['no logoutRequest field', 'foo=bar', 400],
      ['not XML', new URLSearchParams({ logoutRequest: 'hello' }).toString(), 400],
      ['XML that is not a LogoutRequest', new URLSearchParams({ logoutRequest: '<a><b/></a>' }).toString(), 400],
      ['no SessionIndex', new URLSearchParams({ logoutRequest: '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>' }).toString(), 400],
      ['SessionIndex with forbidden characters', new URLSearchParams({ logoutRequest: logoutRequest('ST-1 OR 1=1') }).toString(), 400],
      ['a DOCTYPE', new URLSearchParams({ logoutRequest: `<!DOCTYPE x [<!ENTITY e "ST-1">]>${logoutRequest('&e;')}` }).toString(), 400],
      ['broken XML', new URLSearchParams({ logoutRequest: '<samlp:LogoutRequest><samlp:SessionIndex>ST-1' }).toString(), 400],
      ['JSON', JSON.stringify({ logoutRequest: logoutRequest('ST-1') }), 400],
      ['a body of 100 KiB', `logoutRequest=${'x'.repeat(100 * 1024)}`, 413],
    ];
    for (const [label, body, status] of cases) {
      expect(await postToService(service, body), label).to.equal(status);
    }
  });
});

async function concurrentLogoutRequests(setup: LogoutSetup): Promise<void> {
  const { bridge, apps } = setup;
  const browser = new TestBrowser();
  const atA = await loginAt(browser, apps.a, 'alice', 'alice-pass');
  // a second CAS login into the same bridge session (max_age=0 asks CAS for credentials again)
  await loginAt(browser, apps.b, 'alice', 'alice-pass', { max_age: '0' });
  const tickets = ticketsSeen(browser);
  expect(tickets).to.have.length(2);
  const service = `${new URL(bridge.issuer).origin}/callback`;
  const statuses = await Promise.all(tickets.map((t) => postToService(service, new URLSearchParams({ logoutRequest: logoutRequest(t) }).toString())));
  expect(statuses).to.deep.equal([200, 200]);
  expect(apps.a.backchannel.tokens).to.have.length(1);
  expect(apps.b.backchannel.tokens).to.have.length(1);
  // the other request finds the tickets being forgotten or already forgotten, depending on timing
  const outcomes = bridge.logs.filter((l) => l.event === 'cas_single_logout').map((l) => String(l.outcome));
  expect(outcomes.filter((o) => o === 'ended')).to.have.length(1);
  expect(outcomes.filter((o) => o !== 'ended')).to.have.length(1).and.satisfy((rest: string[]) => ['already_ended', 'unknown_ticket'].includes(rest[0] ?? ''));
  const refused = await oidc.refreshTokenGrant(apps.a.rp.config, atA.tokens.refresh_token ?? '').then(() => undefined, (err: unknown) => err);
  expect((refused as oidc.ResponseBodyError | undefined)?.error).to.equal('invalid_grant');
}

for (const kind of DATABASE_KINDS.filter((k) => k.label !== 'SQLite')) {
  describe(`CAS single logout on ${kind.label}`, function () {
    it('ends a session once when CAS posts logout requests for two of its tickets at the same time', async function () {
      checkDatabaseKind(kind, this);
      const db = await kind.create();
      const cas = await new MiniCas({ users: USERS }).listen();
      const setup = await startLogoutSetup(`${cas.url}/login`, { DATABASE_URL: db.url });
      try {
        await concurrentLogoutRequests(setup);
      } finally {
        await setup.stop();
        await cas.close();
        await db.drop();
      }
    });
  });
}
