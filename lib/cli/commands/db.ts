import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { withConfiguredDatabase } from '../configured-database.js';
import { parseCommandArgs } from '../options.js';
import type { Database } from '../../../adapters/database.js';
import { migrate } from '../../../adapters/migrate.js';
import { purgeExpired } from '../../../adapters/cleanup.js';

async function withDatabase(args: string[], work: (db: Database) => Promise<void>): Promise<number> {
  const { values } = parseCommandArgs(args, {});
  return withConfiguredDatabase(values.config, async (db) => {
    await work(db);
    return EXIT.ok;
  });
}

export const dbMigrate: Command = {
  path: ['db', 'migrate'],
  summary: 'apply pending database migrations',
  help: `Usage: cas-oidc-bridge db migrate [--config FILE]

Applies pending migrations to the configured database (DATABASE_URL or DATABASE_PATH) under a
lock, so it is safe while other nodes start. The bridge also does this at start.`,
  run: (args) => withDatabase(args, async (db) => {
    const applied = await migrate(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database schema is up to date\n');
  }),
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
