// Keycloak's console proposes PKCE method `plain`, which the bridge refuses. With the identity
// provider set so, the person sees the bridge's page naming the fix (S256), and its way back hands
// Keycloak a proper OAuth error: no hang, no server error.
import { expect } from 'chai';
import { inBrowser, keycloakScenario } from '../support/keycloak-scenario.js';

describe('real Keycloak: identity provider with PKCE method plain', function () {
  this.timeout(120_000);
  const scenario = keycloakScenario(this, { pkceMethod: 'plain' });

  it('shows the bridge\'s page telling the admin to choose S256; going back gives Keycloak invalid_request', async () => {
    const s = scenario();
    await inBrowser(async (session) => {
      const { page } = session;
      const logMark = s.bridge.logs.length;
      const { result: response, shown } = await s.track(session, () => page.goto(s.authorizationUrl()));
      expect(response?.status()).to.equal(400);
      expect(page.url()).to.match(new RegExp(`^${s.bridge.issuer}/authorize\\?`));
      expect(new URL(page.url()).searchParams.get('code_challenge_method')).to.equal('plain');
      expect(shown.filter((u) => u.startsWith(s.keycloak.url)), 'Keycloak showed no page of its own first').to.deep.equal([]);
      const text = await page.innerText('body');
      expect(text).to.include('PKCE method “plain”');
      expect(text).to.include('PKCE Method → S256');
      await session.screenshot('keycloak-pkce-plain');
      expect(s.bridge.logs.slice(logMark).filter((l) => l.event === 'pkce_method_refused')).to.have.length(1);

      const back = page.getByRole('link', { name: 'Back to Keycloak' });
      const href = new URL(await back.getAttribute('href') ?? '');
      expect(`${href.origin}${href.pathname}`).to.equal(`${s.realmUrl}/broker/${s.alias}/endpoint`);
      expect(href.searchParams.get('error')).to.equal('invalid_request');
      expect(href.searchParams.get('error_description')).to.match(/S256/);
      expect(href.searchParams.get('state'), 'Keycloak\'s state comes back').to.be.a('string').and.not.equal('');

      const [answer] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(href.href.split('?')[0] ?? '')), back.click()]);
      await page.waitForLoadState('load');
      expect(answer.status(), 'Keycloak answers the error without a server error').to.be.below(500);
      await session.screenshot('keycloak-pkce-plain-back');
      expect(await page.innerText('body')).to.match(/Unexpected error when authenticating with identity provider/);
    });
  });
});
