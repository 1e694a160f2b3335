// Nothing anonymous grows the database without bound: a thousand requests of each kind anyone can
// send without logging in store nothing, or a bounded amount each that expires soon.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { IOU_TTL_SECONDS } from '../../adapters/cas-pgts.js';
import { countRows } from '../../adapters/cleanup.js';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';
const N = 1000;

/** Bytes of state the bridge keeps (payload columns) and rows per table. */
async function footprint(bridge: TestBridge): Promise<{ bytes: number; rows: Record<string, number> }> {
  const { db } = bridge.services;
  let bytes = 0;
  for (const sql of [
    'SELECT COALESCE(SUM(LENGTH(payload)), 0) AS n FROM oidc_records',
    'SELECT COALESCE(SUM(LENGTH(payload)), 0) AS n FROM bridge_pending_logins',
    'SELECT COALESCE(SUM(LENGTH(sealed_pgt)), 0) AS n FROM bridge_pgt_ious',
  ]) bytes += Number((await db.select<{ n: unknown }>(sql))[0]?.n ?? 0);
  return { bytes, rows: await countRows(db) };
}

/** Runs `count` requests, `parallel` at a time. */
async function drive(count: number, parallel: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) await one(next++);
  }));
}

const authorizeUrl = (bridge: TestBridge, state: string): string => `${bridge.issuer}/authorize?${new URLSearchParams({
  client_id: 'rp', response_type: 'code', scope: 'openid', redirect_uri: REDIRECT, state,
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
})}`;

describe('nothing anonymous grows the database without bound', function () {
  this.timeout(120_000);
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;

  before(async () => {
    cas = await new MiniCas({ users: {} }).listen();
    const port = await freePort();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
      CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`, LOG_LEVEL: 'warn',
    }, { port });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it(`${N} authorization requests with a 14 KB state store nothing: invalid_request at the client`, async () => {
    const before = await footprint(bridge);
    const huge = 'x'.repeat(14 * 1024);
    await drive(N, 8, async () => {
      const res = await fetch(authorizeUrl(bridge, huge), { redirect: 'manual' });
      expect(res.status).to.equal(303);
      const location = new URL(res.headers.get('location')!);
      expect(location.href.startsWith(REDIRECT)).to.equal(true);
      expect(location.searchParams.get('error')).to.equal('invalid_request');
      expect(location.searchParams.get('error_description')).to.equal('state is longer than 2048 characters');
    });
    const after = await footprint(bridge);
    expect(after.rows).to.deep.equal(before.rows);
  });

  it(`${N} authorizations that go on to CAS, with the largest state allowed, store a bounded amount each, soon expired`, async () => {
    const before = await footprint(bridge);
    const state = 's'.repeat(2048);
    await drive(N, 8, async () => {
      const res = await fetch(authorizeUrl(bridge, state), { redirect: 'manual' });
      const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const interaction = await fetch(res.headers.get('location')!, { redirect: 'manual', headers: { cookie: cookies } });
      expect(interaction.status).to.equal(303);
      expect(interaction.headers.get('location')).to.match(/\/cas\/login\?service=/);
    });
    const after = await footprint(bridge);
    const perLogin = (after.bytes - before.bytes) / N;
    // one interaction (its parameters) and one pending login (state and redirect URI again): about
    // twice the state; a 14 KB state used to cost 28 KB here, for over an hour
    process.stdout.write(`      ${Math.round(perLogin)} bytes stored per anonymous login\n`);
    expect(perLogin).to.be.below(8192);
    expect((after.rows.oidc_records ?? 0) - (before.rows.oidc_records ?? 0)).to.equal(N);
    expect((after.rows.bridge_pending_logins ?? 0) - (before.rows.bridge_pending_logins ?? 0)).to.equal(N);
    const [row] = await bridge.services.db.select<{ n: unknown }>('SELECT MAX(expires_at) AS n FROM bridge_pending_logins');
    const keptFor = Number(row?.n) - Math.floor(Date.now() / 1000);
    // the interaction's lifetime (SESSION_EXPIRY, 600 s) plus a grace of 600 s
    expect(keptFor).to.be.at.most(1200);
  });

  it(`${N} anonymous logouts store nothing`, async () => {
    const before = await footprint(bridge);
    await drive(N, 8, async () => {
      const res = await fetch(`${bridge.issuer}/session/end`, { redirect: 'manual' });
      expect(res.status).to.equal(303);
      expect(res.headers.get('location')).to.match(/\/cas\/logout\?service=/);
    });
    const after = await footprint(bridge);
    expect(after.rows).to.deep.equal(before.rows);
  });

  it(`${N} proxy callbacks of the wrong shape store nothing; of CAS's shape, small rows that expire in ${IOU_TTL_SECONDS} s`, async () => {
    const callback = bridge.services.config.cas.proxy!.callbackUrl;
    const before = await footprint(bridge);
    await drive(N, 8, async (i) => {
      const iou = i % 2 ? `X-${randomBytes(20).toString('hex')}` : `PGTIOU-${randomBytes(200).toString('hex')}`;
      const res = await fetch(`${callback}?pgtIou=${iou}&pgtId=PGT-${randomBytes(20).toString('hex')}`);
      expect(res.status).to.equal(400);
    });
    expect((await footprint(bridge)).rows).to.deep.equal(before.rows);

    await drive(N, 8, async () => {
      const res = await fetch(`${callback}?pgtIou=PGTIOU-${randomBytes(30).toString('hex')}&pgtId=PGT-${randomBytes(30).toString('hex')}`);
      expect(res.status).to.equal(200);
    });
    const after = await footprint(bridge);
    expect((after.rows.bridge_pgt_ious ?? 0) - (before.rows.bridge_pgt_ious ?? 0)).to.equal(N);
    expect((after.bytes - before.bytes) / N).to.be.below(512);
    const [row] = await bridge.services.db.select<{ n: unknown }>('SELECT MAX(expires_at) AS n FROM bridge_pgt_ious');
    expect(Number(row?.n) - Math.floor(Date.now() / 1000)).to.be.at.most(IOU_TTL_SECONDS);
  });
});

