// `keys list|rotate|retire`: the signing-key lifecycle. Running bridges pick every change up within
// KEYS_POLL_INTERVAL, without a restart.
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../command.js';
import { withConfiguredDatabase } from '../configured-database.js';
import { parseCommandArgs } from '../options.js';
import { epochSeconds } from '../../../adapters/database.js';
import { MetaStore } from '../../../adapters/meta.js';
import { SigningKeyStore } from '../../../adapters/signing-keys.js';
import type { BridgeConfig } from '../../config/index.js';
import { addSigningKey, bumpKeysGeneration, nextTransition, SIGNING_ALGS, type SigningAlg } from '../../keys/signing-keys.js';
import { SecretBox } from '../../keys/secrets.js';

interface KeyTools {
  readonly config: BridgeConfig;
  readonly store: SigningKeyStore;
  readonly meta: MetaStore;
  readonly box: SecretBox;
}

function withKeys(configPath: string | undefined, work: (tools: KeyTools) => Promise<number>): Promise<number> {
  return withConfiguredDatabase(configPath, async (db, config) => {
    const store = new SigningKeyStore(db);
    if (!(await store.list()).length) {
      process.stderr.write('no signing keys in this database yet: start the bridge (or run `db migrate` and start it) first\n');
      return EXIT.failure;
    }
    return work({ config, store, meta: new MetaStore(db), box: new SecretBox(config.secrets.current, config.secrets.previous) });
  });
}

const when = (epoch: number | undefined): string => (epoch === undefined ? '-' : new Date(epoch * 1000).toISOString().replace('.000', ''));

export const keysList: Command = {
  path: ['keys', 'list'],
  summary: 'list the signing keys and when each changes next',
  help: `Usage: cas-oidc-bridge keys list [--config FILE]

Prints every signing key: kid, algorithm, status (staged: published, not signing yet; active:
signs; retiring: replaced, still published; retired: out of JWKS), when it was created, promoted
and replaced, and its next transition.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {});
    return withKeys(values.config, async ({ config, store }) => {
      const rows = await store.list();
      const lines = [['kid', 'alg', 'status', 'created', 'promoted', 'replaced', 'next']];
      for (const row of rows) {
        const next = nextTransition(row, config.keys);
        lines.push([row.kid, row.alg, row.status, when(row.createdAt), when(row.promotedAt), when(row.retiredAt), next ? `${next.what} at ${when(next.at)}` : '-']);
      }
      const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
      process.stdout.write(`${lines.map((l) => l.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\n`);
      return EXIT.ok;
    });
  },
};

export const keysRotate: Command = {
  path: ['keys', 'rotate'],
  summary: 'stage new signing keys (they sign after KEYS_PROMOTE_AFTER)',
  help: `Usage: cas-oidc-bridge keys rotate [--alg RS256|ES256] [--now] [--config FILE]

Adds a new key per algorithm (or only --alg). It is published in JWKS at once and starts signing
after KEYS_PROMOTE_AFTER seconds, when every client has had time to fetch it; the key it
replaces stays published for KEYS_RETIRE_AFTER seconds. Running bridges pick this up within
KEYS_POLL_INTERVAL, without a restart.

--now   sign with the new key at once (a leaked key): clients that cached JWKS meet an unknown
        kid and must refetch it (Keycloak does, at most every 10 s). To also stop trusting the
        leaked key, follow with \`keys retire KID\`.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { alg: { type: 'string' }, now: { type: 'boolean' } });
    const algs: readonly SigningAlg[] = values.alg === undefined ? SIGNING_ALGS : SIGNING_ALGS.filter((a) => a === values.alg);
    if (!algs.length) throw new UsageError(`--alg must be one of ${SIGNING_ALGS.join(', ')}`);
    return withKeys(values.config, async ({ config, store, meta, box }) => {
      for (const alg of algs) {
        const kid = await addSigningKey(store, meta, box, alg, 'staged');
        if (values.now) {
          await store.promote(kid, alg);
          process.stdout.write(`${alg} ${kid}: signing now\n`);
        } else {
          process.stdout.write(`${alg} ${kid}: published now, signs from ${when(epochSeconds() + config.keys.promoteAfterSeconds)}\n`);
        }
      }
      if (values.now) await bumpKeysGeneration(meta);
      return EXIT.ok;
    });
  },
};

const DASHED_KID = /^-[A-Za-z0-9_-]{42}$/;

export const keysRetire: Command = {
  path: ['keys', 'retire'],
  summary: 'take a replaced or staged key out of JWKS at once',
  help: `Usage: cas-oidc-bridge keys retire KID [--config FILE]

Removes the key from JWKS now, for a key that leaked: tokens it signed stop verifying (users of
those tokens log in again). A key that is signing cannot be retired: run \`keys rotate --now\`
first.`,
  async run(args) {
    // a kid is a JWK thumbprint (43 base64url characters) and may begin with '-': not an option
    const kids = args.filter((a) => DASHED_KID.test(a));
    const { values, positionals } = parseCommandArgs([...args.filter((a) => !kids.includes(a)), '--', ...kids], {}, { positionals: true });
    const [kid] = positionals;
    if (!kid || positionals.length > 1) throw new UsageError('give exactly one KID (see `keys list`)');
    return withKeys(values.config, async ({ store, meta }) => {
      const row = (await store.list()).find((r) => r.kid === kid);
      if (!row) {
        process.stderr.write(`no signing key with kid ${kid}\n`);
        return EXIT.failure;
      }
      if (row.status === 'active') {
        process.stderr.write(`${kid} is signing now: run \`keys rotate --now --alg ${row.alg}\` first, then retire it\n`);
        return EXIT.failure;
      }
      await store.setStatus(kid, 'retired');
      await bumpKeysGeneration(meta);
      process.stdout.write(`${row.alg} ${kid}: out of JWKS\n`);
      return EXIT.ok;
    });
  },
};
