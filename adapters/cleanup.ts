// Purges expired records of every table; run periodically by one process.
import { epochSeconds, type Database } from './database.js';

const EXPIRING_TABLES = ['oidc_records', 'bridge_pending_logins', 'bridge_cas_tickets', 'bridge_pgt_ious', 'bridge_session_pgts'] as const;

export async function purgeExpired(db: Database, graceSeconds = 60): Promise<Record<string, number>> {
  const cutoff = epochSeconds() - graceSeconds;
  const counts: Record<string, number> = {};
  for (const table of EXPIRING_TABLES) {
    counts[table] = await db.run(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at < $1`, [cutoff]);
  }
  return counts;
}
