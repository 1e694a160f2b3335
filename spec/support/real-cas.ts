// A real CAS server for specs: Debian's django-cas-server, built by cas-server/setup.sh into a
// template directory once per run, then copied so that every server starts with a fresh database
// (django-cas-server sends one logout POST per ticket it ever issued).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './net.js';

const SETUP = join(dirname(fileURLToPath(import.meta.url)), 'cas-server', 'setup.sh');
const PYTHON = '/usr/bin/python3';

export interface RealCas {
  /** CAS base URL, e.g. http://127.0.0.1:PORT (endpoints at /login, /p3/serviceValidate, …) */
  readonly url: string;
  readonly dir: string;
  /** what the server printed so far: runserver's request lines (`"GET /validate?… HTTP/1.1" 200`) and cas_server's log */
  output(): string;
  stop(): Promise<void>;
}

/** Why a real CAS server cannot run on this machine, or undefined when it can. */
export function realCasUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import cas_server'], { stdio: 'ignore' });
  if (probe.status !== 0) return 'python3-django-cas-server is not installed (apt-get install python3-django-cas-server)';
  return undefined;
}

/**
 * Skips the calling suite (and says why) when no real CAS server can run here; under CI=true a
 * missing CAS server is a failure, not a skip.
 */
export function requireRealCas(suite: Mocha.Context): void {
  const reason = realCasUnavailable();
  if (!reason) return;
  if (process.env.CI === 'true') throw new Error(`real CAS server required on CI but unavailable: ${reason}`);
  process.stderr.write(`      [skipped: real CAS server unavailable: ${reason}]\n`);
  suite.skip();
}

let template: Promise<string> | undefined;

function buildTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cas-template-'));
    await promisify(execFile)('bash', [SETUP, dir], { timeout: 120_000 });
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return template;
}

export async function startRealCas(env: Record<string, string> = {}): Promise<RealCas> {
  const dir = mkdtempSync(join(tmpdir(), 'cas-server-'));
  cpSync(await buildTemplate(), dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(PYTHON, ['manage.py', 'runserver', '--noreload', '--insecure', `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`CAS server exited: ${output}`);
    try {
      const res = await fetch(`${url}/login`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`CAS server did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
