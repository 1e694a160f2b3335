import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { withConfiguredDatabase, type DatabaseCommandOptions } from '../configured-database.js';
import type { BridgeConfig } from '../../config/index.js';
import { parseCommandArgs } from '../options.js';
import type { Database } from '../../../adapters/database.js';
import { migrate } from '../../../adapters/migrate.js';
import { purgeExpired } from '../../../adapters/cleanup.js';

async function withDatabase(args: string[], work: (db: Database, config: BridgeConfig) => Promise<void>, options: DatabaseCommandOptions = {}): Promise<number> {
  const { values } = parseCommandArgs(args, {});
  return withConfiguredDatabase(values.config, async (db, config) => {
    await work(db, config);
    return EXIT.ok;
  }, options);
}

export const dbMigrate: Command = {
  path: ['db', 'migrate'],
  summary: 'apply pending database migrations',
  help: `Usage: cas-oidc-bridge db migrate [--config FILE]

Applies pending migrations to the configured database (DATABASE_URL or DATABASE_PATH) under a
lock, so it is safe while other nodes start, and prints which database it used. Creates an SQLite
database that does not exist yet (the only command besides \`start\` that does). The bridge also
migrates at start.`,
  run: (args) => withDatabase(args, async (db, config) => {
    const applied = await migrate(db);
    // which database, always: a relative DATABASE_PATH run from another directory is another file
    process.stdout.write(`database: ${config.database.describe}\n`);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database schema is up to date\n');
  }, { migrating: true }),
};

export const dbCleanup: Command = {
  path: ['db', 'cleanup'],
  summary: 'delete expired records now',
  help: `Usage: cas-oidc-bridge db cleanup [--config FILE]

Deletes expired codes, tokens, sessions, interactions and pending logins. The bridge does this
every CLEANUP_INTERVAL seconds; this runs it once, e.g. from cron.`,
  run: (args) => withDatabase(args, async (db) => {
    const counts = await purgeExpired(db);
    for (const [table, count] of Object.entries(counts)) process.stdout.write(`${table}: ${count} deleted\n`);
  }),
};
