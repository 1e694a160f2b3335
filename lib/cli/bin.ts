#!/usr/bin/env node
import { EXIT } from './command.js';
import { main } from './main.js';

/** Once a command is done, a handle left open somewhere must not keep the process (and a script) waiting. */
const exitSoon = (code: number): void => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 3000).unref();
};

main(process.argv.slice(2)).then(exitSoon, (err: unknown) => {
  process.stderr.write(`cas-oidc-bridge: ${(err as Error).message}\n`);
  exitSoon(EXIT.failure);
});
