// Signing-key rotation on two bridge processes sharing PostgreSQL behind one issuer, each request
// going to the other node in turn, while a client keeps logging in and verifying every ID token
// against JWKS the way Keycloak does (cached, refetched when an unknown kid shows up). The `keys`
// command runs as a third process; neither node restarts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startCasStandIn, type CasStandIn } from '../../bench/cas-stand-in.js';
import { discover, type Target } from '../../bench/driver.js';
import { Balancer } from '../support/balancer.js';
import { CLIENT_SECRET, TEST_SECRET } from '../support/bridge.js';
import { ROOT, startCli, stopCli, type CliProcess } from '../support/cli-process.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';
import { freePort } from '../support/net.js';
import { startVerifyingClient, until } from '../support/verifying-client.js';

const run = promisify(execFile);
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const postgres = DATABASE_KINDS.find((k) => k.label === 'PostgreSQL')!;

describe('signing-key rotation on two nodes sharing PostgreSQL (keys command, no restart)', function () {
  this.timeout(120_000);
  let db: SpecDatabase | undefined;
  let cas: CasStandIn | undefined;
  let dir: string | undefined;
  let balancer: Balancer | undefined;
  const nodes: CliProcess[] = [];

  before(async function () {
    checkDatabaseKind(postgres, this);
    db = await postgres.create();
    cas = await startCasStandIn();
    dir = mkdtempSync(join(tmpdir(), 'rotation-two-nodes-'));
  });
  after(async () => {
    for (const node of nodes) await stopCli(node, 'SIGKILL');
    await balancer?.close();
    await cas?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes on both nodes first, then signs, then retires, and no login fails meanwhile', async () => {
    const issuerPort = await freePort();
    const issuer = `http://127.0.0.1:${issuerPort}`;
    const configFile = join(dir!, 'config.json');
    writeFileSync(configFile, '{}');
    const env: Record<string, string> = {
      ISSUER: issuer, HOST: '127.0.0.1', SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false', CONFIG_FILE: configFile,
      DATABASE_URL: db!.url!, DATABASE_POOL_MAX: '4', LOG_LEVEL: 'info',
      CAS_LOGIN_URL: `${cas!.baseUrl}/login`, CAS_VALIDATE_URL: `${cas!.baseUrl}/p3/serviceValidate`,
      CLIENTS: JSON.stringify([{ client_id: 'rp', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }]),
      KEYS_PROMOTE_AFTER: '3', KEYS_RETIRE_AFTER: '3', KEYS_POLL_INTERVAL: '1',
    };
    const ports = [await freePort(), await freePort()];
    nodes.push(...await Promise.all(ports.map((port) => startCli({ ...env, PORT: String(port) }))));
    const nodeUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    balancer = new Balancer({ A: nodeUrls[0]!, B: nodeUrls[1]! });
    balancer.roundRobin = true;
    await balancer.listen(issuerPort);

    const kidsAt = async (nodeUrl: string): Promise<string[]> => {
      const response = await fetch(`${nodeUrl}/jwks`);
      return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    };
    const onBothNodes = async (check: (kids: string[]) => boolean): Promise<boolean> => (await Promise.all(nodeUrls.map(kidsAt))).every(check);
    const keysCommand = async (...args: string[]): Promise<string> => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/cli/bin.ts'), 'keys', ...args], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env, PORT: String(ports[0]) },
      });
      return stdout;
    };

    const target: Target = { issuer, endpoints: await discover(issuer), clientId: 'rp', clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
    expect(new URL(target.endpoints.jwks_uri).pathname).to.equal('/jwks');
    const client = startVerifyingClient(target);

    try {
      await until('a first login', async () => client.logins > 0);
      const oldKid = client.lastKid;
      const output = await keysCommand('rotate', '--alg', 'RS256');
      const newKid = /RS256 (\S+): published now/.exec(output)?.[1];
      expect(newKid, output).to.be.a('string');

      await until('both nodes publish the staged key', () => onBothNodes((kids) => kids.includes(newKid!)));
      expect(client.lastKid, 'still signing with the old key while the new one is only published').to.equal(oldKid);
      await until('ID tokens carry the new kid', async () => client.lastKid === newKid);
      expect(await onBothNodes((kids) => kids.includes(oldKid)), 'the replaced key stays published on both nodes').to.equal(true);
      await until('the replaced key left JWKS on both nodes', () => onBothNodes((kids) => !kids.includes(oldKid)));
      const loginsAtEnd = client.logins;
      await until('two logins after the retirement', async () => client.logins > loginsAtEnd + 1);
    } finally {
      await client.stop();
    }

    const served = balancer.since(0);
    console.log(`      ${client.logins} logins during the rotation, ${client.failures.length} failed, kids seen in order: ${client.kidsSeen.join(' → ')}; `
      + `requests served: A ${served.A?.length ?? 0}, B ${served.B?.length ?? 0}`);
    expect(client.failures).to.deep.equal([]);
    const { kidsSeen } = client;
    // each node promotes on its own poll: for up to KEYS_POLL_INTERVAL one may still sign with the old key
    expect(kidsSeen.at(-1)).to.equal(kidsSeen.find((kid) => kid !== kidsSeen[0]));
    expect(new Set(kidsSeen).size).to.equal(2);
    for (const [name, node] of [['A', nodes[0]!], ['B', nodes[1]!]] as const) {
      expect(node.lines.some((l) => l.event === 'keys_reloaded'), `${name} reloaded its keys`).to.equal(true);
      expect(served[name]?.filter((line) => line.startsWith('POST /token 200')).length ?? 0, `${name} issued tokens`).to.be.greaterThan(0);
      expect(node.lines.filter((l) => Number(l.level) >= 50), `${name}: no error logged`).to.deep.equal([]);
      expect(await stopCli(node), `${name} stops cleanly`).to.equal(0);
    }
  });
});
