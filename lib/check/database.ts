// check-config's look at the database: can the bridge use it, and how far is its schema migrated.
// Never creates anything: a missing SQLite file is fine when `start` will be able to create it.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseUnavailableError } from '../../adapters/errors.js';
import { pendingMigrations } from '../../adapters/migrate.js';
import { MIGRATIONS } from '../../adapters/migrations/index.js';
import type { BridgeConfig } from '../config/index.js';
import { openConfiguredDatabase } from '../server/database.js';
import type { ProbeResult } from './probe.js';

/** The nearest directory that exists above `path`, where `start` would create what is missing. */
function nearestExisting(path: string): string {
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** A SQLite file that does not exist yet: can `start` create it? */
function sqliteToCreate(config: BridgeConfig, what: string, url: string): ProbeResult {
  const dir = nearestExisting(config.database.path);
  try {
    if (!statSync(dir).isDirectory()) {
      return { status: 'fail', what, url, message: `${config.database.describe}: ${dir} is a file, not a directory` };
    }
    accessSync(dir, constants.W_OK);
  } catch {
    return { status: 'fail', what, url, message: `${config.database.describe}: no database yet, and ${dir} is not writable by uid ${process.getuid?.() ?? '?'}: \`start\` could not create it` };
  }
  return { status: 'ok', what, url, message: `no database yet: \`start\` (or \`db migrate\`) creates it (${dir} is writable)` };
}

export async function probeDatabase(config: BridgeConfig): Promise<ProbeResult> {
  const what = 'database';
  const url = config.database.shown;
  if (!config.database.url && config.database.path !== ':memory:' && !existsSync(config.database.path)) return sqliteToCreate(config, what, url);
  let db;
  try {
    db = await openConfiguredDatabase(config, { poolMax: 1, create: false });
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) return { status: 'fail', what, url, message: err.message };
    throw err;
  }
  try {
    const pending = await pendingMigrations(db);
    if (!pending.length) return { status: 'ok', what, url, message: `${db.dialect}, schema up to date (${MIGRATIONS.length} migrations)` };
    if (pending.length === MIGRATIONS.length) return { status: 'ok', what, url, message: `${db.dialect}, reachable, no bridge tables yet: \`start\` (or \`db migrate\`) creates them` };
    return { status: 'warn', what, url, message: `${db.dialect}, ${pending.length} migration${pending.length === 1 ? '' : 's'} pending (${pending.join(', ')}): applied at the next start or by \`db migrate\`` };
  } catch (err) {
    return { status: 'fail', what, url, message: `${config.database.describe}: cannot read the schema (${(err as Error).message})` };
  } finally {
    await db.close();
  }
}
