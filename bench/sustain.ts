// `npm run bench -- --sustain S`: complete logins without pause for S seconds against a bridge
// whose tokens, codes, logins and sessions live 10 s and whose purge runs every 5 s, printing the
// rows of every table of state and the bridge's memory as it goes. Expired records are purged
// once past their lifetime plus the purge's 60 s grace, so after about 75 s the row counts must
// stop growing: a table that keeps growing is state that is never purged.
import { countRows } from '../adapters/cleanup.js';
import type { Database } from '../adapters/database.js';
import { login, type Target } from './driver.js';
import { rssMb } from './proc.js';

/** the bridge's settings for a sustained run */
export const SUSTAIN_SETTINGS: Readonly<Record<string, string>> = {
  ACCESS_TOKEN_EXPIRY: '10',
  AUTH_CODE_EXPIRY: '10',
  SESSION_EXPIRY: '10',
  SSO_SESSION_EXPIRY: '10',
  REFRESH_TOKEN_EXPIRY: '10',
  CLEANUP_INTERVAL: '5',
};

const SHORT_NAMES: Readonly<Record<string, string>> = {
  oidc_records: 'oidc',
  bridge_pending_logins: 'pending',
  bridge_cas_tickets: 'tickets',
  bridge_pgt_ious: 'pgt_ious',
  bridge_session_pgts: 'pgts',
  bridge_accounts: 'accounts',
};

export interface SustainResult {
  readonly logins: number;
  readonly errors: string[];
  /** rows of the expiring tables (all but accounts) at each sample */
  readonly stateRows: number[];
}

export async function sustain(target: Target, pid: number, db: Database, seconds: number, concurrency: number,
  sampleSeconds: number, write: (line: string) => void): Promise<SustainResult> {
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  let logins = 0;
  const errors: string[] = [];
  const stateRows: number[] = [];

  const sample = async (): Promise<void> => {
    const rows = await countRows(db);
    const state = Object.entries(rows).filter(([table]) => table !== 'bridge_accounts').reduce((sum, [, n]) => sum + n, 0);
    stateRows.push(state);
    const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    const tables = Object.entries(rows).map(([table, n]) => `${SHORT_NAMES[table] ?? table} ${n}`).join(', ');
    write(`t=${t}s logins ${String(logins).padStart(6)}  rows: ${tables}  RSS ${rssMb(pid).toFixed(0)} MB`);
  };

  write(`sustained run: ${seconds} s at concurrency ${concurrency}; lifetimes 10 s, purge every 5 s with 60 s grace`);
  await sample();
  let sampling = Promise.resolve();
  const sampler = setInterval(() => { sampling = sampling.then(sample); }, sampleSeconds * 1000);
  const lane = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      try {
        await login(target);
        logins += 1;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    clearInterval(sampler);
    await sampling;
  }
  await sample();
  return { logins, errors, stateRows };
}
