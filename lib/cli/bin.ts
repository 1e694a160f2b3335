#!/usr/bin/env node
import { EXIT } from './command.js';
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cas-oidc-bridge: ${(err as Error).message}\n`);
    process.exitCode = EXIT.failure;
  },
);
