// Back-channel logout logs and metrics tell the truth (issue 17, section 2): the counter and the log
// lines are checked against what two real receiving clients got. RP-initiated logout: the client
// that asked is `skipped` (nothing is sent to it, nothing is counted as delivered), the other one
// `delivered`. CAS single logout: the same vocabulary, `failed` for a client that answers 500.
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { loginAt, startLogoutSetup, type LogoutSetup } from '../support/logout-setup.js';
import { freePort } from '../support/net.js';

const USERS = { alice: { password: 'alice-pass', attributes: {} } };

async function backchannelCounts(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^cas_oidc_bridge_backchannel_logouts_total\{outcome="(\w+)",reason="(\w+)"\} (\d+)$/.exec(line);
    if (m) counts[`${m[1]} ${m[2]}`] = Number(m[3]);
  }
  return counts;
}

describe('back-channel logout: logs and metrics match what the clients received', function () {
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let setup: LogoutSetup | undefined;

  before(async () => {
    cas = await new MiniCas({ users: USERS }).listen();
  });
  after(async () => {
    await setup?.stop();
    await cas?.close();
  });

  it('RP-initiated logout: skipped for the requesting client, delivered to the other; CAS logout: delivered and failed', async () => {
    setup = await startLogoutSetup(`${cas.url}/login`, { METRICS_PORT: await freePort() });
    const { bridge, apps } = setup;
    const lines = () => bridge.logs.filter((l) => l.event === 'backchannel_logout').map((l) => `${String(l.client)} ${String(l.outcome)} ${String(l.reason)}`);

    // 1. RP-initiated logout from A, with an id_token_hint: no click
    const first = new TestBrowser();
    const atA = await loginAt(first, apps.a, 'alice', 'alice-pass');
    await loginAt(first, apps.b, 'alice', 'alice-pass');
    const atPostLogout = (l: string) => l.startsWith(apps.a.postLogoutUri);
    const page = await first.follow(oidc.buildEndSessionUrl(apps.a.rp.config, { id_token_hint: atA.idToken, post_logout_redirect_uri: apps.a.postLogoutUri }).href, atPostLogout);
    await first.submitForm(page, {}, atPostLogout);

    expect(apps.a.backchannel.tokens, 'nothing sent to the client that asked').to.have.length(0);
    expect(apps.b.backchannel.tokens).to.have.length(1);
    expect(lines().sort()).to.deep.equal(['app-a skipped rp_logout', 'app-b delivered rp_logout']);
    expect(await backchannelCounts(bridge.metricsUrl!)).to.deep.equal({ 'delivered rp_logout': 1, 'skipped rp_logout': 1 });

    // 2. a new session at both; B's endpoint now fails; the person logs out at CAS
    const second = new TestBrowser();
    await loginAt(second, apps.a, 'alice', 'alice-pass');
    await loginAt(second, apps.b, 'alice', 'alice-pass');
    apps.b.backchannel.status = 500;
    await second.follow(`${cas.url}/logout`);

    expect(apps.a.backchannel.tokens).to.have.length(1);
    expect(apps.b.backchannel.tokens, 'received, but answered 500').to.have.length(2);
    expect(lines().slice(2).sort()).to.deep.equal(['app-a delivered cas_single_logout', 'app-b failed cas_single_logout']);
    const counts = await backchannelCounts(bridge.metricsUrl!);
    expect(counts).to.deep.equal({ 'delivered rp_logout': 1, 'skipped rp_logout': 1, 'delivered cas_single_logout': 1, 'failed cas_single_logout': 1 });
    // delivered = tokens the clients accepted (answered 200): B's first, A's second
    const accepted = apps.b.backchannel.tokens.length - 1 + apps.a.backchannel.tokens.length;
    expect((counts['delivered rp_logout'] ?? 0) + (counts['delivered cas_single_logout'] ?? 0)).to.equal(accepted);
    expect(bridge.logs.some((l) => l.event === 'backchannel_logout' && l.outcome === 'failed' && /500/.test(String(l.error)))).to.equal(true);
  });
});
