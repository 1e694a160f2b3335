import type { Command } from '../command.js';
import { EXIT, UsageError } from '../command.js';
import { loadConfigOrReport } from '../config-errors.js';
import { parseCommandArgs } from '../options.js';
import { onStopSignal } from '../../server/stop-signals.js';
import { resolveWorkers } from '../../config/resolve.js';
import { MAX_WORKERS, SETTINGS } from '../../config/settings.js';

/** `--workers`: read and checked as the WORKERS setting is; undefined when not given. */
function parseWorkers(value: string | undefined): number | 'auto' | undefined {
  if (value === undefined) return undefined;
  const { kind } = SETTINGS.WORKERS;
  const parsed = kind.schema.safeParse(kind.fromString(value));
  if (!parsed.success) throw new UsageError(`--workers must be a whole number from 1 to ${MAX_WORKERS}, or auto (got "${value}")`);
  return parsed.data;
}

export const start: Command = {
  path: ['start'],
  summary: 'run the bridge (what `npm start` runs)',
  help: `Usage: cas-oidc-bridge start [--config FILE] [--workers N|auto]

Runs the bridge with the configuration from FILE (default: ./config.json when present, or the
file named by CONFIG_FILE) and the environment. Stops cleanly on SIGTERM or SIGINT. On SIGHUP
(or \`cas-oidc-bridge reload\`) it reads the configuration again and applies clients, claims and
access rules without a restart, or keeps the running configuration when the new one has a problem.

  --workers N   processes serving requests on this host (overrides WORKERS; auto: one per CPU).
                With more than one, a primary process migrates the database, starts the workers,
                replaces one that dies and serves the metrics of all.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { workers: { type: 'string', short: 'w' } });
    const workersOption = parseWorkers(values.workers);
    const config = loadConfigOrReport({ configPath: values.config });
    if (!config) return EXIT.usage;
    const workers = workersOption === undefined ? config.workers : resolveWorkers(workersOption);
    // loaded on demand: oidc-provider is heavy, and its console notices (a runtime warning on
    // Node 20) must be caught before it is imported, to be written as JSON log lines
    const { createLogger } = await import('../../observability/logger.js');
    const logger = createLogger(config.logging.level);
    const { captureProviderNotices, sendProviderNoticesTo } = await import('../../observability/provider-notices.js');
    captureProviderNotices();
    sendProviderNoticesTo(logger);
    if (workers > 1) {
      const { runPrimary } = await import('../../cluster/primary.js');
      return runPrimary(config, workers, logger, { configPath: values.config });
    }
    const { startBridge } = await import('../../server/bridge.js');
    const { reloadFromSources } = await import('../../server/reload.js');
    // SIGHUP reloads (clients, claims, access rules); until the bridge is up there is nothing to reload
    let reload = (): void => logger.warn({ event: 'config_reload_failed' }, 'SIGHUP before the bridge was serving: ignored');
    const onHangup = (): void => reload();
    process.on('SIGHUP', onHangup);
    const bridge = await startBridge(config, { logger });
    let reloading = Promise.resolve();
    reload = () => {
      reloading = reloading.then(() => reloadFromSources(bridge, { configPath: values.config }, logger)).then(
        () => undefined,
        (err: unknown) => logger.error({ err, event: 'config_reload_failed' }, 'configuration not reloaded'),
      );
    };
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        logger.info({ event: 'stopping', signal }, 'stopping: finishing requests in flight');
        bridge.close().then(resolve, resolve);
      };
      onStopSignal(stop);
    });
    process.off('SIGHUP', onHangup);
    logger.info({ event: 'stopped' }, 'stopped');
    return EXIT.ok;
  },
};
