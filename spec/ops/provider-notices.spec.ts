// oidc-provider's console notices (on Node 20: "oidc-provider WARNING: Unsupported runtime …") are
// written by the bridge's logger as JSON lines: every line a process writes on stdout is JSON and
// stderr stays empty, for one process and for a cluster's workers (issue 17, section 2).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { startCli, stopCli, type CliProcess } from '../support/cli-process.js';
import { freePort } from '../support/net.js';

/** oidc-provider 9 warns on a Node release older than 22 ("Jod"). */
const warnsOnThisRuntime = (process.release.lts ?? '') < 'Jod';

function expectJsonOnly(run: CliProcess): Array<Record<string, unknown>> {
  const lines = run.stdout().split('\n').filter((l) => l.trim());
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line on stdout: ${l}`);
    }
  });
  expect(run.stderr()).to.equal('');
  return parsed;
}

describe('oidc-provider notices as JSON log lines', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'notices-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const envFor = async (): Promise<Record<string, string>> => {
    const port = await freePort();
    const config = join(dir, 'config.json');
    writeFileSync(config, '{}');
    return {
      ISSUER: `http://127.0.0.1:${port}`, PORT: String(port), SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'bridge.sqlite3'), CAS_LOGIN_URL: 'http://127.0.0.1:9/cas/login', CLIENT_ID: 'rp', CLIENT_SECRET,
      REDIRECT_URI_ALLOWLIST: 'http://127.0.0.1:9/cb', LOG_LEVEL: 'info', CONFIG_FILE: config,
    };
  };

  it('one process: stdout is JSON only, the runtime warning one JSON warning', async () => {
    const run = await startCli(await envFor());
    expect(await stopCli(run)).to.equal(0);
    const notices = expectJsonOnly(run).filter((l) => l.event === 'oidc_provider_notice');
    if (warnsOnThisRuntime) {
      expect(notices).to.have.length(1);
      expect(notices[0]).to.include({ level: 40, msg: 'Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.' });
    } else {
      expect(notices.filter((n) => String(n.msg).startsWith('Unsupported runtime'))).to.deep.equal([]);
    }
  });

  it('a cluster: each worker writes its notice as JSON, with its worker id, the primary at most one', async () => {
    const run = await startCli(await envFor(), ['--workers', '2'], (l) => l.event === 'started' && l.workers === 2);
    expect(await stopCli(run)).to.equal(0);
    const notices = expectJsonOnly(run).filter((l) => l.event === 'oidc_provider_notice');
    if (warnsOnThisRuntime) {
      // each worker's, with its id (the primary may load oidc-provider too, and write its own)
      expect(notices.filter((n) => n.worker !== undefined).map((n) => n.worker).sort()).to.deep.equal([1, 2]);
      expect(notices.filter((n) => n.worker === undefined).length).to.be.at.most(1);
      for (const n of notices) expect(n).to.include({ level: 40 });
    } else {
      expect(notices.filter((n) => String(n.msg).startsWith('Unsupported runtime'))).to.deep.equal([]);
    }
  });
});
