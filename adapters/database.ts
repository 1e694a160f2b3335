// The database connection. Sequelize keeps the dialects, the pool and the migrations; the hot path
// runs one hand-written SQL statement per call with bound parameters (no model instances).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Sequelize, type Options } from 'sequelize';
import { DatabaseMissingError, serverDatabaseError, sqliteDatabaseError } from './errors.js';

export type Dialect = 'sqlite' | 'postgres' | 'mariadb';

export interface DatabaseOptions {
  /** postgres://… or mariadb://…; when absent, SQLite at `path` */
  readonly url?: string | undefined;
  readonly path?: string;
  readonly poolMax?: number;
  /** ms a statement waits for a free pooled connection */
  readonly acquireTimeoutMs?: number;
  /**
   * create a missing SQLite database (default true); admin commands other than `db migrate` pass
   * false, so that one run in the wrong directory does not leave an empty database behind
   */
  readonly create?: boolean;
  /** the setting and where it points, for error messages (default: the URL without credentials, or the path) */
  readonly describe?: string;
}

export type Row = Record<string, unknown>;

/** The part of node-sqlite3's Statement the hot path uses. */
interface SqliteStatement {
  all(params: readonly unknown[], callback: (err: Error | null, rows: Row[]) => void): unknown;
  run(params: readonly unknown[], callback: (this: { changes: number }, err: Error | null) => void): unknown;
  finalize(callback: () => void): unknown;
}

/** The part of node-sqlite3's Database the hot path uses. */
interface SqliteConnection {
  prepare(sql: string, callback: (err: Error | null) => void): SqliteStatement;
  run(sql: string, params: readonly unknown[], callback: (this: { changes: number }, err: Error | null) => void): unknown;
}

/** INSERT, UPDATE or DELETE without RETURNING: one step runs it to completion. */
const DML = /^\s*(INSERT|UPDATE|DELETE)\b(?![\s\S]*\bRETURNING\b)/i;

interface SqliteConnectionManager {
  getConnection(options: Record<string, unknown>): Promise<SqliteConnection>;
}

/** The part of node-postgres's Client the hot path uses; `$n` placeholders are its own. */
interface PgClient {
  query(query: { name: string; text: string; values: readonly unknown[] }): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/**
 * The part of the mariadb connector's Connection the hot path uses: `execute` prepares a statement
 * on the connection once (the connector keeps them, per connection) and runs it in the binary
 * protocol. Rows for a SELECT or RETURNING, an OK packet otherwise.
 */
interface MariaDbConnection {
  execute(sql: string, values: readonly unknown[]): Promise<Row[] | { affectedRows: number }>;
}

interface PooledConnectionManager<C> {
  getConnection(options: Record<string, unknown>): Promise<C>;
  releaseConnection(connection: C): void;
  destroyConnection(connection: C): Promise<void>;
}

/** A statement of the hot path, as one server runs it: rows (SELECT, RETURNING) and rows changed. */
interface Outcome {
  readonly rows: Row[];
  readonly changes: number;
}

/** MariaDB's placeholders are `?`, in order: `$n` becomes `?` and the values follow the text. */
interface Positional {
  readonly sql: string;
  readonly order: readonly number[];
}

function positional(sql: string): Positional {
  const order: number[] = [];
  return { sql: sql.replace(/\$(\d+)/g, (_, n: string) => { order.push(Number(n) - 1); return '?'; }), order };
}

/** An error of the statement itself (the connection stays usable), not of the connection. */
function isStatementError(err: unknown): boolean {
  const { code, fatal, sqlState } = err as { code?: unknown; fatal?: unknown; sqlState?: unknown };
  // node-postgres: a five-character SQLSTATE; mariadb: a SqlError that says it is not fatal
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return true;
  return fatal === false && typeof sqlState === 'string';
}

/**
 * SQLite: `$n` becomes `?n`, SQLite's numbered placeholder, so that the values bind by position (a
 * placeholder may still appear twice or out of order). Binding by name costs node-sqlite3 a lookup
 * per value and the adapter an object per statement.
 */
const numbered = (sql: string): string => sql.replace(/\$(\d+)/g, '?$1');

export class Database {
  #sqlite: Promise<SqliteConnection> | undefined;
  /**
   * SQLite statements, prepared once and kept: each `db.all(sql)` of node-sqlite3 would prepare,
   * run and finalize a new statement, three trips to its thread pool instead of one. The set of
   * statements is the fixed one written in adapters/, so the map stays small.
   */
  readonly #prepared = new Map<string, Promise<SqliteStatement>>();
  /** PostgreSQL: a name per statement, so each pooled connection parses and plans it once */
  readonly #pgNames = new Map<string, string>();
  /** MariaDB: each statement with `?` placeholders, converted once */
  readonly #positional = new Map<string, Positional>();

