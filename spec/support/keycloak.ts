// A real Keycloak for specs: the `org.keycloak:keycloak-quarkus-dist` tarball from Maven Central
// (fetched with `mvn dependency:copy`, so Maven's local repository caches it), unpacked once per
// version into the ignored `.cache/keycloak/` (where `start-dev` also keeps its one-time build and
// the specs keep a database template), started once per spec run in dev mode on loopback with its
// own data directory in a temp folder, and stopped after the last suite that uses it.
// `npx tsx spec/support/keycloak-prepare.ts` does the one-time part ahead (.ci/run calls it).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS } from './chromium.js';
import { ROOT } from './cli-process.js';
import { KeycloakAdmin } from './keycloak-admin.js';
import { freePort } from './net.js';

/** The Keycloak version the specs run against; KEYCLOAK_VERSION picks another (e.g. 26.4.0). */
export const KEYCLOAK_DEFAULT_VERSION = '26.7.3';
const CACHE = join(ROOT, '.cache', 'keycloak');
const ADMIN = { username: 'spec-admin', password: 'spec-admin-password-0123456789' };
/** the first start builds the distribution before it boots: a minute or two on 2 busy cores */
const START_TIMEOUT_MS = 300_000;

export const keycloakVersion = (): string => process.env.KEYCLOAK_VERSION?.trim() || KEYCLOAK_DEFAULT_VERSION;

export interface Keycloak {
  readonly version: string;
  /** e.g. http://127.0.0.1:PORT (realms at /realms/<name>) */
  readonly url: string;
  readonly admin: KeycloakAdmin;
  /** the server's output so far (for failure messages) */
  output(): string;
}

/** Why Keycloak cannot run on this machine, or undefined when it can. */
export function keycloakUnavailable(): string | undefined {
  for (const [tool, install] of [['java', 'openjdk-17-jre-headless'], ['mvn', 'maven']] as const) {
    const probe = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) return `${tool} not found on PATH (apt-get install ${install})`;
  }
  return undefined;
}

/**
 * Skips the calling suite (and says why) when Keycloak cannot run here; under CI=true that is a
 * failure, not a skip. A Keycloak that cannot be fetched or started fails the suite everywhere.
 */
export function requireKeycloak(suite: Mocha.Context): void {
  const reason = keycloakUnavailable();
  if (!reason) return;
  if (process.env.CI === 'true') throw new Error(`Keycloak required on CI but unavailable: ${reason}`);
  process.stderr.write(`      [skipped: Keycloak unavailable: ${reason}]\n`);
  suite.skip();
}

const run = promisify(execFile);

/**
 * The unpacked distribution of `version` (its home directory), fetched and unpacked when missing.
 * Maven keeps the tarball in its local repository; the unpacked copy is reused by later runs.
 */
