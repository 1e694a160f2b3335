// `keys rotate --now` on a running bridge behind a real Keycloak: the next ID token carries a kid
// Keycloak has not cached, Keycloak fetches the bridge's JWKS again and the login goes through.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import { ROOT } from '../support/cli-process.js';
import { until } from '../support/verifying-client.js';
import { inBrowser, keycloakScenario, type KeycloakScenario } from '../support/keycloak-scenario.js';

const run = promisify(execFile);
/** Keycloak fetches an issuer's JWKS again at most once in this many ms (its public-key storage) */
const KEYCLOAK_JWKS_MIN_INTERVAL_MS = 10_000;


/** When Keycloak fetched the bridge's JWKS, request by request. */
function jwksFetches(s: KeycloakScenario): number[] {
  const times: number[] = [];
  s.bridge.server.on('request', (req) => {
    if (req.method === 'GET' && req.url === '/jwks') times.push(Date.now());
  });
  return times;
}

describe('real Keycloak: signing keys rotated at once (keys rotate --now)', function () {
  this.timeout(180_000);
  // with the proxy-ticket settings, whose "Store tokens" shows the spec the bridge's ID token Keycloak accepted
  const scenario = keycloakScenario(this, { proxyTargets: ['http://127.0.0.1:9/backend/api'], bridgeSettings: { KEYS_POLL_INTERVAL: 1 } });

  it('a login after the rotation still verifies: Keycloak fetches the new key', async () => {
    const s = scenario();
    const fetches = jwksFetches(s);
    const oldKid = await inBrowser(async (first) => {
      const login = await s.login(first, 'alice');
      const stored = await s.storedBridgeTokens(login.tokens.access_token);
      return decodeProtectedHeader(String(stored.body.id_token)).kid;
    });
    expect(fetches.length, 'Keycloak read the JWKS for the first login').to.be.greaterThan(0);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/cli/bin.ts'), 'keys', 'rotate', '--now'], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...s.cliEnv },
    });
    const newKid = /RS256 (\S+): signing now/.exec(stdout)?.[1];
    expect(newKid, stdout).to.be.a('string').and.not.equal(oldKid);
    await until('the bridge signs with the new key', async () => s.bridge.logs.some((l) => l.event === 'keys_reloaded'));
    // Keycloak refuses to fetch JWKS again within 10 s of its last fetch (the README's warning about
    // --now); the next login comes after that window
    await until('Keycloak may fetch the JWKS again', async () => Date.now() - (fetches.at(-1) ?? 0) > KEYCLOAK_JWKS_MIN_INTERVAL_MS, 20_000);
    const fetchesBefore = fetches.length;

    await inBrowser(async (second) => {
      const login = await s.login(second, 'alice');
      expect(login.casForm).to.equal(true);
      expect(login.shown.filter((u) => u.startsWith(s.keycloak.url))).to.deep.equal([]);
      expect(login.idClaims.preferred_username).to.equal('alice');
      const stored = await s.storedBridgeTokens(login.tokens.access_token);
      expect(decodeProtectedHeader(String(stored.body.id_token)).kid, 'the bridge\'s ID token Keycloak accepted').to.equal(newKid);
      expect(fetches.length, 'Keycloak fetched the JWKS again for the unknown kid').to.be.greaterThan(fetchesBefore);
    });
  });
});
