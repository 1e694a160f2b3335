// `start --workers 2` on SQLite: the real command line as a child process. Logins are served by
// both worker processes (their pids in the request logs), a worker killed with SIGKILL is replaced
// and logins go on, /metrics on the primary adds up the workers, SIGTERM stops everything with 0.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { runCli, startCli, stopCli, type CliProcess, type LogLine } from '../support/cli-process.js';
import { freePort } from '../support/net.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, type RelyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

/** `name{labels} value` from a Prometheus text exposition. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : undefined;
}

async function fullLogin(rp: RelyingParty): Promise<string> {
  const request = await authorizationRequest(rp);
  const back = await loginThroughCas(new TestBrowser(), rp, request, 'alice', 'pw');
  if (!back.location?.startsWith(REDIRECT)) throw new Error(`login did not come back: ${back.status} ${back.body.slice(0, 200)}`);
  const tokens = await redeem(rp, request, back.location);
  const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, 'alice');
  return String(userinfo.email);
}

/** Runs `count` logins, `concurrency` at a time; answers the emails userinfo returned. */
async function logins(rp: RelyingParty, count: number, concurrency: number): Promise<string[]> {
  const emails: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next += 1;
      emails.push(await fullLogin(rp));
    }
  }));
  return emails;
}

const pidsOf = (lines: LogLine[], match: (l: LogLine) => boolean): Map<number, number> => {
  const counts = new Map<number, number>();
  for (const l of lines.filter(match)) counts.set(Number(l.pid), (counts.get(Number(l.pid)) ?? 0) + 1);
  return counts;
};

