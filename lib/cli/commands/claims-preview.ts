import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../command.js';
import { loadConfigOrReport } from '../config-errors.js';
import { parseCommandArgs } from '../options.js';
import { MAX_CAS_RESPONSE_BYTES } from '../../cas/protocol.js';

/** The answer from a file, or standard input for `-` or no --response. */
async function readResponse(path: string | undefined): Promise<string> {
  let bytes: Buffer;
  if (path === undefined || path === '-') {
    if (process.stdin.isTTY) throw new UsageError('give the CAS answer with --response FILE, or pipe it in (e.g. curl … | cas-oidc-bridge claims preview)');
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of process.stdin) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      length += buffer.length;
      if (length > MAX_CAS_RESPONSE_BYTES) break;
    }
    bytes = Buffer.concat(chunks);
  } else {
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new UsageError(`--response ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  // the same cap as at login, where a longer answer is cancelled
  if (bytes.length > MAX_CAS_RESPONSE_BYTES) throw new UsageError(`the answer is larger than ${MAX_CAS_RESPONSE_BYTES} bytes: at login the bridge stops reading it and the login fails`);
  if (!bytes.length) throw new UsageError('the CAS answer is empty');
  return bytes.toString('utf8');
}

export const claimsPreview: Command = {
  path: ['claims', 'preview'],
  summary: 'show what a CAS validation answer becomes: attributes, claims, scopes, access per client',
  help: `Usage: cas-oidc-bridge claims preview [--response FILE|-] [--config FILE]

Reads one CAS ticket validation answer (CAS 3 or CAS 2 XML, a SAML 1.1 SOAP answer, or CAS 1's
yes/no text; \`curl -i\` output with headers is fine) from FILE, or from standard input with \`-\`
or without --response, and prints with the current configuration:
  - the CAS user and the attributes read, exactly as a login reads them (bounds included);
  - every claim with its value, the source and transforms that produced it, and the scopes that
    release it; then what each scope releases for this person;
  - for every client, whether its access rules let this person in, the rule that decided, and
    the sub it would see.
Nothing is sent anywhere: neither CAS nor the database is contacted.

Get an answer to preview, e.g. (the ticket is used up by it):
  curl 'https://cas.example.edu/cas/p3/serviceValidate?service=<SERVICE_URL>&ticket=ST-…'

Exit codes: 0 a login with this answer succeeds, 1 it fails (CAS refused the ticket, the answer is
unreadable or out of bounds, no sub, or no client lets the person in), 2 bad configuration or usage.`,
  async run(args) {
    const { values } = parseCommandArgs(args, { response: { type: 'string', short: 'r' } });
    const config = loadConfigOrReport({ configPath: values.config });
    if (!config) return EXIT.usage;
    const input = await readResponse(values.response);
    const { previewClaims } = await import('../../check/preview.js');
    const outcome = previewClaims(config, input);
    process.stdout.write(outcome.text);
    return outcome.exitCode === 0 ? EXIT.ok : EXIT.failure;
  },
};
