// 20 parallel redemptions of one authorization code: exactly one token response, 19 invalid_grant.
import { expect } from 'chai';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge } from '../support/bridge.js';
import { DATABASE_KINDS, checkDatabaseKind } from '../support/databases.js';
import { authorizationRequest, loginThroughCas, relyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

for (const kind of DATABASE_KINDS) {
  describe(`parallel redemption of one code on ${kind.label}`, function () {
    it('gives exactly one 200 and 19 invalid_grant', async function () {
      checkDatabaseKind(kind, this);
      const db = await kind.create();
      const cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();
      const bridge = await startTestBridge({
        CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT],
        ...(db.url ? { DATABASE_URL: db.url } : { DATABASE_PATH: db.path }),
      });
      try {
        const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
        const request = await authorizationRequest(rp);
        const back = await loginThroughCas(new TestBrowser(), rp, request, 'alice', 'pw');
        const code = new URL(back.location!).searchParams.get('code')!;
        const body = new URLSearchParams({
          grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.verifier,
          client_id: 'rp', client_secret: CLIENT_SECRET,
        });
        const responses = await Promise.all(Array.from({ length: 20 }, async () => {
          const res = await fetch(`${bridge.issuer}/token`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        }));
        const ok = responses.filter((r) => r.status === 200);
        const refused = responses.filter((r) => r.status === 400 && r.body.error === 'invalid_grant');
        expect(ok, JSON.stringify(responses.map((r) => r.status))).to.have.length(1);
        expect(ok[0]?.body.access_token).to.be.a('string');
        expect(refused).to.have.length(19);
      } finally {
        await bridge.stop();
        await cas.close();
        await db.drop();
      }
    });
  });
}
