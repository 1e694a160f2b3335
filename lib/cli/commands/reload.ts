// `reload`: check the configuration the way the bridge will, then ask the running bridge (found by
// the PORT it listens on, or --pid) to reload it: SIGHUP, what `systemctl reload` sends too.
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../command.js';
import { loadConfigOrReport } from '../config-errors.js';
import { commandLine, listenerPid } from '../listener.js';
import { parseCommandArgs } from '../options.js';

/** A bridge's command line: `… cas-oidc-bridge start …`, `… dist/lib/cli/bin.js start …`, or a cluster worker. */
const BRIDGE = /(cas-oidc-bridge|\/lib\/cli\/bin\.[jt]s)\b.*\bstart\b/;

export const reloadCommand: Command = {
  path: ['reload'],
  summary: 'apply changed clients, claims and access rules to the running bridge (SIGHUP)',
  help: `Usage: cas-oidc-bridge reload [--config FILE] [--pid PID]

Reads and checks the configuration the way the bridge does (problems: exit 2, nothing is sent),
then sends SIGHUP to the bridge listening on this configuration's PORT (or to --pid). The bridge
reads its configuration file again, checks it whole, and either applies the clients, claims and
access rules (log event config_reloaded; settings that need a restart are logged as
config_restart_needed) or keeps running as it was (config_reload_failed, one line per problem).
Requests in flight are not disturbed. The environment of the running bridge is its own: a
changed environment file (systemd EnvironmentFile) needs a restart.

  --pid PID   the bridge's process (default: the process listening on PORT; a cluster's primary)

Exit codes: 0 SIGHUP sent, 1 no bridge found or the signal could not be sent, 2 invalid configuration.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { pid: { type: 'string' } });
    if (values.pid !== undefined && !/^[1-9]\d*$/.test(values.pid)) throw new UsageError(`--pid must be a process id, not "${values.pid}"`);
    const config = loadConfigOrReport({ configPath: values.config });
    if (!config) return EXIT.usage;
    const { host, port } = config.server;
    const pid = values.pid ? Number(values.pid) : listenerPid(port);
    if (pid === undefined) {
      process.stderr.write(`cas-oidc-bridge reload: no process of this user listens on PORT ${port} (HOST ${host}): is the bridge running, `
        + 'and is this its configuration (a changed PORT takes a restart)? Run as the bridge\'s user (or root), or give --pid\n');
      return EXIT.failure;
    }
    const line = commandLine(pid);
    if (!values.pid && !BRIDGE.test(line)) {
      process.stderr.write(`cas-oidc-bridge reload: the process listening on PORT ${port} (pid ${pid}: ${line || 'unknown'}) is not a cas-oidc-bridge; give --pid\n`);
      return EXIT.failure;
    }
    try {
      process.kill(pid, 'SIGHUP');
    } catch (err) {
      process.stderr.write(`cas-oidc-bridge reload: cannot signal pid ${pid} (${(err as NodeJS.ErrnoException).code ?? 'error'}): run as the bridge's user or root\n`);
      return EXIT.failure;
    }
    process.stdout.write(`configuration valid; pid ${pid} (listening on PORT ${port}) asked to reload it.\n`
      + 'Its log says the outcome: config_reloaded, or config_reload_failed with each problem (it then keeps running as it was).\n');
    return EXIT.ok;
  },
};
