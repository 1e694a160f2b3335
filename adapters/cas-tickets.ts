// Map from a validated CAS service ticket to the OP session it created, for CAS single logout.
// Tickets are stored as SHA-256 hashes: the map must answer "which session", never leak a ticket.
import { createHash } from 'node:crypto';
import { epochSeconds, upsertStatement, type Database } from './database.js';

export const ticketHash = (ticket: string): string => createHash('sha256').update(ticket).digest('hex');

export interface TicketSession {
  readonly sessionUid: string;
  readonly accountId: string;
}

export class CasTicketStore {
  readonly #upsert: string;

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_cas_tickets', ['ticket_hash', 'session_uid', 'account_id', 'expires_at'], ['ticket_hash']);
  }

  /** Links a ticket, given as its ticketHash(), to the session it created. */
  async linkHash(hash: string, session: TicketSession, ttlSeconds: number): Promise<void> {
    await this.db.run(this.#upsert, [hash, session.sessionUid, session.accountId, epochSeconds() + ttlSeconds]);
  }

  async sessionFor(ticket: string): Promise<TicketSession | undefined> {
    const rows = await this.db.select<{ session_uid: string; account_id: string }>(
      'SELECT session_uid, account_id FROM bridge_cas_tickets WHERE ticket_hash = $1 AND expires_at > $2',
      [ticketHash(ticket), epochSeconds()],
    );
    const row = rows[0];
    return row ? { sessionUid: row.session_uid, accountId: row.account_id } : undefined;
  }

  /** Forgets every ticket of a session; answers how many were known (0: another request was first). */
  async forgetSession(sessionUid: string): Promise<number> {
    return this.db.run('DELETE FROM bridge_cas_tickets WHERE session_uid = $1', [sessionUid]);
  }
}
