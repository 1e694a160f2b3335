// Prometheus metrics (prom-client), in a registry of this bridge's own. When METRICS_PORT is unset
// nothing is created and every method returns at once, so the hot path pays one branch.
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { Database } from '../../adapters/database.js';

/** How a login at the CAS step ended (the `outcome` of the login log line). */
export type LoginOutcome =
  | 'success'
  | 'cas_failure'
  | 'cas_unreachable'
  | 'cas_timeout'
  | 'cas_bad_response'
  | 'renew_not_honoured'
  | 'claims_failed'
  | 'no_ticket'
  | 'expired'
  | 'foreign_browser'
  | 'access_denied';

interface Instruments {
  readonly registry: Registry;
  readonly logins: Counter<'outcome'>;
  readonly casValidation: Histogram<'result'>;
  readonly grants: Counter<'grant_type' | 'outcome'>;
  readonly backchannel: Counter<'outcome'>;
  readonly db: Histogram<'operation'>;
}

const PREFIX = 'cas_oidc_bridge_';

function instruments(): Instruments {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    logins: new Counter({
      name: `${PREFIX}logins_total`,
      help: 'Logins by outcome at the CAS step (access_denied: refused by a client\'s access rules)',
      labelNames: ['outcome'],
      registers,
    }),
    casValidation: new Histogram({
      name: `${PREFIX}cas_validation_duration_seconds`,
      help: 'Time CAS took to answer a ticket validation, by result (success, failure: CAS refused the ticket, error: no usable answer)',
      labelNames: ['result'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    grants: new Counter({
      name: `${PREFIX}token_grants_total`,
      help: 'Token endpoint requests by grant type and outcome',
      labelNames: ['grant_type', 'outcome'],
      registers,
    }),
    backchannel: new Counter({
      name: `${PREFIX}backchannel_logouts_total`,
      help: 'Back-channel logout notifications sent to relying parties, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    db: new Histogram({
      name: `${PREFIX}db_query_duration_seconds`,
      help: 'Database statement latency by operation (select, write)',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
  };
}

const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange', 'urn:ietf:params:oauth:grant-type:device_code']);

export class BridgeMetrics {
  readonly #i: Instruments | undefined;

  constructor(enabled: boolean) {
    this.#i = enabled ? instruments() : undefined;
  }

  get enabled(): boolean {
    return this.#i !== undefined;
  }

  /** The Prometheus text exposition and its content type; undefined when metrics are off. */
  async exposition(): Promise<{ contentType: string; body: string } | undefined> {
    if (!this.#i) return undefined;
    return { contentType: this.#i.registry.contentType, body: await this.#i.registry.metrics() };
  }

  /** Every metric as JSON, for a cluster's primary to add up (prom-client's aggregation input). */
  async snapshot(): Promise<object[]> {
    return this.#i ? this.#i.registry.getMetricsAsJSON() : [];
  }

  login(outcome: LoginOutcome): void {
    this.#i?.logins.inc({ outcome });
  }

  casValidation(result: 'success' | 'failure' | 'error', milliseconds: number): void {
    this.#i?.casValidation.observe({ result }, milliseconds / 1000);
  }

  tokenGrant(grantType: unknown, outcome: 'success' | 'error'): void {
    if (!this.#i) return;
    // label values from a request are bounded to the grant types that exist
    const type = typeof grantType === 'string' && GRANT_TYPES.has(grantType) ? grantType : 'other';
    this.#i.grants.inc({ grant_type: type, outcome });
  }

  backchannelLogout(outcome: 'success' | 'error'): void {
    this.#i?.backchannel.inc({ outcome });
  }

  /** Times every statement of this database (only when metrics are on: no wrapper otherwise). */
  watchDatabase(db: Database): void {
    if (!this.#i) return;
    const reads = this.#i.db.labels('select');
    const writes = this.#i.db.labels('write');
    const { select, run } = db;
    db.select = async function timedSelect(this: Database, ...args: Parameters<Database['select']>) {
      const end = reads.startTimer();
      try {
        return await select.apply(this, args);
      } finally {
        end();
      }
    } as Database['select'];
    db.run = async function timedRun(this: Database, ...args: Parameters<Database['run']>) {
      const end = writes.startTimer();
      try {
        return await run.apply(this, args);
      } finally {
        end();
      }
    };
  }
}
