// Runs pending migrations under a lock, so that several processes or nodes starting together
// migrate once: PostgreSQL advisory lock, MariaDB GET_LOCK, SQLite an IMMEDIATE transaction.
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import type { MigrationContext } from './migrations/types.js';

const LOCK_NAME = 'cas_oidc_bridge_migrate';
const LOCK_KEY = 724_118_301; // any constant shared by every node

const MIGRATIONS_TABLE = 'bridge_migrations';

// umzug (with its command-line toolkit) costs about 13 MB of memory in every process: it is loaded
// only when a migration is pending, not on the usual start of an up-to-date database
async function umzugFor(db: Database) {
  const { Umzug, SequelizeStorage } = await import('umzug');
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize, dialect: db.dialect };
  return new Umzug<MigrationContext>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: ({ context: ctx }) => m.up(ctx) })),
    context,
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: MIGRATIONS_TABLE, modelName: 'BridgeMigration' }),
    logger: undefined,
  });
}

async function withLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  switch (db.dialect) {
    case 'postgres':
      return db.sequelize.transaction(async (transaction) => {
        await db.sequelize.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`, { transaction });
        return work();
      });
    case 'mariadb':
      return db.sequelize.transaction(async (transaction) => {
        const [rows] = await db.sequelize.query(`SELECT GET_LOCK('${LOCK_NAME}', 120) AS got`, { transaction });
        const got = (rows as Array<{ got: unknown }>)[0]?.got;
        if (Number(got) !== 1) throw new Error('could not take the migration lock within 120 s');
        try {
          return await work();
        } finally {
          await db.sequelize.query(`SELECT RELEASE_LOCK('${LOCK_NAME}')`, { transaction });
        }
      });
    case 'sqlite': {
      // Sequelize runs non-transaction queries on one shared connection, so the migrations below
      // execute inside this transaction; other processes wait at BEGIN IMMEDIATE.
      await db.run('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await db.run('COMMIT');
        return result;
      } catch (err) {
        await db.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  }
}

/**
 * Applies pending migrations; answers the names applied now. `then` runs under the same lock
 * (first-start work such as creating signing keys, which two nodes must not both do).
 */
export async function migrate(db: Database, then?: () => Promise<void>): Promise<string[]> {
  return withLock(db, async () => {
    const applied = (await pendingMigrations(db)).length ? (await (await umzugFor(db)).up()).map((m) => m.name) : [];
    if (then) await then();
    return applied;
  });
}

/** Names of known migrations the database has not recorded (all of them before the first run). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const names = MIGRATIONS.map((m) => m.name);
  if (!await db.sequelize.getQueryInterface().tableExists(MIGRATIONS_TABLE)) return names;
  const recorded = new Set((await db.select<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).map((r) => r.name));
  return names.filter((name) => !recorded.has(name));
}

