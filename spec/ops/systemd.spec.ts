// The README's systemd unit and admin helper, read from the README so they cannot drift apart
// (issue 14, section 5): the unit passes `systemd-analyze verify`, and it runs the way systemd
// would run it (no systemd needed): ExecStart as the service user (`nobody` stands for
// cas-oidc-bridge here, which this machine has not) with the unit's
// Environment, EnvironmentFile and WorkingDirectory, the files owned and moded as the README says;
// ExecReload reloads; SIGTERM (KillMode=mixed) stops it with exit 0 within TimeoutStopSec; an
// invalid configuration exits 2, which RestartPreventExitStatus keeps from a restart loop. The
// admin helper runs check-config, keys list and reload as the service user.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { ROOT } from '../support/cli-process.js';
import { freePort } from '../support/net.js';
import { builtPackage } from '../support/package-build.js';

const run = promisify(execFile);
const NOBODY = { uid: 65534, gid: 65534, user: 'nobody', group: 'nogroup', home: '/nonexistent', shell: '/usr/sbin/nologin' };
/** systemd's PATH for services */
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The fenced block right after a marker comment of the README. */
function readmeBlock(marker: string, lang: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const after = readme.split(`<!-- ${marker}`)[1];
  const block = after ? new RegExp(`^[^\\n]*\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(after)?.[1] : undefined;
  if (!block) throw new Error(`README has no ${lang} block after <!-- ${marker}`);
  return block;
}

/** `Key=value` lines of one section of a unit file (a key may repeat). */
function section(unit: string, name: string): Array<[string, string]> {
  const body = unit.split(`[${name}]`)[1]?.split(/^\[/m)[0] ?? '';
  return body.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

/** systemd's Environment= value: "KEY=value with spaces" or KEY=value. */
const environmentAssignment = (value: string): [string, string] => {
  const bare = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return [bare.slice(0, bare.indexOf('=')), bare.slice(bare.indexOf('=') + 1)];
};

/** An EnvironmentFile as the README writes it: KEY=value lines, nothing quoted. */
function environmentFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  for (const line of entries) if (!/^[A-Z_][A-Z0-9_]*=[^"'\s]*$/.test(line)) throw new Error(`not a plain KEY=value line: ${line}`);
  return Object.fromEntries(entries.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('the README\'s systemd unit', function () {
  this.timeout(240_000);
  let base: string;
  let etc: string;
  let state: string;
  let bin: string;
  let unitPath: string;
  let service: Array<[string, string]>;
  let cas: Awaited<ReturnType<MiniCas['listen']>>;

  const value = (key: string): string => service.find(([k]) => k === key)?.[1] ?? '';

  before(async function () {
    const missing = [
      ...(process.getuid?.() === 0 ? [] : ['root (to run the unit as another user)']),
      ...(existsSync('/usr/bin/systemd-analyze') ? [] : ['systemd-analyze (Debian package systemd)']),
    ];
    if (missing.length) {
      if (process.env.CI === 'true') throw new Error(`the systemd unit spec needs ${missing.join(' and ')}`);
      console.log(`      [skipped: needs ${missing.join(' and ')}]`);
      this.skip();
    }
    const pkg = await builtPackage();
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();

    base = mkdtempSync(join(tmpdir(), 'systemd-'));
    chmodSync(base, 0o755);
    etc = join(base, 'etc', 'cas-oidc-bridge');
    state = join(base, 'var', 'lib', 'cas-oidc-bridge');
    mkdirSync(join(base, 'bin'), { mode: 0o755 });
    bin = join(base, 'bin', 'cas-oidc-bridge');
    symlinkSync(join(pkg, 'dist', 'lib', 'cli', 'bin.js'), bin);
    for (const dir of [join(base, 'etc'), join(base, 'var'), join(base, 'var', 'lib')]) mkdirSync(dir, { mode: 0o755 });
    // as the README's steps 2 to 4 (and systemd's StateDirectory=) leave them, the group being the service user's
    mkdirSync(etc);
    chownSync(etc, 0, NOBODY.gid);
    chmodSync(etc, 0o750);
    mkdirSync(state);
    chownSync(state, NOBODY.uid, NOBODY.gid);
    chmodSync(state, 0o750);
    const port = await freePort();
    const example = JSON.parse(readFileSync(join(pkg, 'config.example.json'), 'utf8')) as Record<string, unknown> & { clients: Array<Record<string, unknown>> };
    const { SECRET_KEY: _placeholder, ...withoutSecret } = example;
    const config = {
      ...withoutSecret,
      ISSUER: `http://127.0.0.1:${port}`, PORT: port, COOKIE_SECURE: false, CAS_LOGIN_URL: `${cas.url}/login`,
      DATABASE_PATH: join(state, 'bridge.sqlite3'),
      clients: [{ ...example.clients[0], client_secret: randomBytes(32).toString('hex') }],
    };
    for (const [name, text] of [['config.json', JSON.stringify(config, null, 2)], ['secrets.env', `SECRET_KEY=${randomBytes(48).toString('base64')}\n`]] as const) {
      writeFileSync(join(etc, name), text);
      chownSync(join(etc, name), 0, NOBODY.gid);
      chmodSync(join(etc, name), 0o640);
    }

    // the README's unit with this spec's paths (systemd-analyze checks that ExecStart exists)
    const unit = readmeBlock('systemd-unit', 'ini')
      .replaceAll('/usr/local/bin/cas-oidc-bridge', bin)
      .replaceAll('/etc/cas-oidc-bridge', etc)
      .replaceAll('/var/lib/cas-oidc-bridge', state);
    unitPath = join(base, 'cas-oidc-bridge.service');
    writeFileSync(unitPath, unit);
    service = section(unit, 'Service');
    expect(value('User')).to.equal('cas-oidc-bridge');
    expect(value('Group')).to.equal('cas-oidc-bridge');
  });
  after(async () => {
    await cas?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('passes systemd-analyze verify', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', '--man=no', unitPath]);
    expect(`${stdout}${stderr}`).to.equal('');
  });

  /** The admin helper of the README, as root would call it. */
  async function asBridge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const helper = readmeBlock('admin-helper', 'sh')
      .replaceAll('/etc/cas-oidc-bridge', etc)
      .replaceAll('/var/lib/cas-oidc-bridge', state)
      .replace('runuser -u cas-oidc-bridge', `runuser -u ${NOBODY.user}`);
    try {
      const out = await run('bash', ['-c', `${helper}\nas_bridge "$@"`, 'bash', ...args], { env: { PATH: `${join(base, 'bin')}:${SYSTEMD_PATH}` } });
      return { code: 0, ...out };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('runs the way systemd would: as the service user, its environment, reload, stop; the admin helper works', async () => {
    // what the unit says
    expect(value('Type')).to.equal('exec');
    expect(value('Restart')).to.equal('on-failure');
    expect(value('KillMode')).to.equal('mixed');
    const timeoutStopMs = Number(value('TimeoutStopSec')) * 1000;
    const argv = value('ExecStart').split(/\s+/);
    expect(argv.slice(1, 2)).to.deep.equal(['start']);

    // the first check-config, before the first start: no database yet, and it creates none
    const check = await asBridge('check-config');
    expect(check.code, check.stdout + check.stderr).to.equal(0);
    expect(check.stdout).to.contain(`[ok]   ${state}/bridge.sqlite3\n         no database yet`);
    expect(existsSync(join(state, 'bridge.sqlite3'))).to.equal(false);

    const env: Record<string, string> = { PATH: SYSTEMD_PATH, HOME: NOBODY.home, USER: NOBODY.user, LOGNAME: NOBODY.user, SHELL: NOBODY.shell };
    for (const [key, v] of service) if (key === 'Environment') Object.assign(env, Object.fromEntries([environmentAssignment(v)]));
    Object.assign(env, environmentFile(value('EnvironmentFile')));
    expect(env.NODE_OPTIONS).to.equal('--max-old-space-size=128 --max-semi-space-size=8');
    const child = spawn(argv[0]!, argv.slice(1), { cwd: value('WorkingDirectory'), env, uid: NOBODY.uid, gid: NOBODY.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      const parts = (buffered + d.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const waitFor = async (event: string): Promise<Record<string, unknown>> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = lines.find((l) => l.event === event);
        if (found) return found;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${event} line: ${stderr}\n${JSON.stringify(lines.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      const started = await waitFor('started');
      expect(started.database).to.equal(`${state}/bridge.sqlite3`);

      // the admin helper, as the service user: keys, and a reload that finds the running bridge by its PORT
      const keys = await asBridge('keys', 'list');
      expect(keys.code, keys.stderr).to.equal(0);
      expect(keys.stdout).to.match(/^kid +alg +status/);
      const reload = await asBridge('reload');
      expect(reload.code, reload.stderr).to.equal(0);
      expect(reload.stdout).to.contain(`pid ${child.pid} (listening on PORT`);
      await waitFor('config_reloaded');

      // ExecReload, as systemctl reload runs it
      const [killer, ...killArgs] = value('ExecReload').replace('$MAINPID', String(child.pid)).split(/\s+/);
      await run(killer!, killArgs);
      await new Promise((r) => setTimeout(r, 500));
      const deadline = Date.now() + 30_000;
      while (lines.filter((l) => l.event === 'config_reloaded').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(lines.filter((l) => l.event === 'config_reloaded')).to.have.length(2);
    } finally {
      // KillMode=mixed: SIGTERM to the main process; SIGKILL only after TimeoutStopSec
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutStopMs);
      const code = await exited;
      clearTimeout(timer);
      expect(code, 'a clean stop, which Restart=on-failure does not restart').to.equal(0);
    }
    expect(lines.map((l) => l.event)).to.include.members(['stopping', 'drained', 'stopped']);
    expect(stderr).to.equal('');
  });

  it('the secrets file is readable by the service user and by nobody else', async () => {
    const read = (uid: number, gid: number) => run('cat', [join(etc, 'secrets.env')], { uid, gid }).then(() => true, () => false);
    expect(await read(NOBODY.uid, NOBODY.gid)).to.equal(true);
    expect(await read(65533, 65533)).to.equal(false);
  });

  it('an invalid configuration exits 2, which RestartPreventExitStatus keeps from a restart loop', async () => {
    const file = join(etc, 'config.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('"redirect_uris"', '"redirect_uri"'));
    try {
      const argv = value('ExecStart').split(/\s+/);
      const env = { PATH: SYSTEMD_PATH, ...environmentFile(value('EnvironmentFile')) };
      const code = await new Promise<number | null>((resolve) => {
        spawn(argv[0]!, argv.slice(1), { cwd: value('WorkingDirectory'), env, uid: NOBODY.uid, gid: NOBODY.gid, stdio: 'ignore' }).once('exit', resolve);
      });
      expect(code).to.equal(2);
      expect(value('RestartPreventExitStatus').split(/\s+/)).to.include('2');
    } finally {
      writeFileSync(file, good);
    }
  });
});
