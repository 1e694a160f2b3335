// Several machines behind one issuer: bridge processes (the real command line) sharing PostgreSQL
// or MariaDB behind a load balancer that sends each request to the node the spec picks. Three
// nodes start together on an empty database: migrations run once, one set of signing keys, one
// JWKS. Then a login whose steps land on different nodes: authorize and CAS callback on A, token
// on B, userinfo on A, refresh on B; a CAS single logout delivered to B ends the session made on A.
// PostgreSQL runs with the real CAS server (django-cas-server) and CAS proxying, its PGT callback
// landing on B while A validates the ticket; MariaDB runs with the in-process CAS.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { Sequelize } from 'sequelize';
import { MIGRATIONS } from '../../adapters/migrations/index.js';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { Balancer } from '../support/balancer.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { startCli, stopCli, type CliProcess, type LogLine } from '../support/cli-process.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';
import { freePort } from '../support/net.js';
import { requireRealCas, startRealCas } from '../support/real-cas.js';
import { authorizationRequest, redeem, relyingParty } from '../support/rp.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';
import { parseValidationResponse } from '../../lib/cas/xml.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const BACKEND = 'http://127.0.0.1:9/backend/api';

interface Cas {
  readonly loginUrl: string;
  readonly logoutUrl: string;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

async function realCas(): Promise<Cas> {
  const cas = await startRealCas();
  return { loginUrl: `${cas.url}/login`, logoutUrl: `${cas.url}/logout`, user: 'alice', password: 'alice-pass', stop: () => cas.stop() };
}

async function miniCas(): Promise<Cas> {
  const cas = await new MiniCas({ users: { alice: { password: 'alice-pass', attributes: { email: 'alice@example.org' } } } }).listen();
  return { loginUrl: `${cas.url}/login`, logoutUrl: `${cas.url}/logout`, user: 'alice', password: 'alice-pass', stop: () => cas.close() };
}

const requestPaths = (node: CliProcess): string[] => node.lines.filter((l) => l.event === 'request').map((l) => `${String(l.method)} ${String(l.path).split('?')[0]} ${String(l.status)}`);

async function scalar(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = new Sequelize(url, { logging: false });
  try {
    const [rows] = await db.query(sql);
    return rows as Array<Record<string, unknown>>;
  } finally {
    await db.close();
  }
}

async function jwksOf(nodeUrl: string): Promise<unknown> {
  const discovery = await (await fetch(`${nodeUrl}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  return (await fetch(`${nodeUrl}${new URL(discovery.jwks_uri).pathname}`)).json();
}

for (const kind of DATABASE_KINDS.filter((k) => k.label !== 'SQLite')) {
  const withRealCas = kind.label === 'PostgreSQL';
  describe(`two bridge processes sharing ${kind.label} behind one issuer (${withRealCas ? 'real CAS server' : 'in-process CAS'})`, function () {
    this.timeout(180_000);
    let db: SpecDatabase | undefined;
    let cas: Cas | undefined;
    let dir: string;
    const nodes: CliProcess[] = [];
    let balancer: Balancer | undefined;

    before(async function () {
      checkDatabaseKind(kind, this);
      if (withRealCas) requireRealCas(this);
      dir = mkdtempSync(join(tmpdir(), 'two-nodes-'));
      db = await kind.create();
      cas = withRealCas ? await realCas() : await miniCas();
    });
    after(async () => {
      for (const node of nodes) await stopCli(node, 'SIGKILL');
      await balancer?.close();
      await cas?.stop();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('migrate once when started together, then share every step of a login and its single logout', async () => {
      if (!db?.url || !cas) throw new Error('not set up');
      const issuerPort = await freePort();
      const issuer = `http://127.0.0.1:${issuerPort}`;
      const configFile = join(dir, 'config.json');
      writeFileSync(configFile, '{}');
      const envFor = (port: number): Record<string, string> => ({
        ISSUER: issuer, HOST: '127.0.0.1', PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
        DATABASE_URL: db!.url!, DATABASE_POOL_MAX: '4', CAS_LOGIN_URL: cas!.loginUrl, LOG_LEVEL: 'info', CONFIG_FILE: configFile,
        CLIENTS: JSON.stringify([{
          client_id: 'rp', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT], scope: ['openid', 'email'], ...(withRealCas ? { cas_proxy_targets: [BACKEND] } : {}),
        }]),
        // with the real CAS: proxying on, and CAS's callback is given to B while A validates
        ...(withRealCas ? { CAS_PROXY_CALLBACK_URL: `${issuer}/cas/proxy-callback` } : {}),
      });
      const ports = [await freePort(), await freePort(), await freePort()];
      // three nodes start at the same moment on an empty database
      nodes.push(...await Promise.all(ports.map((port) => startCli(envFor(port)))));
      const [a, b, c] = nodes as [CliProcess, CliProcess, CliProcess];
      const migratedBy = nodes.filter((n) => n.lines.some((l) => l.event === 'migrated'));
      expect(migratedBy, 'one node applied the migrations').to.have.length(1);
      expect(await scalar(db.url, 'SELECT name FROM bridge_migrations'), 'every migration, once').to.have.length(MIGRATIONS.length);
      const keys = await scalar(db.url, 'SELECT kid, alg, status FROM bridge_signing_keys');
      expect(keys.map((k) => `${String(k.alg)} ${String(k.status)}`).sort()).to.deep.equal(['ES256 active', 'RS256 active']);
      const nodeUrls = ports.map((p) => `http://127.0.0.1:${p}`);
      const jwks = await Promise.all(nodeUrls.map(jwksOf));
      expect(jwks[1]).to.deep.equal(jwks[0]);
      expect(jwks[2]).to.deep.equal(jwks[0]);
      expect((jwks[0] as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort()).to.deep.equal(keys.map((k) => String(k.kid)).sort());
      expect(await stopCli(c), 'third node stops cleanly').to.equal(0);

      balancer = new Balancer({ A: nodeUrls[0]!, B: nodeUrls[1]! });
      await balancer.listen(issuerPort);
      const rp = await relyingParty(issuer, 'rp', CLIENT_SECRET, REDIRECT);
      const browser = new TestBrowser();
      const atRp = (l: string) => l.startsWith(REDIRECT);

      // authorize and CAS callback on A (and CAS's PGT callback on B)
      balancer.current = 'A';
      balancer.pinned.set('/cas/proxy-callback', 'B');
      const request = await authorizationRequest(rp, { scope: withRealCas ? 'openid offline_access cas_proxy' : 'openid offline_access' });
      let hop = await browser.follow(request.url, atRp);
      hop = await browser.submitForm(hop, { username: cas.user, password: cas.password }, atRp);
      expect(hop.location, `${hop.url} ${hop.status} ${hop.body.slice(0, 300)}`).to.match(/^http:\/\/127\.0\.0\.1:9\/cb\?code=/);
      await a.waitForLine((l) => l.event === 'login' && l.outcome === 'success');
      expect(b.lines.filter((l) => l.event === 'login'), 'B saw no login').to.deep.equal([]);

      // token on B
      balancer.current = 'B';
      const tokens = await redeem(rp, request, hop.location!);
      expect(tokens.refresh_token).to.be.a('string');
      await b.waitForLine((l) => l.event === 'request' && l.path === '/token' && l.status === 200);

      // userinfo on A
      balancer.current = 'A';
      const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, 'alice');
      expect(userinfo.email).to.equal('alice@example.org');
      await a.waitForLine((l) => l.event === 'request' && l.path === '/userinfo' && l.status === 200);

      if (withRealCas) {
        // the PGT that reached B's callback serves A's token exchange; CAS validates the proxy ticket
        expect(requestPaths(b)).to.include('GET /cas/proxy-callback 200');
        expect(requestPaths(a).filter((p) => p.includes('/cas/proxy-callback'))).to.deep.equal([]);
        const exchanged = await exchangeForProxyTicket(issuer, 'rp', CLIENT_SECRET, { subject_token: tokens.access_token, resource: BACKEND });
        expect(exchanged.status, JSON.stringify(exchanged.body)).to.equal(200);
        const validation = await fetch(`${cas.loginUrl.replace(/\/login$/, '')}/p3/proxyValidate?${new URLSearchParams({ service: BACKEND, ticket: String(exchanged.body.access_token) })}`);
        const result = parseValidationResponse(await validation.text());
        expect(result.kind).to.equal('success');
        await a.waitForLine((l) => l.event === 'request' && l.method === 'POST' && l.path === '/token' && l.status === 200);
      }

      // refresh on B, and a silent login on B with the session cookie A set
      balancer.current = 'B';
      const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      expect(refreshed.access_token).to.be.a('string');
      const silentOnB = await browser.follow((await authorizationRequest(rp, { prompt: 'none' })).url, atRp);
      expect(silentOnB.location, 'the session made on A works on B').to.match(/\?code=/);
      expect(requestPaths(a)).to.include.members(['GET /authorize 303', 'GET /callback 303', 'GET /userinfo 200']);
      expect(requestPaths(a).filter((p) => p.startsWith('POST /token')), 'A: only the token exchange').to.have.length(withRealCas ? 1 : 0);
      expect(requestPaths(b)).to.include.members(['POST /token 200']);
      expect(requestPaths(b).filter((p) => p.startsWith('GET /callback') || p.startsWith('GET /userinfo'))).to.deep.equal([]);

      // CAS /logout: CAS posts its logoutRequest to the service URL, which the balancer gives to B
      const from = balancer.served.length;
      const out = await browser.follow(cas.logoutUrl);
      expect(out.status).to.equal(200);
      const ended = await b.waitForLine((l) => l.event === 'cas_single_logout' && l.outcome === 'ended');
      expect(ended.pid).to.equal(b.child.pid);
      expect(balancer.since(from).B ?? []).to.include('POST /callback 200');
      expect(a.lines.filter((l: LogLine) => l.event === 'cas_single_logout')).to.deep.equal([]);

      // back on A: the session is gone, and so are the refresh tokens (on either node)
      balancer.current = 'A';
      const silent = await authorizationRequest(rp, { prompt: 'none' });
      const answer = await browser.follow(silent.url, atRp);
      const back = new URL(answer.location ?? 'x:');
      expect(back.searchParams.get('error'), answer.location).to.equal('login_required');
      expect(back.searchParams.get('state')).to.equal(silent.state);
      for (const node of ['A', 'B']) {
        balancer.current = node;
        const error = await oidc.refreshTokenGrant(rp.config, refreshed.refresh_token ?? tokens.refresh_token!).then(() => undefined, (err: unknown) => err);
        expect(error, `refresh on ${node}`).to.be.instanceOf(oidc.ResponseBodyError);
        expect((error as oidc.ResponseBodyError).error).to.equal('invalid_grant');
      }
      process.stdout.write(`      served by node: ${JSON.stringify(balancer.since(0))}\n`);
      for (const node of [a, b]) {
        expect(node.lines.filter((l) => Number(l.level) >= 50), 'no error logged').to.deep.equal([]);
        expect(await stopCli(node)).to.equal(0);
      }
    });
  });
}
