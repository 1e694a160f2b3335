// A relying party for specs, built on openid-client: builds authorization requests, drives the
// browser through CAS, redeems codes.
import * as oidc from 'openid-client';
import { TestBrowser, type Hop } from './browser.js';

export interface RelyingParty {
  readonly config: oidc.Configuration;
  readonly clientId: string;
  readonly redirectUri: string;
}

export async function relyingParty(issuer: string, clientId: string, clientSecret: string, redirectUri: string, auth?: 'post' | 'basic'): Promise<RelyingParty> {
  const clientAuth = auth === 'basic' ? oidc.ClientSecretBasic(clientSecret) : auth === 'post' ? oidc.ClientSecretPost(clientSecret) : undefined;
  const config = await oidc.discovery(new URL(issuer), clientId, clientSecret, clientAuth, { execute: [oidc.allowInsecureRequests] });
  return { config, clientId, redirectUri };
}

export interface PendingAuthorization {
  readonly url: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

export async function authorizationRequest(rp: RelyingParty, params: Record<string, string> = {}): Promise<PendingAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url: url.href, verifier, state, nonce };
}

/** Follows the request to CAS's login form, submits it, stops at the RP's redirect URI. */
export async function loginThroughCas(browser: TestBrowser, rp: RelyingParty, request: PendingAuthorization, username: string, password: string): Promise<Hop> {
  const atRp = (l: string) => l.startsWith(rp.redirectUri);
  const page = await browser.follow(request.url, atRp);
  if (page.location && atRp(page.location)) return page; // single sign-on: no form
  return browser.submitForm(page, { username, password }, atRp);
}

export async function redeem(rp: RelyingParty, request: PendingAuthorization, callback: string) {
  return oidc.authorizationCodeGrant(rp.config, new URL(callback), {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

/**
 * A used CAS ticket brought back by another browser to a login of its own (stopped on its way to
 * CAS): the bridge validates it for that login's service, and CAS refuses it.
 */
export async function replayTicketInNewLogin(rp: RelyingParty, ticket: string): Promise<Hop> {
  const browser = new TestBrowser();
  const toCas = await browser.follow((await authorizationRequest(rp)).url, (l) => new URL(l).searchParams.has('service'));
  const service = new URL(new URL(toCas.location!).searchParams.get('service')!);
  service.searchParams.set('ticket', ticket);
  return browser.follow(service.href);
}
