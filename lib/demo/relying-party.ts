// The demo's relying party: a small koa app that logs in through the bridge the way a real
// application does (openid-client: authorization code with PKCE S256, state and nonce), verifies
// the ID token's signature against the bridge's JWKS, fetches userinfo, and logs out through the
// bridge's end_session endpoint. Sessions live in memory; it is a demo, not a template for an app.
import { randomBytes } from 'node:crypto';
import Koa, { type Context } from 'koa';
import { Eta } from 'eta';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export interface DemoRpOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** where this app is reached, e.g. http://127.0.0.1:59080 */
  readonly baseUrl: string;
}

interface Login {
  readonly idToken: string;
  readonly header: Record<string, unknown>;
  readonly claims: JWTPayload;
  readonly userinfo: Record<string, unknown>;
}

interface Session {
  pending?: { verifier: string; state: string; nonce: string };
  login?: Login;
  notice?: 'logged_out';
  error?: { error: string; description: string };
}

const COOKIE = 'demo_rp_session';

const TIME_CLAIMS = new Set(['iat', 'exp', 'auth_time', 'nbf', 'updated_at']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo application</title>
<style nonce="<%= it.nonce %>">
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #1b1f24; background: #fafafa; }
header { background: #24292f; color: #fff; padding: .75rem 1.25rem; font-weight: 600; }
main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; padding: 1.25rem; margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
p { margin: 0 0 .75rem; }
.button { display: inline-block; padding: .55rem 1.1rem; border-radius: .375rem; background: #0a6c3b; color: #fff; text-decoration: none; border: 1px solid #0a6c3b; }
.button.secondary { background: #fff; color: #0a6c3b; }
.button:focus-visible, a:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-top: 1px solid #eaeef2; overflow-wrap: anywhere; }
th { width: 11rem; font-weight: 600; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.note { color: #57606a; font-size: .875rem; }
.ok { color: #0a6c3b; font-weight: 600; }
.notice { border-left: 4px solid #0a6c3b; }
.error { border-left: 4px solid #cf222e; }
</style>
</head>
<body>
<header>Demo application</header>
<main>
<% if (it.notice) { %><div class="card notice" role="status"><p>You are logged out of the demo application and of the bridge.</p></div><% } %>
<% if (it.error) { %><div class="card error" role="alert"><h2>The login did not complete</h2><p><code><%= it.error.error %></code>: <%= it.error.description %></p></div><% } %>
<% if (!it.login) { %>
<div class="card">
<h1>Demo application</h1>
<p>This page is a small OpenID Connect application. It signs you in through cas-oidc-bridge, which hands the login to a demo CAS server that accepts any username and password.</p>
<div class="actions"><a class="button" href="/login">Log in</a></div>
</div>
<% } else { %>
<div class="card">
<h1>Signed in as <%= it.login.userinfo.name ?? it.login.claims.sub %></h1>
<p><span class="ok">ID token signature verified</span> against the bridge's JWKS (<code><%= it.login.header.alg %></code>, key <code><%= it.login.header.kid %></code>); issuer, audience, nonce and expiry checked.</p>
<div class="actions"><a class="button" href="/logout">Log out</a><a class="button secondary" href="/login">Log in again</a></div>
</div>
<div class="card">
<h2>ID token claims</h2>
<table><tbody>
<% for (const row of it.rows(it.login.claims)) { %><tr><th scope="row"><%= row.name %></th><td><%= row.value %></td></tr><% } %>
</tbody></table>
</div>
<div class="card">
<h2>Userinfo</h2>
<table><tbody>
<% for (const row of it.rows(it.login.userinfo)) { %><tr><th scope="row"><%= row.name %></th><td><%= row.value %></td></tr><% } %>
</tbody></table>
</div>
<% } %>
<p class="note">Issuer: <code><%= it.issuer %></code></p>
</main>
</body>
</html>`;

function rows(claims: Record<string, unknown>): Array<{ name: string; value: string }> {
  return Object.entries(claims).map(([name, value]) => {
    let text = typeof value === 'string' ? value : JSON.stringify(value);
    if (TIME_CLAIMS.has(name) && typeof value === 'number') text = `${value} (${new Date(value * 1000).toISOString()})`;
    return { name, value: text };
  });
}

export class DemoRelyingParty {
  readonly #options: DemoRpOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #eta = new Eta({ autoEscape: true, useWith: false });
  #config: oidc.Configuration | undefined;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly app: Koa;

  constructor(options: DemoRpOptions) {
    this.#options = options;
    this.app = new Koa();
    this.app.keys = [randomBytes(32).toString('base64url')];
    this.app.use((ctx) => this.#route(ctx));
  }

  get redirectUri(): string {
    return `${this.#options.baseUrl}/callback`;
  }

  get postLogoutRedirectUri(): string {
    return `${this.#options.baseUrl}/logged-out`;
  }

  async #client(): Promise<oidc.Configuration> {
    if (!this.#config) {
      const { issuer, clientId, clientSecret } = this.#options;
      // plain http is only ever a loopback issuer here (the demo refuses anything else)
      this.#config = await oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretPost(clientSecret), { execute: [oidc.allowInsecureRequests] });
      this.#jwks = createRemoteJWKSet(new URL(this.#config.serverMetadata().jwks_uri ?? `${issuer}/jwks`));
    }
    return this.#config;
  }

  #session(ctx: Context): Session {
    let id = ctx.cookies.get(COOKIE, { signed: true });
    let session = id ? this.#sessions.get(id) : undefined;
    if (!id || !session) {
      id = randomBytes(24).toString('base64url');
      session = {};
      this.#sessions.set(id, session);
      ctx.cookies.set(COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax', path: '/' });
    }
    return session;
  }

  async #route(ctx: Context): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET') {
      ctx.status = 405;
      return;
    }
    const session = this.#session(ctx);
    switch (ctx.path) {
      case '/': return this.#home(ctx, session);
      case '/login': return this.#login(ctx, session);
      case '/callback': return this.#callback(ctx, session);
      case '/logout': return this.#logout(ctx, session);
      case '/logged-out':
        session.notice = 'logged_out';
        ctx.redirect('/');
        return;
      default:
        ctx.status = 404;
        ctx.body = 'not found';
    }
  }

  #home(ctx: Context, session: Session): void {
    const nonce = randomBytes(16).toString('base64');
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`);
    ctx.body = this.#eta.renderString(PAGE, {
      nonce, login: session.login, notice: session.notice, error: session.error, issuer: this.#options.issuer, rows,
    });
    delete session.notice;
    delete session.error;
  }

  async #login(ctx: Context, session: Session): Promise<void> {
    const config = await this.#client();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    session.pending = { verifier, state, nonce };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    ctx.redirect(url.href);
  }

  async #callback(ctx: Context, session: Session): Promise<void> {
    const config = await this.#client();
    const pending = session.pending;
    delete session.pending;
    const current = new URL(ctx.originalUrl, this.#options.baseUrl);
    try {
      if (!pending) throw Object.assign(new Error('no login was started in this browser'), { error: 'no_pending_login' });
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.id_token as string;
      const { payload } = await jwtVerify(idToken, this.#jwks!, { issuer: config.serverMetadata().issuer, audience: this.#options.clientId });
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, String(payload.sub));
      session.login = { idToken, header: decodeProtectedHeader(idToken) as Record<string, unknown>, claims: payload, userinfo: { ...userinfo } };
    } catch (err) {
      const e = err as Error & { error?: string; error_description?: string; cause?: { error?: string; error_description?: string } };
      session.error = {
        error: e.cause?.error ?? e.error ?? e.name,
        description: e.cause?.error_description ?? e.error_description ?? e.message,
      };
    }
    ctx.redirect('/');
  }

  async #logout(ctx: Context, session: Session): Promise<void> {
    const config = await this.#client();
    const login = session.login;
    delete session.login;
    if (!login || !config.serverMetadata().end_session_endpoint) {
      session.notice = 'logged_out';
      ctx.redirect('/');
      return;
    }
    ctx.redirect(oidc.buildEndSessionUrl(config, {
      id_token_hint: login.idToken,
      post_logout_redirect_uri: this.postLogoutRedirectUri,
    }).href);
  }

  /** The request listener, for an http server the caller made (it knows the port before the base URL). */
  callback(): ReturnType<Koa['callback']> {
    return this.app.callback();
  }
}
