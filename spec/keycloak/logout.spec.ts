// Logout with a real Keycloak in front of the bridge: the application's logout at Keycloak passes
// through the bridge's end-session endpoint and CAS's logout and comes back to the application; a
// logout at CAS reaches Keycloak through the bridge's back-channel logout.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { until } from '../support/verifying-client.js';
import { inBrowser, keycloakScenario, type KeycloakScenario } from '../support/keycloak-scenario.js';

async function userSessionIds(s: KeycloakScenario, username: string): Promise<string[]> {
  const user = await s.keycloak.admin.userByUsername(s.realm, username);
  if (!user) throw new Error(`Keycloak has no user ${username}`);
  return (await s.keycloak.admin.userSessions(s.realm, user.id)).map((session) => String(session.id));
}


describe('real Keycloak: logout', function () {
  this.timeout(180_000);
  const scenario = keycloakScenario(this);

  it('logout from the application passes through the bridge and CAS and returns to the application; a new login asks CAS for the password', async () => {
    const s = scenario();
    await inBrowser(async (session) => {
      const { page } = session;
      const login = await s.login(session, 'alice');
      expect(login.casForm).to.equal(true);
      expect(await userSessionIds(s, 'alice')).to.deep.equal([String(login.idClaims.sid)]);

      const state = 'app-logout-state';
      const endSession = oidc.buildEndSessionUrl(s.app.config, {
        id_token_hint: login.tokens.id_token ?? '', post_logout_redirect_uri: s.app.postLogoutRedirectUri, state,
    });
    const { visited, shown } = await s.track(session, async () => {
      await page.goto(endSession.href);
      await page.waitForURL((u) => u.href.startsWith(s.app.postLogoutRedirectUri), { timeout: 60_000 });
    });
    await session.screenshot('keycloak-logout-done');
    expect(new URL(page.url()).searchParams.get('state')).to.equal(state);
    const passed = (prefix: string): number => visited.findIndex((u) => u.startsWith(prefix));
    const steps = [
      passed(`${s.realmUrl}/protocol/openid-connect/logout`),
      passed(`${s.bridge.issuer}/session/end`),
      passed(`${s.cas.url}/logout?service=`),
      passed(`${s.bridge.issuer}/callback`),
      passed(`${s.realmUrl}/broker/${s.alias}/endpoint/logout_response`),
      passed(s.app.postLogoutRedirectUri),
    ];
    expect(steps.every((i) => i >= 0), visited.join('\n')).to.equal(true);
    expect([...steps].sort((a, b) => a - b), `in this order:\n${visited.join('\n')}`).to.deep.equal(steps);
    expect(shown.filter((u) => u.startsWith(s.keycloak.url)), 'pages Keycloak showed').to.deep.equal([]);
    // no logout token to Keycloak in the middle of its own logout (it would end the session the
    // browser is coming back to, keycloak#45536)
    expect(s.bridge.logs.filter((l) => l.event === 'backchannel_logout' && l.client === 'keycloak').map((l) => l.outcome))
      .to.include('skipped').and.not.include('delivered');

    expect(await userSessionIds(s, 'alice'), 'Keycloak sessions').to.deep.equal([]);
    const again = await s.login(session, 'alice');
    expect(again.casForm, 'bridge and CAS sessions are gone: CAS asks for the password').to.equal(true);
    expect(again.shown.filter((u) => u.startsWith(s.keycloak.url))).to.deep.equal([]);
    });
  });

  it('logout at CAS reaches Keycloak through the bridge\'s back-channel logout: that login\'s Keycloak session ends', async () => {
    const s = scenario();
    await inBrowser(async (session) => {
      const login = await s.login(session, 'alice');
      const keycloakSession = String(login.idClaims.sid);
      expect(await userSessionIds(s, 'alice')).to.include(keycloakSession);
      const mark = s.bridge.logs.length;

      await session.page.goto(`${s.cas.url}/logout`);
      await until('the bridge ends the session for the CAS logout request', async () => s.bridge.logs.slice(mark)
        .some((l) => l.event === 'backchannel_logout' && l.reason === 'cas_single_logout' && l.client === 'keycloak'));
      const delivery = s.bridge.logs.slice(mark).find((l) => l.event === 'backchannel_logout' && l.client === 'keycloak');
      expect(delivery?.outcome, JSON.stringify(delivery)).to.equal('delivered');
      // Keycloak matches the logout token's sid with the session_state of the bridge's token response
      await until('Keycloak ends the session of that login', async () => !(await userSessionIds(s, 'alice')).includes(keycloakSession));

      // the application's Keycloak session is gone: a new login goes to CAS, which asks for the password
      const again = await s.login(session, 'alice');
      expect(again.casForm).to.equal(true);
    });
  });
});
