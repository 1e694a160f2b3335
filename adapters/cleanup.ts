// Purges expired records of every table; run periodically by one process.
import { epochSeconds, toNumber, type Database } from './database.js';

const EXPIRING_TABLES = ['oidc_records', 'bridge_pending_logins', 'bridge_cas_tickets', 'bridge_pgt_ious', 'bridge_session_pgts'] as const;
/** one row per user who ever logged in: bounded by the user population, not by time */
const ACCOUNTS_TABLE = 'bridge_accounts';

export async function purgeExpired(db: Database, graceSeconds = 60): Promise<Record<string, number>> {
  const cutoff = epochSeconds() - graceSeconds;
  const counts: Record<string, number> = {};
  for (const table of EXPIRING_TABLES) {
    counts[table] = await db.run(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at < $1`, [cutoff]);
  }
  return counts;
}

/** Rows per table of state, to watch that purging keeps the database from growing without bound. */
export async function countRows(db: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...EXPIRING_TABLES, ACCOUNTS_TABLE]) {
    const [row] = await db.select<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`);
    counts[table] = toNumber(row?.n) ?? 0;
  }
  return counts;
}
