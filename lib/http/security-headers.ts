// Headers every answer carries, set before anything else runs so that pages the bridge does not
// render itself (oidc-provider's form_post page, plain errors) get them too:
// - nosniff, no framing, no Referer leaving the bridge;
// - a Content-Security-Policy for pages without their own (the bridge's views set a stricter one
//   with a nonce); oidc-provider adds the hash of its inline script to `script-src` when it finds
//   this header, so its self-submitting forms still work;
// - Strict-Transport-Security on requests that arrived over https (X-Forwarded-Proto from a
//   trusted proxy counts): a browser that once reached the bridge over https never tries http again.
import type { Middleware } from 'koa';

export const DEFAULT_CSP = "default-src 'none'; script-src 'self'; form-action 'self' https: http:; base-uri 'none'; frame-ancestors 'none'";
export const HSTS = 'max-age=31536000';

export function securityHeaders(): Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Content-Security-Policy', DEFAULT_CSP);
    if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
    await next();
  };
}
