// A relying party that logs in without pause and verifies every ID token against the issuer's
// JWKS the way Keycloak does (cached, refetched when an unknown kid shows up): the yardstick of
// signing-key rotation specs, which must see no failed login.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { login, type Target } from '../../bench/driver.js';

export interface VerifyingClient {
  readonly logins: number;
  readonly failures: readonly string[];
  /** kids of the ID tokens, each time it changed */
  readonly kidsSeen: readonly string[];
  readonly lastKid: string;
  stop(): Promise<void>;
}

export function startVerifyingClient(target: Target): VerifyingClient {
  const jwks = createRemoteJWKSet(new URL(target.endpoints.jwks_uri), { cooldownDuration: 1000, cacheMaxAge: 10_000 });
  const state = { logins: 0, failures: [] as string[], kidsSeen: [] as string[], lastKid: '' };
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      try {
        const result = await login(target);
        const { payload } = await jwtVerify(result.idToken, jwks, { issuer: target.issuer, audience: target.clientId });
        if (payload.nonce !== result.nonce) throw new Error('nonce mismatch');
        state.lastKid = decodeProtectedHeader(result.idToken).kid ?? '';
        if (state.kidsSeen.at(-1) !== state.lastKid) state.kidsSeen.push(state.lastKid);
        state.logins += 1;
      } catch (err) {
        state.failures.push((err as Error).message);
      }
    }
  })();
  return {
    get logins() { return state.logins; },
    get failures() { return state.failures; },
    get kidsSeen() { return state.kidsSeen; },
    get lastKid() { return state.lastKid; },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** polls `check` every 100 ms until it holds, or fails naming `what` */
export async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
