// Starts one bridge process: services, provider, koa app, HTTP server and the periodic jobs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { purgeExpired } from '../../adapters/cleanup.js';
import { createApp } from './app.js';
import type { BridgeConfig } from '../config/index.js';
import { drain } from './drain.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server.js';
import { createProvider } from '../provider/index.js';
import { requireSectorDocuments } from '../provider/sector.js';
import { destroyPgtsWithSessions } from '../proxy/index.js';
import { ProviderHolder } from '../provider/holder.js';
import { keysGeneration } from '../keys/signing-keys.js';
import { watchSigningKeys } from '../keys/watch.js';
import { openServices, type OpenOptions, type Services } from './services.js';

export interface RunningBridge {
  readonly services: Services;
  readonly holder: ProviderHolder;
  readonly server: Server;
  /** base URL the server actually listens on (useful with PORT=0) */
  readonly url: string;
  /** where /metrics is served (METRICS_PORT), if it is */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

export interface StartOptions extends OpenOptions {
  readonly logger?: Logger;
  /** run the periodic purge of expired records in this process (default true) */
  readonly cleanup?: boolean;
  /** bind METRICS_PORT in this process (default true; cluster workers leave it to the primary) */
  readonly metricsListener?: boolean;
}

export async function startBridge(config: BridgeConfig, options: StartOptions = {}): Promise<RunningBridge> {
  const logger = options.logger ?? createLogger(config.logging.level);
  for (const warning of config.warnings) logger.warn({ event: 'config_warning' }, warning);
  // cluster workers leave it to the primary, which checked before starting them
  if (options.prepare !== false) await requireSectorDocuments(config.clients);
  const services = await openServices(config, logger, options);
  const stopPgtListener = destroyPgtsWithSessions(services);
  const generationAtStart = await keysGeneration(services.meta);
  const holder = new ProviderHolder(await createProvider(services), config.mountPath);
  const keyWatch = watchSigningKeys(services, holder, createProvider, generationAtStart);
  const app = createApp(services, holder);
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined && options.metricsListener !== false) {
    try {
      metricsServer = await startMetricsServer(services.metrics, config.metrics.host, config.metrics.port, logger);
    } catch (err) {
      server.close();
      await services.db.close();
      throw err;
    }
  }

  const timers: NodeJS.Timeout[] = [];
  if (options.cleanup !== false) {
    timers.push(setInterval(() => {
      purgeExpired(services.db)
        .then((counts) => logger.debug({ event: 'cleanup', counts }, 'expired records purged'))
        .catch((err: unknown) => logger.error({ err }, 'cleanup failed'));
    }, config.database.cleanupIntervalMs).unref());
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const t of timers) clearInterval(t);
      keyWatch.stop();
      stopPgtListener();
      const drained = await drain(server, config.server.shutdownTimeoutMs);
      if (drained.forced) logger.warn({ event: 'shutdown_forced', durationMs: drained.durationMs }, 'requests still running after SHUTDOWN_TIMEOUT were cut off');
      else logger.info({ event: 'drained', durationMs: drained.durationMs }, 'requests in flight finished');
      await metricsServer?.close();
      await services.db.close();
    })();
    return closing;
  };

  logger.info({ event: 'started', url, issuer: config.issuer, database: services.db.description }, 'cas-oidc-bridge listening');
  return { services, holder, server, url, metricsUrl: metricsServer?.url, close };
}
