import type { Command } from '../command.js';
import { EXIT } from '../command.js';
import { loadConfigOrReport } from '../config-errors.js';
import { parseCommandArgs } from '../options.js';

export const start: Command = {
  path: ['start'],
  summary: 'run the bridge (what `npm start` runs)',
  help: `Usage: cas-oidc-bridge start [--config FILE]

Runs the bridge with the configuration from FILE (default: ./config.json when present, or the
file named by CONFIG_FILE) and the environment. Stops cleanly on SIGTERM or SIGINT.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    const config = loadConfigOrReport({ configPath: values.config });
    if (!config) return EXIT.usage;
    // loaded on demand: oidc-provider is heavy and prints a runtime notice on Node 20
    const { createLogger } = await import('../../logger.js');
    const { startBridge } = await import('../../server.js');
    const logger = createLogger(config.logging.level);
    const bridge = await startBridge(config, { logger });
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        logger.info({ event: 'stopping', signal }, 'stopping: finishing requests in flight');
        bridge.close().then(resolve, resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    logger.info({ event: 'stopped' }, 'stopped');
    return EXIT.ok;
  },
};
