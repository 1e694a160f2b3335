// Graceful stop of an HTTP server: stop accepting, let requests in flight finish, close each
// kept-alive connection as soon as it is idle, and cut whatever still runs after the deadline.
import type { Server } from 'node:http';

export interface DrainResult {
  /** true when the deadline passed and connections with requests in flight were cut */
  readonly forced: boolean;
  readonly durationMs: number;
}

export function drain(server: Server, timeoutMs: number): Promise<DrainResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (forced: boolean): void => {
      if (done) return;
      done = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve({ forced, durationMs: Math.round(performance.now() - started) });
    };
    // requests that still arrive on kept-alive connections are served, then the connection closes
    server.on('request', (_req, res) => {
      if (!res.headersSent) res.setHeader('connection', 'close');
    });
    server.close(() => finish(false));
    // a connection whose request finished after close() began is idle now: close it
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish(true);
    }, timeoutMs);
    server.closeIdleConnections();
  });
}
