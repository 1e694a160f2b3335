// `npm run bench`: complete logins against the bridge and against a bare oidc-provider (in-memory
// adapter) with the same CAS stand-in, in one run; prints throughput, latency, CPU per login, peak
// RSS and the ratio bridge/bare. Loopback only; bounded by --logins and --max-seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startCasStandIn, type CasStandIn } from './cas-stand-in.js';
import { discover, login, refresh, userinfo, type LoginResult, type Target } from './driver.js';
import { breakdownTable, type ProfileWindow } from './profile.js';
import { cpuMs, mainThreadCpuMs, peakRssMb, processTree } from './proc.js';
import { countStatements, type StatementCounts } from './statements.js';
import { SUSTAIN_SETTINGS, sustain } from './sustain.js';
import { Database } from '../adapters/database.js';

// `npm run bench` runs the compiled dist/ (as `npm start` does); from the sources, through tsx
const HERE = dirname(fileURLToPath(import.meta.url));
const EXT = extname(fileURLToPath(import.meta.url));
const PROGRAMS = { bridge: join(HERE, '..', 'lib', 'cli', `bin${EXT}`), bare: join(HERE, `bare-provider${EXT}`) };
const LOADER = EXT === '.ts' ? ['--import', 'tsx'] : [];
const ROOT = EXT === '.ts' ? join(HERE, '..') : join(HERE, '..', '..');
const CLIENT_SECRET = 'bench-client-secret-0123456789-ABCDEFGHIJKLMNOPQRSTUV';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
// logins before the measured ones, per serving process (each process compiles its own hot paths),
// at most as many as are measured
const WARMUP_LOGINS_PER_PROCESS = 100;
// logins of the tail-latency phase (--tail-concurrency), at most as many as are measured
const TAIL_LOGINS = 500;
// the V8 memory flags `npm start` runs the bridge with (package.json `config.node_flags`); the bare
// provider gets the same, so both run on the same runtime settings
const NODE_FLAGS = ((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { config?: { node_flags?: string } })
  .config?.node_flags ?? '').split(' ').filter(Boolean);

const HELP = `Usage: npm run bench -- [options]

  --logins N          complete logins per run and server (default 1000), after up to 100
                      warm-up logins per serving process
  --concurrency C     logins in flight at once (default 8)
  --runs R            runs; each figure is the median over them (default 1)
  --database-url URL  postgres://… or mariadb://… for the bridge (default: SQLite in a temp dir)
  --workers W         WORKERS for the bridge (default 1)
  --max-seconds S     stop starting new work in a phase after S seconds (default 120)
  --only bridge|bare  measure one server only
  --tail-concurrency T  after the measured logins, min(N, 500) more at concurrency T
                      (default 32), for the login p99 under a larger load
  --cpu-prof DIR      write V8 CPU profiles of the servers into DIR (node --cpu-prof) and
                      print where each server's CPU per login goes
  --sustain S         instead: logins without pause for S seconds against the bridge alone, with
                      10 s lifetimes and a purge every 5 s, printing the rows of every table and
                      the bridge's memory as they go (expired records must be purged)
`;

