// A cluster worker: a whole bridge on the shared port, with the configuration the primary sent.
// It neither migrates (the primary did), nor purges (the primary does), nor binds METRICS_PORT
// (the primary serves the metrics of all workers).
import cluster from 'node:cluster';
import { resolveConfig } from '../config/resolve.js';
import { createLogger } from '../observability/logger.js';
import { sendProviderNoticesTo } from '../observability/provider-notices.js';
import { startBridge } from '../server/bridge.js';
import { onStopSignal } from '../server/stop-signals.js';
import { answerMetricsRequests } from './metrics.js';
import { answerReloads } from './reload.js';
import { isConfigMessage, type ConfigMessage, type ConfigRequest, type ReadyMessage, type StartFailedMessage } from './messages.js';

function configFromPrimary(): Promise<ConfigMessage> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      if (!isConfigMessage(message)) return;
      process.off('message', listener);
      resolve(message);
    };
    process.on('message', listener);
    // asked for, not pushed: a message that arrives before this listener exists is lost
    process.send?.({ type: 'bridge:config-request' } satisfies ConfigRequest);
  });
}

/** Runs until SIGTERM/SIGINT or until the primary goes away; answers the exit code. */
export async function runWorker(): Promise<number> {
  // reloads come from the primary; a hangup of the terminal reaches every process of the group
  process.on('SIGHUP', () => undefined);
  const { settings } = await configFromPrimary();
  const { config, problems } = resolveConfig(settings);
  if (!config) {
    // the primary resolved the same settings a moment ago; only a changed file (a PGT key) gets here
    process.stderr.write(`cas-oidc-bridge worker: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 2;
  }
  const logger = createLogger(config.logging.level).child({ worker: cluster.worker?.id });
  sendProviderNoticesTo(logger);
  // the primary logged the configuration's warnings once; N workers repeating them is noise
  const quiet = { ...config, warnings: [] };
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  try {
    bridge = await startBridge(quiet, { logger, prepare: false, cleanup: false, metricsListener: false });
  } catch (err) {
    logger.error({ err, event: 'start_failed' }, 'worker could not start');
    process.send?.({ type: 'bridge:start-failed', reason: (err as Error).message } satisfies StartFailedMessage);
    return 1;
  }
  answerMetricsRequests(bridge.services.metrics);
  answerReloads(bridge, logger);
  process.send?.({ type: 'bridge:ready', url: bridge.url } satisfies ReadyMessage);

  await new Promise<void>((resolve) => {
    const stop = (reason: string): void => {
      logger.info({ event: 'stopping', reason }, 'stopping: finishing requests in flight');
      bridge.close().then(resolve, resolve);
    };
    onStopSignal(stop);
    // the primary died: nobody will replace or stop this worker, so stop now
    process.once('disconnect', () => stop('primary_gone'));
  });
  logger.info({ event: 'stopped' }, 'stopped');
  return 0;
}
