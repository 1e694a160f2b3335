// A small CAS server (protocol 3): login form, service tickets, /p3/serviceValidate with
// attributes, /logout with back-channel single logout. It backs `demo` mode and the benchmark's CAS
// stand-in, and the specs use it where a real CAS server is not the point. Never a production CAS.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { bind } from '../http/server.js';
import Koa, { type Context } from 'koa';
import { XMLBuilder } from 'fast-xml-parser';
import { readCappedBody } from '../http/body.js';

export interface MiniCasUser {
  readonly password?: string;
  readonly attributes: Record<string, string | string[]>;
}

export interface MiniCasOptions {
  /** known users; with `acceptAnyUser`, unknown names log in with `defaultAttributes(name)` */
  readonly users?: Record<string, MiniCasUser>;
  readonly acceptAnyUser?: boolean;
  readonly defaultAttributes?: (username: string) => Record<string, string | string[]>;
  /** seconds a service ticket stays valid (default 60) */
  readonly ticketTtl?: number;
  /** path prefix of the CAS endpoints (default `/cas`) */
  readonly basePath?: string;
  /** send back-channel logout requests on /logout (default true) */
  readonly singleLogout?: boolean;
  /** page title shown on the login form */
  readonly title?: string;
  /** behave like a CAS that ignores `renew` (single sign-on anyway, isFromNewLogin=false): for specs */
  readonly ignoreRenew?: boolean;
}

interface Ticket {
  readonly service: string;
  readonly user: string;
  readonly fromNewLogin: boolean;
  readonly expires: number;
  readonly sessionId: string;
}

interface CasSession {
  readonly user: string;
  readonly authenticatedAt: Date;
  /** every service ticket issued in this session, for single logout */
  readonly tickets: Array<{ ticket: string; service: string }>;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

const FORM_STYLE = `body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#eef1f4;color:#1b1f24}
main{max-width:24rem;margin:3rem auto;padding:1.75rem;background:#fff;border:1px solid #d0d7de;border-radius:.75rem}
h1{font-size:1.25rem;margin:0 0 .75rem}.note{color:#57606a;font-size:.9rem}label{display:block;font-weight:600}
input:not([type=hidden]){display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.5rem;font:inherit;border:1px solid #8c959f;border-radius:.375rem}
button{padding:.55rem 1.25rem;font:inherit;font-weight:600;color:#fff;background:#24292f;border:0;border-radius:.375rem;cursor:pointer}
[role=alert]{color:#b42318}@media (max-width:30rem){main{margin:1rem .75rem}}`;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const newId = (prefix: string): string => `${prefix}-${randomBytes(24).toString('base64url').replace(/[_]/g, 'A')}`;

export class MiniCas {
  readonly #options: MiniCasOptions;
  readonly #tickets = new Map<string, Ticket>();
  readonly #sessions = new Map<string, CasSession>();
  readonly base: string;
  /** counters for tests: validations answered, logins by password, SLO posts sent */
  readonly stats = { validations: 0, passwordLogins: 0, ssoLogins: 0, logoutPosts: 0 };
  readonly app: Koa;

  constructor(options: MiniCasOptions = {}) {
    this.#options = options;
    this.base = options.basePath ?? '/cas';
    this.app = new Koa();
    this.app.use((ctx) => this.#route(ctx));
  }

  async #route(ctx: Context): Promise<void> {
    const path = ctx.path.startsWith(this.base) ? ctx.path.slice(this.base.length) : '';
    if (path === '/login' && ctx.method === 'GET') return this.#loginPage(ctx);
    if (path === '/login' && ctx.method === 'POST') return this.#loginSubmit(ctx);
    if (path === '/p3/serviceValidate' || path === '/serviceValidate' || path === '/p3/proxyValidate') return this.#validate(ctx);
    if (path === '/logout') return this.#logout(ctx);
    ctx.status = 404;
  }

  #session(ctx: Context): [string, CasSession] | undefined {
    const id = ctx.cookies.get('CASTGC');
    const session = id ? this.#sessions.get(id) : undefined;
    return id && session ? [id, session] : undefined;
  }