describe('CAS_SERVER_ADDRESSES: CAS\'s server-to-server requests from elsewhere are refused', () => {
  let bridge: TestBridge;
  before(async () => {
    const port = await freePort();
    bridge = await startTestBridge({
      CAS_LOGIN_URL: 'http://127.0.0.1:9/cas/login', CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
      CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback`, CAS_SERVER_ADDRESSES: ['192.0.2.0/24', '2001:db8::10'],
    }, { port });
  });
  after(async () => bridge?.stop());

  const callback = (): string => `${bridge.services.config.cas.proxy!.callbackUrl}?pgtIou=PGTIOU-1&pgtId=PGT-1`;
  const slo = (headers: Record<string, string> = {}) => fetch(`${bridge.issuer}/callback`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'logoutRequest=x',
  });

  it('refuses the proxy callback and single logout from another address, with 403 and a log line', async () => {
    expect((await fetch(callback())).status).to.equal(403);
    expect((await slo()).status).to.equal(403);
    expect((await slo({ 'x-forwarded-for': '198.51.100.7' })).status).to.equal(403);
    expect(bridge.logs.some((l) => l.event === 'cas_proxy' && l.outcome === 'refused_address' && l.ip === '127.0.0.1')).to.equal(true);
    expect((await countRows(bridge.services.db)).bridge_pgt_ious).to.equal(0);
  });

  it('accepts them from a listed address (X-Forwarded-For from the trusted proxy)', async () => {
    expect((await fetch(callback(), { headers: { 'x-forwarded-for': '192.0.2.44' } })).status).to.equal(200);
    expect((await fetch(callback().replace('IOU-1', 'IOU-2'), { headers: { 'x-forwarded-for': '2001:db8::10' } })).status).to.equal(200);
    // a listed address gets through to the logout request itself, which this one is not
    expect((await slo({ 'x-forwarded-for': '192.0.2.44' })).status).to.equal(400);
  });

  it('refuses single logout that is not a form, whoever sends it', async () => {
    const res = await fetch(`${bridge.issuer}/callback`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.44' }, body: '{"logoutRequest":"x"}',
    });
    expect(res.status).to.equal(415);
  });

  it('refuses an entry that is not an address at start', async () => {
    let error: unknown;
    try {
      await startTestBridge({ CAS_LOGIN_URL: 'http://127.0.0.1:9/cas/login', CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT], CAS_SERVER_ADDRESSES: ['cas.example.edu', '10.0.0.0/33'] });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.include('CAS_SERVER_ADDRESSES: entry "cas.example.edu" must be an IP address or a CIDR range');
    expect(String(error)).to.include('CAS_SERVER_ADDRESSES: entry "10.0.0.0/33" has a prefix length that does not fit an IPv4 address');
  });
});