interface Options {
  logins: number;
  concurrency: number;
  runs: number;
  databaseUrl: string | undefined;
  workers: number;
  maxSeconds: number;
  only: 'bridge' | 'bare' | undefined;
  cpuProfDir: string | undefined;
  tailConcurrency: number;
  sustainSeconds: number | undefined;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      logins: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      runs: { type: 'string', default: '1' },
      'database-url': { type: 'string' },
      workers: { type: 'string', default: '1' },
      'max-seconds': { type: 'string', default: '120' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'tail-concurrency': { type: 'string', default: '32' },
      sustain: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const positive = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (databaseUrl && !['127.0.0.1', 'localhost', '[::1]'].includes(URL.parse(databaseUrl)?.hostname ?? '')) {
    throw new Error('--database-url must point at a database on loopback');
  }
  if (values.only && values.only !== 'bridge' && values.only !== 'bare') throw new Error('--only is bridge or bare');
  return {
    logins: positive('logins', values.logins),
    concurrency: positive('concurrency', values.concurrency),
    runs: positive('runs', values.runs),
    databaseUrl,
    workers: positive('workers', values.workers),
    maxSeconds: positive('max-seconds', values['max-seconds']),
    only: values.only as Options['only'],
    cpuProfDir: values['cpu-prof'] === undefined ? undefined : resolve(values['cpu-prof']),
    tailConcurrency: positive('tail-concurrency', values['tail-concurrency']),
    sustainSeconds: values.sustain === undefined ? undefined : positive('sustain', values.sustain),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Server {
  readonly name: 'bridge' | 'bare';
  readonly child: ChildProcess;
  readonly target: Target;
  output(): string;
  stop(): Promise<void>;
}

async function startServer(name: 'bridge' | 'bare', cas: CasStandIn, opts: Options, dir: string, settings: Readonly<Record<string, string>> = {}): Promise<Server> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const common = {
    PATH: process.env.PATH ?? '',
    NODE_NO_WARNINGS: '1',
  };
  const [args, env] = name === 'bridge'
    ? [[PROGRAMS.bridge, 'start'], {
      ...common,
      ISSUER: issuer,
      PORT: String(port),
      HOST: '127.0.0.1',
      SECRET_KEY: 'bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz',
      COOKIE_SECURE: 'false',
      CAS_LOGIN_URL: `${cas.baseUrl}/login`,
      CAS_VALIDATE_URL: `${cas.baseUrl}/p3/serviceValidate`,
      CAS_LOGOUT_URL: '',
      CLIENTS: JSON.stringify([{ client_id: 'bench', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI], scope: ['openid'] }]),
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { DATABASE_PATH: sqlitePath(dir) }),
      WORKERS: String(opts.workers),
      LOG_LEVEL: 'warn',
      ...settings,
    }]
    : [[PROGRAMS.bare], { ...common, PORT: String(port), CAS_BASE: cas.baseUrl, CLIENT_SECRET, REDIRECT_URI }];
  const profile = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...NODE_FLAGS, ...profile, ...LOADER, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  child.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  let endpoints;
  while (!endpoints) {
    if (child.exitCode !== null) throw new Error(`${name} exited at start:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer discovery within 60 s:\n${output}`);
    endpoints = await discover(issuer).catch(() => undefined);
    if (!endpoints) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    child,
    target: { issuer, endpoints, clientId: 'bench', clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI },
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

interface PhaseResult {
  readonly done: number;
  readonly errors: string[];
  readonly seconds: number;
  readonly latenciesMs: number[];
}

/** runs `count` tasks with `concurrency` in flight, until done or the time bound */
async function phase(count: number, concurrency: number, maxSeconds: number, task: (i: number) => Promise<void>): Promise<PhaseResult> {
  const started = performance.now();
  const stopAt = started + maxSeconds * 1000;
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count && performance.now() < stopAt) {
      const i = next;
      next += 1;
      const t0 = performance.now();
      try {
        await task(i);
        latenciesMs.push(performance.now() - t0);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { done: latenciesMs.length, errors, seconds: (performance.now() - started) / 1000, latenciesMs };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Figures {
  loginsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  tailP99: number;
  cpuMsPerLogin: number;
  userinfoPerSecond: number;
  refreshPerSecond: number;
  errors: number;
  peakRssMb: number;
  firstErrors: string[];
  /** when the measured logins ran, for --cpu-prof */
  window: Omit<ProfileWindow, 'run'>;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

async function measure(server: Server, opts: Options): Promise<Figures> {
  const target = server.target;
  const processes = server.name === 'bridge' ? opts.workers : 1;
  await phase(Math.min(opts.logins, WARMUP_LOGINS_PER_PROCESS) * processes, opts.concurrency, opts.maxSeconds, async () => { await login(target); });

  const results: LoginResult[] = [];
  const pid = server.child.pid!;
  const pids = processTree(pid);
  const cpuBefore = cpuMs(pid);
  const mainBefore = mainThreadCpuMs(pids);
  const fromUs = monotonicUs();
  const logins = await phase(opts.logins, opts.concurrency, opts.maxSeconds, async () => { results.push(await login(target)); });
  const toUs = monotonicUs();
  const cpuAfter = cpuMs(pid);
  const window = { server: server.name, pids, fromUs, toUs, logins: logins.done, cpuMs: cpuAfter - cpuBefore, mainThreadCpuMs: mainThreadCpuMs(pids) - mainBefore };

  // one ID token verified per run, signature and claims, against the server's JWKS
  const sample = results[0];
  if (sample) {
    const { payload } = await jwtVerify(sample.idToken, createRemoteJWKSet(new URL(target.endpoints.jwks_uri)), { issuer: target.issuer, audience: target.clientId });
    if (payload.nonce !== sample.nonce) throw new Error(`${server.name}: ID token nonce does not match`);
  }
  const userinfos = await phase(results.length, opts.concurrency, opts.maxSeconds, async (i) => userinfo(target, results[i]!.accessToken));
  const refreshes = await phase(results.length, opts.concurrency, opts.maxSeconds, async (i) => {
    const token = results[i]!.refreshToken;
    if (!token) throw new Error('no refresh token was issued');
    await refresh(target, token);
  });
  const tail = await phase(Math.min(opts.logins, TAIL_LOGINS), opts.tailConcurrency, opts.maxSeconds, async () => { await login(target); });
  const sorted = [...logins.latenciesMs].sort((a, b) => a - b);
  const errors = [...logins.errors, ...userinfos.errors, ...refreshes.errors, ...tail.errors];
  return {
    loginsPerSecond: logins.done / logins.seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    tailP99: percentile([...tail.latenciesMs].sort((a, b) => a - b), 99),
    cpuMsPerLogin: logins.done ? (cpuAfter - cpuBefore) / logins.done : NaN,
    userinfoPerSecond: userinfos.done / userinfos.seconds,
    refreshPerSecond: refreshes.done / refreshes.seconds,
    errors: errors.length,
    peakRssMb: peakRssMb(pid),
    firstErrors: [...new Set(errors)].slice(0, 3),
    window,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const ROWS: ReadonlyArray<[keyof Figures, string, number]> = [
  ['loginsPerSecond', 'logins/s', 1],
  ['p50', 'login p50 ms', 1],
  ['p95', 'login p95 ms', 1],
  ['p99', 'login p99 ms', 1],
  ['tailP99', 'login p99 ms at C=T', 1],
  ['cpuMsPerLogin', 'CPU ms per login', 2],
  ['userinfoPerSecond', '/userinfo per s', 0],
  ['refreshPerSecond', '/token refresh per s', 0],
  ['errors', 'errors', 0],
  ['peakRssMb', 'peak RSS MB', 0],
];

function table(bridge: Figures[], bare: Figures[], opts: Options): string {
  const lines = [['metric', 'bridge', 'bare', 'bridge/bare']];
  for (const [key, template, digits] of ROWS) {
    const label = template.replace('C=T', `C=${opts.tailConcurrency}`);
    const b = bridge.length ? median(bridge.map((f) => f[key] as number)) : NaN;
    const o = bare.length ? median(bare.map((f) => f[key] as number)) : NaN;
    const ratio = key === 'errors' || !Number.isFinite(b / o) ? '' : `${(b / o).toFixed(2)}x`;
    lines.push([label, Number.isFinite(b) ? b.toFixed(digits) : '-', Number.isFinite(o) ? o.toFixed(digits) : '-', ratio]);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const sqlitePath = (dir: string): string => join(dir, 'bench.sqlite3');

async function sustained(cas: CasStandIn, opts: Options, seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const server = await startServer('bridge', cas, opts, dir, SUSTAIN_SETTINGS);
  const db = await Database.open(opts.databaseUrl ? { url: opts.databaseUrl, poolMax: 2 } : { path: sqlitePath(dir) });
  try {
    const write = (line: string): void => { process.stdout.write(`${line}\n`); };
    const result = await sustain(server.target, server.child.pid!, db, seconds, opts.concurrency, Math.max(1, Math.min(15, Math.floor(seconds / 4))), write);
    const peak = Math.max(...result.stateRows);
    const last = result.stateRows.at(-1) ?? 0;
    write(`\n${result.logins} logins in ${seconds} s (${(result.logins / seconds).toFixed(1)}/s), ${result.errors.length} errors`
      + `${result.errors.length ? ` (${[...new Set(result.errors)].slice(0, 3).join(' | ')})` : ''}; `
      + `rows of expiring state: peak ${peak}, last ${last}; bridge peak RSS ${peakRssMb(server.child.pid!).toFixed(0)} MB`);
    return result.errors.length ? 1 : 0;
  } finally {
    await db.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** statements per operation, from a bridge of its own with metrics on (not one of the measured runs) */
async function bridgeStatements(cas: CasStandIn, opts: Options): Promise<StatementCounts> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const metricsPort = await freePort();
  const server = await startServer('bridge', cas, { ...opts, cpuProfDir: undefined }, dir, {
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
    // no background statements (key checks, purges) among the counted ones
    KEYS_POLL_INTERVAL: '3600',
    CLEANUP_INTERVAL: '3600',
  });
  try {
    return await countStatements(server.target, `http://127.0.0.1:${metricsPort}/metrics`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = options();
  const database = opts.databaseUrl ? new URL(opts.databaseUrl).protocol.replace(':', '') : 'sqlite';
  process.stdout.write(`cas-oidc-bridge bench: node ${process.version}, database ${database}, workers ${opts.workers}, `
    + `${opts.sustainSeconds === undefined ? `${opts.logins} logins x ${opts.runs} run(s)` : `sustained ${opts.sustainSeconds} s`}, `
    + `concurrency ${opts.concurrency}, node flags ${NODE_FLAGS.join(' ') || 'none'}\n`);
  const cas = await startCasStandIn();
  if (opts.sustainSeconds !== undefined) {
    try {
      process.exitCode = await sustained(cas, opts, opts.sustainSeconds);
    } finally {
      await cas.close();
    }
    return;
  }
  const figures: Record<'bridge' | 'bare', Figures[]> = { bridge: [], bare: [] };
  let statements: StatementCounts | undefined;
  try {
    for (let run = 1; run <= opts.runs; run += 1) {
      for (const name of ['bare', 'bridge'] as const) {
        if (opts.only && opts.only !== name) continue;
        const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
        const server = await startServer(name, cas, opts, dir);
        try {
          const f = await measure(server, opts);
          figures[name].push(f);
          process.stdout.write(`run ${run} ${name}: ${f.loginsPerSecond.toFixed(1)} logins/s, ${f.cpuMsPerLogin.toFixed(2)} CPU ms/login, `
            + `${f.errors} errors${f.firstErrors.length ? ` (${f.firstErrors.join(' | ')})` : ''}\n`);
        } finally {
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
    if (opts.only !== 'bare') statements = await bridgeStatements(cas, opts);
  } finally {
    await cas.close();
  }
  process.stdout.write(`\n${table(figures.bridge, figures.bare, opts)}\n`);
  if (statements) {
    process.stdout.write(`\nbridge database statements (round trips): ${statements.login.toFixed(1)} per login (with its /userinfo), `
      + `${statements.userinfo.toFixed(1)} per /userinfo, ${statements.refresh.toFixed(1)} per refresh\n`);
  }
  if (opts.cpuProfDir) {
    const windows = (['bridge', 'bare'] as const).flatMap((name) => figures[name].map((f, i) => ({ ...f.window, run: i + 1 })));
    writeFileSync(join(opts.cpuProfDir, 'windows.json'), JSON.stringify(windows, null, 2));
    process.stdout.write(`\n${breakdownTable(opts.cpuProfDir, windows)}\n`);
  }
  const errors = [...figures.bridge, ...figures.bare].reduce((sum, f) => sum + f.errors, 0);
  process.exitCode = errors ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(2);
});
