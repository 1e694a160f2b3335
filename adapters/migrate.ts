// Runs pending migrations under a lock, so that several processes or nodes starting together
// migrate once: PostgreSQL advisory lock, MariaDB GET_LOCK, SQLite an IMMEDIATE transaction.
import { Umzug, SequelizeStorage } from 'umzug';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import type { MigrationContext } from './migrations/types.js';

const LOCK_NAME = 'cas_oidc_bridge_migrate';
const LOCK_KEY = 724_118_301; // any constant shared by every node

function umzugFor(db: Database) {
  const context: MigrationContext = { queryInterface: db.sequelize.getQueryInterface(), sequelize: db.sequelize, dialect: db.dialect };
  return new Umzug<MigrationContext>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: ({ context: ctx }) => m.up(ctx) })),
    context,
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'bridge_migrations', modelName: 'BridgeMigration' }),
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
    const applied = await umzugFor(db).up();
    if (then) await then();
    return applied.map((m) => m.name);
  });
}

export async function pendingMigrations(db: Database): Promise<string[]> {
  return (await umzugFor(db).pending()).map((m) => m.name);
}

