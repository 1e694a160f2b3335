// The bridge's long-lived parts, opened once per process and handed to routes and the provider.
import { AccountStore } from '../../adapters/accounts.js';
import { CasTicketStore } from '../../adapters/cas-tickets.js';
import { CasPgtStore } from '../../adapters/cas-pgts.js';
import type { Database } from '../../adapters/database.js';
import { MetaStore } from '../../adapters/meta.js';
import { migrate } from '../../adapters/migrate.js';
import { PendingLoginStore } from '../../adapters/pending-logins.js';
import { SigningKeyStore } from '../../adapters/signing-keys.js';
import { CasClient } from '../cas/client.js';
import { ConfigError, type BridgeConfig, type ClientConfig } from '../config/index.js';
import { BridgeEvents } from './events.js';
import { openConfiguredDatabase } from './database.js';
import { ensureSigningKeys, resealKey } from '../keys/signing-keys.js';
import type { Logger } from '../observability/logger.js';
import { BridgeMetrics } from '../observability/metrics.js';
import { SecretBox } from '../keys/secrets.js';
import { ensurePairwiseSalt, loadPairwiseSalt } from '../keys/pairwise-salt.js';
import { PairwiseSubjects } from '../provider/pairwise.js';
import { templateProblems, Views } from '../pages/views.js';

export interface Services {
  /** the configuration requests that start now run with (a reload swaps it: see reconfigure) */
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
  /**
   * Swaps in a reloaded configuration (its clients, claims and access rules; reload.ts keeps every
   * other setting as it was) for what starts from now on; what runs finishes with the one it read.
   */
  reconfigure(config: BridgeConfig): void;
  /** the sub each client sees (pairwise clients: per sector) */
  readonly subjects: PairwiseSubjects;
}

/** The services with another configuration, for building a provider before it is swapped in. */
export function servicesWith(services: Services, config: BridgeConfig): Services {
  return { ...services, config, clients: clientMap(config), subjects: services.subjects.withClients(config.clients) };
}

const clientMap = (config: BridgeConfig): ReadonlyMap<string, ClientConfig> => new Map(config.clients.map((c) => [c.clientId, c]));

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

const brandingOf = (config: BridgeConfig) => ({ name: config.pages.brandName, logoUrl: config.pages.brandLogoUrl, color: config.pages.brandColor });

/** An admin's template that does not work is a configuration problem, said before anything starts. */
export function requireWorkingTemplates(config: BridgeConfig): void {
  const problems = templateProblems({ templateDir: config.pages.templateDir, branding: brandingOf(config) });
  if (problems.length) throw new ConfigError(problems.map((p) => `TEMPLATE_DIR: ${p}`));
}

export async function openServices(config: BridgeConfig, logger: Logger, options: OpenOptions = {}): Promise<Services> {
  // a cluster's workers (prepare: false) were forked by a primary that checked them (primary.ts)
  if (options.prepare !== false) requireWorkingTemplates(config);
  const db = await openConfiguredDatabase(config, { create: options.prepare !== false });
  const metrics = new BridgeMetrics(config.metrics.port !== undefined);
  metrics.watchDatabase(db);
  const box = new SecretBox(config.secrets.current, config.secrets.previous);
  const signingKeys = new SigningKeyStore(db);
  const meta = new MetaStore(db);
  if (options.prepare !== false) await prepareDatabase(db, box, logger);
  // read even without a pairwise client: prepareDatabase (here, or in the cluster's primary) made it
  const subjects = new PairwiseSubjects(await loadPairwiseSalt(meta), config.clients);
  let live = { config, clients: clientMap(config), subjects };
  return {
    get config() {
      return live.config;
    },
    get clients() {
      return live.clients;
    },
    get subjects() {
      return live.subjects;
    },
    reconfigure(next: BridgeConfig) {
      live = { config: next, clients: clientMap(next), subjects: live.subjects.withClients(next.clients) };
    },
    logger,
    db,
    box,
    cas: new CasClient({ protocol: config.cas.protocol, validateUrl: config.cas.validateUrl, timeoutMs: config.cas.timeoutMs, proxyUrl: config.cas.proxy?.proxyUrl }),
    views: new Views({ templateDir: config.pages.templateDir, branding: brandingOf(config) }),
    accounts: new AccountStore(db),
    pendingLogins: new PendingLoginStore(db),
    casTickets: new CasTicketStore(db),
    signingKeys,
    meta,
    events: new BridgeEvents(),
    pgts: new CasPgtStore(db, box),
    metrics,
  };
}
