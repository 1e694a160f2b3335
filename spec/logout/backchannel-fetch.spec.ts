// oidc-provider's outgoing fetch: only the configured clients' back-channel logout URIs go without
// the SSRF-guarding dispatcher; every other request keeps it.
import { expect } from 'chai';
import { backchannelFetch } from '../../lib/logout/backchannel-fetch.js';
import type { ClientConfig } from '../../lib/config/index.js';

const client = (clientId: string, backchannelLogoutUri: string | undefined) => ({ clientId, backchannelLogoutUri }) as unknown as ClientConfig;

describe('back-channel logout fetch', () => {
  const calls: Array<{ url: string; init: RequestInit & { dispatcher?: unknown } }> = [];
  const base = async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    return new Response(null, { status: 200 });
  };
  const fetch = backchannelFetch(
    [client('kc', 'http://10.0.0.5:8080/realms/r/protocol/openid-connect/logout/backchannel-logout'), client('other', undefined)],
    base,
  );
  const guard = { guard: true };
  const init = (method: string) => ({ method, dispatcher: guard }) as unknown as RequestInit;
  beforeEach(() => { calls.length = 0; });

  it('lets a configured back-channel logout URI reach a private address', async () => {
    await fetch('http://10.0.0.5:8080/realms/r/protocol/openid-connect/logout/backchannel-logout', init('POST'));
    expect(calls).to.have.length(1);
    expect(calls[0]?.init).to.not.have.property('dispatcher');
    expect(calls[0]?.init.method).to.equal('POST');
  });

  it('keeps the guard for every other URL, and for other methods', async () => {
    for (const url of [
      'http://10.0.0.5:8080/realms/r/protocol/openid-connect/logout/backchannel-logout/x',
      'http://10.0.0.5:8080/realms/r/protocol/openid-connect/certs',
      'http://169.254.169.254/latest/meta-data',
    ]) await fetch(url, init('POST'));
    await fetch('http://10.0.0.5:8080/realms/r/protocol/openid-connect/logout/backchannel-logout', init('GET'));
    expect(calls).to.have.length(4);
    for (const call of calls) expect(call.init.dispatcher, call.url).to.equal(guard);
  });
});
