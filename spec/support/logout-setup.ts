// Two relying parties with back-channel logout endpoints in front of one bridge, for the session
// and logout specs (with the in-process CAS or the real one).
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { SettingName } from '../../lib/config/index.js';
import { backchannelReceiver, type BackchannelReceiver } from './backchannel.js';
import { CLIENT_SECRET, startTestBridge, type TestBridge } from './bridge.js';
import { TestBrowser, type Hop } from './browser.js';
import { authorizationRequest, redeem, relyingParty, type PendingAuthorization, type RelyingParty } from './rp.js';

export interface TestApp {
  readonly id: string;
  readonly rp: RelyingParty;
  readonly redirectUri: string;
  readonly postLogoutUri: string;
  readonly backchannel: BackchannelReceiver;
}

export interface LogoutSetup {
  readonly bridge: TestBridge;
  readonly apps: { readonly a: TestApp; readonly b: TestApp };
  stop(): Promise<void>;
}

export const appUris = (id: string) => ({
  redirectUri: `http://127.0.0.1:9/${id}/cb`,
  postLogoutUri: `http://127.0.0.1:9/${id}/logged-out`,
});

export async function startLogoutSetup(casLoginUrl: string, settings: Partial<Record<SettingName, unknown>> = {}): Promise<LogoutSetup> {
  const receivers = { a: await backchannelReceiver(), b: await backchannelReceiver() };
  const entry = (id: 'a' | 'b') => ({
    client_id: `app-${id}`,
    client_secret: CLIENT_SECRET,
    client_name: `App ${id.toUpperCase()}`,
    redirect_uris: [appUris(id).redirectUri],
    post_logout_redirect_uris: [appUris(id).postLogoutUri],
    backchannel_logout_uri: receivers[id].url,
    scope: ['openid', 'profile', 'email'],
  });
  const bridge = await startTestBridge({ CAS_LOGIN_URL: casLoginUrl, CLIENTS: [entry('a'), entry('b')], ...settings });
  const app = async (id: 'a' | 'b'): Promise<TestApp> => ({
    id: `app-${id}`,
    rp: await relyingParty(bridge.issuer, `app-${id}`, CLIENT_SECRET, appUris(id).redirectUri),
    ...appUris(id),
    backchannel: receivers[id],
  });
  const apps = { a: await app('a'), b: await app('b') };
  return {
    bridge,
    apps,
    async stop() {
      await bridge.stop();
      await receivers.a.close();
      await receivers.b.close();
    },
  };
}

export interface Login {
  readonly request: PendingAuthorization;
  readonly tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  readonly idToken: string;
  readonly sid: string;
}

/** Redeems the code at the end of `hop` (a redirect to the app's redirect URI). */
export async function finishLogin(app: TestApp, request: PendingAuthorization, hop: Hop): Promise<Login> {
  if (!hop.location?.startsWith(app.redirectUri)) throw new Error(`login did not reach ${app.redirectUri}: ${hop.url} ${hop.status} ${hop.location ?? ''} ${hop.body.slice(0, 300)}`);
  const tokens = await redeem(app.rp, request, hop.location);
  const idToken = tokens.id_token ?? '';
  return { request, tokens, idToken, sid: String(decodeJwt(idToken).sid) };
}

/** Logs in at an app: the CAS form when CAS asks for it, single sign-on otherwise. */
export async function loginAt(browser: TestBrowser, app: TestApp, user: string, password: string, params: Record<string, string> = {}): Promise<Login> {
  const request = await authorizationRequest(app.rp, { scope: 'openid offline_access', ...params });
  const atApp = (l: string) => l.startsWith(app.redirectUri);
  let hop = await browser.follow(request.url, atApp);
  if (!(hop.location && atApp(hop.location))) hop = await browser.submitForm(hop, { username: user, password }, atApp);
  return finishLogin(app, request, hop);
}

/** An authorization request with prompt=none: where the browser ends up at the app. */
export async function silentAuthorization(browser: TestBrowser, app: TestApp): Promise<{ request: PendingAuthorization; hop: Hop; url: URL }> {
  const request = await authorizationRequest(app.rp, { prompt: 'none' });
  const hop = await browser.follow(request.url, (l) => l.startsWith(app.redirectUri));
  if (!hop.location?.startsWith(app.redirectUri)) throw new Error(`prompt=none did not return to the app: ${hop.url} ${hop.status} ${hop.body.slice(0, 300)}`);
  return { request, hop, url: new URL(hop.location) };
}

export async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
