// Configuration reload without a restart (issue 17, section 3), on the real CLI: `cas-oidc-bridge
// reload` (SIGHUP) applies clients, claims and access rules; a login in flight during the reload
// finishes; a configuration with any problem is not applied (one log line per problem) and the
// bridge keeps serving the previous one; settings that cannot change live are logged as needing
// a restart. A cluster's workers all apply a reload, or none does.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { runCliToEnd, startCli, stopCli, type CliProcess } from '../support/cli-process.js';
import { freePort } from '../support/net.js';
import { slowableCas, type SlowableCas } from '../support/slow-cas.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty } from '../support/rp.js';

const redirect = (id: string): string => `http://127.0.0.1:9/${id}/cb`;
const client = (id: string, extra: Record<string, unknown> = {}) => ({ client_id: id, client_secret: CLIENT_SECRET, client_name: `App ${id}`, redirect_uris: [redirect(id)], ...extra });

/** GET /authorize for a client: 303 on to the login when the bridge knows the client, 400 when not. */
async function authorizeStatus(issuer: string, clientId: string): Promise<number> {
  const url = new URL('/authorize', issuer);
  url.search = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: redirect(clientId), state: 's' }).toString();
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

describe('configuration reload', function () {
  this.timeout(120_000);
  let dir: string;
  let cas: SlowableCas;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reload-'));
    // CAS takes its time to validate while the spec acts
    cas = await slowableCas({ users: { alice: { password: 'pw', attributes: { mail: 'alice@example.org', memberOf: ['staff'] } } } }, 2000);
  });
  after(async () => {
    await cas?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(name: string): Promise<{ env: Record<string, string>; file: string; issuer: string; write(extra: Record<string, unknown>): void }> {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const file = join(dir, `${name}.json`);
    const base = {
      ISSUER: issuer, PORT: port, SECRET_KEY: TEST_SECRET, COOKIE_SECURE: false, CAS_LOGIN_URL: `${cas.url}/login`,
      DATABASE_PATH: join(dir, `${name}.sqlite3`), LOG_LEVEL: 'info',
    };
    const write = (extra: Record<string, unknown>): void => writeFileSync(file, JSON.stringify({ ...base, ...extra }));
    write({ clients: [client('a'), client('c')] });
    return { env: { CONFIG_FILE: file }, file, issuer, write };
  }

  const linesOf = (run: CliProcess, event: string) => run.lines.filter((l) => l.event === event);

  it('applies clients, claims and access rules; a login in flight finishes; restart-only settings are said', async () => {
    const { env, file, issuer, write } = await setUp('one');
    const bridge = await startCli(env);
    try {
      expect(await authorizeStatus(issuer, 'b')).to.equal(400);
      const rpA = await relyingParty(issuer, 'a', CLIENT_SECRET, redirect('a'));

      // a login whose CAS validation is in flight when the reload happens
      cas.slow = true;
      const inFlightRequest = await authorizationRequest(rpA, { scope: 'openid email' });
      const inFlight = loginThroughCas(new TestBrowser(), rpA, inFlightRequest, 'alice', 'pw');
      await bridge.waitForLine((l) => l.event === 'request' && String(l.path).startsWith('/interaction/'));
      await new Promise((r) => setTimeout(r, 300));

      write({
        BRAND_NAME: 'Renamed', // needs a restart
        claims: { claims: { email: { attribute: 'mail', transforms: ['first', 'uppercase'] } } },
        clients: [client('a'), client('b'), client('c', { access: { name: 'admins only', attribute: 'memberOf', has: 'admins' } })],
      });
      const command = await runCliToEnd(['reload', '--config', file], {}, dir);
      expect(command.code, command.stderr).to.equal(0);
      expect(command.stdout).to.match(/^configuration valid; pid \d+ \(listening on PORT \d+\) asked to reload it\./);
      const reloaded = await bridge.waitForLine((l) => l.event === 'config_reloaded');
      expect(reloaded).to.deep.include({ applied: ['CLIENTS', 'CLAIMS'], clients: 3 });
      expect(linesOf(bridge, 'config_restart_needed').map((l) => l.settings)).to.deep.equal([['BRAND_NAME']]);

      // the login in flight was not dropped: it finishes, with the claims it started with
      const back = await inFlight;
      cas.slow = false;
      expect(back.location, `${back.status} ${back.body.slice(0, 200)}`).to.match(/\?code=/);
      const early = await redeem(rpA, inFlightRequest, back.location!);
      expect(decodeJwt(early.id_token!).email).to.equal('alice@example.org');

      // from now on: client b exists, the new claim mapping, c's new access rule
      expect(await authorizeStatus(issuer, 'b')).to.equal(303);
      const rpB = await relyingParty(issuer, 'b', CLIENT_SECRET, redirect('b'));
      const request = await authorizationRequest(rpB, { scope: 'openid email' });
      const tokens = await redeem(rpB, request, (await loginThroughCas(new TestBrowser(), rpB, request, 'alice', 'pw')).location!);
      expect(decodeJwt(tokens.id_token!), JSON.stringify(decodeJwt(tokens.id_token!))).to.include({ email: 'ALICE@EXAMPLE.ORG' });
      const rpC = await relyingParty(issuer, 'c', CLIENT_SECRET, redirect('c'));
      const denied = await loginThroughCas(new TestBrowser(), rpC, await authorizationRequest(rpC), 'alice', 'pw');
      expect(denied.status).to.equal(403);
      expect(denied.body).to.contain('Access not allowed');

      // a configuration with problems is not applied: one line per problem, b and c as they were
      write({ CAS_LOGIN_URL: 'ftp://cas.example.edu/login', clients: [client('a'), { ...client('b'), redirect_uri: [redirect('b')] }] });
      bridge.child.kill('SIGHUP');
      await bridge.waitForLine((l) => l.event === 'config_reload_failed' && l.problems === 2);
      expect(linesOf(bridge, 'config_reload_failed').filter((l) => l.problem).map((l) => l.problem)).to.deep.equal([
        'CAS_LOGIN_URL: must be an http:// or https:// URL (' + file + ')',
        'clients[1]: unknown key `redirect_uri` (did you mean `redirect_uris`?)',
      ]);
      // oidc-provider's own checks count too (a fragment in a redirect URI)
      write({ clients: [client('a'), client('b', { redirect_uris: [`${redirect('b')}#x`] })] });
      bridge.child.kill('SIGHUP');
      await bridge.waitForLine((l) => l.event === 'config_reload_failed' && l.problem === 'clients[1]: redirect_uris must not contain fragments');
      expect(await authorizeStatus(issuer, 'b')).to.equal(303);
      expect(await authorizeStatus(issuer, 'c')).to.equal(303);
      expect(linesOf(bridge, 'config_reloaded')).to.have.length(1);
    } finally {
      cas.slow = false;
      expect(await stopCli(bridge)).to.equal(0);
    }
  });

  it('a cluster: every worker applies the reload, or none does', async () => {
    const { env, issuer, write } = await setUp('cluster');
    const cluster = await startCli(env, ['--workers', '2'], (l) => l.event === 'started' && l.workers === 2);
    try {
      write({ clients: [client('a'), client('b')] });
      cluster.child.kill('SIGHUP');
      await cluster.waitForLine((l) => l.event === 'config_reloaded');
      // round robin over both workers: every request knows b
      const statuses = await Promise.all(Array.from({ length: 12 }, () => authorizeStatus(issuer, 'b')));
      expect(statuses).to.deep.equal(Array(12).fill(303));

      // a problem only the workers find (oidc-provider's check): no worker applies it
      write({ clients: [client('a'), client('b', { redirect_uris: [`${redirect('b')}#x`] }), client('d')] });
      cluster.child.kill('SIGHUP');
      await cluster.waitForLine((l) => l.event === 'config_reload_failed' && l.problem === 'clients[1]: redirect_uris must not contain fragments');
      const after = await Promise.all(Array.from({ length: 12 }, () => authorizeStatus(issuer, 'd')));
      expect(after).to.deep.equal(Array(12).fill(400));
      expect(await authorizeStatus(issuer, 'b')).to.equal(303);
    } finally {
      expect(await stopCli(cluster)).to.equal(0);
    }
  });

  it('the reload command refuses an invalid configuration (exit 2) and says when no bridge listens (exit 1)', async () => {
    const { file, write } = await setUp('idle');
    const nobody = await runCliToEnd(['reload', '--config', file], {}, dir);
    expect(nobody.code).to.equal(1);
    expect(nobody.stderr).to.match(/^cas-oidc-bridge reload: no process of this user listens on PORT \d+ \(HOST 127\.0\.0\.1\)/);
    write({ clients: [{ ...client('a'), redirect_uri: [redirect('a')] }] });
    const invalid = await runCliToEnd(['reload', '--config', file], {}, dir);
    expect(invalid.code).to.equal(2);
    expect(invalid.stderr).to.contain('clients[0]: unknown key `redirect_uri` (did you mean `redirect_uris`?)');
  });
});
