import type { Command } from '../command.js';
import { parseCommandArgs } from '../options.js';

export const checkConfigCommand: Command = {
  path: ['check-config'],
  summary: 'validate the configuration, probe the database and CAS, print what to register at CAS and in Keycloak',
  help: `Usage: cas-oidc-bridge check-config [--config FILE] [--no-probe]

Reads the configuration the way \`start\` does and prints:
  - every problem at once (then exits 2 without probing);
  - the effective value of each setting, secrets hidden, and where it came from
    (default, file, env, or derived from other settings);
  - the database (DATABASE_URL, or DATABASE_PATH as an absolute path): can the bridge use it, and
    is its schema migrated (never creates one);
  - probes of the CAS login and validation URLs: reachable, TLS certificate valid, and answering
    like CAS (a login form; a CAS authenticationFailure for a dummy ticket);
  - the claim mapping and each client's access rules;
  - what to ask the CAS administrators to register, and what to enter in Keycloak.

Options:
  -c, --config FILE  configuration file (default: CONFIG_FILE, or ./config.json when present)
      --no-probe     do not contact the database or CAS

Exit codes: 0 valid (the database usable, CAS answering as expected), 1 the database or a CAS
probe failed, 2 invalid configuration.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { 'no-probe': { type: 'boolean' } });
    const { checkConfig } = await import('../../check/report.js');
    const outcome = await checkConfig({ configPath: values.config, probe: !values['no-probe'] });
    process.stdout.write(outcome.text);
    return outcome.exitCode;
  },
};
