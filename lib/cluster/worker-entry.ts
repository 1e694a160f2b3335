// The program node:cluster runs in each worker (the primary points `exec` here).
import { captureProviderNotices } from '../observability/provider-notices.js';

const exitSoon = (code: number): void => {
  process.exitCode = code;
  // a handle left open somewhere must not keep a stopped worker alive
  setTimeout(() => process.exit(code), 3000).unref();
};

// before worker.js imports oidc-provider: its console notices become JSON log lines once the
// worker has its logger (worker.ts)
captureProviderNotices();
const { runWorker } = await import('./worker.js');
runWorker().then(exitSoon, (err: unknown) => {
  process.stderr.write(`cas-oidc-bridge worker ${process.pid}: ${(err as Error).stack ?? String(err)}\n`);
  exitSoon(1);
});
