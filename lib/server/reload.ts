// Reloading a running bridge's configuration (SIGHUP, `cas-oidc-bridge reload`). The new
// configuration is validated whole first; with any problem the bridge keeps running on the old one
// and logs one line per problem. Otherwise the live settings (clients, claims, access rules) are
// applied: a provider is built from them while the old one serves, then both are swapped in
// together for new requests; requests in flight finish on what they started with. Settings that
// cannot change live are logged as needing a restart.
//
// Two steps, so that a cluster's workers all apply a reload or none does: `prepareReload` checks
// and builds (holding the provider's rebuild turn), `commit` swaps, `abort` drops it.
import { loadSettings, type LoadedSettings, type SourceOptions } from '../config/load.js';
import { planReload } from '../config/reload.js';
import { resolveConfig } from '../config/resolve.js';
import type { SettingName } from '../config/settings.js';
import { ConfigError, type BridgeConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { createProvider } from '../provider/index.js';
import { requireSectorDocuments } from '../provider/sector.js';
import type { ProviderHolder } from '../provider/holder.js';
import { requireWorkingTemplates, servicesWith, type Services } from './services.js';

/** how long a prepared reload waits for its commit before it is dropped (a cluster's primary gone quiet) */
const PREPARED_TIMEOUT_MS = 15_000;

export interface PreparedReload {
  /** empty when the reload can be applied */
  readonly problems: readonly string[];
  /** live settings that changed, and will be applied */
  readonly applied: readonly SettingName[];
  /** other settings that changed: not applied, they need a restart */
  readonly restartNeeded: readonly SettingName[];
  /** the settings the bridge runs with once committed (what a cluster hands new workers) */
  readonly settings: LoadedSettings | undefined;
  commit(): void;
  abort(): void;
}

interface Reloadable {
  readonly services: Services;
  readonly holder: ProviderHolder;
}

const refused = (problems: string[]): PreparedReload => ({
  problems, applied: [], restartNeeded: [], settings: undefined, commit: () => undefined, abort: () => undefined,
});

/**
 * Everything wrong with `next`, or the configuration to run with and the plan: one check for a
 * process's own reload and for a cluster's primary before it asks its workers.
 */
export function checkReload(running: LoadedSettings, next: LoadedSettings): { problems: string[] } | { config: BridgeConfig; plan: ReturnType<typeof planReload> } {
  const whole = resolveConfig(next);
  if (!whole.config) return { problems: whole.problems };
  const plan = planReload(running, next);
  const applied = resolveConfig(plan.settings);
  if (!applied.config) return { problems: applied.problems };
  try {
    requireWorkingTemplates(whole.config);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: [...err.problems] };
    throw err;
  }
  return { config: applied.config, plan };
}

export function prepareReload(bridge: Reloadable, next: LoadedSettings): Promise<PreparedReload> {
  const { services, holder } = bridge;
  return new Promise<PreparedReload>((resolve, reject) => {
    holder.exclusive(async () => {
      const checked = checkReload(services.config.settings, next);
      if ('problems' in checked) {
        resolve(refused(checked.problems));
        return;
      }
      let provider;
      try {
        // a pairwise client's sector document, fetched as at start
        await requireSectorDocuments(checked.config.clients);
        provider = await createProvider(servicesWith(services, checked.config));
      } catch (err) {
        // sector documents, and oidc-provider's own checks of client metadata, beyond the bridge's
        resolve(refused(err instanceof ConfigError ? [...err.problems] : [(err as Error).message]));
        return;
      }
      // the rebuild turn is held until commit or abort: a key change cannot swap in between
      await new Promise<void>((done) => {
        const timer = setTimeout(done, PREPARED_TIMEOUT_MS);
        timer.unref();
        let settled = false;
        const settle = (apply: boolean): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (apply) {
            services.reconfigure(checked.config);
            holder.replace(provider);
          }
          done();
        };
        resolve({
          problems: [],
          applied: checked.plan.applied,
          restartNeeded: checked.plan.restartNeeded,
          settings: checked.plan.settings,
          commit: () => settle(true),
          abort: () => settle(false),
        });
      });
    }).catch(reject);
  });
}

/** Logs a reload's outcome: one line per problem, or what was applied and what needs a restart. */
export function logReload(logger: Logger, outcome: Pick<PreparedReload, 'problems' | 'applied' | 'restartNeeded'>, clients?: number): void {
  if (outcome.problems.length) {
    for (const problem of outcome.problems) logger.error({ event: 'config_reload_failed', problem }, `configuration not reloaded: ${problem}`);
    logger.error({ event: 'config_reload_failed', problems: outcome.problems.length }, 'configuration not reloaded: the bridge keeps running with the previous one');
    return;
  }
  logger.info({ event: 'config_reloaded', applied: outcome.applied, ...(clients === undefined ? {} : { clients }) },
    outcome.applied.length ? `configuration reloaded: ${outcome.applied.join(', ')} applied` : 'configuration reloaded: no client or claim setting changed');
  if (outcome.restartNeeded.length) {
    logger.warn({ event: 'config_restart_needed', settings: outcome.restartNeeded },
      `changed, but applied only at the next start: ${outcome.restartNeeded.join(', ')}`);
  }
}

/** One process: re-read the sources, and apply what can be applied, or keep running as it was. */
export async function reloadFromSources(bridge: Reloadable, sources: SourceOptions, logger: Logger): Promise<PreparedReload> {
  const prepared = await prepareReload(bridge, loadSettings(sources));
  prepared.commit();
  logReload(logger, prepared, bridge.services.config.clients.length);
  return prepared;
}
