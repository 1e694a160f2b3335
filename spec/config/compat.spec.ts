// Every setting name of the Python cas-proxy is accepted as an environment variable and as a
// top-level key of the JSON file, with the same meaning and the same defaults.
import { expect } from 'chai';
import { join } from 'node:path';
import type { BridgeConfig } from '../../lib/config/index.js';
import { SETTINGS, SETTING_NAMES } from '../../lib/config/index.js';
import { configOf, tempDir, validEnv, writeJson } from './support.js';

interface CompatCase {
  readonly name: string;
  /** as the Python service's users write it in the environment */
  readonly env: string;
  /** as a JSON file holds it */
  readonly json: unknown;
  /** other settings the case needs (e.g. a loopback http issuer for COOKIE_SECURE=false) */
  readonly with?: Record<string, string>;
  readonly read: (c: BridgeConfig) => unknown;
  readonly expected: unknown;
}

const SSO = 'https://sso.example.edu/realms/example/broker/cas/endpoint';
const APP = 'https://app.example.edu/oidc/callback';

const CASES: CompatCase[] = [
  { name: 'CAS_LOGIN_URL', env: 'https://login.example.edu/cas/login', json: 'https://login.example.edu/cas/login', read: (c) => c.cas.loginUrl, expected: 'https://login.example.edu/cas/login' },
  { name: 'CAS_VALIDATE_URL', env: 'https://cas.example.edu/cas/serviceValidate', json: 'https://cas.example.edu/cas/serviceValidate', read: (c) => c.cas.validateUrl, expected: 'https://cas.example.edu/cas/serviceValidate' },
  { name: 'SERVICE_URL', env: 'https://bridge.example.edu/cas/callback', json: 'https://bridge.example.edu/cas/callback', read: (c) => c.cas.serviceUrl, expected: 'https://bridge.example.edu/cas/callback' },
  { name: 'REDIRECT_URI_ALLOWLIST', env: `${SSO},${APP}`, json: [SSO, APP], read: (c) => c.clients[0]?.redirectUriAllowlist, expected: [SSO, APP] },
  { name: 'REDIRECT_URL_MATCH', env: APP, json: APP, with: { REDIRECT_URI_ALLOWLIST: '' }, read: (c) => c.clients[0]?.redirectUriAllowlist, expected: [APP] },
  { name: 'CLIENT_ID', env: 'legacy-client', json: 'legacy-client', read: (c) => c.clients[0]?.clientId, expected: 'legacy-client' },
  { name: 'CLIENT_SECRET', env: 'Another-Long-Client-Secret-0123456789', json: 'Another-Long-Client-Secret-0123456789', read: (c) => c.clients[0]?.clientSecret, expected: 'Another-Long-Client-Secret-0123456789' },
  { name: 'SECRET_KEY', env: 'Another-Long-Root-Secret-Key-0123456789', json: 'Another-Long-Root-Secret-Key-0123456789', read: (c) => c.secrets.current, expected: 'Another-Long-Root-Secret-Key-0123456789' },
  { name: 'ACCESS_TOKEN_EXPIRY', env: '3600', json: 3600, read: (c) => c.ttl.accessToken, expected: 3600 },
  { name: 'AUTH_CODE_EXPIRY', env: '60', json: 60, read: (c) => c.ttl.authorizationCode, expected: 60 },
  { name: 'SESSION_EXPIRY', env: '900', json: 900, read: (c) => c.ttl.interaction, expected: 900 },
  { name: 'DATABASE_PATH', env: '/var/lib/cas-proxy/db.sqlite3', json: '/var/lib/cas-proxy/db.sqlite3', read: (c) => c.database.path, expected: '/var/lib/cas-proxy/db.sqlite3' },
  { name: 'ISSUER', env: 'https://login-bridge.example.edu', json: 'https://login-bridge.example.edu', read: (c) => c.issuer, expected: 'https://login-bridge.example.edu' },
  { name: 'CAS_REQUEST_TIMEOUT', env: '2.5', json: 2.5, read: (c) => c.cas.timeoutMs, expected: 2500 },
  { name: 'COOKIE_SECURE', env: 'false', json: false, with: { ISSUER: 'http://127.0.0.1:59084' }, read: (c) => c.cookies.secure, expected: false },
  { name: 'COOKIE_SAMESITE', env: 'None', json: 'None', read: (c) => c.cookies.sameSite, expected: 'none' },
  { name: 'HOST', env: '0.0.0.0', json: '0.0.0.0', with: { TRUST_PROXY: 'true' }, read: (c) => c.server.host, expected: '0.0.0.0' },
  { name: 'PORT', env: '8080', json: 8080, read: (c) => c.server.port, expected: 8080 },
  { name: 'REQUIRE_TOKEN_REDIRECT_URI', env: 'false', json: false, read: (c) => c.warnings.some((w) => w.startsWith('REQUIRE_TOKEN_REDIRECT_URI=false')), expected: true },
];

