// Headers on every answer, pages oidc-provider renders itself included: nosniff, no framing, a
// Content-Security-Policy, and Strict-Transport-Security on requests that arrived over https.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';
import { authorizationRequest, relyingParty } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/rp/callback';

describe('security headers', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();
    bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
  });

  it('Strict-Transport-Security only on requests that arrived over https (X-Forwarded-Proto from the trusted proxy)', async () => {
    const secure = await fetch(`${bridge.issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers.get('strict-transport-security')).to.equal('max-age=31536000');
    const plain = await fetch(`${bridge.issuer}/.well-known/openid-configuration`);
    expect(plain.headers.get('strict-transport-security')).to.equal(null);
    for (const res of [secure, plain]) {
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
    }
  });

  it('oidc-provider\'s own form_post page carries the CSP (with its script\'s hash), nosniff and no framing', async () => {
    const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
    const request = await authorizationRequest(rp, { response_mode: 'form_post' });
    const browser = new TestBrowser();
    const form = await browser.follow(request.url);
    const page = await browser.submitForm(form, { username: 'alice', password: 'pw' });
    expect(page.status).to.equal(200);
    expect(page.body).to.include('<form method="post" action="http://127.0.0.1:9/rp/callback">');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'").and.include("frame-ancestors 'none'");
    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)?.[1] ?? '';
    expect(csp).to.include(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
  });

  it('the bridge\'s own pages keep their stricter nonce-based policy', async () => {
    const page = await new TestBrowser().follow(`${bridge.issuer}/callback`);
    expect(page.status).to.equal(400);
    expect(page.headers.get('content-security-policy')).to.match(/script-src 'nonce-/);
  });
});
