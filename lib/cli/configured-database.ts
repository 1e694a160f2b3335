// For commands that work on the configured database: load the configuration (problems reported,
// exit 2), open the database with a small pool, always close it.
import { Database } from '../../adapters/database.js';
import type { BridgeConfig } from '../config/index.js';
import { EXIT } from './command.js';
import { loadConfigOrReport } from './config-errors.js';

export async function withConfiguredDatabase(
  configPath: string | undefined,
  work: (db: Database, config: BridgeConfig) => Promise<number>,
): Promise<number> {
  const config = loadConfigOrReport({ configPath });
  if (!config) return EXIT.usage;
  const db = await Database.open({ url: config.database.url, path: config.database.path, poolMax: 2 });
  try {
    return await work(db, config);
  } finally {
    await db.close();
  }
}
