// The koa application: request logging, health, the bridge's own routes, then oidc-provider.
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Services } from './services.js';
import type { ProviderHolder } from '../provider/holder.js';
import { interactionRouter } from '../../interactions/router.js';
import { proxyCallbackRouter } from '../proxy/index.js';
import { pinToIssuer } from '../http/issuer-origin.js';
import { securityHeaders } from '../http/security-headers.js';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /^(ticket|code|state|nonce|id_token_hint|logout_token|pgtId|pgtIou|client_secret|code_verifier|token|refresh_token|subject_token|access_token)$/i;

export function loggablePath(url: string): string {
  const parsed = URL.parse(url, 'http://x');
  if (!parsed) return '?';
  const names = [...new Set([...parsed.searchParams.keys()])];
  return names.length ? `${parsed.pathname}?${names.map((n) => (SECRET_PARAMS.test(n) ? `${n}=…` : n)).join('&')}` : parsed.pathname;
}

/** A request id set by the trusted reverse proxy (nginx `$request_id`) is kept, to join both logs. */
const FORWARDED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function createApp(services: Services, holder: ProviderHolder): Koa {
  const app = new Koa();
  // oidc-provider sets its interaction cookies through this app's ctx: keys must be the same
  app.keys = services.box.cookieKeys();
  app.proxy = services.config.server.trustProxy;
  app.silent = true;

  app.use(pinToIssuer(services.config.issuer));
  app.use(async (ctx, next) => {
    const started = performance.now();
    const forwarded = app.proxy ? ctx.get('x-request-id') : '';
    const requestId = FORWARDED_REQUEST_ID.test(forwarded) ? forwarded : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } catch (err) {
      services.logger.error({ err, requestId }, 'request failed');
      services.views.renderError(ctx, { status: 500, titleKey: 'error.server.title', messageKey: 'error.server.message' });
    } finally {
      services.logger.info({
        event: 'request',
        requestId,
        method: ctx.method,
        path: loggablePath(ctx.originalUrl),
        // the client's address: X-Forwarded-For's from a trusted proxy (TRUST_PROXY), else the socket's
        ip: ctx.ip,
        status: ctx.respond === false ? ctx.res.statusCode : ctx.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      }, 'request');
    }
  });

  app.use(securityHeaders());

  // With an https issuer and Secure cookies, a request that arrives as plain http means the proxy
  // does not send X-Forwarded-Proto: cookies would lose Secure. Say so once, loudly.
  if (services.config.cookies.secure && services.config.issuer.startsWith('https:')) {
    let warned = false;
    app.use(async (ctx, next) => {
      if (!warned && !ctx.secure && ctx.path !== '/healthz') {
        warned = true;
        services.logger.warn({ event: 'config_warning', requestId: ctx.state.requestId }, 'a request arrived over plain http although ISSUER is https: '
          + 'make the reverse proxy send "X-Forwarded-Proto: https" (and TRUST_PROXY=true), or cookies go out without Secure');
      }
      await next();
    });
  }

  app.use(async (ctx, next) => {
    if (ctx.path !== '/healthz' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.set('Cache-Control', 'no-store');
    try {
      await services.db.ping();
      ctx.body = { status: 'ok' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', reason: 'database not answering' };
    }
  });

  if (services.config.cas.proxy) {
    const proxyRouter = proxyCallbackRouter(services, services.config.cas.proxy.callbackPath);
    app.use(proxyRouter.routes());
    app.use(proxyRouter.allowedMethods());
  }

  const router = interactionRouter(services, holder);
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use(holder.middleware());
  return app;
}