describe('Python cas-proxy setting names', () => {
  it('covers every setting the settings table marks as compat, and only those', () => {
    const compat = SETTING_NAMES.filter((n) => (SETTINGS[n] as { compat?: true }).compat);
    expect(CASES.map((c) => c.name).sort()).to.deep.equal([...compat].sort());
  });

  for (const c of CASES) {
    describe(c.name, () => {
      it('is read from the environment', () => {
        const config = configOf({ env: validEnv({ ...c.with, [c.name]: c.env }) });
        expect(c.read(config)).to.deep.equal(c.expected);
      });

      it('is read from a top-level key of the JSON file, with the same meaning', () => {
        const dir = tempDir();
        const file: Record<string, unknown> = { ...validEnv(c.with), [c.name]: c.json };
        if (c.with?.REDIRECT_URI_ALLOWLIST === '') delete file.REDIRECT_URI_ALLOWLIST;
        writeJson(dir, 'config.json', file);
        expect(c.read(configOf({ cwd: dir }))).to.deep.equal(c.expected);
      });

      it('is also accepted as a string in the JSON file', () => {
        const dir = tempDir();
        const file: Record<string, unknown> = { ...validEnv(c.with), [c.name]: c.env };
        if (c.with?.REDIRECT_URI_ALLOWLIST === '') delete file.REDIRECT_URI_ALLOWLIST;
        writeJson(dir, 'config.json', file);
        expect(c.read(configOf({ cwd: dir }))).to.deep.equal(c.expected);
      });
    });
  }

  it('keeps the Python service defaults', () => {
    const dir = tempDir();
    const config = configOf({ env: validEnv(), cwd: dir });
    expect(config.ttl.accessToken).to.equal(1800);
    expect(config.ttl.authorizationCode).to.equal(300);
    expect(config.ttl.interaction).to.equal(600);
    // relative to the working directory, as the Python service had it
    expect(config.database.path).to.equal(join(dir, 'cas_proxy.sqlite3'));
    expect(config.cas.timeoutMs).to.equal(8000);
    expect(config.cookies.secure).to.equal(true);
    expect(config.cookies.sameSite).to.equal('lax');
    expect(config.server.host).to.equal('127.0.0.1');
    expect(config.server.port).to.equal(59084);
    expect(config.warnings.join('\n')).not.to.include('REQUIRE_TOKEN_REDIRECT_URI');
  });

  it('CAS_REQUEST_TIMEOUT accepts the Python float form "8.0"', () => {
    expect(configOf({ env: validEnv({ CAS_REQUEST_TIMEOUT: '8.0' }) }).cas.timeoutMs).to.equal(8000);
  });

  describe('REDIRECT_URI_ALLOWLIST forms', () => {
    it('a JSON array in the environment', () => {
      const config = configOf({ env: validEnv({ REDIRECT_URI_ALLOWLIST: JSON.stringify([SSO, APP]) }) });
      expect(config.clients[0]?.redirectUriAllowlist).to.deep.equal([SSO, APP]);
    });

    it('comma-separated with spaces and a trailing comma', () => {
      const config = configOf({ env: validEnv({ REDIRECT_URI_ALLOWLIST: ` ${SSO} , ${APP} ,` }) });
      expect(config.clients[0]?.redirectUriAllowlist).to.deep.equal([SSO, APP]);
    });

    it('a single entry', () => {
      expect(configOf({ env: validEnv({ REDIRECT_URI_ALLOWLIST: APP }) }).clients[0]?.redirectUriAllowlist).to.deep.equal([APP]);
    });

    it('a comma-separated string in the JSON file', () => {
      const dir = tempDir();
      writeJson(dir, 'config.json', { ...validEnv(), REDIRECT_URI_ALLOWLIST: `${SSO},${APP}` });
      expect(configOf({ cwd: dir }).clients[0]?.redirectUriAllowlist).to.deep.equal([SSO, APP]);
    });

    it('REDIRECT_URL_MATCH adds to REDIRECT_URI_ALLOWLIST without doubling an entry', () => {
      expect(configOf({ env: validEnv({ REDIRECT_URL_MATCH: APP }) }).clients[0]?.redirectUriAllowlist).to.deep.equal([SSO, APP]);
      expect(configOf({ env: validEnv({ REDIRECT_URL_MATCH: SSO }) }).clients[0]?.redirectUriAllowlist).to.deep.equal([SSO]);
    });

    it('the flat allowlist also governs post_logout_redirect_uri', () => {
      expect(configOf({ env: validEnv() }).clients[0]?.postLogoutAllowlist).to.deep.equal([SSO]);
    });
  });

  describe('booleans as the Python service read them', () => {
    for (const [raw, value] of [['True', true], ['true', true], ['1', true], ['yes', true], ['False', false], ['false', false], ['0', false], ['no', false]] as const) {
      it(`COOKIE_SECURE=${raw} is ${value}`, () => {
        const config = configOf({ env: validEnv({ ISSUER: 'http://localhost:59084', COOKIE_SECURE: raw, ...(value ? { ISSUER: 'https://bridge.example.edu' } : {}) }) });
        expect(config.cookies.secure).to.equal(value);
      });
    }
  });

  it('COOKIE_SAMESITE is case-insensitive (lax, LAX)', () => {
    expect(configOf({ env: validEnv({ COOKIE_SAMESITE: 'lax' }) }).cookies.sameSite).to.equal('lax');
    expect(configOf({ env: validEnv({ COOKIE_SAMESITE: 'LAX' }) }).cookies.sameSite).to.equal('lax');
  });
});
