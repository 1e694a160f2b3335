import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

// Ports for servers a spec names in a setting (PORT, METRICS_PORT, a relying party's port) come
// from below the kernel's ephemeral range, so that a `listen(0)` elsewhere in the suite, which takes
// its port from that range and may take one just closed, can never land on a port a spec has
// chosen but not yet bound; and never twice from this process.
const [EPHEMERAL_LOW] = ((): number[] => {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return [32768];
  }
})();
const LOWEST = 20000;
const HIGHEST = Math.max(LOWEST + 1000, (EPHEMERAL_LOW ?? 32768) - 1);
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free a moment ago on 127.0.0.1, outside the ephemeral range, not given out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
}
