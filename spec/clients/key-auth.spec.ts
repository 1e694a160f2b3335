// Key-based client authentication (RFC 7523) with openid-client: private_key_jwt with the client's
// public keys inline or at a jwks_uri (on loopback here: configured jwks_uris are fetched without
// oidc-provider's private-address guard, as Keycloak's realm keys often live on a private network),
// and client_secret_jwt. A client assertion shaped exactly as Keycloak's broker sends it
// (AbstractOAuth2IdentityProvider: typ JWT, iss = sub = client id, aud = the token endpoint URL,
// RS256 with the realm key's kid) is accepted; replays, other keys and other methods are refused.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { MiniCas } from '../../lib/demo/mini-cas.js';
import { TestBrowser } from '../support/browser.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from '../support/bridge.js';

const REDIRECT = 'http://127.0.0.1:9/kc/broker/cas/endpoint';
const HMAC_SECRET = 'hmac-client-secret-0123456789-abcdefghijklmnopqrstuv';

describe('key-based client authentication (private_key_jwt, client_secret_jwt) with openid-client', function () {
  this.timeout(60_000);
  let cas: Awaited<ReturnType<MiniCas['listen']>>;
  let bridge: TestBridge;
  let certs: Server;
  let certsUrl: string;
  let certsRequests = 0;
  let inlineKey: CryptoKey;
  let realmKey: CryptoKey;
  const REALM_KID = 'realm-rs256';

  before(async () => {
    cas = await new MiniCas({ users: { alice: { password: 'alice-pass', attributes: { email: 'alice@example.org' } } } }).listen();
    const inline = await generateKeyPair('ES256', { extractable: true });
    inlineKey = inline.privateKey;
    const realm = await generateKeyPair('RS256', { extractable: true });
    realmKey = realm.privateKey;
    // a Keycloak-like realm JWKS: the signing key, and an encryption key that is not for this
    const encryption = await generateKeyPair('RSA-OAEP', { extractable: true });
    const realmJwks = { keys: [
      { ...await exportJWK(realm.publicKey), kid: REALM_KID, use: 'sig', alg: 'RS256' },
      { ...await exportJWK(encryption.publicKey), kid: 'realm-enc', use: 'enc', alg: 'RSA-OAEP' },
    ] };
    certs = createServer((_req, res) => {
      certsRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(realmJwks));
    });
    await new Promise<void>((resolve) => certs.listen(0, '127.0.0.1', resolve));
    certsUrl = `http://127.0.0.1:${(certs.address() as AddressInfo).port}/realms/example/protocol/openid-connect/certs`;
    bridge = await startTestBridge({
      CAS_LOGIN_URL: `${cas.url}/login`,
      CLIENTS: [
        { client_id: 'kc-inline', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...await exportJWK(inline.publicKey), kid: 'app-key-1' }] }, redirect_uris: [REDIRECT] },
        { client_id: 'kc-realm', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: certsUrl, redirect_uris: [REDIRECT] },
        { client_id: 'hmac', token_endpoint_auth_method: 'client_secret_jwt', client_secret: HMAC_SECRET, redirect_uris: [REDIRECT] },
        { client_id: 'plain', client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT] },
      ],
    });
  });
  after(async () => {
    await bridge?.stop();
    await cas?.close();
    certs?.close();
  });

  const discover = (clientId: string, auth: oidc.ClientAuth, secret?: string) =>
    oidc.discovery(new URL(bridge.issuer), clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });

  /** A code for the client, through the in-process CAS (confidential clients are first-party: no consent page). */
  async function code(config: oidc.Configuration) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid email offline_access', state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const form = await browser.follow(url.href, (l) => l.startsWith(REDIRECT));
    const back = await browser.submitForm(form, { username: 'alice', password: 'alice-pass' }, (l) => l.startsWith(REDIRECT));
    expect(back.location, `${back.url} ${back.status}`).to.match(/\?code=/);
    return { callback: new URL(back.location!), verifier, state };
  }

  async function fullLogin(config: oidc.Configuration): Promise<void> {
    const { callback, verifier, state } = await code(config);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.sub).to.equal('alice');
    expect((await oidc.fetchUserInfo(config, tokens.access_token, 'alice')).email).to.equal('alice@example.org');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).to.be.a('string');
  }

  it('discovery lists the methods', async () => {
    const meta = await (await fetch(`${bridge.issuer}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
    expect(meta.token_endpoint_auth_methods_supported).to.include.members(['private_key_jwt', 'client_secret_jwt', 'none', 'client_secret_post', 'client_secret_basic']);
    expect(meta.token_endpoint_auth_signing_alg_values_supported).to.include.members(['RS256', 'ES256', 'HS256']);
  });

  it('private_key_jwt with an inline JWKS: code, userinfo and refresh', async () => {
    await fullLogin(await discover('kc-inline', oidc.PrivateKeyJwt({ key: inlineKey, kid: 'app-key-1' })));
  });

  it('private_key_jwt with a jwks_uri on a loopback address: the keys are fetched and used', async () => {
    await fullLogin(await discover('kc-realm', oidc.PrivateKeyJwt({ key: realmKey, kid: REALM_KID })));
    expect(certsRequests).to.be.greaterThan(0);
  });

  it('client_secret_jwt: code, userinfo and refresh', async () => {
    await fullLogin(await discover('hmac', oidc.ClientSecretJwt(HMAC_SECRET), HMAC_SECRET));
  });

  describe('a client assertion as Keycloak\'s broker sends it', () => {
    const tokenEndpoint = () => `${bridge.issuer}/token`;
    const keycloakAssertion = (key: CryptoKey, overrides: { aud?: string; jti?: string; kid?: string } = {}) => new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: overrides.kid ?? REALM_KID })
      .setJti(overrides.jti ?? randomUUID())
      .setIssuer('kc-realm').setSubject('kc-realm')
      .setAudience(overrides.aud ?? tokenEndpoint())
      .setIssuedAt().setExpirationTime('60s')
      .sign(key);
    const redeem = async (assertion: string, extra: Record<string, string> = {}) => {
      const { callback, verifier } = await code(await discover('kc-realm', oidc.PrivateKeyJwt({ key: realmKey, kid: REALM_KID })));
      return fetch(tokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier,
          client_id: 'kc-realm', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...extra,
        }),
      });
    };

    it('is accepted (aud = the token endpoint URL), and refused when replayed', async () => {
      const assertion = await keycloakAssertion(realmKey);
      const first = await redeem(assertion);
      expect(first.status, await first.clone().text()).to.equal(200);
      expect(await first.json()).to.have.property('id_token');
      const replay = await redeem(assertion);
      expect(replay.status).to.equal(401);
      expect(await replay.json()).to.deep.include({ error: 'invalid_client' });
    });

    it('signed with another key or for another audience: 401 invalid_client; next to a client_secret: 400 invalid_request', async () => {
      const stranger = (await generateKeyPair('RS256')).privateKey;
      for (const [what, response, status, error] of [
        ['another key', await redeem(await keycloakAssertion(stranger)), 401, 'invalid_client'],
        ['another audience', await redeem(await keycloakAssertion(realmKey, { aud: 'https://elsewhere.example.edu/token' })), 401, 'invalid_client'],
        ['with a client_secret too', await redeem(await keycloakAssertion(realmKey), { client_secret: CLIENT_SECRET }), 400, 'invalid_request'],
      ] as const) {
        expect(response.status, what).to.be.oneOf([400, 401]);
        expect(response.status, what).to.equal(status);
        const body = await response.json() as { error: string };
        expect(body.error, what).to.be.oneOf(['invalid_client', 'invalid_request']);
        expect(body.error, what).to.equal(error);
      }
    });
  });

  it('each client authenticates only its own way: a secret for a private_key_jwt client, a wrong HMAC secret, an assertion for a secret client', async () => {
    const attempts: Array<[string, Promise<unknown>]> = [
      ['secret for private_key_jwt', discover('kc-inline', oidc.ClientSecretPost(CLIENT_SECRET), CLIENT_SECRET).then((c) => code(c).then((r) => oidc.authorizationCodeGrant(c, r.callback, { pkceCodeVerifier: r.verifier, expectedState: r.state })))],
      ['wrong HMAC secret', discover('hmac', oidc.ClientSecretJwt(`${HMAC_SECRET}-wrong`), HMAC_SECRET).then((c) => code(c).then((r) => oidc.authorizationCodeGrant(c, r.callback, { pkceCodeVerifier: r.verifier, expectedState: r.state })))],
      ['assertion for a secret client', discover('plain', oidc.ClientSecretJwt(CLIENT_SECRET), CLIENT_SECRET).then((c) => code(c).then((r) => oidc.authorizationCodeGrant(c, r.callback, { pkceCodeVerifier: r.verifier, expectedState: r.state })))],
    ];
    for (const [what, attempt] of attempts) {
      const err = await attempt.then(() => undefined, (e: unknown) => e);
      expect(err, what).to.be.instanceOf(oidc.ResponseBodyError);
      expect((err as oidc.ResponseBodyError).error, what).to.equal('invalid_client');
    }
  });
});
