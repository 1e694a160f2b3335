// Database and port failures said with the setting, where it points (no credentials) and the likely
// way out (issue 17, section 1); admin commands never create a database where none is; check-config
// connects to the database and reports its schema.
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Database } from '../../adapters/database.js';
import { migrate } from '../../adapters/migrate.js';
import { MIGRATIONS } from '../../adapters/migrations/index.js';
import { checkConfig } from '../../lib/check/report.js';
import { tempDir, writeJson, SECRET, CLIENT_SECRET } from '../config/support.js';
import { runCliToEnd } from '../support/cli-process.js';
import { freePort } from '../support/net.js';

const config = (extra: Record<string, unknown> = {}) => ({
  ISSUER: 'http://127.0.0.1:59084',
  COOKIE_SECURE: false,
  CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
  SECRET_KEY: SECRET,
  CLIENT_ID: 'keycloak',
  CLIENT_SECRET,
  REDIRECT_URI_ALLOWLIST: ['https://sso.example.edu/cb'],
  ...extra,
});

/** The command's own lines on stderr (oidc-provider may add a runtime notice on Node 20). */
const said = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('cas-oidc-bridge'));

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('database and port failures name the setting', function () {
  this.timeout(60_000);

  it('an unreachable DATABASE_URL: which setting, which address (no credentials), what to check; exit 1', async () => {
    const port = await freePort();
    const dir = tempDir();
    const file = writeJson(dir, 'config.json', config({ DATABASE_URL: `postgres://bridge:MARKER-pw@127.0.0.1:${port}/bridge` }));
    const run = await runCliToEnd(['start', '--config', file], {}, dir);
    expect(run.code).to.equal(1);
    expect(said(run.stderr)).to.deep.equal([`cas-oidc-bridge start: DATABASE_URL (postgres://127.0.0.1:${port}/bridge): connection refused. `
      + 'Is the database server running, and listening on that host and port?']);
    expect(run.stderr + run.stdout).not.to.contain('MARKER');

    const maria = await runCliToEnd(['db', 'migrate'], { DATABASE_URL: `mariadb://root@127.0.0.1:${port}/bridge` }, dir);
    expect(maria.code).to.equal(1);
    expect(said(maria.stderr)).to.deep.equal([`cas-oidc-bridge db migrate: DATABASE_URL (mariadb://127.0.0.1:${port}/bridge): connection refused. `
      + 'Is the database server running, and listening on that host and port?']);

    const unknown = await runCliToEnd(['db', 'cleanup'], { DATABASE_URL: 'postgres://bridge@db.invalid/bridge' }, dir);
    expect(unknown.code).to.equal(1);
    expect(said(unknown.stderr)).to.deep.equal(['cas-oidc-bridge db cleanup: DATABASE_URL (postgres://db.invalid/bridge): the host name does not resolve. '
      + 'Check the host name in DATABASE_URL']);
  });

  it('a database that does not exist on a reachable server says to create it', async function () {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) {
      if (process.env.CI === 'true') throw new Error('TEST_DATABASE_URL is required under CI=true');
      this.skip();
    }
    const url = new URL(base);
    url.pathname = '/bridge_spec_no_such_database';
    const dir = tempDir();
    const run = await runCliToEnd(['db', 'migrate', '--config', writeJson(dir, 'c.json', config({ DATABASE_URL: url.href }))], {}, dir);
    expect(run.code).to.equal(1);
    expect(said(run.stderr)[0]).to.match(/^cas-oidc-bridge db migrate: DATABASE_URL \(postgres:\/\/127\.0\.0\.1:5432\/bridge_spec_no_such_database\): the database does not exist on that server\. Create it first/);
  });

  it('MariaDB: a refused login names the setting and the user/password to check (password hidden); a missing database says to create it', async function () {
    const base = process.env.TEST_MARIADB_URL;
    if (!base) {
      if (process.env.CI === 'true') throw new Error('TEST_MARIADB_URL is required under CI=true');
      this.skip();
    }
    const server = new URL(base);
    const dir = tempDir();
    writeJson(dir, 'config.json', config());
    const wrong = new URL(server.href);
    wrong.username = 'bridge_spec_no_such_user';
    wrong.password = 'MARKER-pw';
    const refused = await runCliToEnd(['db', 'migrate'], { DATABASE_URL: wrong.href }, dir);
    expect(refused.code).to.equal(1);
    const line = said(refused.stderr)[0] ?? '';
    expect(line).to.match(new RegExp(`^cas-oidc-bridge db migrate: DATABASE_URL \\(mariadb://${server.host.replace(/\./g, '\\.')}${server.pathname}\\): the server refused the login \\(`));
    expect(line).to.contain('Access denied for user');
    expect(line).to.match(/Check the user name and password in DATABASE_URL$/);
    expect(refused.stderr + refused.stdout).not.to.contain('MARKER');

    const missing = new URL(server.href);
    missing.pathname = '/bridge_spec_no_such_database';
    const absent = await runCliToEnd(['db', 'migrate'], { DATABASE_URL: missing.href }, dir);
    expect(absent.code).to.equal(1);
    expect(said(absent.stderr)[0]).to.match(/^cas-oidc-bridge db migrate: DATABASE_URL \(mariadb:\/\/[^)]*\/bridge_spec_no_such_database\): the database does not exist on that server\. Create it first/);
  });

  it('a DATABASE_PATH under a file says so instead of `EEXIST: … mkdir`', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notadir'), 'x');
    const run = await runCliToEnd(['start'], {}, (writeJson(dir, 'config.json', config({ DATABASE_PATH: 'notadir/bridge.sqlite3' })), dir));
    expect(run.code).to.equal(1);
    expect(said(run.stderr)).to.deep.equal([`cas-oidc-bridge start: DATABASE_PATH (${dir}/notadir/bridge.sqlite3: "notadir/bridge.sqlite3" is relative to the `
      + `working directory ${dir}): cannot create its directory: ${dir}/notadir is a file, not a directory. Point DATABASE_PATH at a file inside a directory`]);
  });

  it('admin commands run from another directory create no database and say where they looked', async () => {
    const home = tempDir();
    const elsewhere = tempDir();
    const file = writeJson(home, 'config.json', config());
    for (const command of [['keys', 'list'], ['db', 'cleanup']]) {
      const run = await runCliToEnd([...command, '--config', file], {}, elsewhere);
      expect(run.code, command.join(' ')).to.equal(1);
      expect(said(run.stderr), command.join(' ')).to.deep.equal([`cas-oidc-bridge ${command.join(' ')}: DATABASE_PATH (${elsewhere}/cas_proxy.sqlite3: `
        + `"cas_proxy.sqlite3" is relative to the working directory ${elsewhere}): no database there. Run the command where the bridge runs `
        + '(same working directory), or set DATABASE_PATH to the absolute path of the bridge\'s database; `cas-oidc-bridge db migrate` or `start` creates a new one']);
    }
    expect(readdirSync(elsewhere)).to.deep.equal([]);

    // db migrate may create one, and says which
    const migrated = await runCliToEnd(['db', 'migrate', '--config', file], {}, elsewhere);
    expect(migrated.code).to.equal(0);
    expect(migrated.stdout.split('\n')[0]).to.equal(`database: DATABASE_PATH (${elsewhere}/cas_proxy.sqlite3: "cas_proxy.sqlite3" is relative to the working directory ${elsewhere})`);
    expect(existsSync(join(elsewhere, 'cas_proxy.sqlite3'))).to.equal(true);
  });

  it('a database file without the bridge\'s tables is refused by the admin commands, with what to run', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cas_proxy.sqlite3'), '');
    const run = await runCliToEnd(['keys', 'list'], {}, (writeJson(dir, 'config.json', config()), dir));
    expect(run.code).to.equal(1);
    expect(said(run.stderr)[0]).to.match(/: the database has no bridge tables yet\. Run `cas-oidc-bridge db migrate`, or start the bridge \(it migrates at start\)$/);
  });

  it('PORT or METRICS_PORT in use: the setting, the port and the address; exit 1 (one process and a cluster)', async () => {
    const held = await holdPort();
    try {
      const dir = tempDir();
      writeJson(dir, 'config.json', config({ DATABASE_PATH: join(dir, 'db.sqlite3') }));
      const run = await runCliToEnd(['start'], { PORT: String(held.port) }, dir);
      expect(run.code).to.equal(1);
      expect(said(run.stderr)).to.deep.equal([`cas-oidc-bridge start: PORT ${held.port} is already in use on 127.0.0.1: another process `
        + '(another bridge?) listens there; stop it or choose another PORT']);
      const metrics = await runCliToEnd(['start'], { PORT: String(await freePort()), METRICS_PORT: String(held.port) }, dir);
      expect(metrics.code).to.equal(1);
      expect(said(metrics.stderr)).to.deep.equal([`cas-oidc-bridge start: METRICS_PORT ${held.port} is already in use on 127.0.0.1: another process `
        + '(another bridge?) listens there; stop it or choose another METRICS_PORT']);
      const cluster = await runCliToEnd(['start', '--workers', '2'], { PORT: String(held.port) }, dir, 40_000);
      expect(cluster.code).to.equal(1);
      expect(said(cluster.stderr)).to.deep.equal([`cas-oidc-bridge start: PORT ${held.port} is already in use on 127.0.0.1: another process `
        + '(another bridge?) listens there; stop it or choose another PORT']);
    } finally {
      held.server.close();
    }
  });
});

