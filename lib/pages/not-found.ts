// A path nothing serves gets the bridge's own page (branded, in the reader's language) instead of
// koa's bare "Not Found". Answers that already have a body (oidc-provider's JSON errors) are kept.
import type { Middleware } from 'koa';
import type { Views } from './views.js';

export function notFoundPage(views: Views): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body != null || ctx.respond === false || ctx.headerSent) return;
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'no such endpoint' };
      return;
    }
    views.renderError(ctx, { status: 404, titleKey: 'error.not_found.title', messageKey: 'error.not_found.message' });
  };
}