  private constructor(
    readonly sequelize: Sequelize,
    readonly dialect: Dialect,
    /** where the data lives, for logs (credentials removed) */
    readonly description: string,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    const common: Options = { logging: false, benchmark: false };
    if (options.url) {
      const url = new URL(options.url);
      const dialect: Dialect = url.protocol.startsWith('postgres') ? 'postgres' : 'mariadb';
      url.protocol = dialect === 'postgres' ? 'postgres:' : 'mariadb:';
      const sequelize = new Sequelize(url.href, {
        ...common,
        dialect,
        pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: options.acquireTimeoutMs ?? 30_000 },
        ...(dialect === 'mariadb' ? { dialectOptions: { connectTimeout: 10_000 } } : {}),
      });
      const redacted = new URL(url.href);
      redacted.password = '';
      redacted.username = '';
      const db = new Database(sequelize, dialect, redacted.href);
      try {
        await db.sequelize.authenticate();
      } catch (err) {
        await sequelize.close().catch(() => undefined);
        throw serverDatabaseError(options.describe ?? `DATABASE_URL (${redacted.href})`, err);
      }
      return db;
    }
    const path = options.path ?? 'cas_proxy.sqlite3';
    const storage = path === ':memory:' ? path : resolve(path);
    const target = options.describe ?? `DATABASE_PATH (${storage})`;
    if (storage !== ':memory:') {
      if (options.create === false && !existsSync(storage)) throw new DatabaseMissingError(target);
      try {
        mkdirSync(dirname(storage), { recursive: true });
      } catch (err) {
        throw sqliteDatabaseError(target, storage, err);
      }
    }
    const sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage,
      // Sequelize's own retry on SQLITE_BUSY covers the moments another worker holds the write lock
      retry: { max: 10, match: [/SQLITE_BUSY/] },
    });
    const db = new Database(sequelize, 'sqlite', storage);
    try {
      // WAL lets readers and one writer work at once across processes; NORMAL is durable in WAL mode
      // except for the last transactions on power loss, which is the usual trade for session state
      await db.run('PRAGMA journal_mode=WAL');
      await db.run('PRAGMA synchronous=NORMAL');
      await db.run('PRAGMA busy_timeout=5000');
    } catch (err) {
      await db.close().catch(() => undefined);
      throw sqliteDatabaseError(target, storage, err);
    }
    return db;
  }

  /** SELECT with `$1, $2, …` placeholders. */
  async select<T extends Row = Row>(sql: string, bind: readonly unknown[] = []): Promise<T[]> {
    if (this.dialect === 'sqlite') {
      const statement = await this.#sqliteStatement(sql);
      return new Promise((resolve, reject) => {
        statement.all(bind, (err, rows) => (err ? reject(this.#unprepare(sql, err)) : resolve(rows as T[])));
      });
    }
    return (await this.#pooled(sql, bind)).rows as T[];
  }

  /** INSERT/UPDATE/DELETE with `$1, $2, …` placeholders; answers the number of affected rows. */
  async run(sql: string, bind: readonly unknown[] = []): Promise<number> {
    if (this.dialect === 'sqlite') {
      // run() steps once: a statement that yields rows (a PRAGMA) would stay active and hold the
      // connection's transaction open, so only plain DML is kept prepared
      if (!DML.test(sql)) {
        const conn = await this.#sqliteConnection();
        return new Promise((resolve, reject) => {
          conn.run(numbered(sql), bind, function done(err) {
            if (err) reject(err);
            else resolve(this.changes);
          });
        });
      }
      const statement = await this.#sqliteStatement(sql);
      const unprepare = (err: Error): Error => this.#unprepare(sql, err);
      return new Promise((resolve, reject) => {
        statement.run(bind, function done(err) {
          if (err) reject(unprepare(err));
          else resolve(this.changes);
        });
      });
    }
    return (await this.#pooled(sql, bind)).changes;
  }

  /**
   * PostgreSQL and MariaDB: the same idea, through each one's own driver on a connection borrowed
   * from Sequelize's pool, each statement prepared once per connection.
   */
  async #pooled(sql: string, bind: readonly unknown[]): Promise<Outcome> {
    const manager = this.sequelize.connectionManager as unknown as PooledConnectionManager<PgClient & MariaDbConnection>;
    const connection = await manager.getConnection({ type: 'write' });
    try {
      const outcome = this.dialect === 'postgres' ? await this.#pg(connection, sql, bind) : await this.#mariadb(connection, sql, bind);
      manager.releaseConnection(connection);
      return outcome;
    } catch (err) {
      // an SQL error leaves the connection usable; anything else (a broken socket) does not
      if (isStatementError(err)) manager.releaseConnection(connection);
      else await manager.destroyConnection(connection).catch(() => undefined);
      throw err;
    }
  }

  async #pg(client: PgClient, sql: string, bind: readonly unknown[]): Promise<Outcome> {
    let name = this.#pgNames.get(sql);
    if (!name) this.#pgNames.set(sql, (name = `bridge_${this.#pgNames.size + 1}`));
    const result = await client.query({ name, text: sql, values: bind });
    return { rows: result.rows, changes: result.rowCount ?? 0 };
  }

  async #mariadb(connection: MariaDbConnection, sql: string, bind: readonly unknown[]): Promise<Outcome> {
    let statement = this.#positional.get(sql);
    if (!statement) this.#positional.set(sql, (statement = positional(sql)));
    const result = await connection.execute(statement.sql, statement.order.map((i) => bind[i]));
    return Array.isArray(result) ? { rows: result, changes: result.length } : { rows: [], changes: result.affectedRows };
  }

  /**
   * SQLite: the statement goes straight to the connection Sequelize opened (the one it uses for
   * everything outside transactions), skipping its per-query work — a stack trace captured and
   * formatted for every statement, logging hooks, retry wrappers — which cost more than the query.
   */
  #sqliteConnection(): Promise<SqliteConnection> {
    const manager = this.sequelize.connectionManager as unknown as SqliteConnectionManager;
    this.#sqlite ??= manager.getConnection({});
    return this.#sqlite;
  }

  #sqliteStatement(sql: string): Promise<SqliteStatement> {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#sqliteConnection().then((conn) => new Promise<SqliteStatement>((resolve, reject) => {
        // a callback, or node-sqlite3 emits a failed preparation as an 'error' event nobody handles
        const created = conn.prepare(numbered(sql), (err) => (err ? reject(err) : resolve(created)));
      }));
      this.#prepared.set(sql, statement);
      statement.catch(() => this.#prepared.delete(sql));
    }
    return statement;
  }

  /** A statement that failed (a syntax error, a schema change) is prepared afresh next time. */
  #unprepare(sql: string, err: Error): Error {
    const statement = this.#prepared.get(sql);
    this.#prepared.delete(sql);
    void statement?.then((s) => s.finalize(() => undefined));
    return err;
  }

  async ping(): Promise<void> {
    await this.select('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    // SQLite refuses to close a connection with statements still prepared
    const prepared = [...this.#prepared.values()];
    this.#prepared.clear();
    await Promise.all(prepared.map((statement) => statement.then(
      (s) => new Promise<void>((resolve) => { s.finalize(resolve); }),
      () => undefined,
    )));
    await this.sequelize.close();
  }
}

/** Database integers may come back as strings (pg BIGINT) or bigint (mariadb). */
export function toNumber(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** `INSERT … ON CONFLICT/DUPLICATE KEY UPDATE` for this dialect, with `$n` placeholders. */
export function upsertStatement(dialect: Dialect, table: string, columns: readonly string[], keys: readonly string[]): string {
  const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
  const updated = columns.filter((c) => !keys.includes(c));
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})`;
  if (dialect === 'mariadb') {
    return `${insert} ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c} = VALUES(${c})`).join(', ')}`;
  }
  return `${insert} ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

export const epochSeconds = (): number => Math.floor(Date.now() / 1000);
