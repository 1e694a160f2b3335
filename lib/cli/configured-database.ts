// For commands that work on the configured database: load the configuration (problems reported,
// exit 2), open the database with a small pool, always close it. Only `db migrate` may create a
// database; the others refuse one that does not exist or was never migrated, naming the setting
// and the absolute path, instead of creating an empty database in the working directory.
import type { Database } from '../../adapters/database.js';
import type { BridgeConfig } from '../config/index.js';
import { openConfiguredDatabase, requireCurrentSchema } from '../server/database.js';
import { EXIT } from './command.js';
import { loadConfigOrReport } from './config-errors.js';

export interface DatabaseCommandOptions {
  /** create the database when missing and accept an unmigrated schema (`db migrate`) */
  readonly migrating?: boolean;
}

export async function withConfiguredDatabase(
  configPath: string | undefined,
  work: (db: Database, config: BridgeConfig) => Promise<number>,
  options: DatabaseCommandOptions = {},
): Promise<number> {
  const config = loadConfigOrReport({ configPath });
  if (!config) return EXIT.usage;
  const db = await openConfiguredDatabase(config, { poolMax: 2, create: options.migrating ?? false });
  try {
    if (!options.migrating) await requireCurrentSchema(db, config);
    return await work(db, config);
  } finally {
    await db.close();
  }
}
