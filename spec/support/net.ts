import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports for servers a spec names in a setting (PORT, METRICS_PORT, a relying party's port) come
// from below the kernel's ephemeral range, so that a `listen(0)` elsewhere in the suite, which takes
// its port from that range and may take one just closed, can never land on a port a spec has
// chosen but not yet bound; and never twice from this process.
const LOWEST = 20000;
const HIGHEST = ((): number => {
  let ephemeralLow = 32768;
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low)) ephemeralLow = low;
  } catch {
    // not Linux: the IANA ephemeral range starts higher still
  }
  // a range lowered below ours leaves the old behaviour (a port that was free) rather than none
  return Math.max(LOWEST + 1000, ephemeralLow - 1);
})();
const ATTEMPTS = 200;
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
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`freePort: no free port on 127.0.0.1 between ${LOWEST} and ${HIGHEST} after ${ATTEMPTS} tries`);
}
