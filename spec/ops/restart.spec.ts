// Restarts: a bridge process (the real CLI, `start`) gets SIGTERM while a CAS validation is in
// flight. It stops accepting connections, finishes that request, closes the database and exits 0.
// A new process on the same database then resumes that login, and redeems a code issued before
// the restart: no login that had passed its CAS step is lost.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { startCli } from '../support/cli-process.js';
import { freePort } from '../support/net.js';
import { slowableCas, type SlowableCas } from '../support/slow-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('restart under load', function () {
  this.timeout(90_000);
  let dir: string;
  let cas: SlowableCas;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'restart-'));
    // CAS takes its time to validate while the spec acts
    cas = await slowableCas({ users: { alice: { password: 'pw', attributes: { mail: 'alice@example.org' } } } }, 1500);
  });
  after(async () => {
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the request in flight, exits 0, and the next process resumes the login and redeems an earlier code', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = {
      ISSUER: issuer, HOST: '127.0.0.1', PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'bridge.sqlite3'), CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: REDIRECT, SHUTDOWN_TIMEOUT: '10', LOG_LEVEL: 'info',
      // an empty file, so that a developer's ./config.json is not read
      CONFIG_FILE: join(dir, 'config.json'),
    };
    writeFileSync(env.CONFIG_FILE, '{}');
    const first = await startCli(env);
    const rp = await relyingParty(issuer, 'rp', CLIENT_SECRET, REDIRECT);

    // a login that got its code before the restart
    const early = await authorizationRequest(rp);
    const earlyBack = await loginThroughCas(new TestBrowser(), rp, early, 'alice', 'pw');
    expect(earlyBack.location).to.match(/\?code=/);

    // a login whose CAS validation is in flight when SIGTERM arrives
    const browser = new TestBrowser();
    const request = await authorizationRequest(rp);
    const form = await browser.follow(request.url);
    const atBridge = await browser.submitForm(form, { username: 'alice', password: 'pw' }, (l) => l.includes('ticket='));
    cas.slow = true;
    const inFlight = browser.request(atBridge.location!);
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(await connectionRefused(port), 'no new connections once stopping').to.equal(true);

    const validated = await inFlight;
    cas.slow = false;
    expect(validated.status, validated.body.slice(0, 300)).to.equal(303);
    expect(validated.location).to.match(new RegExp(`^${issuer}/auth(orize)?/`));
    expect(await first.exited, 'exit code').to.equal(0);
    const events = first.lines.map((l) => l.event);
    expect(events).to.include.members(['stopping', 'drained', 'stopped']);
    // kept-alive connections closed as soon as idle: far below SHUTDOWN_TIMEOUT
    const drained = first.lines.find((l) => l.event === 'drained');
    expect(drained?.durationMs).to.be.a('number').and.below(5000);
    // the login in flight, named by the authorization resume its validation answered with
    const inFlightUid = new URL(validated.location!).pathname.split('/').pop();
    expect(first.lines.find((l) => l.event === 'login' && l.outcome === 'success' && l.interaction === inFlightUid)).to.not.equal(undefined);

    const second = await startCli(env);
    try {
      // the resumed login gets its code from the new process, and both codes redeem
      const back = await browser.follow(validated.location!, (l) => l.startsWith(REDIRECT));
      expect(back.location, back.body.slice(0, 300)).to.match(/^http:\/\/127\.0\.0\.1:9\/cb\?code=/);
      const tokens = await redeem(rp, request, back.location!);
      const userinfo = await oidc.fetchUserInfo(rp.config, tokens.access_token, 'alice');
      expect(userinfo.email).to.equal('alice@example.org');
      const earlyTokens = await redeem(rp, early, earlyBack.location!);
      expect(earlyTokens.access_token).to.be.a('string');
    } finally {
      second.child.kill('SIGINT');
    }
    expect(await second.exited, 'exit code after SIGINT').to.equal(0);
  });
});
