// The config check for every kind of client: public (browser and native apps), key-based
// authentication, browser origins. Each mistake is one line naming the key to fix; the bridge
// refuses to start with any of them.
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { configOf, problemsOf, SECRET, CLIENT_SECRET } from '../config/support.js';

const BASE = { ISSUER: 'https://bridge.example.edu', CAS_LOGIN_URL: 'https://cas.example.edu/cas/login', SECRET_KEY: SECRET };
const SPA = { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example.edu/callback'] };

const withClients = (...clients: unknown[]) => ({ overrides: { ...BASE, CLIENTS: clients } });
const problems = (...clients: unknown[]): string[] => problemsOf(withClients(...clients));
const publicJwk = (type: 'rsa' | 'ec' | 'ed25519', bits = 2048): Record<string, unknown> => {
  const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: bits })
    : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
};

describe('client kinds in the configuration', () => {
  describe('public clients', () => {
    it('a browser app with token_endpoint_auth_method "none" and no secret is valid; it is not first-party and its redirect origins may call the token endpoint', () => {
      const [client] = configOf(withClients(SPA)).clients;
      expect(client).to.include({ clientId: 'spa', tokenEndpointAuthMethod: 'none', clientSecret: undefined, firstParty: false, applicationType: 'web' });
      expect(client?.allowedOrigins).to.deep.equal(['https://app.example.edu']);
    });

    it('refuses a public client with a secret, in one line', () => {
      expect(problems({ ...SPA, client_secret: CLIENT_SECRET })).to.deep.equal([
        'clients[0].client_secret: a public client (token_endpoint_auth_method "none") has no secret: remove it, or choose a method that uses one',
      ]);
    });

    it('refuses a public client without a redirect URI, in one line', () => {
      expect(problems({ ...SPA, redirect_uris: [] })).to.deep.equal(['clients[0].redirect_uris: at least one redirect URI is required for client "spa"']);
    });

    it('refuses prefix allowlists for a public client: exact redirect URIs only', () => {
      expect(problems({ ...SPA, redirect_uri_allowlist: ['https://app.example.edu/'] })).to.deep.equal([
        'clients[0].redirect_uri_allowlist: prefixes are not accepted for a public client: list its exact redirect_uris',
      ]);
    });

    it('the admin may mark a public client first-party', () => {
      expect(configOf(withClients({ ...SPA, first_party: true })).clients[0]?.firstParty).to.equal(true);
    });

    it('a confidential client without a secret is told what it lacks and what a public client is', () => {
      expect(problems({ client_id: 'web', redirect_uris: ['https://web.example.edu/cb'] })).to.deep.equal([
        'clients[0].client_secret: is required with token_endpoint_auth_method "client_secret_post" (an app that cannot keep a secret is a public client: "none")',
      ]);
      const [client] = configOf(withClients({ client_id: 'web', client_secret: CLIENT_SECRET, redirect_uris: ['https://web.example.edu/cb'] })).clients;
      expect(client).to.include({ firstParty: true });
      expect(client?.allowedOrigins, 'a confidential client calls from its server: no browser origin by default').to.deep.equal([]);
    });
  });

  describe('native apps (RFC 8252)', () => {
    const NATIVE = { client_id: 'app', token_endpoint_auth_method: 'none', application_type: 'native' };

    it('accepts loopback IP redirects, private-use reverse-domain schemes and claimed https; no browser origin by default', () => {
      const [client] = configOf(withClients({ ...NATIVE, redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback', 'com.example.app:/oauth2redirect', 'https://app.example.edu/native'] })).clients;
      expect(client?.applicationType).to.equal('native');
      expect(client?.allowedOrigins).to.deep.equal([]);
    });

    it('refuses http on a non-loopback host, https on loopback, a scheme that is no reverse domain, and a dangerous scheme', () => {
      expect(problems({ ...NATIVE, redirect_uris: ['http://app.example.edu/cb', 'https://127.0.0.1/cb', 'myapp:/cb', 'javascript:alert(1)'] })).to.deep.equal([
        'clients[0].redirect_uris: "http://app.example.edu/cb": a native app\'s http redirect must be on the loopback IP (http://127.0.0.1/… or http://[::1]/…, any port; RFC 8252 7.3)',
        'clients[0].redirect_uris: "https://127.0.0.1/cb": a loopback redirect uses http (RFC 8252 7.3)',
        'clients[0].redirect_uris: "myapp:/cb": a private-use scheme must be a reverse domain name such as com.example.app (RFC 8252 7.1)',
        'clients[0].redirect_uris: "javascript:alert(1)": the javascript scheme cannot be a redirect URI',
      ]);
    });

    it('a private-use scheme on a web client says it belongs to a native app', () => {
      expect(problems({ ...SPA, redirect_uris: ['com.example.app:/cb'] })).to.deep.equal([
        'clients[0].redirect_uris: "com.example.app:/cb" is not a web URL (a private-use scheme belongs to application_type "native")',
      ]);
    });

    it('warns about localhost and about a native app with a secret', () => {
      const config = configOf(withClients(
        { ...NATIVE, redirect_uris: ['http://localhost/cb'] },
        { client_id: 'desktop', client_secret: CLIENT_SECRET, application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'] },
      ));
      expect(config.warnings).to.include('clients[0].redirect_uris: "http://localhost/cb": RFC 8252 8.3 recommends the loopback IP http://127.0.0.1 over localhost');
      expect(config.warnings).to.include('clients[1]: a native app cannot keep a secret or key that ships with it (RFC 8252 8.5); register it with token_endpoint_auth_method "none"');
    });
  });

  describe('browser origins', () => {
    it('allowed_origins replaces the default and is normalised; "*", paths and other schemes are refused', () => {
      const [client] = configOf(withClients({ ...SPA, allowed_origins: ['https://other.example.edu:8443/', 'http://127.0.0.1:5173'] })).clients;
      expect(client?.allowedOrigins).to.deep.equal(['https://other.example.edu:8443', 'http://127.0.0.1:5173']);
      expect(problems({ ...SPA, allowed_origins: ['*', 'https://app.example.edu/spa', 'ftp://app.example.edu'] })).to.deep.equal([
        'clients[0].allowed_origins: "*" is not accepted: list each origin',
        'clients[0].allowed_origins: "https://app.example.edu/spa" is not an origin (scheme://host[:port], without a path)',
        'clients[0].allowed_origins: "ftp://app.example.edu" is not an origin (scheme://host[:port], without a path)',
      ]);
    });
  });

  describe('key-based client authentication', () => {
    const JWT_CLIENT = { client_id: 'kc', token_endpoint_auth_method: 'private_key_jwt', redirect_uris: ['https://sso.example.edu/realms/r/broker/cas/endpoint'] };

    it('private_key_jwt with inline RSA, EC P-256 and Ed25519 public keys, or a jwks_uri, is valid and needs no secret', () => {
      const config = configOf(withClients(
        { ...JWT_CLIENT, jwks: { keys: [publicJwk('rsa'), publicJwk('ec'), publicJwk('ed25519')] } },
        { ...JWT_CLIENT, client_id: 'kc2', jwks_uri: 'https://sso.example.edu/realms/r/protocol/openid-connect/certs' },
      ));
      expect(config.clients.map((c) => [c.tokenEndpointAuthMethod, c.clientSecret, c.firstParty])).to.deep.equal([
        ['private_key_jwt', undefined, true], ['private_key_jwt', undefined, true],
      ]);
      expect(config.clients[0]?.jwks?.keys).to.have.length(3);
    });

    it('refuses keys that cannot authenticate a client, one line per key', () => {
      const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
      const lines = problems({ ...JWT_CLIENT, jwks: { keys: [
        privateKey,
        publicJwk('rsa', 1024),
        { ...publicJwk('rsa'), use: 'enc' },
        { ...publicJwk('rsa'), alg: 'RS512' },
        { kty: 'oct', k: 'c2VjcmV0' },
        { kty: 'RSA', e: 'AQAB' },
        generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }),
      ] } });
      expect(lines).to.deep.equal([
        'clients[0].jwks.keys[0]: contains private key material: give the public key only (the private key stays with the client)',
        'clients[0].jwks.keys[1]: is an RSA key of 1024 bits: at least 2048 are required',
        'clients[0].jwks.keys[2]: has "use": "enc": client authentication needs a signing key ("sig")',
        'clients[0].jwks.keys[3]: has "alg": "RS512": the bridge accepts RS256, PS256, ES256, Ed25519, EdDSA',
        'clients[0].jwks.keys[4]: is a symmetric key: private_key_jwt takes public keys (a shared secret is client_secret_jwt)',
        'clients[0].jwks.keys[5]: is not a valid public JWK',
        'clients[0].jwks.keys[6]: is an EC key on P-384: the bridge accepts P-256 (ES256)',
      ]);
    });

    it('refuses private_key_jwt without keys, with both kinds of keys, with a secret; keys on another method; a plain-http jwks_uri', () => {
      const key = publicJwk('ec');
      expect(problems({ ...JWT_CLIENT })).to.deep.equal(['clients[0].jwks: private_key_jwt needs the client\'s public keys: "jwks" (inline) or "jwks_uri"']);
      expect(problems({ ...JWT_CLIENT, jwks: { keys: [key] }, jwks_uri: 'https://sso.example.edu/certs' })).to.deep.equal(['clients[0].jwks_uri: give "jwks" or "jwks_uri", not both']);
      expect(problems({ ...JWT_CLIENT, jwks: { keys: [key] }, client_secret: CLIENT_SECRET })).to.deep.equal(['clients[0].client_secret: is not used with private_key_jwt (the client signs with its key): remove it']);
      expect(problems({ ...JWT_CLIENT, token_endpoint_auth_method: 'client_secret_basic', client_secret: CLIENT_SECRET, jwks: { keys: [key] } }))
        .to.deep.equal(['clients[0].jwks: keys are used only with token_endpoint_auth_method "private_key_jwt"']);
      expect(problems({ ...JWT_CLIENT, jwks_uri: 'http://sso.example.edu/certs' })).to.deep.equal(['clients[0].jwks_uri: must be https (plain http only on a loopback host)']);
    });

    it('client_secret_jwt takes a secret like the other secret methods', () => {
      const [client] = configOf(withClients({ ...JWT_CLIENT, token_endpoint_auth_method: 'client_secret_jwt', client_secret: CLIENT_SECRET })).clients;
      expect(client).to.include({ tokenEndpointAuthMethod: 'client_secret_jwt', clientSecret: CLIENT_SECRET });
      expect(problems({ ...JWT_CLIENT, token_endpoint_auth_method: 'client_secret_jwt' })).to.deep.equal([
        'clients[0].client_secret: is required with token_endpoint_auth_method "client_secret_jwt" (an app that cannot keep a secret is a public client: "none")',
      ]);
      expect(problems({ ...JWT_CLIENT, token_endpoint_auth_method: 'client_secret_jwt', client_secret: 'short' })[0]).to.match(/^clients\[0\]\.client_secret: is shorter than 32 characters/);
    });
  });
});
