// `npm start`, the documented way to run the bridge, stops cleanly (issue 14, section 5): SIGTERM to
// the npm process (what a supervisor sends) reaches the bridge, which finishes the request in flight
// and exits 0, and npm with it; no node process is left holding the port. Ctrl-C (SIGINT to the
// whole process group, which npm forwards a second time) stops it once, gracefully, too. Runs the
// package's own start script on a fresh build in a temporary directory.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { builtPackage } from '../support/package-build.js';
import { authorizationRequest, relyingParty } from '../support/rp.js';
import { slowableCas, type SlowableCas } from '../support/slow-cas.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

interface NpmStart {
  readonly npm: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  /** the bridge's node process, from its `started` line */
  readonly bridgePid: number;
}

describe('npm start stops cleanly', function () {
  this.timeout(240_000);
  let pkg: string;
  let cas: SlowableCas;

  before(async () => {
    // the package as installed: its package.json (and start script), a build, views, dependencies
    pkg = await builtPackage();
    cas = await slowableCas({ users: { alice: { password: 'pw', attributes: {} } } }, 1500);
  });
  after(async () => {
    await cas?.close();
  });

  async function npmStart(port: number): Promise<NpmStart> {
    const config = join(pkg, `config-${port}.json`);
    writeFileSync(config, JSON.stringify({
      ISSUER: `http://127.0.0.1:${port}`, PORT: port, SECRET_KEY: TEST_SECRET, COOKIE_SECURE: false, CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT], DATABASE_PATH: join(pkg, `bridge-${port}.sqlite3`), SHUTDOWN_TIMEOUT: 10,
    }));
    // its own process group, as a terminal or a service manager would start it
    const npm = spawn('npm', ['start'], { cwd: pkg, detached: true, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CONFIG_FILE: config }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    npm.stdout!.on('data', (d: Buffer) => {
      const parts = (buffered + d.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    npm.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    let started: Record<string, unknown> | undefined;
    while (!(started = lines.find((l) => l.event === 'started')) && Date.now() < deadline && npm.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    if (!started) {
      npm.kill('SIGKILL');
      throw new Error(`npm start did not start: ${JSON.stringify(lines.slice(-5))}`);
    }
    return { npm, lines, exited, bridgePid: Number(started.pid) };
  }

  it('SIGTERM to npm: the request in flight finishes, the bridge and npm exit 0, the port is free', async () => {
    const port = await freePort();
    const run = await npmStart(port);
    expect(run.bridgePid).not.to.equal(run.npm.pid);
    const rp = await relyingParty(`http://127.0.0.1:${port}`, 'rp', CLIENT_SECRET, REDIRECT);
    const browser = new TestBrowser();
    const form = await browser.follow((await authorizationRequest(rp)).url);
    const atBridge = await browser.submitForm(form, { username: 'alice', password: 'pw' }, (l) => l.includes('ticket='));
    cas.slow = true;
    try {
      const inFlight = browser.request(atBridge.location!);
      await new Promise((r) => setTimeout(r, 300));
      run.npm.kill('SIGTERM');
      const answered = await inFlight;
      expect(answered.status, 'the request in flight was answered').to.equal(303);
      expect(await run.exited).to.equal(0);
    } finally {
      cas.slow = false;
    }
    expect(alive(run.bridgePid), 'no orphaned bridge').to.equal(false);
    expect(await refused(port)).to.equal(true);
    expect(run.lines.filter((l) => ['stopping', 'drained', 'stopped'].includes(String(l.event))).map((l) => l.event)).to.deep.equal(['stopping', 'drained', 'stopped']);
  });

  it('Ctrl-C (SIGINT to the process group, forwarded again by npm): one graceful stop, exit 0', async () => {
    const port = await freePort();
    const run = await npmStart(port);
    process.kill(-run.npm.pid!, 'SIGINT');
    expect(await run.exited).to.equal(0);
    expect(alive(run.bridgePid)).to.equal(false);
    expect(await refused(port)).to.equal(true);
    expect(run.lines.filter((l) => l.event === 'stopping')).to.have.length(1);
    expect(run.lines.some((l) => l.event === 'drained')).to.equal(true);
  });
});
