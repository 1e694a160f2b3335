// Every URL the bridge builds comes from ISSUER. oidc-provider builds its URLs from the request
// (koa's ctx.href: protocol, Host or X-Forwarded-Host, the request target), so before anything
// else runs, a request is made to look as if it had been sent to ISSUER: Host is the issuer's,
// X-Forwarded-Host and Forwarded are dropped, an absolute-form target (`GET http://other/…`) is cut
// to its path, and the base URLs are built from is the issuer's origin, scheme and port included.
// X-Forwarded-Proto (from a trusted proxy) still decides what it must: whether the request is
// secure, i.e. whether cookies carry Secure.
import type { Middleware } from 'koa';

export function pinToIssuer(issuer: string): Middleware {
  const { origin, host } = new URL(issuer);
  return async (ctx, next) => {
    const { headers } = ctx.req;
    delete headers['x-forwarded-host'];
    delete headers.forwarded;
    headers.host = host;
    const target = ctx.req.url ?? '/';
    if (!target.startsWith('/')) {
      const parsed = URL.parse(target);
      const path = parsed ? `${parsed.pathname}${parsed.search}` : '/';
      ctx.req.url = path;
      ctx.originalUrl = path;
      ctx.request.originalUrl = path;
    }
    // koa builds href (and URL) from protocol://host + originalUrl; the protocol follows
    // X-Forwarded-Proto, so pin the whole base instead (ctx.origin, the Origin header, is untouched)
    const pinned = `${origin}${ctx.originalUrl}`;
    Object.defineProperty(ctx.request, 'href', { value: pinned, configurable: true });
    Object.defineProperty(ctx.request, 'URL', { value: new URL(pinned), configurable: true });
    await next();
  };
}

/** An absolute URL on the issuer's origin for one of the bridge's own paths. */
export const onIssuer = (issuer: string, path: string): string => new URL(path, new URL(issuer).origin).href;
