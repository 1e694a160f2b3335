// CAS proxy tickets for an application behind Keycloak: with the identity provider's "Store tokens",
// the application reads the bridge's access token from Keycloak's broker token endpoint, exchanges
// it at the bridge (RFC 8693, as the README shows) for a proxy ticket, and the real CAS validates
// that ticket for the back-end service.
import { expect } from 'chai';
import { parseValidationResponse } from '../../lib/cas/xml.js';
import { CAS_PROXY_TICKET_TYPE } from '../../lib/proxy/index.js';
import { inBrowser, KEYCLOAK_CLIENT_SECRET, keycloakScenario } from '../support/keycloak-scenario.js';
import { exchangeForProxyTicket } from '../support/token-exchange.js';

const BACKEND = 'http://127.0.0.1:9/backend/api';

describe('real Keycloak: CAS proxy tickets through Keycloak\'s stored tokens', function () {
  this.timeout(120_000);
  const scenario = keycloakScenario(this, { proxyTargets: [BACKEND] });

  it('the application gets the bridge\'s access token from Keycloak, exchanges it for a proxy ticket, and CAS validates it', async () => {
    const s = scenario();
    await inBrowser(async (session) => {
      const login = await s.login(session, 'alice');
      expect(login.shown.filter((u) => u.startsWith(s.keycloak.url))).to.deep.equal([]);

      const stored = await s.storedBridgeTokens(login.tokens.access_token);
      expect(stored.status, JSON.stringify(stored.body)).to.equal(200);
      expect(String(stored.body.scope).split(' ')).to.include('cas_proxy');
      const bridgeAccessToken = String(stored.body.access_token);

      const { status, body } = await exchangeForProxyTicket(s.bridge.issuer, 'keycloak', KEYCLOAK_CLIENT_SECRET, {
        subject_token: bridgeAccessToken, resource: BACKEND,
    });
    expect(status, JSON.stringify(body)).to.equal(200);
    expect(body).to.include({ issued_token_type: CAS_PROXY_TICKET_TYPE, token_type: 'N_A' });
    expect(body.access_token).to.be.a('string').and.match(/^PT-/);

    const validation = await fetch(`${s.cas.url}/p3/proxyValidate?${new URLSearchParams({ service: BACKEND, ticket: String(body.access_token) })}`);
    const xml = await validation.text();
    const result = parseValidationResponse(xml);
    expect(result.kind, xml).to.equal('success');
    if (result.kind !== 'success') return;
    expect(result.user).to.equal('alice');
    expect(result.proxies).to.deep.equal([s.cliEnv.CAS_PROXY_CALLBACK_URL]);

    // the application cannot use its own Keycloak token at the bridge
    const refused = await exchangeForProxyTicket(s.bridge.issuer, 'keycloak', KEYCLOAK_CLIENT_SECRET, {
      subject_token: login.tokens.access_token, resource: BACKEND,
    });
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.equal('invalid_grant');
    });
  });
});
