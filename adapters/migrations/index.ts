// Every migration, in order. Listed by hand (not globbed) so the same list works from TypeScript
// sources and from the compiled dist/.
import { initial } from './0001-initial.js';
import { casProxy } from './0002-cas-proxy.js';
import { partialIndexes } from './0003-partial-indexes.js';
import type { Migration } from './types.js';

export const MIGRATIONS: readonly Migration[] = [initial, casProxy, partialIndexes];
