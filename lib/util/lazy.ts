// Modules only some deployments use (pretty logs, Chinese name romanization, encrypted PGTs) are
// loaded on first use, not at start: each costs megabytes of resident memory in every process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A CommonJS module, required the first time the answer is called. */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
