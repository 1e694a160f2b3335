// Everything a Keycloak spec needs, wired as the README tells admins to: the real CAS server, a bridge
// whose client is Keycloak, a realm of the shared Keycloak with the bridge as its identity provider
// (added from the bridge's discovery URL), and an application of that realm (an openid-client
// relying party with a small HTTP server for its redirect URIs) that Chromium logs in to.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import type { Frame, Request } from 'playwright-core';
import type { SettingName } from '../../lib/config/index.js';
import { startTestBridge, TEST_SECRET, type TestBridge } from './bridge.js';
import { openBrowser, requireChromium, type BrowserSession } from './chromium.js';
import { requireKeycloak, useSharedKeycloak, type Keycloak } from './keycloak.js';
import {
  addApplication, addBridgeIdentityProvider, addGroupMappers, bridgeClientForKeycloak, type KeycloakClientAuth,
} from './keycloak-recipe.js';
import { freePort } from './net.js';
import { requireRealCas, startRealCas, type RealCas } from './real-cas.js';
import { jsonBody } from './token-exchange.js';

/** A client secret as the README asks for: 32+ characters of [A-Za-z0-9._~-] (Keycloak 26.4.2 and later form-encode `~` in HTTP Basic, earlier ones send it raw; the bridge reads both). */
export const KEYCLOAK_CLIENT_SECRET = 'kc-bridge-secret_0123456789.ABCDEFGHIJ~klmnop';
const ALIAS = 'cas';
const APP = { clientId: 'app', secret: 'app-secret-0123456789-abcdefghijklmnop' };

export interface ScenarioOptions {
  readonly clientAuth?: KeycloakClientAuth;
  /**
   * CAS proxy tickets: the bridge's proxy callback, the client's targets, and Keycloak's settings for
   * them ("Store tokens", "Stored tokens readable", Scopes with cas_proxy)
   */
  readonly proxyTargets?: readonly string[];
  /** more settings of the bridge's client entry for Keycloak (e.g. `access`) */
  readonly clientSettings?: Record<string, unknown>;
  readonly bridgeSettings?: Partial<Record<SettingName, unknown>>;
}

export interface AppLogin {
  readonly tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  readonly idClaims: JWTPayload & Record<string, unknown>;
  readonly accessClaims: JWTPayload & Record<string, unknown>;
  /** every page shown from the start of the login to the application's redirect URI */
  readonly shown: readonly string[];
  /** true when CAS showed its password form on the way */
  readonly casForm: boolean;
}