describe('check-config looks at the database', function () {
  this.timeout(30_000);
  const env = (extra: Record<string, string>) => ({
    ISSUER: 'http://127.0.0.1:59084', COOKIE_SECURE: 'false', CAS_LOGIN_URL: 'https://cas.example.edu/cas/login',
    SECRET_KEY: SECRET, CLIENT_ID: 'keycloak', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: 'https://sso.example.edu/cb', ...extra,
  });
  // the CAS probes fail here (no CAS): only the database section is looked at
  const databaseSection = (text: string): string => /\nDatabase\n([\s\S]*?)\n\n/.exec(text)?.[1] ?? '';

  it('an unreachable database fails the check (exit 1), naming the setting, credentials hidden', async () => {
    const port = await freePort();
    const { text, exitCode } = await checkConfig({ env: env({ DATABASE_URL: `postgres://bridge:MARKER-pw@127.0.0.1:${port}/bridge` }), cwd: tempDir() });
    expect(exitCode).to.equal(1);
    expect(databaseSection(text)).to.equal(`  [FAIL] postgres://127.0.0.1:${port}/bridge\n         DATABASE_URL (postgres://127.0.0.1:${port}/bridge): `
      + 'connection refused. Is the database server running, and listening on that host and port?');
    expect(text).to.match(new RegExp(`^  DATABASE_URL +postgres://127\\.0\\.0\\.1:${port}/bridge \\(credentials hidden\\) +env$`, 'm'));
    expect(text).not.to.contain('MARKER');
  });

  it('SQLite: no database yet is fine (and none is created); then the schema state; a path under a file fails', async () => {
    const dir = tempDir();
    const path = join(dir, 'data', 'bridge.sqlite3');
    const fresh = await checkConfig({ env: env({ DATABASE_PATH: 'data/bridge.sqlite3' }), cwd: dir });
    expect(databaseSection(fresh.text)).to.equal(`  [ok]   ${path}\n         no database yet: \`start\` (or \`db migrate\`) creates it (${dir} is writable)`);
    expect(existsSync(join(dir, 'data'))).to.equal(false);

    mkdirSync(join(dir, 'data'));
    const db = await Database.open({ path });
    await migrate(db);
    await db.run("DELETE FROM bridge_migrations WHERE name = '0002-cas-proxy'");
    await db.close();
    const behind = await checkConfig({ env: env({ DATABASE_PATH: 'data/bridge.sqlite3' }), cwd: dir });
    expect(databaseSection(behind.text)).to.equal(`  [warn] ${path}\n         sqlite, 1 migration pending (0002-cas-proxy): applied at the next start or by \`db migrate\``);

    const again = await Database.open({ path });
    await again.run("INSERT INTO bridge_migrations (name) VALUES ('0002-cas-proxy')");
    await again.close();
    const current = await checkConfig({ env: env({ DATABASE_PATH: path }), cwd: tempDir() });
    expect(databaseSection(current.text)).to.equal(`  [ok]   ${path}\n         sqlite, schema up to date (${MIGRATIONS.length} migrations)`);

    writeFileSync(join(dir, 'file'), 'x');
    const under = await checkConfig({ env: env({ DATABASE_PATH: join(dir, 'file', 'x', 'bridge.sqlite3') }), cwd: dir });
    expect(under.exitCode).to.equal(1);
    expect(databaseSection(under.text)).to.contain(`[FAIL] ${dir}/file/x/bridge.sqlite3\n         DATABASE_PATH (${dir}/file/x/bridge.sqlite3): ${dir}/file is a file, not a directory`);
  });

  it('--no-probe names the database without touching it', async () => {
    const dir = tempDir();
    const { text, exitCode } = await checkConfig({ env: env({}), cwd: dir, probe: false });
    expect(exitCode).to.equal(0);
    expect(text).to.contain(`Database (not probed: --no-probe)\n  DATABASE_PATH (${dir}/cas_proxy.sqlite3: "cas_proxy.sqlite3" is relative to the working directory ${dir})`);
    expect(text).to.match(new RegExp(`^  DATABASE_PATH +cas_proxy\\.sqlite3 = ${dir}/cas_proxy\\.sqlite3 +default$`, 'm'));
  });
});
