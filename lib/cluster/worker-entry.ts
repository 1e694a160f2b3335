// The program node:cluster runs in each worker (the primary points `exec` here).
import { runWorker } from './worker.js';

const exitSoon = (code: number): void => {
  process.exitCode = code;
  // a handle left open somewhere must not keep a stopped worker alive
  setTimeout(() => process.exit(code), 3000).unref();
};

runWorker().then(exitSoon, (err: unknown) => {
  process.stderr.write(`cas-oidc-bridge worker ${process.pid}: ${(err as Error).stack ?? String(err)}\n`);
  exitSoon(1);
});