export interface KeycloakScenario {
  readonly keycloak: Keycloak;
  readonly cas: RealCas;
  readonly bridge: TestBridge;
  readonly realm: string;
  readonly alias: string;
  readonly realmUrl: string;
  /** the bridge's configuration as environment variables, for its command line (`keys`, …) */
  readonly cliEnv: Record<string, string>;
  readonly app: { readonly config: oidc.Configuration; readonly redirectUri: string; readonly postLogoutRedirectUri: string; readonly origin: string };
  /** The application's authorization request at Keycloak (PKCE, state, nonce, kc_idp_hint). */
  authorizationUrl(params?: Record<string, string>): string;
  /** Logs `username` in to the application through Keycloak (kc_idp_hint), the bridge and CAS. */
  login(session: BrowserSession, username: string, params?: Record<string, string>): Promise<AppLogin>;
  /**
   * The bridge's token response as Keycloak stored it ("Store tokens"), read by the application from
   * Keycloak's broker token endpoint with the user's Keycloak access token.
   */
  storedBridgeTokens(keycloakAccessToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /**
   * What the browser went through while `action` runs: every main-frame navigation request, redirects
   * included (`visited`), and the pages it showed (`shown`: committed navigations).
   */
  track<T>(session: BrowserSession, action: () => Promise<T>): Promise<{ result: T; visited: string[]; shown: string[] }>;
}

let realms = 0;

/** Runs `use` with a fresh Chromium (a new profile: no cookies), closed afterwards. */
export async function inBrowser<T>(use: (session: BrowserSession) => Promise<T>): Promise<T> {
  const session = await openBrowser();
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

async function appServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>App</title><h1>App: ${req.url?.startsWith('/bye') ? 'logged out' : 'signed in'}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Registers the suite's before/after hooks; the scenario is there once `before` has run. */
export function keycloakScenario(suite: Mocha.Suite, options: ScenarioOptions = {}): () => KeycloakScenario {
  let scenario: KeycloakScenario | undefined;
  const stops: Array<() => Promise<unknown>> = [];
  // registered before the shared Keycloak's release, so the realm is deleted while Keycloak runs
  suite.afterAll('stop CAS and the bridge; delete the realm', async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  });
  const shared = useSharedKeycloak(suite);

  suite.beforeAll('start Keycloak, CAS and the bridge; configure the realm', async function () {
    this.timeout(420_000);
    requireKeycloak(this);
    requireRealCas(this);
    requireChromium(this);
    const keycloak = await shared.get();
    const cas = await startRealCas();
    stops.push(() => cas.stop());
    realms += 1;
    const realm = `bridge-${realms}-${randomBytes(3).toString('hex')}`;
    const port = await freePort();
    const proxy = options.proxyTargets
      ? { CAS_PROXY_CALLBACK_URL: `http://127.0.0.1:${port}/cas/proxy-callback` }
      : {};
    const realmUrl = `${keycloak.url}/realms/${realm}`;
    const client = bridgeClientForKeycloak(keycloak.url, realm, ALIAS, KEYCLOAK_CLIENT_SECRET, {
      ...(options.proxyTargets ? { cas_proxy_targets: options.proxyTargets } : {}),
      // the README's "Key-based client authentication": the realm's keys, no secret
      ...(options.clientAuth === 'private_key_jwt'
        ? { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: `${realmUrl}/protocol/openid-connect/certs`, client_secret: undefined }
        : {}),
      ...options.clientSettings,
    });
    const dir = mkdtempSync(join(tmpdir(), 'bridge-keycloak-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const settings = { CAS_LOGIN_URL: `${cas.url}/login`, CLIENTS: [client], ...proxy, ...options.bridgeSettings };
    const bridge = await startTestBridge({ ...settings, LOG_LEVEL: 'info' }, { port, dir });
    stops.push(() => bridge.stop());
    const cliEnv = {
      ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
      ISSUER: bridge.issuer, SECRET_KEY: TEST_SECRET, COOKIE_SECURE: 'false', DATABASE_PATH: join(dir, 'bridge.sqlite3'),
    };

    const { admin } = keycloak;
    await admin.createRealm(realm);
    stops.push(() => admin.deleteRealm(realm));
    await addBridgeIdentityProvider(admin, realm, {
      alias: ALIAS,
      discoveryUrl: `${bridge.issuer}/.well-known/openid-configuration`,
      clientId: client.client_id,
      clientSecret: KEYCLOAK_CLIENT_SECRET,
      clientAuth: options.clientAuth ?? 'client_secret_post',
      proxyTickets: options.proxyTargets !== undefined,
    });
    await addGroupMappers(admin, realm, ALIAS, 'staff');
    const { server, origin } = await appServer();
    stops.push(() => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }));
    const redirectUri = `${origin}/cb`;
    const postLogoutRedirectUri = `${origin}/bye`;
    await addApplication(admin, realm, { ...APP, redirectUri, postLogoutRedirectUri });
    const config = await oidc.discovery(new URL(realmUrl), APP.clientId, APP.secret, oidc.ClientSecretPost(APP.secret), { execute: [oidc.allowInsecureRequests] });

    const track: KeycloakScenario['track'] = async (session, action) => {
      const { page } = session;
      const shown: string[] = [];
      const visited: string[] = [];
      const onNavigated = (frame: Frame): void => {
        if (frame === page.mainFrame()) shown.push(frame.url());
      };
      const onRequest = (request: Request): void => {
        if (request.isNavigationRequest() && request.frame() === page.mainFrame()) visited.push(request.url());
      };
      page.on('framenavigated', onNavigated);
      page.on('request', onRequest);
      try {
        return { result: await action(), visited, shown };
      } finally {
        page.off('framenavigated', onNavigated);
        page.off('request', onRequest);
      }
    };

    const pending = new Map<string, { verifier: string; state: string; nonce: string }>();
    const authorizationUrl: KeycloakScenario['authorizationUrl'] = (params = {}) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, state, nonce });
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        kc_idp_hint: ALIAS,
        ...params,
      }).href;
    };

    const login: KeycloakScenario['login'] = async (session, username, params = {}) => {
      const url = authorizationUrl(params);
      const { page } = session;
      const { result: casForm, shown } = await track(session, async () => {
        await page.goto(url);
        if (!page.url().startsWith(`${cas.url}/login`)) return false;
        await page.fill('input[name=username]', username);
        await page.fill('input[name=password]', `${username}-pass`);
        await Promise.all([
          page.waitForURL((u) => !u.href.startsWith(cas.url), { timeout: 60_000 }),
          page.click('[type=submit]'),
        ]);
        return true;
      });
      if (!page.url().startsWith(`${redirectUri}?`)) {
        const shot = await session.screenshot(`keycloak-login-failed-${realm}`);
        throw new Error(`login of ${username} did not reach the application: ${page.url()}\n${(await page.innerText('body').catch(() => '')).slice(0, 800)}\n(pages: ${shown.join(' → ')}; screenshot ${shot})`);
      }
      const back = new URL(page.url());
      const request = pending.get(back.searchParams.get('state') ?? '');
      if (!request) throw new Error(`the application got an unknown state: ${back.href}`);
      pending.delete(request.state);
      const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      return {
        tokens,
        idClaims: tokens.claims() as JWTPayload & Record<string, unknown>,
        accessClaims: decodeJwt(tokens.access_token) as JWTPayload & Record<string, unknown>,
        shown,
        casForm,
      };
    };

    const storedBridgeTokens: KeycloakScenario['storedBridgeTokens'] = async (accessToken) => {
      const response = await fetch(`${realmUrl}/broker/${ALIAS}/token`, { headers: { authorization: `Bearer ${accessToken}` } });
      return { status: response.status, body: await jsonBody(response) };
    };

    scenario = {
      keycloak, cas, bridge, realm, alias: ALIAS, realmUrl, cliEnv,
      app: { config, redirectUri, postLogoutRedirectUri, origin },
      authorizationUrl,
      login,
      storedBridgeTokens,
      track,
    };
  });

  return () => {
    if (!scenario) throw new Error('the Keycloak scenario is not set up (its before hook failed or was skipped)');
    return scenario;
  };
}
