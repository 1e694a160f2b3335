// A real Keycloak brokers the bridge as an "OpenID Connect v1.0" identity provider, added from the
// bridge's discovery URL with the README's settings; Chromium logs in to an application of the realm
// through Keycloak, the bridge and the real CAS login form, with each client authentication method.
import { expect } from 'chai';
import { CAS_GROUPS_ATTRIBUTE, type KeycloakClientAuth } from '../support/keycloak-recipe.js';
import { inBrowser, keycloakScenario, type KeycloakScenario } from '../support/keycloak-scenario.js';

/**
 * How Keycloak authenticated at the bridge's token endpoint, request by request; for HTTP Basic,
 * whether it form-encoded the credentials first (26.4.2 and later do; before: keycloak#43022).
 */
function tokenRequestAuth(scenario: KeycloakScenario): string[] {
  const seen: string[] = [];
  scenario.bridge.server.on('request', (req) => {
    if (req.method !== 'POST' || req.url !== '/token') return;
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!basic) seen.push('in the body');
    else seen.push(Buffer.from(basic, 'base64').toString('utf8').includes('%7E') ? 'client_secret_basic, form-encoded' : 'client_secret_basic, raw');
  });
  return seen;
}

/** Keycloak versions from 26.4.2 on form-encode HTTP Basic credentials. */
const encodesBasicCredentials = (version: string): boolean => {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return major > 26 || (major === 26 && (minor > 4 || (minor === 4 && patch >= 2)));
};

for (const clientAuth of ['client_secret_post', 'client_secret_basic', 'private_key_jwt'] as const satisfies readonly KeycloakClientAuth[]) {
  describe(`real Keycloak: import from URL and login (${clientAuth})`, function () {
    this.timeout(120_000);
    const scenario = keycloakScenario(this, { clientAuth });

    it('imports the bridge\'s endpoints from its discovery URL and keeps the README\'s settings', async () => {
      const { keycloak, bridge, realm, alias } = scenario();
      const idp = await keycloak.admin.identityProvider(realm, alias);
      expect(idp.config).to.include({
        issuer: bridge.issuer,
        authorizationUrl: `${bridge.issuer}/authorize`,
        tokenUrl: `${bridge.issuer}/token`,
        userInfoUrl: `${bridge.issuer}/userinfo`,
        jwksUrl: `${bridge.issuer}/jwks`,
        logoutUrl: `${bridge.issuer}/session/end`,
        validateSignature: 'true',
        useJwksUrl: 'true',
        clientId: 'keycloak',
        clientAuthMethod: clientAuth,
        pkceEnabled: 'true',
        pkceMethod: 'S256',
        defaultScope: 'openid profile email groups',
        syncMode: 'FORCE',
      });
      expect(idp.trustEmail).to.equal(true);
      // "Backchannel logout" stays off (the README says so), "Send 'id_token_hint'" stays on
      expect(idp.config.backchannelSupported ?? 'false').to.equal('false');
      expect(idp.config.sendIdTokenOnLogout ?? 'true').to.equal('true');
    });

    it('logs in through the CAS form with no Keycloak page on the way; the tokens carry what CAS released', async () => {
      const s = scenario();
      const auth = tokenRequestAuth(s);
      await inBrowser(async (session) => {
        const login = await s.login(session, 'alice');
        expect(login.casForm, 'CAS asked for the password').to.equal(true);
        expect(login.shown.filter((u) => u.startsWith(s.keycloak.url)), 'pages Keycloak showed (error, review profile)').to.deep.equal([]);
        expect(login.shown.at(-1)).to.match(new RegExp(`^${s.app.redirectUri}\\?`));
        for (const claims of [login.idClaims, login.accessClaims]) {
          expect(claims).to.include({
            iss: s.realmUrl, preferred_username: 'alice', email: 'alice@example.org', email_verified: true,
            given_name: 'Alice', family_name: 'Example', name: 'Alice Example',
          });
          expect(claims.groups).to.have.members(['staff', 'admins']);
        }
        // the secret has a '~', which form-encoding turns into %7E: the bridge reads it both ways
        // (a private_key_jwt client has no secret at the bridge: only Keycloak's signed assertion logs in)
        const expected = clientAuth !== 'client_secret_basic' ? 'in the body'
          : `${clientAuth}, ${encodesBasicCredentials(s.keycloak.version) ? 'form-encoded' : 'raw'}`;
        expect(auth, `Keycloak ${s.keycloak.version}'s token requests at the bridge`).to.deep.equal([expected]);

        const user = await s.keycloak.admin.userByUsername(s.realm, 'alice');
        expect(user).to.include({ firstName: 'Alice', lastName: 'Example', email: 'alice@example.org', emailVerified: true });
        expect(user?.requiredActions).to.deep.equal([]);
        expect((user?.attributes as Record<string, string[]>)[CAS_GROUPS_ATTRIBUTE]).to.have.members(['staff', 'admins']);
        expect((await s.keycloak.admin.userGroups(s.realm, user?.id ?? '')).map((g) => g.path)).to.deep.equal(['/staff']);
        // (the real CAS's own page refers to jQuery, which the spec CAS does not load)
        expect(session.problems.filter((p) => !p.startsWith(s.cas.url))).to.deep.equal([]);
      });
    });

    if (clientAuth === 'client_secret_post') it('carries a non-ASCII name (张伟) through to Keycloak\'s tokens', async () => {
      const s = scenario();
      await inBrowser(async (session) => {
        const login = await s.login(session, 'wei');
        expect(login.shown.filter((u) => u.startsWith(s.keycloak.url))).to.deep.equal([]);
        expect(login.idClaims).to.include({
          preferred_username: 'wei', email: 'zhang.wei@example.org', given_name: '伟', family_name: '张',
      });
      expect(login.idClaims.groups).to.deep.equal(['staff']);
      const user = await s.keycloak.admin.userByUsername(s.realm, 'wei');
      expect(user).to.include({ firstName: '伟', lastName: '张' });
      });
    });
  });
}
