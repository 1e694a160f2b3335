// A reload across a cluster: the primary reads and checks the configuration, then every worker
// checks and builds it (prepare); only when all are ready do they all swap it in (commit),
// otherwise all keep the running one (abort). No worker ever serves another configuration than
// the others.
import type { Worker } from 'node:cluster';
import { loadSettings, type LoadedSettings, type SourceOptions } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { checkReload, logReload, prepareReload, type PreparedReload } from '../server/reload.js';
import type { RunningBridge } from '../server/bridge.js';
import {
  isReloadDecision, isReloadDone, isReloadPrepare, isReloadPrepared,
  type ReloadDecision, type ReloadDone, type ReloadPrepare, type ReloadPrepared,
} from './messages.js';

/** how long the primary waits for every worker's answer before it gives the reload up */
const ANSWER_TIMEOUT_MS = 20_000;

/** Sends `message` to each worker and collects their answers of type `answer` (undefined: none in time). */
function ask<M extends { readonly type: string; readonly id: number }, A extends { readonly id: number }>(workers: readonly Worker[], message: M, isAnswer: (m: unknown) => m is A): Promise<Array<A | undefined>> {
  return Promise.all(workers.map((worker) => new Promise<A | undefined>((resolve) => {
    const listener = (m: unknown): void => {
      if (!isAnswer(m) || m.id !== message.id) return;
      finish(m);
    };
    const finish = (answer: A | undefined): void => {
      clearTimeout(timer);
      worker.off('message', listener);
      worker.off('exit', gone);
      resolve(answer);
    };
    const gone = (): void => finish(undefined);
    const timer = setTimeout(gone, ANSWER_TIMEOUT_MS);
    worker.on('message', listener);
    worker.once('exit', gone);
    worker.send(message);
  })));
}

let nextId = 1;

/**
 * In the primary: reload every serving worker, or none. Answers the settings to hand workers
 * started from now on (the new ones when applied, else `running`).
 */
export async function reloadCluster(workers: readonly Worker[], running: LoadedSettings, sources: SourceOptions, logger: Logger): Promise<LoadedSettings> {
  const checked = checkReload(running, loadSettings(sources));
  if ('problems' in checked) {
    logReload(logger, { problems: checked.problems, applied: [], restartNeeded: [] });
    return running;
  }
  const { plan } = checked;
  const id = nextId++;
  const prepared = await ask(workers, { type: 'bridge:reload-prepare', id, settings: plan.settings } satisfies ReloadPrepare, isReloadPrepared);
  const refusals = prepared.flatMap((answer, i) => (answer ? answer.problems : [`worker ${workers[i]?.id ?? '?'} did not answer in time`]));
  const apply = refusals.length === 0;
  await ask(workers, { type: 'bridge:reload-decision', id, apply } satisfies ReloadDecision, isReloadDone);
  if (!apply) {
    logReload(logger, { problems: [...new Set(refusals)], applied: [], restartNeeded: [] });
    return running;
  }
  logReload(logger, { ...plan, problems: [] }, checked.config.clients.length);
  return plan.settings;
}

/** In a worker: take part in the primary's reloads. */
export function answerReloads(bridge: RunningBridge, logger: Logger): void {
  const pending = new Map<number, PreparedReload>();
  process.on('message', (message: unknown) => {
    if (isReloadPrepare(message)) {
      prepareReload(bridge, message.settings).then((prepared) => {
        pending.set(message.id, prepared);
        process.send?.({ type: 'bridge:reload-prepared', id: message.id, problems: prepared.problems } satisfies ReloadPrepared);
      }, (err: unknown) => {
        logger.error({ err, event: 'config_reload_failed' }, 'configuration not reloaded');
        process.send?.({ type: 'bridge:reload-prepared', id: message.id, problems: [(err as Error).message] } satisfies ReloadPrepared);
      });
      return;
    }
    if (isReloadDecision(message)) {
      const prepared = pending.get(message.id);
      pending.delete(message.id);
      if (message.apply) prepared?.commit();
      else prepared?.abort();
      process.send?.({ type: 'bridge:reload-done', id: message.id } satisfies ReloadDone);
    }
  });
}
