// A third-party relying party, Apache's mod_auth_openidc, logs a user in through the bridge:
// discovery, PKCE S256, client_secret_post and client_secret_basic, ID token validation against
// the JWKS, userinfo.
import { expect } from 'chai';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { apacheUnavailable, startApacheRp, type ApacheRp } from '../support/apache-rp.js';

for (const auth of ['client_secret_post', 'client_secret_basic'] as const) {
  describe(`mod_auth_openidc as relying party (${auth})`, function () {
    let cas: Awaited<ReturnType<MiniCas['listen']>>;
    let bridge: TestBridge;
    let apache: ApacheRp;

    before(async function () {
      this.timeout(60_000);
      const missing = apacheUnavailable();
      if (missing) {
        if (process.env.CI === 'true') throw new Error(`mod_auth_openidc required on CI: ${missing}`);
        process.stderr.write(`      [skipped: ${missing}]\n`);
        this.skip();
      }
      cas = await new MiniCas({
        users: { alice: { password: 'alice-pass', attributes: { mail: 'alice@example.org', displayName: 'Alice Example', memberOf: ['staff', 'admins'] } } },
      }).listen();
      const port = await freePort();
      bridge = await startTestBridge({
        CAS_LOGIN_URL: `${cas.url}/login`,
        CLIENT_ID: 'apache',
        CLIENT_SECRET,
        REDIRECT_URI_ALLOWLIST: [`http://127.0.0.1:${port}/protected/redirect_uri`],
      });
      apache = await startApacheRp({ issuer: bridge.issuer, clientId: 'apache', clientSecret: CLIENT_SECRET, auth, port });
    });
    after(async () => {
      await apache?.stop();
      await bridge?.stop();
      await cas?.close();
    });

    it('logs alice in and hands her claims to the application', async () => {
      const browser = new TestBrowser();
      const form = await browser.follow(`${apache.url}/protected/`);
      expect(form.url, `${form.status} ${form.body.slice(0, 300)} ${apache.errorLog()}`).to.match(/\/cas\/login\?service=/);
      const page = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' });
      expect(page.status, `${page.url}\n${page.body.slice(0, 500)}\n${apache.errorLog()}`).to.equal(200);
      expect(page.url).to.equal(`${apache.url}/protected/`);
      expect(page.body).to.include('protected content');
      expect(page.headers.get('x-claim-sub')).to.equal('alice');
      expect(page.headers.get('x-claim-email')).to.equal('alice@example.org');
      expect(page.headers.get('x-claim-name')).to.equal('Alice Example');
      expect(page.headers.get('x-claim-groups')).to.equal('staff,admins');
    });
  });
}
