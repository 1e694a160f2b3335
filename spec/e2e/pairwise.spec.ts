// Pairwise subject identifiers (OpenID Connect Core 8.1), end to end: clients in different sectors
// see different, stable subs for one CAS user (ID token, userinfo, introspection, back-channel logout
// token), a public client sees the mapped sub, the token exchange works for a pairwise client, and
// one client's sub survives another login, a restart and a SECRET_KEY rotation. A sector document
// that does not list the client's redirect URIs stops the start.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { parse as parseHtml } from 'node-html-parser';
import { Database } from '../../adapters/database.js';
import { migrate } from '../../adapters/migrate.js';
import { ConfigError } from '../../lib/config/index.js';
import { CAS_PROXY_TICKET_TYPE } from '../../lib/proxy/index.js';
import { backchannelReceiver, verifyLogoutToken, type BackchannelReceiver } from '../support/backchannel.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, TEST_SECRET, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { ProxyingCas } from '../support/proxying-cas.js';
import { authorizationRequest, redeem, relyingParty } from '../support/rp.js';
import { stubServer, type Stub } from '../support/stub-server.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const BACKEND = 'https://backend.example.edu/api';
const BYE = 'http://127.0.0.1:9/a/bye';
const ROTATED_SECRET = 'spec-secret-key-rotated-pairwise-0123456789-ZYXWVU';
const REDIRECTS = {
  a: ['http://127.0.0.1:9/a/cb'],
  b: ['http://localhost:9/b/cb'],
  c: ['http://127.0.0.1:9/c/cb'],
  d: ['http://127.0.0.1:9/d/cb', 'http://localhost:9/d/cb'],
} as const;
type Id = keyof typeof REDIRECTS;

const logoutRequest = (ticket: string): string => '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
  + `ID="LR-1" Version="2.0" IssueInstant="2026-11-22T05:30:33Z"><saml:NameID></saml:NameID><samlp:SessionIndex>${ticket}</samlp:SessionIndex></samlp:LogoutRequest>`;

