// The bridge's long-lived parts, opened once per process and handed to routes and the provider.
import { AccountStore } from '../../adapters/accounts.js';
import { CasTicketStore } from '../../adapters/cas-tickets.js';
import { CasPgtStore } from '../../adapters/cas-pgts.js';
import { Database } from '../../adapters/database.js';
import { MetaStore } from '../../adapters/meta.js';
import { migrate } from '../../adapters/migrate.js';
import { PendingLoginStore } from '../../adapters/pending-logins.js';
import { SigningKeyStore } from '../../adapters/signing-keys.js';
import { CasClient } from '../cas/client.js';
import type { BridgeConfig, ClientConfig } from '../config/index.js';
import { BridgeEvents } from './events.js';
import { ensureSigningKeys, resealKey } from '../keys/signing-keys.js';
import type { Logger } from '../observability/logger.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { SecretBox } from '../keys/secrets.js';
import { ensurePairwiseSalt, loadPairwiseSalt } from '../keys/pairwise-salt.js';
import { PairwiseSubjects } from '../provider/pairwise.js';
import { Views } from '../pages/views.js';

export interface Services {
  readonly config: BridgeConfig;
  readonly logger: Logger;
  readonly db: Database;
  readonly box: SecretBox;
  readonly cas: CasClient;
  readonly views: Views;
  readonly clients: ReadonlyMap<string, ClientConfig>;
  readonly accounts: AccountStore;
  readonly pendingLogins: PendingLoginStore;
  readonly casTickets: CasTicketStore;
  readonly signingKeys: SigningKeyStore;
  readonly meta: MetaStore;
  readonly events: BridgeEvents;
  /** proxy-granting tickets (CAS proxying) */
  readonly pgts: CasPgtStore;
  readonly metrics: BridgeMetrics;
  /** the sub each client sees (pairwise clients: per sector) */
  readonly subjects: PairwiseSubjects;
}

export interface OpenOptions {
  /** run migrations and create missing signing keys (false in cluster workers: the primary did it) */
  readonly prepare?: boolean;
}

/**
 * What one process does for all before serving (the single process, or a cluster's primary):
 * migrations, then under the same lock signing keys created on first start and keys sealed with
 * a previous SECRET_KEY sealed again with the current one.
 */
export async function prepareDatabase(db: Database, box: SecretBox, logger: Logger): Promise<void> {
  const signingKeys = new SigningKeyStore(db);
  let resealed = 0;
  const applied = await migrate(db, async () => {
    await ensureSigningKeys(signingKeys, new MetaStore(db), box);
    await ensurePairwiseSalt(new MetaStore(db));
    resealed = await signingKeys.resealAll((sealed) => resealKey(box, sealed));
  });
  if (applied.length) logger.info({ event: 'migrated', migrations: applied }, 'database migrated');
  if (resealed) logger.info({ event: 'keys_resealed', count: resealed }, 'signing keys sealed with a previous SECRET_KEY were sealed again with the current one');
}

export async function openServices(config: BridgeConfig, logger: Logger, options: OpenOptions = {}): Promise<Services> {
  const db = await Database.open({ url: config.database.url, path: config.database.path, poolMax: config.database.poolMax, acquireTimeoutMs: config.database.acquireTimeoutMs });
  const metrics = new BridgeMetrics(config.metrics.port !== undefined);
  metrics.watchDatabase(db);
  const box = new SecretBox(config.secrets.current, config.secrets.previous);
  const signingKeys = new SigningKeyStore(db);
  const meta = new MetaStore(db);
  if (options.prepare !== false) await prepareDatabase(db, box, logger);
  // read even without a pairwise client: prepareDatabase (here, or in the cluster's primary) made it
  const subjects = new PairwiseSubjects(await loadPairwiseSalt(meta), config.clients);
  return {
    config,
    logger,
    db,
    box,
    cas: new CasClient({ protocol: config.cas.protocol, validateUrl: config.cas.validateUrl, timeoutMs: config.cas.timeoutMs, proxyUrl: config.cas.proxy?.proxyUrl }),
    views: new Views({
      templateDir: config.pages.templateDir,
      branding: { name: config.pages.brandName, logoUrl: config.pages.brandLogoUrl, color: config.pages.brandColor },
    }),
    clients: new Map(config.clients.map((c) => [c.clientId, c])),
    accounts: new AccountStore(db),
    pendingLogins: new PendingLoginStore(db),
    casTickets: new CasTicketStore(db),
    signingKeys,
    meta,
    events: new BridgeEvents(),
    pgts: new CasPgtStore(db, box),
    metrics,
    subjects,
  };
}
