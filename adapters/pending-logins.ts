// Logins in progress: what the bridge sent the browser to CAS with, kept until the browser comes
// back (and a while after the interaction expired, to offer the way back to the application).
import { epochSeconds, upsertStatement, type Database } from './database.js';

export interface PendingLogin {
  /** the oidc-provider interaction uid */
  readonly uid: string;
  /** the exact service string sent to CAS /login; validation must repeat it */
  readonly service: string;
  readonly renew: boolean;
  readonly gateway: boolean;
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly state: string | undefined;
  readonly responseMode: string | undefined;
  /** epoch seconds at which the interaction itself expires */
  readonly interactionExpiresAt: number;
}

export class PendingLoginStore {
  readonly #upsert: string;

  constructor(private readonly db: Database) {
    this.#upsert = upsertStatement(db.dialect, 'bridge_pending_logins', ['id', 'payload', 'expires_at'], ['id']);
  }

  async save(login: PendingLogin, keepSeconds: number): Promise<void> {
    await this.db.run(this.#upsert, [login.uid, JSON.stringify(login), epochSeconds() + keepSeconds]);
  }

  async find(uid: string): Promise<PendingLogin | undefined> {
    const rows = await this.db.select<{ payload: string }>(
      'SELECT payload FROM bridge_pending_logins WHERE id = $1 AND expires_at > $2',
      [uid, epochSeconds()],
    );
    return firstLogin(rows);
  }

  /** Finds and removes the login in one statement: of two concurrent takes, one gets it. */
  async take(uid: string): Promise<PendingLogin | undefined> {
    const rows = await this.db.select<{ payload: string }>(
      'DELETE FROM bridge_pending_logins WHERE id = $1 AND expires_at > $2 RETURNING payload',
      [uid, epochSeconds()],
    );
    return firstLogin(rows);
  }
}

const firstLogin = (rows: ReadonlyArray<{ payload: string }>): PendingLogin | undefined =>
  rows[0] ? (JSON.parse(rows[0].payload) as PendingLogin) : undefined;
