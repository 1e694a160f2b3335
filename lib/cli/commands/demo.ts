import type { Command } from '../command.js';
import { EXIT, UsageError } from '../command.js';
import { parseCommandArgs } from '../options.js';
import { ListenError } from '../../http/server.js';
import { onStopSignal } from '../../server/stop-signals.js';

function portOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${name} must be a port number, not "${value}"`);
  return port;
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'try the bridge on this machine: demo CAS, bridge and a demo application',
  help: `Usage: cas-oidc-bridge demo [--port PORT] [--bridge-port PORT] [--cas-port PORT] [--log-level LEVEL]

Starts, on 127.0.0.1 only:
  - the bridge, with SQLite in a temporary directory and secrets generated for this run;
  - a demo CAS server that accepts any username and any password and releases demo attributes
    (mail, a Chinese display name, multi-valued groups);
  - a demo application (an OpenID Connect client using PKCE) that shows the ID token claims
    and userinfo after the login, and logs out through the bridge.
It prints one URL: open it in a browser. Ctrl-C stops everything and deletes the temporary data.
The configuration file and the environment are not read (except LOG_LEVEL).

Options:
  --port PORT         port of the demo application (default 59080; 0 for any free port)
  --bridge-port PORT  port of the bridge (default: any free port)
  --cas-port PORT     port of the demo CAS (default: any free port)
  --log-level LEVEL   bridge log level (default: LOG_LEVEL, else warn)

Exit codes: 0 stopped by Ctrl-C/SIGTERM, 1 could not start, 2 bad usage.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      port: { type: 'string' }, 'bridge-port': { type: 'string' }, 'cas-port': { type: 'string' }, 'log-level': { type: 'string' },
    });
    if (values.config) throw new UsageError('demo does not read a configuration file');
    const port = portOption('--port', values.port, 59080);
    const bridgePort = portOption('--bridge-port', values['bridge-port'], 0);
    const casPort = portOption('--cas-port', values['cas-port'], 0);
    const level = values['log-level'] ?? process.env.LOG_LEVEL ?? 'warn';
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw new UsageError(`unknown log level "${level}"`);

    // before oidc-provider is imported: its console notices become log lines (provider-notices.ts)
    const { captureProviderNotices } = await import('../../observability/provider-notices.js');
    captureProviderNotices();
    const { startDemo, DemoRefusedError } = await import('../../demo/run.js');
    let demo;
    try {
      demo = await startDemo({ port, bridgePort, casPort, settings: { LOG_LEVEL: level } });
    } catch (err) {
      if (err instanceof DemoRefusedError) throw new UsageError(err.message);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || err instanceof ListenError) {
        process.stderr.write(`cas-oidc-bridge demo: a port is in use (${(err as Error).message}); run with --port 0 (and no --bridge-port or --cas-port) for free ports\n`);
        return EXIT.failure;
      }
      throw err;
    }
    process.stdout.write(`
  cas-oidc-bridge demo is running. Open this in a browser:

      ${demo.url}

  Log in with any username and any password at the demo CAS.
  Data lives in ${demo.dir} until you stop the demo with Ctrl-C.

`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.stdout.write('stopping the demo\n');
        demo.close().then(resolve, resolve);
      };
      onStopSignal(stop);
    });
    return EXIT.ok;
  },
};