describe('pairwise subject identifiers', function () {
  this.timeout(90_000);
  let dir: string;
  let port: number;
  let cas: ProxyingCas;
  let sector: Stub;
  let sectorDocument: unknown;
  let receivers: Record<'a' | 'b', BackchannelReceiver>;
  let bridge: TestBridge | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pairwise-'));
    port = await freePort();
    cas = await new ProxyingCas().listen();
    sector = await stubServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(sectorDocument));
    });
    receivers = { a: await backchannelReceiver(), b: await backchannelReceiver() };
  });
  beforeEach(() => {
    sectorDocument = [...REDIRECTS.d, 'http://127.0.0.1:9/other'];
  });
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });
  after(async () => {
    await cas?.close();
    await sector?.close();
    await receivers?.a.close();
    await receivers?.b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (secretKey = TEST_SECRET, previous: string[] = [], where = dir): Promise<TestBridge> => startTestBridge({
    SECRET_KEY: secretKey,
    SECRET_KEY_PREVIOUS: previous,
    CAS_LOGIN_URL: `${cas.url}/login`,
    CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`,
    CLIENTS: [
      { client_id: 'a', client_secret: CLIENT_SECRET, redirect_uris: REDIRECTS.a, post_logout_redirect_uris: [BYE], subject_type: 'pairwise', backchannel_logout_uri: receivers.a.url, cas_proxy_targets: [BACKEND] },
      { client_id: 'b', client_secret: CLIENT_SECRET, redirect_uris: REDIRECTS.b, subject_type: 'pairwise', backchannel_logout_uri: receivers.b.url },
      { client_id: 'c', client_secret: CLIENT_SECRET, redirect_uris: REDIRECTS.c },
      { client_id: 'd', client_secret: CLIENT_SECRET, redirect_uris: REDIRECTS.d, subject_type: 'pairwise', sector_identifier_uri: `${sector.url}/sector.json` },
    ],
  }, { port, dir: where });

  interface Seen { idToken: string; idTokenSub: string; userinfoSub: string; accessToken: string; sid: string }

  async function login(running: TestBridge, browser: TestBrowser, id: Id, scope = 'openid'): Promise<Seen> {
    const redirect = REDIRECTS[id][0];
    const rp = await relyingParty(running.issuer, id, CLIENT_SECRET, redirect, 'post');
    const request = await authorizationRequest(rp, { scope });
    const back = await browser.follow(request.url, (l) => l.startsWith(redirect));
    expect(back.location, `${id}: ${back.status} ${back.body.slice(0, 300)}`).to.match(/\?code=/);
    const tokens = await redeem(rp, request, back.location!);
    const claims = decodeJwt(tokens.id_token!);
    const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, String(claims.sub));
    return { idToken: tokens.id_token!, idTokenSub: String(claims.sub), userinfoSub: userinfo.sub, accessToken: tokens.access_token, sid: String(claims.sid) };
  }

  async function introspect(running: TestBridge, clientId: Id, token: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${running.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: clientId, client_secret: CLIENT_SECRET }),
    });
    return await res.json() as Record<string, unknown>;
  }

  const expected = async (running: TestBridge, sectorHost: string, account: string): Promise<string> => {
    const [row] = await running.services.db.select<{ value: string }>("SELECT value FROM bridge_meta WHERE name = 'pairwise_salt'");
    return createHmac('sha256', Buffer.from(row!.value, 'base64url')).update(`${sectorHost}\n${account}`).digest('base64url');
  };

  it('different stable subs per sector in ID token, userinfo, introspection and logout tokens; the mapped sub for a public client', async () => {
    bridge = await start();
    const discovery = await (await fetch(`${bridge.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(discovery.subject_types_supported).to.have.members(['public', 'pairwise']);

    const browser = new TestBrowser();
    const seen = {
      a: await login(bridge, browser, 'a', 'openid cas_proxy'),
      b: await login(bridge, browser, 'b'),
      c: await login(bridge, browser, 'c'),
      d: await login(bridge, browser, 'd'),
    };
    expect(cas.stats.logins, 'one CAS login, then single sign-on').to.equal(1);
    for (const id of ['a', 'b', 'c', 'd'] as const) expect(seen[id].userinfoSub, id).to.equal(seen[id].idTokenSub);
    expect(seen.c.idTokenSub).to.equal('alice');
    expect(seen.a.idTokenSub).to.equal(await expected(bridge, '127.0.0.1:9', 'alice'));
    expect(seen.b.idTokenSub).to.equal(await expected(bridge, 'localhost:9', 'alice'));
    expect(seen.d.idTokenSub).to.equal(await expected(bridge, new URL(sector.url).host, 'alice'));
    expect(new Set([seen.a.idTokenSub, seen.b.idTokenSub, seen.c.idTokenSub, seen.d.idTokenSub]).size).to.equal(4);
    for (const id of ['a', 'b', 'd'] as const) expect(seen[id].idTokenSub, id).to.match(/^[A-Za-z0-9_-]{43}$/);

    expect(await introspect(bridge, 'a', seen.a.accessToken)).to.include({ active: true, sub: seen.a.idTokenSub });
    expect(await introspect(bridge, 'c', seen.c.accessToken)).to.include({ active: true, sub: 'alice' });

    // the token exchange works for a pairwise client; its log names the client's sub and the account
    const exchanged = await exchangeForProxyTicket(bridge.issuer, 'a', CLIENT_SECRET, { subject_token: seen.a.accessToken, resource: BACKEND });
    expect(exchanged.status, JSON.stringify(exchanged.body)).to.equal(200);
    expect(exchanged.body.issued_token_type).to.equal(CAS_PROXY_TICKET_TYPE);
    expect(bridge.logs.find((l) => l.event === 'cas_proxy' && l.outcome === 'issued')).to.include({ sub: seen.a.idTokenSub, user: 'alice' });

    // RP-initiated logout with the pairwise ID token as hint: recognised, no confirmation asked
    const rpA = await relyingParty(bridge.issuer, 'a', CLIENT_SECRET, REDIRECTS.a[0], 'post');
    const logoutPage = await browser.follow(oidc.buildEndSessionUrl(rpA.config, { id_token_hint: seen.a.idToken, post_logout_redirect_uri: BYE }).href);
    expect(parseHtml(logoutPage.body).querySelector('h1')?.text, logoutPage.body.slice(0, 300)).to.equal('Logging out…');

    // CAS single logout: each back-channel client gets a logout token with its own sub and sid
    const ticket = browser.history.map((h) => URL.parse(h.url)?.searchParams.get('ticket')).find((t) => t?.startsWith('ST-'));
    const slo = await fetch(bridge.services.config.cas.serviceUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logoutRequest: logoutRequest(ticket!) }),
    });
    expect(slo.status).to.equal(200);
    for (const id of ['a', 'b'] as const) {
      expect(receivers[id].tokens, id).to.have.length(1);
      const token = await verifyLogoutToken(receivers[id].tokens[0]!, bridge.issuer, id);
      expect(token, id).to.include({ sub: seen[id].idTokenSub, sid: seen[id].sid });
    }
  });

  it('one client sees the same sub across logins, a restart and a SECRET_KEY rotation', async () => {
    bridge = await start();
    const first = await login(bridge, new TestBrowser(), 'a');
    const firstB = await login(bridge, new TestBrowser(), 'b');
    expect((await login(bridge, new TestBrowser(), 'a')).idTokenSub, 'another login').to.equal(first.idTokenSub);
    await bridge.stop();

    bridge = await start();
    expect((await login(bridge, new TestBrowser(), 'a')).idTokenSub, 'after a restart').to.equal(first.idTokenSub);
    await bridge.stop();

    // SECRET_KEY rotated as the README says: the new key with the old as previous, then alone
    // (signing keys are sealed again with it); the salt is not derived from either
    bridge = await start(ROTATED_SECRET, [TEST_SECRET]);
    expect((await login(bridge, new TestBrowser(), 'a')).idTokenSub, 'during a SECRET_KEY rotation').to.equal(first.idTokenSub);
    await bridge.stop();
    bridge = await start(ROTATED_SECRET);
    expect(bridge.services.config.secrets.previous).to.deep.equal([]);
    expect((await login(bridge, new TestBrowser(), 'a')).idTokenSub, 'after a SECRET_KEY rotation').to.equal(first.idTokenSub);
    expect((await login(bridge, new TestBrowser(), 'b')).idTokenSub).to.equal(firstB.idTokenSub);
  });

  it('the salt restored into a new database (README "Pairwise subjects") gives the same subs', async function () {
    if (spawnSync('sqlite3', ['-version']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('sqlite3 (the command) is required on CI');
      this.skip();
    }
    const sqlite = (file: string, sql: string) => spawnSync('sqlite3', [file, sql], { encoding: 'utf8' });
    const original = mkdtempSync(join(tmpdir(), 'pairwise-original-'));
    const fresh = mkdtempSync(join(tmpdir(), 'pairwise-restored-'));
    try {
      bridge = await start(TEST_SECRET, [], original);
      const before = (await login(bridge, new TestBrowser(), 'a')).idTokenSub;
      await bridge.stop();
      bridge = undefined;
      const salt = sqlite(join(original, 'bridge.sqlite3'), "SELECT value FROM bridge_meta WHERE name = 'pairwise_salt'").stdout.trim();
      expect(salt).to.match(/^[A-Za-z0-9_-]{43}$/);

      // the new database: migrated (`db migrate`), the row inserted, then the first start
      const db = await Database.open({ path: join(fresh, 'bridge.sqlite3') });
      await migrate(db);
      await db.close();
      const insert = sqlite(join(fresh, 'bridge.sqlite3'), `INSERT INTO bridge_meta (name, value) VALUES ('pairwise_salt', '${salt}');`);
      expect(insert.status, insert.stderr).to.equal(0);
      bridge = await start(TEST_SECRET, [], fresh);
      expect((await login(bridge, new TestBrowser(), 'a')).idTokenSub, 'the same sub from the restored salt').to.equal(before);
    } finally {
      await bridge?.stop();
      bridge = undefined;
      rmSync(original, { recursive: true, force: true });
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('a sector document that does not list every redirect URI, or does not answer, stops the start', async () => {
    sectorDocument = [REDIRECTS.d[0]];
    let failure = await start().then(() => undefined, (err: unknown) => err);
    expect(failure).to.be.instanceOf(ConfigError);
    expect((failure as ConfigError).problems).to.deep.equal([
      `clients[3].sector_identifier_uri: ${sector.url}/sector.json does not list the client's redirect URI http://localhost:9/d/cb`,
    ]);
    sectorDocument = { redirect_uris: REDIRECTS.d };
    failure = await start().then(() => undefined, (err: unknown) => err);
    expect((failure as ConfigError).problems?.[0]).to.match(/must answer a JSON array of redirect URIs/);
  });
});
