// A CAS stand-in for proxy specs that need what django-cas-server cannot do: Apereo's "PGT in the
// validation response" (the PGT encrypted with the service's public key, PKCS#1 v1.5 like Java's
// Cipher.getInstance("RSA")), and injected failures. Logins need no form: /login issues a ticket.
// Like Apereo, a validation with a pgtUrl first checks that the URL answers a bare GET with 200.
import { constants, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Context } from 'koa';

export type PgtDelivery = 'callback' | 'encrypted';

interface Ticket {
  readonly service: string;
  readonly user: string;
  readonly proxies: readonly string[];
}

const id = (prefix: string): string => `${prefix}-${randomBytes(30).toString('base64url').replace(/[_-]/g, 'x')}`;
const xmlEscape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const envelope = (inner: string): string => `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">${inner}</cas:serviceResponse>`;
const failure = (element: string, code: string, text: string): string => envelope(`<cas:${element} code="${code}">${xmlEscape(text)}</cas:${element}>`);

export class ProxyingCas {
  readonly #tickets = new Map<string, Ticket>();
  readonly #pgts = new Map<string, { user: string; pgtUrl: string }>();
  readonly stats = { logins: 0, endpointChecks: 0, callbacks: 0, proxyRequests: 0 };
  user = 'alice';
  delivery: PgtDelivery = 'callback';
  /** public key CAS encrypts PGTs with ('encrypted' delivery) */
  publicKey: KeyObject | undefined;
  /** replaces the encrypted attribute's value (to send something undecryptable) */
  encryptedOverride: string | undefined;
  /** a raw validation answer instead of the real one */
  validationOverride: string | undefined;
  /** a raw /proxy answer instead of the real one */
  proxyOverride: ((pgt: string, target: string) => string | undefined) | undefined;
  /** services CAS lets proxy tickets be issued for */
  allowTarget: (service: string) => boolean = () => true;
  url = '';
  #server: Server | undefined;

  async listen(): Promise<this> {
    const app = new Koa();
    app.use((ctx) => this.#route(ctx));
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cas`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }

  /** Every PGT handed out and still valid (for specs that log one out). */
  get pgts(): string[] {
    return [...this.#pgts.keys()];
  }

  forgetPgt(pgt: string): void {
    this.#pgts.delete(pgt);
  }

  async #route(ctx: Context): Promise<void> {
    const q = (name: string): string | undefined => (typeof ctx.query[name] === 'string' ? ctx.query[name] : undefined);
    ctx.type = 'text/xml; charset=utf-8';
    switch (ctx.path) {
      case '/cas/login': {
        const service = q('service') ?? '';
        const ticket = id('ST');
        this.stats.logins += 1;
        this.#tickets.set(ticket, { service, user: this.user, proxies: [] });
        const target = new URL(service);
        target.searchParams.set('ticket', ticket);
        ctx.redirect(target.href);
        return;
      }
      case '/cas/p3/serviceValidate':
        ctx.body = await this.#validate(q('service'), q('ticket'), q('pgtUrl'), false);
        return;
      case '/cas/p3/proxyValidate':
        ctx.body = await this.#validate(q('service'), q('ticket'), q('pgtUrl'), true);
        return;
      case '/cas/proxy':
        ctx.body = this.#proxy(q('pgt'), q('targetService'));
        return;
      default:
        ctx.status = 404;
    }
  }

  async #validate(service: string | undefined, ticketId: string | undefined, pgtUrl: string | undefined, acceptProxyTickets: boolean): Promise<string> {
    if (this.validationOverride !== undefined) return this.validationOverride;
    if (!service || !ticketId) return failure('authenticationFailure', 'INVALID_REQUEST', 'service and ticket are required');
    const ticket = this.#tickets.get(ticketId);
    this.#tickets.delete(ticketId);
    if (!ticket || (ticket.proxies.length && !acceptProxyTickets)) return failure('authenticationFailure', 'INVALID_TICKET', `ticket ${ticketId} not recognized`);
    if (ticket.service !== service) return failure('authenticationFailure', 'INVALID_SERVICE', 'service does not match');

    let pgtElement = '';
    let pgtAttribute = '';
    if (pgtUrl) {
      this.stats.endpointChecks += 1;
      const check = await fetch(pgtUrl, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      if (check?.status !== 200) return failure('authenticationFailure', 'INVALID_PROXY_CALLBACK', `callback ${pgtUrl} did not answer`);
      const pgt = id('PGT');
      this.#pgts.set(pgt, { user: ticket.user, pgtUrl });
      if (this.delivery === 'encrypted') {
        if (!this.publicKey) throw new Error('no public key to encrypt the PGT with');
        const encrypted = publicEncrypt({ key: this.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(pgt, 'utf8')).toString('base64');
        pgtAttribute = `<cas:proxyGrantingTicket>${xmlEscape(this.encryptedOverride ?? encrypted)}</cas:proxyGrantingTicket>`;
      } else {
        const iou = id('PGTIOU');
        const callback = new URL(pgtUrl);
        callback.searchParams.set('pgtId', pgt);
        callback.searchParams.set('pgtIou', iou);
        this.stats.callbacks += 1;
        const delivered = await fetch(callback, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        if (delivered?.status === 200) pgtElement = `<cas:proxyGrantingTicket>${iou}</cas:proxyGrantingTicket>`;
      }
    }
    const proxies = ticket.proxies.length
      ? `<cas:proxies>${ticket.proxies.map((p) => `<cas:proxy>${xmlEscape(p)}</cas:proxy>`).join('')}</cas:proxies>`
      : '';
    return envelope(`<cas:authenticationSuccess><cas:user>${xmlEscape(ticket.user)}</cas:user><cas:attributes>`
      + `<cas:email>${xmlEscape(ticket.user)}@example.org</cas:email>${pgtAttribute}</cas:attributes>${pgtElement}${proxies}</cas:authenticationSuccess>`);
  }

  #proxy(pgt: string | undefined, target: string | undefined): string {
    this.stats.proxyRequests += 1;
    if (!pgt || !target) return failure('proxyFailure', 'INVALID_REQUEST', 'pgt and targetService are required');
    const override = this.proxyOverride?.(pgt, target);
    if (override !== undefined) return override;
    const held = this.#pgts.get(pgt);
    if (!held) return failure('proxyFailure', 'INVALID_TICKET', `PGT ${pgt} not recognized`);
    if (!this.allowTarget(target)) return failure('proxyFailure', 'UNAUTHORIZED_SERVICE', target);
    const ticket = id('PT');
    this.#tickets.set(ticket, { service: target, user: held.user, proxies: [held.pgtUrl] });
    return envelope(`<cas:proxySuccess><cas:proxyTicket>${ticket}</cas:proxyTicket></cas:proxySuccess>`);
  }
}
