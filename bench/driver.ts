// Drives complete logins the way a relying party and a browser do: /authorize with PKCE, state
// and nonce, redirects through CAS and back with a cookie jar per login, then code → /token →
// /userinfo. HTTP keep-alive throughout.
import { Agent } from 'node:http';
import got, { type Got } from 'got';
import * as oidc from 'openid-client';
import { CookieJar } from 'tough-cookie';

export interface Endpoints {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly userinfo_endpoint: string;
  readonly jwks_uri: string;
}

export interface Target {
  readonly issuer: string;
  readonly endpoints: Endpoints;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string;
  readonly nonce: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const http: Got = got.extend({
  agent: { http: agent },
  followRedirect: false,
  throwHttpErrors: false,
  retry: { limit: 0 },
  timeout: { request: 30_000 },
});

export class LoginError extends Error {}

function expectStatus(step: string, status: number, wanted: readonly number[], body: string): void {
  if (!wanted.includes(status)) throw new LoginError(`${step}: HTTP ${status} ${body.slice(0, 160)}`);
}

export async function login(target: Target): Promise<LoginResult> {
  const cookieJar = new CookieJar();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const authorize = new URL(target.endpoints.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    scope: 'openid profile email offline_access',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  let url = authorize.href;
  let code: string | undefined;
  for (let hop = 0; hop < 12 && !code; hop += 1) {
    const response = await http.get(url, { cookieJar });
    expectStatus(`GET ${new URL(url).pathname}`, response.statusCode, [302, 303], response.body);
    const next = new URL(response.headers.location ?? '', url);
    if (next.href.startsWith(`${target.redirectUri}?`)) {
      if (next.searchParams.get('state') !== state) throw new LoginError('state changed on the way');
      code = next.searchParams.get('code') ?? undefined;
      if (!code) throw new LoginError(`no code: ${next.search}`);
    }
    url = next.href;
  }
  if (!code) throw new LoginError('too many redirects');
  const token = await http.post(target.endpoints.token_endpoint, {
    form: {
      grant_type: 'authorization_code', code, redirect_uri: target.redirectUri, code_verifier: verifier,
      client_id: target.clientId, client_secret: target.clientSecret,
    },
  });
  expectStatus('POST /token', token.statusCode, [200], token.body);
  const tokens = JSON.parse(token.body) as { access_token: string; refresh_token?: string; id_token: string };
  await userinfo(target, tokens.access_token);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, idToken: tokens.id_token, nonce };
}

export async function userinfo(target: Target, accessToken: string): Promise<void> {
  const response = await http.get(target.endpoints.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
  expectStatus('GET /userinfo', response.statusCode, [200], response.body);
}

/** answers the rotated refresh token */
export async function refresh(target: Target, refreshToken: string): Promise<string> {
  const response = await http.post(target.endpoints.token_endpoint, {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: target.clientId, client_secret: target.clientSecret },
  });
  expectStatus('POST /token (refresh)', response.statusCode, [200], response.body);
  const body = JSON.parse(response.body) as { refresh_token?: string };
  return body.refresh_token ?? refreshToken;
}

export async function discover(issuer: string): Promise<Endpoints> {
  const response = await http.get(new URL('/.well-known/openid-configuration', issuer));
  expectStatus('discovery', response.statusCode, [200], response.body);
  return JSON.parse(response.body) as Endpoints;
}
