// The configured database, opened the same way by the bridge, a cluster's primary, the admin
// commands and check-config; its errors name the setting (DATABASE_URL or DATABASE_PATH).
import { Database } from '../../adapters/database.js';
import { DatabaseSchemaError } from '../../adapters/errors.js';
import { MIGRATIONS } from '../../adapters/migrations/index.js';
import { pendingMigrations } from '../../adapters/migrate.js';
import type { BridgeConfig } from '../config/index.js';

export interface OpenConfiguredOptions {
  /** largest pool (default DATABASE_POOL_MAX) */
  readonly poolMax?: number;
  /** create a missing SQLite database (only `start` and `db migrate` do) */
  readonly create: boolean;
}

export function openConfiguredDatabase(config: BridgeConfig, options: OpenConfiguredOptions): Promise<Database> {
  return Database.open({
    url: config.database.url,
    path: config.database.path,
    poolMax: options.poolMax ?? config.database.poolMax,
    acquireTimeoutMs: config.database.acquireTimeoutMs,
    create: options.create,
    describe: config.database.describe,
  });
}

/** Refuses a database this version cannot use as it is (never migrated, or migrations pending). */
export async function requireCurrentSchema(db: Database, config: BridgeConfig): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length) throw new DatabaseSchemaError(config.database.describe, pending, pending.length === MIGRATIONS.length);
}
