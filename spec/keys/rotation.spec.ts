// Signing-key rotation on a running bridge, driven by the real `keys` command in another process,
// while a client keeps logging in and verifying every ID token against JWKS the way Keycloak does
// (cached, refetched when an unknown kid shows up).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import { startCasStandIn, type CasStandIn } from '../../bench/cas-stand-in.js';
import { discover, login, type Target } from '../../bench/driver.js';
import { startTestBridge, TEST_SECRET, type TestBridge } from '../support/bridge.js';
import { ROOT } from '../support/cli-process.js';
import { startVerifyingClient, until } from '../support/verifying-client.js';

const run = promisify(execFile);
const CLIENT_SECRET = 'rotation-client-secret-0123456789-ABCDEFGHIJKLMN';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

describe('signing-key rotation on a running bridge (keys command, no restart)', function () {
  this.timeout(90_000);
  let cas: CasStandIn;
  let bridge: TestBridge;
  /** the same configuration for the `keys` command, as environment variables */
  let env: Record<string, string>;

  before(async () => {
    cas = await startCasStandIn();
    const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-'));
    const clients = [{ client_id: 'rp', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI] }];
    const casUrls = { CAS_LOGIN_URL: `${cas.baseUrl}/login`, CAS_VALIDATE_URL: `${cas.baseUrl}/p3/serviceValidate` };
    // the replaced key stays 10 s: on a busy machine the client's next login may take seconds, and
    // the spec must still see the old key published once the new one signs
    bridge = await startTestBridge({ ...casUrls, CLIENTS: clients, KEYS_PROMOTE_AFTER: 2, KEYS_RETIRE_AFTER: 10, KEYS_POLL_INTERVAL: 1 }, { dir });
    env = {
      ...casUrls,
      CLIENTS: JSON.stringify(clients),
      ISSUER: bridge.issuer,
      SECRET_KEY: TEST_SECRET,
      COOKIE_SECURE: 'false',
      DATABASE_PATH: join(dir, 'bridge.sqlite3'),
    };
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  const keysCommand = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/cli/bin.ts'), 'keys', ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    });
    return stdout;
  };
  const publishedKids = async (target: Target): Promise<string[]> => {
    const response = await fetch(target.endpoints.jwks_uri);
    return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
  };

  it('publishes first, then signs, then retires, and no login fails meanwhile', async () => {
    const target: Target = { issuer: bridge.issuer, endpoints: await discover(bridge.issuer), clientId: 'rp', clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
    const client = startVerifyingClient(target);

    await until('a first login', async () => client.logins > 0);
    const oldKid = client.lastKid;
    const before = await publishedKids(target);
    expect(before).to.include(oldKid);

    const output = await keysCommand('rotate', '--alg', 'RS256');
    const newKid = /RS256 (\S+): published now/.exec(output)?.[1];
    expect(newKid, output).to.be.a('string');

    await until('the staged key is in JWKS', async () => (await publishedKids(target)).includes(newKid!));
    expect(client.lastKid, 'still signing with the old key while the new one is only published').to.equal(oldKid);
    expect(await keysCommand('list')).to.match(new RegExp(`${newKid}\\s+RS256\\s+(staged|active)`));

    await until('ID tokens carry the new kid', async () => client.lastKid === newKid);
    expect(await publishedKids(target), 'the replaced key stays published for a while').to.include(oldKid);
    await until('the replaced key left JWKS', async () => !(await publishedKids(target)).includes(oldKid));
    const loginsAtEnd = client.logins;
    await until('a login after the retirement', async () => client.logins > loginsAtEnd);
    await client.stop();

    console.log(`      ${client.logins} logins during the rotation, ${client.failures.length} failed, kids seen in order: ${client.kidsSeen.join(' → ')}`);
    expect(client.failures).to.deep.equal([]);
    expect(client.kidsSeen).to.deep.equal([oldKid, newKid]);
    expect(bridge.logs.some((l) => l.event === 'keys_reloaded')).to.equal(true);
  });

  it('rotate --now signs at once; retire refuses the signing key and drops a replaced one from JWKS', async () => {
    const target: Target = { issuer: bridge.issuer, endpoints: await discover(bridge.issuer), clientId: 'rp', clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
    const signingBefore = decodeProtectedHeader((await login(target)).idToken).kid!;
    const output = await keysCommand('rotate', '--alg', 'RS256', '--now');
    const newKid = /RS256 (\S+): signing now/.exec(output)?.[1];
    expect(newKid, output).to.be.a('string');
    await until('ID tokens carry the new kid', async () => decodeProtectedHeader((await login(target)).idToken).kid === newKid);

    const refused = await keysCommand('retire', newKid!).then(() => 'exit 0', (err: { code: number; stderr: string }) => `exit ${err.code}: ${err.stderr}`);
    expect(refused).to.match(/^exit 1: .*is signing now/);
    expect(await keysCommand('retire', signingBefore)).to.include('out of JWKS');
    await until('the retired key left JWKS', async () => !(await publishedKids(target)).includes(signingBefore));

    // a thumbprint may begin with '-': it is still a kid, not an option
    const dashed = `-${'A'.repeat(42)}`;
    const unknown = await keysCommand('retire', dashed).then(() => 'exit 0', (err: { code: number; stderr: string }) => `exit ${err.code}: ${err.stderr}`);
    expect(unknown).to.equal(`exit 1: no signing key with kid ${dashed}\n`);
  });
});
