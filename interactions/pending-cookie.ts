// The bridge's own cookie naming the login in progress. oidc-provider's interaction cookie is
// scoped to /interaction/<uid> and never reaches the fixed CAS service URL, so this signed,
// HttpOnly, SameSite=Lax cookie carries the uid from the CAS redirect back to the interaction.
import type { Context } from 'koa';
import type { BridgeConfig } from '../lib/config/index.js';

export const PENDING_COOKIE = 'cas_oidc_pending';

/**
 * The pending login (cookie and stored record) outlives its interaction by this much, so that a
 * person coming back from CAS too late still gets the way back to the application.
 */
export const EXPIRED_GRACE_SECONDS = 600;

export function setPendingCookie(ctx: Context, config: BridgeConfig, uid: string): void {
  ctx.cookies.set(PENDING_COOKIE, uid, {
    signed: true,
    httpOnly: true,
    sameSite: config.cookies.sameSite,
    secure: ctx.secure,
    path: '/',
    maxAge: (config.ttl.interaction + EXPIRED_GRACE_SECONDS) * 1000,
    overwrite: true,
  });
}

export function readPendingCookie(ctx: Context): string | undefined {
  const value = ctx.cookies.get(PENDING_COOKIE, { signed: true });
  return value && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
}

export function clearPendingCookie(ctx: Context, config: BridgeConfig): void {
  ctx.cookies.set(PENDING_COOKIE, null, { signed: true, httpOnly: true, sameSite: config.cookies.sameSite, secure: ctx.secure, path: '/', overwrite: true });
}