describe('start --workers 2 (node:cluster, SQLite shared in WAL mode)', function () {
  this.timeout(180_000);
  let dir: string;
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let cluster: CliProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workers-'));
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: { mail: 'alice@example.org' } } } }).listen();
  });
  after(async () => {
    if (cluster) await stopCli(cluster, 'SIGKILL');
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves logins from both workers, replaces a killed worker, aggregates /metrics, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = {
      ISSUER: issuer, HOST: '127.0.0.1', PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'bridge.sqlite3'), CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: REDIRECT, LOG_LEVEL: 'info', METRICS_PORT: String(metricsPort), WORKERS: '1',
      CONFIG_FILE: join(dir, 'config.json'),
    };
    writeFileSync(env.CONFIG_FILE, '{}');
    // --workers wins over WORKERS=1
    cluster = await startCli(env, ['--workers', '2'], (l) => l.event === 'started' && l.workers === 2);
    const primaryPid = cluster.child.pid;
    const started = cluster.lines.find((l) => l.event === 'started' && l.workers === 2)!;
    const workerPids = started.workerPids as number[];
    expect(workerPids).to.have.length(2);
    expect(workerPids).not.to.include(primaryPid);
    expect(cluster.lines.filter((l) => l.event === 'migrated'), 'migrations applied once, by the primary').to.have.length(1);
    expect(cluster.lines.find((l) => l.event === 'migrated')?.pid).to.equal(primaryPid);
    const metricsListeners = cluster.lines.filter((l) => l.event === 'metrics_listening');
    expect(metricsListeners.map((l) => l.pid), 'only the primary binds METRICS_PORT').to.deep.equal([primaryPid]);

    const rp = await relyingParty(issuer, 'rp', CLIENT_SECRET, REDIRECT);
    const emails = await logins(rp, 24, 6);
    expect(emails).to.have.length(24);
    expect(new Set(emails)).to.deep.equal(new Set(['alice@example.org']));

    const requestsByPid = pidsOf(cluster.lines, (l) => l.event === 'request');
    const loginsByPid = pidsOf(cluster.lines, (l) => l.event === 'login' && l.outcome === 'success');
    process.stdout.write(`      requests by worker pid: ${JSON.stringify([...requestsByPid])}; CAS callbacks: ${JSON.stringify([...loginsByPid])}\n`);
    expect([...requestsByPid.keys()].sort()).to.deep.equal([...workerPids].sort());
    expect([...loginsByPid.keys()].sort(), 'CAS callbacks handled by both workers').to.deep.equal([...workerPids].sort());
    expect(cluster.lines.filter((l) => l.event === 'request' && Number(l.status) >= 500)).to.deep.equal([]);

    // the primary answers with the sum over the workers
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sample(metrics, 'cas_oidc_bridge_logins_total', 'outcome="success"')).to.equal(24);
    expect(sample(metrics, 'cas_oidc_bridge_token_grants_total', 'grant_type="authorization_code",outcome="success"')).to.equal(24);
    for (const [pid, count] of loginsByPid) expect(count, `worker ${pid} alone`).to.be.below(24);

    // a worker dies hard: the primary starts another, and logins go on
    const victim = workerPids[0]!;
    process.kill(victim, 'SIGKILL');
    const exitLine = await cluster.waitForLine((l) => l.event === 'worker_exited' && l.workerPid === victim);
    expect(exitLine).to.include({ signal: 'SIGKILL' });
    // a scrape while the replacement starts: the survivor's own counts, no wait for the dead one
    const during = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(during.status).to.equal(200);
    expect(sample(await during.text(), 'cas_oidc_bridge_logins_total', 'outcome="success"')).to.equal(loginsByPid.get(workerPids[1]!));
    const replaced = await cluster.waitForLine((l) => l.event === 'worker_ready' && !workerPids.includes(Number(l.workerPid)));
    const replacement = Number(replaced.workerPid);
    expect(replacement).to.be.a('number').and.not.equal(victim);
    const more = await logins(rp, 12, 4);
    expect(more).to.have.length(12);
    const after = pidsOf(cluster.lines.slice(cluster.lines.indexOf(replaced)), (l) => l.event === 'request');
    process.stdout.write(`      after SIGKILL of ${victim}: requests by pid ${JSON.stringify([...after])}\n`);
    expect(after.has(victim)).to.equal(false);
    expect(after.get(replacement) ?? 0, 'the replacement serves').to.be.greaterThan(0);
    expect(after.get(workerPids[1]!) ?? 0, 'the survivor serves').to.be.greaterThan(0);

    const errors = cluster.lines.filter((l) => Number(l.level) >= 50 && !(l.event === 'worker_exited' && l.workerPid === victim));
    expect(errors, 'no error but the killed worker').to.deep.equal([]);
    const code = await stopCli(cluster, 'SIGTERM');
    expect(code, cluster.stderr()).to.equal(0);
    const primaryEvents = cluster.lines.filter((l) => l.pid === primaryPid).map((l) => l.event);
    expect(primaryEvents).to.include.members(['stopping', 'stopped']);
    const drainedPids = cluster.lines.filter((l) => l.event === 'drained').map((l) => l.pid);
    expect(drainedPids.sort()).to.deep.equal([workerPids[1], replacement].sort());
    expect(cluster.lines.filter((l) => l.event === 'worker_exited' && l.workerPid !== victim).map((l) => l.code)).to.deep.equal([0, 0]);
    cluster = undefined;
  });

  it('exits 1 when the workers cannot start (port taken), and refuses a bad --workers with exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const env = {
      ISSUER: `http://127.0.0.1:${port}`, HOST: '127.0.0.1', PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'taken.sqlite3'), CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: REDIRECT, LOG_LEVEL: 'info', CONFIG_FILE: join(dir, 'config.json'), WORKERS: '2',
    };
    try {
      const failing = runCli(['start'], env);
      expect(await failing.exited, failing.stderr()).to.equal(1);
      expect(failing.lines.some((l) => l.event === 'worker_exited' && l.msg === 'worker failed to start')).to.equal(true);
      expect(failing.lines.some((l) => l.event === 'started' && l.workers === 2)).to.equal(false);
    } finally {
      taken.close();
    }
    const bad = runCli(['start', '--workers', 'many'], env);
    expect(await bad.exited).to.equal(2);
    expect(bad.stderr()).to.include('--workers must be a whole number from 1 to 256, or auto');
  });
});
