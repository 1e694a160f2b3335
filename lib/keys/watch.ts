// Keeps one process's oidc-provider in step with the signing keys in the database. oidc-provider
// reads its keys once, when built, so a change (a `keys rotate`, a due promotion or retirement,
// made here or on another node) is picked up by building a new provider and swapping it in;
// requests in flight finish on the old one.
import type Provider from 'oidc-provider';
import { epochSeconds } from '../../adapters/database.js';
import { advanceKeys, keysGeneration } from './signing-keys.js';
import type { ProviderHolder } from '../provider/holder.js';
import type { Services } from '../server/services.js';

export interface KeyWatch {
  stop(): void;
}

export function watchSigningKeys(
  services: Services,
  holder: ProviderHolder,
  build: (services: Services) => Promise<Provider>,
  seenAtStart: string,
): KeyWatch {
  const { config, logger } = services;
  let seen = seenAtStart;
  let running = false;
  const check = async (): Promise<void> => {
    await advanceKeys(services.signingKeys, services.meta, config.keys, epochSeconds());
    // read before the keys, so that a change racing with the rebuild shows up at the next check
    const generation = await keysGeneration(services.meta);
    if (generation === seen) return;
    // in turn with a configuration reload; built from the configuration current at that moment
    await holder.exclusive(async () => holder.replace(await build(services)));
    seen = generation;
    const rows = await services.signingKeys.list();
    logger.info({
      event: 'keys_reloaded',
      signing: rows.filter((r) => r.status === 'active').map((r) => r.kid),
      published: rows.filter((r) => r.status !== 'retired').map((r) => r.kid),
    }, 'signing keys changed: new requests use the rebuilt provider');
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    check()
      .catch((err: unknown) => logger.error({ err, event: 'keys_reload_failed' }, 'signing keys could not be reloaded; the previous ones stay in use'))
      .finally(() => { running = false; });
  }, config.keys.pollIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