  #issue(ctx: Context, sessionId: string, service: string, fromNewLogin: boolean): void {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new Error('no session');
    const ticket = newId('ST');
    this.#tickets.set(ticket, {
      service, user: session.user, fromNewLogin, sessionId, expires: Date.now() + (this.#options.ticketTtl ?? 60) * 1000,
    });
    session.tickets.push({ ticket, service });
    const target = new URL(service);
    target.searchParams.set('ticket', ticket);
    ctx.status = 302;
    ctx.redirect(target.href);
  }

  #loginPage(ctx: Context): void {
    const service = typeof ctx.query.service === 'string' ? ctx.query.service : '';
    const renew = ctx.query.renew === 'true';
    const gateway = ctx.query.gateway === 'true';
    const existing = this.#session(ctx);
    if (service && existing && (!renew || this.#options.ignoreRenew)) {
      this.stats.ssoLogins += 1;
      return this.#issue(ctx, existing[0], service, false);
    }
    if (service && gateway && !renew) {
      ctx.status = 302;
      ctx.redirect(service);
      return;
    }
    this.#form(ctx, service, '');
  }

  #form(ctx: Context, service: string, error: string): void {
    const title = escapeHtml(this.#options.title ?? 'CAS login');
    ctx.type = 'html';
    const note = this.#options.acceptAnyUser
      ? '<p class="note">A stand-in for your organisation\'s CAS login page: it accepts any username and any password.</p>'
      : '';
    ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${FORM_STYLE}</style></head><body><main><h1>${title}</h1>${note}${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(this.base)}/login">
<input type="hidden" name="service" value="${escapeHtml(service)}">
<p><label>Username <input name="username" autocomplete="username" required autofocus></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"${this.#options.acceptAnyUser ? '' : ' required'}></label></p>
<p><button type="submit">Log in</button></p></form></main></body></html>`;
  }

  async #loginSubmit(ctx: Context): Promise<void> {
    const form = new URLSearchParams(await readCappedBody(ctx, 64 * 1024));
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const service = form.get('service') ?? '';
    const known = this.#options.users?.[username];
    const ok = known ? known.password === undefined || known.password === password : Boolean(this.#options.acceptAnyUser && username);
    if (!ok) {
      ctx.status = 200;
      this.#form(ctx, service, 'The credentials you provided cannot be determined to be authentic.');
      return;
    }
    const sessionId = newId('TGT');
    this.#sessions.set(sessionId, { user: username, authenticatedAt: new Date(), tickets: [] });
    ctx.cookies.set('CASTGC', sessionId, { httpOnly: true, sameSite: 'lax', path: this.base });
    this.stats.passwordLogins += 1;
    if (!service) {
      ctx.type = 'html';
      ctx.body = '<!doctype html><p>Logged in.</p>';
      return;
    }
    this.#issue(ctx, sessionId, service, true);
  }

  #attributes(user: string): Record<string, string | string[]> {
    return this.#options.users?.[user]?.attributes ?? this.#options.defaultAttributes?.(user) ?? {};
  }

  #validate(ctx: Context): void {
    this.stats.validations += 1;
    const service = typeof ctx.query.service === 'string' ? ctx.query.service : undefined;
    const ticketId = typeof ctx.query.ticket === 'string' ? ctx.query.ticket : undefined;
    ctx.type = 'text/xml; charset=utf-8';
    const fail = (code: string, text: string): void => {
      ctx.body = builder.build({ 'cas:serviceResponse': { '@_xmlns:cas': 'http://www.yale.edu/tp/cas', 'cas:authenticationFailure': { '@_code': code, '#text': text } } });
    };
    if (!service || !ticketId) return fail('INVALID_REQUEST', 'service and ticket are required');
    const ticket = this.#tickets.get(ticketId);
    this.#tickets.delete(ticketId); // single use, even when validation fails
    if (!ticket || ticket.expires < Date.now()) return fail('INVALID_TICKET', 'ticket not recognized');
    if (ticket.service !== service) return fail('INVALID_SERVICE', 'service does not match');
    if (ctx.query.renew === 'true' && !ticket.fromNewLogin && !this.#options.ignoreRenew) return fail('INVALID_TICKET', 'ticket not from a new login');
    const session = this.#sessions.get(ticket.sessionId);
    const attributes: Record<string, unknown> = {
      'cas:authenticationDate': (session?.authenticatedAt ?? new Date()).toISOString(),
      'cas:isFromNewLogin': String(ticket.fromNewLogin),
      'cas:longTermAuthenticationRequestTokenUsed': 'false',
    };
    for (const [name, value] of Object.entries(this.#attributes(ticket.user))) attributes[`cas:${name}`] = value;
    ctx.body = builder.build({
      'cas:serviceResponse': {
        '@_xmlns:cas': 'http://www.yale.edu/tp/cas',
        'cas:authenticationSuccess': { 'cas:user': ticket.user, 'cas:attributes': attributes },
      },
    });
  }

  async #logout(ctx: Context): Promise<void> {
    const existing = this.#session(ctx);
    if (existing) {
      const [id, session] = existing;
      this.#sessions.delete(id);
      ctx.cookies.set('CASTGC', null, { path: this.base });
      if (this.#options.singleLogout !== false) await this.#singleLogout(session);
    }
    const service = typeof ctx.query.service === 'string' ? ctx.query.service : undefined;
    if (service && URL.canParse(service)) {
      ctx.status = 302;
      ctx.redirect(service);
      return;
    }
    ctx.type = 'html';
    ctx.body = '<!doctype html><p>You are logged out of CAS.</p>';
  }

  /** One back-channel POST per ticket of the session, like django-cas-server and Apereo do. */
  async #singleLogout(session: CasSession): Promise<void> {
    await Promise.all(session.tickets.map(async ({ ticket, service }) => {
      const xml = builder.build({
        'samlp:LogoutRequest': {
          '@_xmlns:samlp': 'urn:oasis:names:tc:SAML:2.0:protocol',
          '@_ID': newId('LR'),
          '@_Version': '2.0',
          '@_IssueInstant': new Date().toISOString(),
          'saml:NameID': { '@_xmlns:saml': 'urn:oasis:names:tc:SAML:2.0:assertion', '#text': session.user },
          'samlp:SessionIndex': ticket,
        },
      });
      this.stats.logoutPosts += 1;
      await fetch(service, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logoutRequest: xml }),
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
    }));
  }

  /** Starts it on loopback; answers the CAS base URL (e.g. http://127.0.0.1:PORT/cas). */
  async listen(port = 0, host = '127.0.0.1'): Promise<{ url: string; server: Server; close(): Promise<void> }> {
    const server = createServer(this.app.callback());
    const { port: actual } = await bind(server, port, host);
    return {
      url: `http://${host}:${actual}${this.base}`,
      server,
      close: () => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    };
  }
}
