// kill -9: a bridge process killed without a chance to clean up loses nothing it had answered.
// Every write is committed before the answer that depends on it (SQLite in WAL mode: a commit is
// in the operating system's hands once the statement returns), so a new process on the same
// database resumes a login whose CAS return was answered, redeems a code issued before the kill
// exactly once, and serves /userinfo and a refresh for tokens issued before it. A CAS return cut
// off mid-validation gets the readable "login took too long" page when the browser tries again.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { startCli, stopCli, type CliProcess } from '../support/cli-process.js';
import { freePort } from '../support/net.js';
import { slowableCas, type SlowableCas } from '../support/slow-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

describe('kill -9 of a bridge process', function () {
  this.timeout(120_000);
  let dir: string;
  let cas: SlowableCas;
  let second: CliProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kill-9-'));
    cas = await slowableCas({ users: { alice: { password: 'pw', attributes: { mail: 'alice@example.org' } } } }, 5000);
  });
  after(async () => {
    if (second) await stopCli(second, 'SIGINT');
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses nothing it had answered: the next process resumes the login, redeems the code once, serves the tokens', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = {
      ISSUER: issuer, HOST: '127.0.0.1', PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'bridge.sqlite3'), CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: REDIRECT, LOG_LEVEL: 'info',
      // an empty file, so that a developer's ./config.json is not read
      CONFIG_FILE: join(dir, 'config.json'),
    };
    writeFileSync(env.CONFIG_FILE, '{}');
    const first = await startCli(env);
    const rp = await relyingParty(issuer, 'rp', CLIENT_SECRET, REDIRECT);
    const atResume = (l: string): boolean => l.startsWith(`${issuer}/authorize/`);

    // tokens issued before the kill
    const issued = await authorizationRequest(rp, { scope: 'openid offline_access' });
    const issuedBack = await loginThroughCas(new TestBrowser(), rp, issued, 'alice', 'pw');
    const tokens = await redeem(rp, issued, issuedBack.location!);
    expect(tokens.refresh_token).to.be.a('string');

    // a code issued, not redeemed yet
    const coded = await authorizationRequest(rp);
    const codedBack = await loginThroughCas(new TestBrowser(), rp, coded, 'alice', 'pw');
    expect(codedBack.location).to.match(/\?code=/);

    // a login whose CAS return was answered: the browser is on its way to the resume
    const resuming = new TestBrowser();
    const resumed = await authorizationRequest(rp);
    const resumingForm = await resuming.follow(resumed.url);
    const returned = await resuming.submitForm(resumingForm, { username: 'alice', password: 'pw' }, atResume);
    expect(returned.location, returned.body.slice(0, 300)).to.satisfy(atResume);

    // a login whose CAS validation is in flight when the process is killed
    const cut = new TestBrowser();
    const cutForm = await cut.follow((await authorizationRequest(rp)).url);
    const casReturn = await cut.submitForm(cutForm, { username: 'alice', password: 'pw' }, (l) => l.includes('ticket='));
    cas.slow = true;
    const inFlight = cut.request(casReturn.location!).then(() => 'answered', (err: NodeJS.ErrnoException) => err.code ?? 'error');
    await new Promise((r) => setTimeout(r, 500));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).to.equal('SIGKILL');
    expect(await inFlight, 'the CAS return in flight got no answer').to.not.equal('answered');
    cas.slow = false;

    second = await startCli(env);

    const back = await resuming.follow(returned.location!, (l) => l.startsWith(REDIRECT));
    expect(back.location, back.body.slice(0, 300)).to.match(/^http:\/\/127\.0\.0\.1:9\/cb\?code=/);
    const resumedTokens = await redeem(rp, resumed, back.location!);
    expect((await oidc.fetchUserInfo(rp.config, resumedTokens.access_token, 'alice')).email).to.equal('alice@example.org');

    expect((await redeem(rp, coded, codedBack.location!)).access_token).to.be.a('string');
    const again = await redeem(rp, coded, codedBack.location!).then(() => 'redeemed twice', (err: { error?: string }) => err.error);
    expect(again, 'a code redeems once, across the kill too').to.equal('invalid_grant');

    expect((await oidc.fetchUserInfo(rp.config, tokens.access_token, 'alice')).sub).to.equal('alice');
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.access_token).to.be.a('string').and.not.equal(tokens.access_token);

    // its pending login was taken before the validation was cut: the browser is told to start again
    const retried = await cut.request(casReturn.location!);
    expect(retried.status, retried.body.slice(0, 300)).to.equal(400);
    expect(retried.headers.get('content-type')).to.match(/^text\/html/);
    expect(retried.body).to.contain('<h1>The login took too long</h1>').and.not.match(/\bat [\w.<>]+ \(|Error:/);
  });
});