export async function keycloakDistribution(version = keycloakVersion()): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`KEYCLOAK_VERSION must look like 26.7.3, not "${version}"`);
  const home = join(CACHE, `keycloak-${version}`);
  if (existsSync(join(home, 'bin', 'kc.sh'))) return home;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, `.fetch-${version}-`));
  try {
    const artifact = `org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`;
    await run('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${work}`], { timeout: 600_000, maxBuffer: 16 << 20 })
      .catch((err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`could not fetch ${artifact} with Maven: ${err.message}\n${(err.stdout ?? '').slice(-3000)}${(err.stderr ?? '').slice(-2000)}`);
      });
    const tarball = join(work, `keycloak-quarkus-dist-${version}.tar.gz`);
    await run('tar', ['-xzf', tarball, '-C', work], { timeout: 300_000 });
    const unpacked = readdirSync(work).find((name) => name.startsWith('keycloak-') && !name.endsWith('.tar.gz'));
    if (!unpacked) throw new Error(`${tarball} holds no keycloak-* directory`);
    // another run may have unpacked it meanwhile: keep the first
    if (!existsSync(home)) renameSync(join(work, unpacked), home);
    return home;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

interface Booted {
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * `kc.sh start-dev` on loopback with its H2 database in `data`, until its health endpoint says
 * ready. The first start of a distribution also builds it (kept in the distribution).
 */
async function boot(home: string, version: string, data: string, port: number, logName: string): Promise<Booted> {
  const managementPort = await freePort();
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, logName);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(join(home, 'bin', 'kc.sh'), [
    'start-dev',
    '--http-host=127.0.0.1',
    `--http-port=${port}`,
    `--http-management-port=${managementPort}`,
    '--health-enabled=true',
    `--db-url=jdbc:h2:file:${data}/h2/keycloakdb;NON_KEYWORDS=VALUE`,
  ], {
    cwd: home,
    env: {
      ...process.env,
      KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      // C1 only: starts in about half the time on 2 busy cores; the specs send few requests
      JAVA_OPTS_APPEND: `-XX:TieredStopAtLevel=1 -Dquarkus.transaction-manager.object-store.directory=${data}/transaction-logs`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer): void => {
    output = (output + d.toString()).slice(-200_000);
    log.write(d);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); // kc.sh passes it on to Java
  };
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    kill();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    process.off('exit', kill);
    log.end();
  };
  const tail = (): string => output.split('\n').slice(-40).join('\n');

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`Keycloak ${version} exited before it was ready (log: ${logFile}):\n${tail()}`);
    }
    const ready = await fetch(`http://127.0.0.1:${managementPort}/health/ready`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200, () => false);
    if (ready) return { output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Keycloak ${version} not ready after ${START_TIMEOUT_MS / 1000} s (log: ${logFile}):\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The distribution of `version`, built, with a database template: the H2 database of a first
 * start (schema and master realm with the specs' admin), which every later start copies instead of
 * creating its schema again (half of a start). Made once per version, in `.cache/keycloak/`.
 */
export async function prepareKeycloak(version = keycloakVersion()): Promise<{ home: string; template: string }> {
  const home = await keycloakDistribution(version);
  const template = join(CACHE, `keycloak-${version}-database`);
  if (existsSync(join(template, 'keycloakdb.mv.db'))) return { home, template };
  const data = mkdtempSync(join(tmpdir(), 'keycloak-template-'));
  try {
    const first = await boot(home, version, data, await freePort(), `keycloak-${version}-prepare.log`);
    await first.stop();
    if (!existsSync(join(data, 'h2', 'keycloakdb.mv.db'))) throw new Error(`Keycloak ${version} left no database in ${data}/h2`);
    // another run may have made it meanwhile: keep the first
    if (!existsSync(template)) renameSync(join(data, 'h2'), template);
    return { home, template };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

interface RunningKeycloak extends Keycloak {
  stop(): Promise<void>;
}

export async function startKeycloak(version = keycloakVersion()): Promise<RunningKeycloak> {
  const { home, template } = await prepareKeycloak(version);
  const data = mkdtempSync(join(tmpdir(), 'keycloak-data-'));
  cpSync(template, join(data, 'h2'), { recursive: true });
  const port = await freePort();
  const booted = await boot(home, version, data, port, `keycloak-${version}.log`).catch((err: unknown) => {
    rmSync(data, { recursive: true, force: true });
    throw err;
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    version,
    url,
    admin: new KeycloakAdmin(url, ADMIN.username, ADMIN.password),
    output: booted.output,
    async stop() {
      await booted.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

let shared: Promise<RunningKeycloak> | undefined;
let users = 0;

async function stopShared(): Promise<void> {
  const running = shared;
  shared = undefined;
  await (await running?.catch(() => undefined))?.stop();
}

/**
 * One Keycloak for every suite of the run that calls this (at load time, in its describe): started
 * by the first `get()`, stopped after the last of those suites (or, when some never ran, at the
 * end of the run).
 */
export function useSharedKeycloak(suite: Mocha.Suite): { get(): Promise<Keycloak> } {
  users += 1;
  let root = suite;
  while (root.parent) root = root.parent;
  if (users === 1) root.afterAll('stop the shared Keycloak', stopShared);
  suite.afterAll('release the shared Keycloak', async () => {
    users -= 1;
    if (users === 0) await stopShared();
  });
  return {
    get() {
      shared ??= startKeycloak();
      return shared;
    },
  };
}
