// The HTTP servers of the bridge (its port and the metrics listener): limits that suit a login
// service, and a listen whose failure names the setting (`PORT 59084 is already in use on …`).
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Every request of a login flow is small (the largest, a token request, is a few KB): a client
 * that takes longer than this to send one is slow or hostile, and gets 408 with the connection
 * closed instead of holding it for Node's default 300 s.
 */
export const REQUEST_TIMEOUT_MS = 20_000;
/** time to send the request line and headers */
export const HEADERS_TIMEOUT_MS = 10_000;
/**
 * an idle kept-alive connection closes after this; longer than the idle timeouts of load balancers
 * and of relying parties' connection pools (60 s is common), so they never reuse a connection the
 * bridge is closing at that moment
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** how often Node checks the two timeouts above (its default, 30 s, would let them run late by that much) */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export function createLimitedServer(listener: RequestListener): Server {
  const server = createServer({
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  }, listener);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/** A listen that failed, said with the setting that chose the port and address. */
export class ListenError extends Error {
  constructor(readonly setting: 'PORT' | 'METRICS_PORT', readonly port: number, readonly host: string, readonly code: string | undefined) {
    const hostSetting = setting === 'PORT' ? 'HOST' : 'METRICS_HOST';
    const text = ((): string => {
      switch (code) {
        case 'EADDRINUSE':
          return `${setting} ${port} is already in use on ${host}: another process (another bridge?) listens there; stop it or choose another ${setting}`;
        case 'EACCES':
          return `${setting} ${port} on ${host}: permission denied (ports below 1024 need privileges; use a higher ${setting} behind the reverse proxy)`;
        case 'EADDRNOTAVAIL':
          return `${hostSetting} ${host} is not an address of this machine (${setting} ${port}); use 127.0.0.1, 0.0.0.0 or one of its own addresses`;
        case 'ENOTFOUND':
        case 'EAI_AGAIN':
          return `${hostSetting} ${host} does not resolve to an address (${setting} ${port})`;
        default:
          return `${setting} ${port} on ${host}: cannot listen (${code ?? 'error'})`;
      }
    })();
    super(text);
    this.name = 'ListenError';
  }
}

/** Listens on host:port; answers the address bound (the real port when 0 was asked), or the error. */
export function bind(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Listens on host:port; answers the base URL (`http://127.0.0.1:59084`, the real port when 0 was asked). */
export async function listen(server: Server, setting: 'PORT' | 'METRICS_PORT', port: number, host: string): Promise<string> {
  let address: AddressInfo;
  try {
    address = await bind(server, port, host);
  } catch (err) {
    throw new ListenError(setting, port, host, (err as NodeJS.ErrnoException).code);
  }
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}
