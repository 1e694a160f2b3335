// What people see when the setup is wrong, with a real Keycloak in front of the bridge: each case
// ends on a page that says what happened, never on a hang or a server error.
import { expect } from 'chai';
import { inBrowser, keycloakScenario } from '../support/keycloak-scenario.js';

describe('real Keycloak: what people see when something is wrong', function () {
  this.timeout(120_000);
  const scenario = keycloakScenario(this, {
    clientSettings: { access: { name: 'people in a directory group', any: [{ attribute: 'memberOf', present: true }] } },
  });

  it('PKCE method plain (the console\'s proposal): the bridge\'s page tells the admin to choose S256; going back gives Keycloak invalid_request', async () => {
    const s = scenario();
    await s.keycloak.admin.changeIdentityProviderConfig(s.realm, s.alias, { pkceMethod: 'plain' });
    try {
      await inBrowser(async (session) => {
        const { page } = session;
        const logMark = s.bridge.logs.length;
        const { result: response, shown } = await s.track(session, () => page.goto(s.authorizationUrl()));
        expect(response?.status()).to.equal(400);
        expect(page.url()).to.match(new RegExp(`^${s.bridge.issuer}/authorize\\?`));
        expect(new URL(page.url()).searchParams.get('code_challenge_method')).to.equal('plain');
        expect(shown.filter((u) => u.startsWith(s.keycloak.url)), 'Keycloak showed no page of its own first').to.deep.equal([]);
        const text = await page.innerText('body');
        expect(text).to.include('Keycloak asked for a sign-in with the PKCE method “plain”');
        expect(text).to.include('PKCE Method → S256');
        await session.screenshot('keycloak-pkce-plain');
        expect(s.bridge.logs.slice(logMark).filter((l) => l.event === 'pkce_method_refused')).to.have.length(1);

        const back = page.getByRole('link', { name: 'Back to Keycloak' });
        const href = new URL(await back.getAttribute('href') ?? '');
        expect(`${href.origin}${href.pathname}`).to.equal(`${s.realmUrl}/broker/${s.alias}/endpoint`);
        expect(href.searchParams.get('error')).to.equal('invalid_request');
        expect(href.searchParams.get('error_description')).to.match(/S256/);
        expect(href.searchParams.get('state'), 'Keycloak\'s state comes back').to.be.a('string').and.not.equal('');

        const [answer] = await Promise.all([page.waitForResponse((r) => r.url().startsWith(`${href.origin}${href.pathname}`)), back.click()]);
        await page.waitForLoadState('load');
        expect(answer.status(), 'Keycloak answers the error without a server error').to.be.below(500);
        await session.screenshot('keycloak-pkce-plain-back');
        expect(await page.innerText('body')).to.include('Unexpected error when authenticating with identity provider');
      });
    } finally {
      await s.keycloak.admin.changeIdentityProviderConfig(s.realm, s.alias, { pkceMethod: 'S256' });
    }
  });

  it('"Scopes" left at openid: no e-mail or names reach Keycloak, which asks the person for them (Update Account Information)', async () => {
    const s = scenario();
    await s.keycloak.admin.changeIdentityProviderConfig(s.realm, s.alias, { defaultScope: 'openid' });
    try {
      await inBrowser(async (session) => {
        const { page } = session;
        await page.goto(s.authorizationUrl());
        await page.fill('input[name=username]', 'zhang');
        await page.fill('input[name=password]', 'zhang-pass');
        await Promise.all([page.waitForURL((u) => u.href.startsWith(s.keycloak.url), { timeout: 60_000 }), page.click('[type=submit]')]);
        await session.screenshot('keycloak-review-profile');
        expect(page.url()).to.include('/login-actions/first-broker-login');
        expect(await page.innerText('body')).to.include('Update Account Information');
        expect(await page.inputValue('input[name=email]')).to.equal('');
      });
    } finally {
      await s.keycloak.admin.changeIdentityProviderConfig(s.realm, s.alias, { defaultScope: 'openid profile email groups' });
    }
  });

  it('a person the bridge\'s access rule refuses sees the bridge\'s page; going back, Keycloak treats it as a cancelled login', async () => {
    const s = scenario();
    await inBrowser(async (session) => {
      const { page } = session;
      await page.goto(s.authorizationUrl());
      await page.fill('input[name=username]', 'carol');
      await page.fill('input[name=password]', 'carol-pass');
      await Promise.all([page.waitForURL((u) => u.href.startsWith(s.bridge.issuer), { timeout: 60_000 }), page.click('[type=submit]')]);
      await session.screenshot('keycloak-access-denied');
      expect(await page.innerText('body')).to.include('Your account is not allowed to use Keycloak');

      const { shown } = await s.track(session, async () => {
        await page.getByRole('link', { name: 'Back to Keycloak' }).click();
        await page.waitForURL((u) => u.href.startsWith(s.keycloak.url) || u.href.startsWith(s.app.origin), { timeout: 30_000 });
        await page.waitForLoadState('load');
      });
      await session.screenshot('keycloak-access-denied-back');
      expect(shown.length, 'a page, no hang').to.be.greaterThan(0);
      // Keycloak's login page, with its message for a cancelled broker login (CAS is the display name)
      expect(await page.innerText('body')).to.include('Access denied when authenticating with CAS');
      expect(await s.keycloak.admin.userByUsername(s.realm, 'carol'), 'no Keycloak user for a refused person').to.equal(undefined);
    });
  });
});
