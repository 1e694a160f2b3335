// Databases for specs. SQLite always; PostgreSQL and MariaDB when TEST_DATABASE_URL /
// TEST_MARIADB_URL are set (CI sets both). Each use gets a fresh database created for it and
// dropped afterwards, so specs and parallel runs never share tables.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';

export interface SpecDatabase {
  readonly label: string;
  /** DATABASE_URL for the bridge, or undefined for SQLite */
  readonly url: string | undefined;
  /** DATABASE_PATH for SQLite */
  readonly path: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  readonly label: string;
  readonly available: boolean;
  create(): Promise<SpecDatabase>;
}

async function createServerDatabase(label: string, baseUrl: string): Promise<SpecDatabase> {
  const name = `bridge_spec_${randomBytes(6).toString('hex')}`;
  const admin = new Sequelize(baseUrl, { logging: false });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    label,
    url: url.href,
    path: '',
    async drop() {
      const again = new Sequelize(baseUrl, { logging: false });
      if (label === 'PostgreSQL') {
        await again.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
      }
      await again.query(`DROP DATABASE IF EXISTS ${name}`);
      await again.close();
    },
  };
}

export const DATABASE_KINDS: readonly DatabaseKind[] = [
  {
    label: 'SQLite',
    available: true,
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'bridge-db-'));
      return { label: 'SQLite', url: undefined, path: join(dir, 'bridge.sqlite3'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    label: 'PostgreSQL',
    available: Boolean(process.env.TEST_DATABASE_URL),
    create: () => createServerDatabase('PostgreSQL', process.env.TEST_DATABASE_URL ?? ''),
  },
  {
    label: 'MariaDB',
    available: Boolean(process.env.TEST_MARIADB_URL),
    create: () => createServerDatabase('MariaDB', process.env.TEST_MARIADB_URL ?? ''),
  },
];

/** Under CI=true a server database that is not configured is a failure, not a silent skip. */
export function checkDatabaseKind(kind: DatabaseKind, suite: Mocha.Context): void {
  if (kind.available) return;
  const variable = kind.label === 'PostgreSQL' ? 'TEST_DATABASE_URL' : 'TEST_MARIADB_URL';
  if (process.env.CI === 'true') throw new Error(`${kind.label} specs required on CI: set ${variable}`);
  process.stderr.write(`      [skipped: ${kind.label} specs need ${variable}]\n`);
  suite.skip();
}
