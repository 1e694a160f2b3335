// A cluster's primary process: prepares the database once (migrations, signing keys), forks the
// workers that serve requests on the shared port, replaces a worker that dies (with a backoff),
// runs the periodic purge, serves the metrics of all workers, and on SIGTERM/SIGINT stops the
// workers, waits for them to drain and exits 0.
import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { purgeExpired } from '../../adapters/cleanup.js';
import { Database } from '../../adapters/database.js';
import type { BridgeConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server.js';
import { SecretBox } from '../keys/secrets.js';
import { prepareDatabase } from '../server/services.js';
import { requireSectorDocuments } from '../provider/sector.js';
import { RestartBackoff } from './backoff.js';
import { isConfigRequest, isReadyMessage, type ConfigMessage } from './messages.js';
import { ClusterMetrics } from './metrics.js';

/** extra time, beyond SHUTDOWN_TIMEOUT, a worker gets to close its database and exit */
const EXIT_GRACE_MS = 5_000;

interface Member {
  readonly worker: Worker;
  readonly startedAt: number;
  ready: boolean;
}

function workerProgram(): string {
  const here = fileURLToPath(import.meta.url);
  // worker-entry.ts when run from the sources (tsx), worker-entry.js when built
  return fileURLToPath(new URL(`./worker-entry${extname(here)}`, import.meta.url));
}

export async function runPrimary(config: BridgeConfig, workers: number, logger: Logger): Promise<number> {
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  for (const warning of config.warnings) logger.warn({ event: 'config_warning' }, warning);
  await requireSectorDocuments(config.clients);
  const db = await Database.open({
    url: config.database.url, path: config.database.path, poolMax: 2, acquireTimeoutMs: config.database.acquireTimeoutMs,
  });
  try {
    await prepareDatabase(db, new SecretBox(config.secrets.current, config.secrets.previous), logger);
  } catch (err) {
    await db.close();
    throw err;
  }

  const members = new Map<number, Member>();
  const clusterMetrics = new ClusterMetrics(() => [...members.values()].filter((m) => m.ready).map((m) => m.worker));
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    try {
      metricsServer = await startMetricsServer(clusterMetrics, config.metrics.host, config.metrics.port, logger);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  const purge = setInterval(() => {
    purgeExpired(db)
      .then((counts) => logger.debug({ event: 'cleanup', counts }, 'expired records purged'))
      .catch((err: unknown) => logger.error({ err }, 'cleanup failed'));
  }, config.database.cleanupIntervalMs).unref();

  cluster.setupPrimary({ exec: workerProgram(), args: [] });
  const backoff = new RestartBackoff();
  let stopping = false;
  let startupFailed = false;
  let onStartupChange: (() => void) | undefined;

  const fork = (): void => {
    const worker = cluster.fork();
    members.set(worker.id, { worker, startedAt: Date.now(), ready: false });
    worker.on('message', (message: unknown) => {
      if (clusterMetrics.receive(worker, message)) return;
      if (isConfigRequest(message)) {
        worker.send({ type: 'bridge:config', settings: config.settings } satisfies ConfigMessage);
        return;
      }
      if (!isReadyMessage(message)) return;
      const member = members.get(worker.id);
      if (member) member.ready = true;
      logger.info({ event: 'worker_ready', worker: worker.id, workerPid: worker.process.pid, url: message.url }, 'worker serving');
      onStartupChange?.();
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const member = members.get(worker.id);
    members.delete(worker.id);
    clusterMetrics.forget(worker);
    const uptimeMs = member ? Date.now() - member.startedAt : 0;
    const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal, uptimeMs };
    if (stopping) {
      logger.info({ event: 'worker_exited', ...fields }, 'worker stopped');
      return;
    }
    if (!member?.ready && onStartupChange) {
      // during startup a worker that cannot start means the cluster cannot start
      logger.error({ event: 'worker_exited', ...fields }, 'worker failed to start');
      startupFailed = true;
      onStartupChange();
      return;
    }
    const delayMs = backoff.delayAfterDeath(uptimeMs);
    logger.error({ event: 'worker_exited', ...fields, restartInMs: delayMs }, 'worker died; starting a replacement');
    setTimeout(() => {
      if (!stopping) fork();
    }, delayMs);
  });

  logger.info({ event: 'cluster_starting', workers }, `starting ${workers} workers`);
  for (let i = 0; i < workers; i += 1) fork();
  const startup = new Promise<'up'>((resolve) => {
    onStartupChange = () => {
      if (startupFailed || [...members.values()].filter((m) => m.ready).length >= workers) resolve('up');
    };
  });
  const early = await Promise.race([startup, signalled]);
  onStartupChange = undefined;

  const stopAll = async (signal: NodeJS.Signals): Promise<void> => {
    stopping = true;
    clearInterval(purge);
    const running = [...members.values()].map((m) => m.worker).filter((w) => !w.isDead());
    const exited = running.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) resolve();
      else w.once('exit', () => resolve());
    }));
    for (const w of running) w.process.kill(signal);
    const deadline = setTimeout(() => {
      for (const w of running) if (!w.isDead()) w.process.kill('SIGKILL');
    }, config.server.shutdownTimeoutMs + EXIT_GRACE_MS);
    await Promise.all(exited);
    clearTimeout(deadline);
    await metricsServer?.close();
    await db.close();
  };

  if (startupFailed) {
    await stopAll('SIGTERM');
    return 1;
  }
  if (early === 'up') {
    const workerPids = [...members.values()].map((m) => m.worker.process.pid);
    logger.info({ event: 'started', workers, workerPids, issuer: config.issuer, database: db.description }, 'cas-oidc-bridge cluster serving');
  }

  const signal = early === 'up' ? await signalled : early;
  logger.info({ event: 'stopping', signal }, 'stopping: workers finish requests in flight');
  await stopAll(signal);
  logger.info({ event: 'stopped' }, 'stopped');
  return 0;
}
