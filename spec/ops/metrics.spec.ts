// /metrics on its own listener: logins by outcome, CAS validation latency, token grants by type,
// back-channel logouts, database latency and process metrics; nothing when METRICS_PORT is unset.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { ConfigError, loadConfig } from '../../lib/config/index.js';
import { CLIENT_SECRET, startTestBridge, TEST_SECRET, type TestBridge } from '../support/bridge.js';
import { freePort } from '../support/net.js';
import { authorizationRequest, loginThroughCas, redeem, relyingParty, replayTicketInNewLogin } from '../support/rp.js';

const REDIRECT = 'http://127.0.0.1:9/cb';

/** `name{labels} value` lines of a Prometheus text exposition. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : undefined;
}

describe('metrics', () => {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'pw', attributes: {} } } }).listen();
  });
  after(async () => {
    await cas?.close();
  });

  describe('with METRICS_PORT', () => {
    let bridge: TestBridge;
    let metricsPort: number;
    before(async () => {
      metricsPort = await freePort();
      bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT], METRICS_PORT: metricsPort });
    });
    after(async () => {
      await bridge?.stop();
    });

    it('counts logins, CAS latency, grants, back-channel logouts and database time', async () => {
      const rp = await relyingParty(bridge.issuer, 'rp', CLIENT_SECRET, REDIRECT);
      const browser = new TestBrowser();
      const request = await authorizationRequest(rp, { scope: 'openid offline_access' });
      const back = await loginThroughCas(browser, rp, request, 'alice', 'pw');
      const tokens = await redeem(rp, request, back.location!);
      await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
      const code = new URL(back.location!).searchParams.get('code')!;
      const reuse = await fetch(`${bridge.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: request.verifier, client_id: 'rp', client_secret: CLIENT_SECRET }),
      });
      expect(reuse.status).to.equal(400);
      // a reused ticket: CAS refuses it
      const withTicket = browser.history.find((h) => h.location?.includes('ticket='))!;
      await replayTicketInNewLogin(rp, new URL(withTicket.location!).searchParams.get('ticket')!);
      // the bridge's provider reports back-channel logouts through its events
      const provider = bridge.holder.current;
      provider.emit('backchannel.success', {}, { clientId: 'rp' }, 'alice', 'sid');
      provider.emit('backchannel.error', {}, new Error('connect ECONNREFUSED'), { clientId: 'rp' }, 'alice', 'sid');

      expect(bridge.metricsUrl).to.equal(`http://127.0.0.1:${metricsPort}/metrics`);
      const res = await fetch(bridge.metricsUrl!);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(sample(text, 'cas_oidc_bridge_logins_total', 'outcome="success"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_logins_total', 'outcome="cas_failure"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_cas_validation_duration_seconds_count', 'result="success"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_cas_validation_duration_seconds_count', 'result="failure"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_cas_validation_duration_seconds_sum', 'result="success"')).to.be.greaterThan(0);
      expect(sample(text, 'cas_oidc_bridge_token_grants_total', 'grant_type="authorization_code",outcome="success"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_token_grants_total', 'grant_type="refresh_token",outcome="success"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_token_grants_total', 'grant_type="authorization_code",outcome="error"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_backchannel_logouts_total', 'outcome="success"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_backchannel_logouts_total', 'outcome="error"')).to.equal(1);
      expect(sample(text, 'cas_oidc_bridge_db_query_duration_seconds_count', 'operation="select"')).to.be.greaterThan(5);
      expect(sample(text, 'cas_oidc_bridge_db_query_duration_seconds_count', 'operation="write"')).to.be.greaterThan(5);
      expect(sample(text, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);
      expect(text).to.contain('nodejs_eventloop_lag_seconds');
      expect(text).not.to.contain(code);
    });

    it('serves metrics only on their own listener', async () => {
      expect((await fetch(`${bridge.issuer}/metrics`)).status).not.to.equal(200);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).to.equal(404);
    });

    it('refuses METRICS_PORT equal to PORT, and warns about a public METRICS_HOST', () => {
      const base = { ISSUER: 'http://127.0.0.1:4000', PORT: 4000, CAS_LOGIN_URL: `${cas.url}/login`, SECRET_KEY: TEST_SECRET, COOKIE_SECURE: false, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] };
      expect(() => loadConfig({ env: {}, overrides: { ...base, METRICS_PORT: 4000 } })).to.throw(ConfigError, "METRICS_PORT: 4000 is the bridge's own port");
      const config = loadConfig({ env: {}, overrides: { ...base, METRICS_PORT: 4001, METRICS_HOST: '0.0.0.0' } });
      expect(config.metrics).to.deep.equal({ port: 4001, host: '0.0.0.0' });
      expect(config.warnings.some((w) => w.startsWith('METRICS_HOST=0.0.0.0 is not a loopback address'))).to.equal(true);
    });
  });

  it('are off without METRICS_PORT', async () => {
    const bridge = await startTestBridge({ CAS_LOGIN_URL: `${cas.url}/login`, CLIENT_ID: 'rp', CLIENT_SECRET, REDIRECT_URI_ALLOWLIST: [REDIRECT] });
    try {
      expect(bridge.metricsUrl).to.equal(undefined);
      expect(bridge.services.metrics.enabled).to.equal(false);
      expect(await bridge.services.metrics.exposition()).to.equal(undefined);
      expect(bridge.logs.some((l) => l.event === 'metrics_listening')).to.equal(false);
    } finally {
      await bridge.stop();
    }
  });
});
