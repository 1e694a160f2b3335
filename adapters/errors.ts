// Why a database cannot be used, in words an admin acts on: which setting, where it points (never
// with credentials), what went wrong, and the likely way out. The drivers' own errors
// (`connect ECONNREFUSED …`, `EEXIST: file already exists, mkdir …`) say none of that.

/** The database named by a setting cannot be opened or used. */
export class DatabaseUnavailableError extends Error {
  constructor(
    /** the setting and where it points, e.g. `DATABASE_URL (postgres://db.example.edu:5432/bridge)` */
    readonly target: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`${target}: ${reason}${hint ? `. ${hint}` : ''}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** An SQLite database that does not exist, met by a command that must not create one. */
export class DatabaseMissingError extends DatabaseUnavailableError {
  constructor(target: string) {
    super(target, 'no database there', 'Run the command where the bridge runs (same working directory), or set DATABASE_PATH '
      + 'to the absolute path of the bridge\'s database; `cas-oidc-bridge db migrate` or `start` creates a new one');
    this.name = 'DatabaseMissingError';
  }
}

/** A database whose schema this version cannot use yet (no tables, or migrations pending). */
export class DatabaseSchemaError extends DatabaseUnavailableError {
  constructor(target: string, pending: readonly string[], empty: boolean) {
    super(
      target,
      empty ? 'the database has no bridge tables yet' : `the database schema is older than this version (pending: ${pending.join(', ')})`,
      'Run `cas-oidc-bridge db migrate`, or start the bridge (it migrates at start)',
    );
    this.name = 'DatabaseSchemaError';
  }
}

interface DriverError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly parent?: { readonly code?: string; readonly message?: string };
}

const uid = (): string => String(process.getuid?.() ?? '?');

/** A server database (PostgreSQL, MariaDB) that refused or failed the connection. */
export function serverDatabaseError(target: string, err: unknown): DatabaseUnavailableError {
  const e = err as DriverError;
  const code = e.parent?.code ?? e.code ?? '';
  const message = e.parent?.message ?? e.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new DatabaseUnavailableError(target, 'connection refused', 'Is the database server running, and listening on that host and port?');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseUnavailableError(target, 'the host name does not resolve', 'Check the host name in DATABASE_URL');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new DatabaseUnavailableError(target, `the server cannot be reached (${code})`, 'Check the address, and that a firewall lets this machine reach the database port');
    case '28P01':
    case '28000':
    case 'ER_ACCESS_DENIED_ERROR':
      return new DatabaseUnavailableError(target, `the server refused the login (${message.replace(/^\(conn=\d+[^)]*\)\s*/, '')})`, 'Check the user name and password in DATABASE_URL');
    case '3D000':
    case 'ER_BAD_DB_ERROR':
      return new DatabaseUnavailableError(target, 'the database does not exist on that server', 'Create it first (PostgreSQL: `createdb NAME`; MariaDB: `CREATE DATABASE NAME`); the bridge creates its tables itself');
    default:
      if (/timed? ?out/i.test(e.name ?? '') || /timeout/i.test(message)) {
        return new DatabaseUnavailableError(target, 'no answer in time', 'Check the address, and that a firewall lets this machine reach the database port');
      }
      return new DatabaseUnavailableError(target, `cannot connect (${code || e.name || 'error'}: ${message.replace(/^\(conn=\d+[^)]*\)\s*/, '')})`, '');
  }
}

/** An SQLite file that cannot be created or opened. */
export function sqliteDatabaseError(target: string, path: string, err: unknown): DatabaseUnavailableError {
  const e = err as DriverError & { path?: string };
  const code = e.code ?? e.parent?.code ?? '';
  const message = e.message ?? String(err);
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return new DatabaseUnavailableError(target, `cannot create its directory: ${e.path ?? 'a parent'} is a file, not a directory`, 'Point DATABASE_PATH at a file inside a directory');
    case 'EACCES':
    case 'EPERM':
      return new DatabaseUnavailableError(target, `permission denied for the user running the bridge (uid ${uid()})`,
        'That user needs write access to the database file and its directory (SQLite keeps -wal and -shm files beside it)');
    default:
      break;
  }
  if (/SQLITE_CANTOPEN/.test(message)) {
    return new DatabaseUnavailableError(target, `cannot be opened (${path} may be a directory, or its directory is not writable by uid ${uid()})`,
      'DATABASE_PATH names the database file; the user running the bridge needs write access to it and to its directory');
  }
  if (/SQLITE_READONLY/.test(message)) {
    return new DatabaseUnavailableError(target, `the database is read-only for the user running the bridge (uid ${uid()})`,
      'That user needs write access to the database file and its directory (SQLite keeps -wal and -shm files beside it)');
  }
  if (/SQLITE_NOTADB/.test(message)) return new DatabaseUnavailableError(target, 'the file is not an SQLite database', 'Check DATABASE_PATH');
  return new DatabaseUnavailableError(target, `cannot be opened (${code || message})`, '');
}
