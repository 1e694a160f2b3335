// The metrics listener: GET /metrics on METRICS_HOST:METRICS_PORT, apart from the bridge's public
// port so that a reverse proxy never exposes it by accident.
import type { Server } from 'node:http';
import { createLimitedServer, listen } from '../http/server.js';
import type { Logger } from './logger.js';

/** What the listener serves: this process's metrics, or a cluster's aggregated across workers. */
export interface MetricsSource {
  exposition(): Promise<{ contentType: string; body: string } | undefined>;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: MetricsSource, host: string, port: number, logger: Logger): Promise<MetricsServer> {
  const server: Server = createLimitedServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    metrics.exposition().then((out) => {
      if (!out) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': out.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : out.body);
    }, (err: unknown) => {
      logger.error({ err, event: 'metrics_failed' }, 'metrics collection failed');
      res.writeHead(500).end();
    });
  });
  const url = `${await listen(server, 'METRICS_PORT', port, host)}/metrics`;
  logger.info({ event: 'metrics_listening', url }, 'metrics served');
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
