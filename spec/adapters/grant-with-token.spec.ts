// /userinfo and refresh read the token, its grant and its account in one statement. What is read
// that way serves the lookups of the same request only: a grant revoked afterwards, or an account
// another node saved since, is never served from an earlier read.
import { expect } from 'chai';
import got from 'got';
import type { Database } from '../../adapters/database.js';
import { startCasStandIn, type CasStandIn } from '../../bench/cas-stand-in.js';
import { discover, login, type LoginResult, type Target } from '../../bench/driver.js';
import { startTestBridge, type TestBridge } from '../support/bridge.js';
import { DATABASE_KINDS, checkDatabaseKind, type SpecDatabase } from '../support/databases.js';

const SECRET = 'spec-client-secret-grant-with-token-0123456789';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** Every statement the bridge's database runs while `work` runs, as SQL texts. */
async function statementsOf(db: Database, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const { select, run } = db;
  db.select = function counted(this: Database, sql: string, bind?: readonly unknown[]) {
    seen.push(sql);
    return select.call(this, sql, bind);
  } as Database['select'];
  db.run = function counted(this: Database, sql: string, bind?: readonly unknown[]) {
    seen.push(sql);
    return run.call(this, sql, bind);
  };
  try {
    await work();
    return seen;
  } finally {
    db.select = select;
    db.run = run;
  }
}

for (const kind of DATABASE_KINDS) {
  describe(`token and grant read together on ${kind.label}`, function () {
    this.timeout(60_000);
    let spec: SpecDatabase;
    let cas: CasStandIn;
    let bridge: TestBridge;
    let target: Target;

    const userinfoStatus = async (tokens: LoginResult): Promise<number> =>
      (await got(target.endpoints.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.accessToken}` }, throwHttpErrors: false })).statusCode;
    const refreshResponse = async (tokens: LoginResult): Promise<{ status: number; error?: string }> => {
      const response = await got.post(target.endpoints.token_endpoint, {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '', client_id: 'rp', client_secret: SECRET },
        throwHttpErrors: false,
      });
      return { status: response.statusCode, error: (JSON.parse(response.body) as { error?: string }).error };
    };
    // every grant removed, as an administrator's revocation or another node's logout removes one
    const removeGrants = (): Promise<number> => bridge.services.db.run('DELETE FROM oidc_records WHERE model = $1', ['Grant']);

    before(async function () {
      checkDatabaseKind(kind, this);
      spec = await kind.create();
      cas = await startCasStandIn();
      bridge = await startTestBridge({
        CAS_LOGIN_URL: `${cas.baseUrl}/login`,
        CAS_VALIDATE_URL: `${cas.baseUrl}/p3/serviceValidate`,
        CAS_LOGOUT_URL: '',
        CLIENTS: JSON.stringify([{ client_id: 'rp', client_secret: SECRET, redirect_uris: [REDIRECT_URI], scope: ['openid'] }]),
        ...(spec.url ? { DATABASE_URL: spec.url } : { DATABASE_PATH: spec.path }),
        LOG_LEVEL: 'warn',
      });
      target = { issuer: bridge.issuer, endpoints: await discover(bridge.issuer), clientId: 'rp', clientSecret: SECRET, redirectUri: REDIRECT_URI };
    });
    after(async () => {
      await bridge?.stop();
      await cas?.close();
      await spec?.drop();
    });

    it('a code exchange reads the code with its grant, a login\'s resume reads no account, /userinfo takes one statement and a refresh two', async () => {
      let tokens: LoginResult | undefined;
      const loginStatements = await statementsOf(bridge.services.db, async () => { tokens = await login(target); });
      // the code at the token endpoint, the access token at /userinfo: each with its grant
      expect(loginStatements.filter((sql) => sql.includes('LEFT JOIN oidc_records g')), loginStatements.join('\n')).to.have.length(2);
      // the resume takes the account its CAS return saved from the interaction's result
      expect(loginStatements.filter((sql) => /FROM bridge_accounts/.test(sql)), loginStatements.join('\n')).to.have.length(0);
      expect(loginStatements.filter((sql) => /INTO bridge_accounts/.test(sql))).to.have.length(1);
      const userinfo = await statementsOf(bridge.services.db, async () => expect(await userinfoStatus(tokens!)).to.equal(200));
      expect(userinfo, userinfo.join('\n')).to.have.length(1);
      expect(userinfo[0]).to.match(/LEFT JOIN oidc_records g/);
      const refresh = await statementsOf(bridge.services.db, async () => expect((await refreshResponse(tokens!)).status).to.equal(200));
      // the refresh token with its grant, then the new access token
      expect(refresh, refresh.join('\n')).to.have.length(2);
    });

    it('never serves an account from an earlier request: claims saved since (another node\'s login) show at once', async () => {
      const tokens = await login(target);
      const claims = async (): Promise<Record<string, unknown>> =>
        JSON.parse((await got(target.endpoints.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).body) as Record<string, unknown>;
      const sub = String((await claims()).sub);
      // what a CAS login on another node does to the shared row
      await bridge.services.db.run('UPDATE bridge_accounts SET claims = $1 WHERE sub = $2', [JSON.stringify({ sub, name: 'Changed Elsewhere' }), sub]);
      expect((await claims()).name).to.equal('Changed Elsewhere');
    });

    it('never serves a grant revoked after an earlier request read it with its token', async () => {
      const tokens = await login(target);
      expect(await userinfoStatus(tokens)).to.equal(200);
      expect((await refreshResponse(tokens)).status).to.equal(200);
      expect(await removeGrants()).to.be.greaterThan(0);
      expect(await userinfoStatus(tokens), '/userinfo after the grant is gone').to.equal(401);
      expect(await refreshResponse(tokens), 'refresh after the grant is gone').to.deep.equal({ status: 400, error: 'invalid_grant' });
    });
  });
}
