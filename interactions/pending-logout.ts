// The bridge's cookie for a logout passing through CAS: where the browser goes once CAS sends it
// back to the service URL (the client's post_logout_redirect_uri with its state, or the bridge's
// logged-out page). Sealed with SECRET_KEY (AES-GCM): the target cannot be read or forged, so the
// service URL never becomes an open redirect. Its presence is also what tells the callback that a
// ticketless return ends a logout rather than a gateway login.
import type { Context } from 'koa';
import type { BridgeConfig } from '../lib/config/index.js';
import { SecretOpenError, type SecretBox } from '../lib/keys/secrets.js';

export const PENDING_LOGOUT_COOKIE = 'cas_oidc_logout';
const PURPOSE = 'pending-logout';
/** Browsers keep cookies up to about 4 KiB; a longer target is not sent through CAS. */
export const MAX_LOGOUT_TARGET_LENGTH = 2500;

interface Sealed {
  readonly to: string;
  readonly exp: number;
}

const options = (ctx: Context, config: BridgeConfig) => ({
  signed: false,
  httpOnly: true,
  sameSite: config.cookies.sameSite,
  secure: ctx.secure,
  path: '/',
  overwrite: true,
});

/** Remembers `target`; false when it is too long to be carried in a cookie. */
export function setPendingLogout(ctx: Context, config: BridgeConfig, box: SecretBox, target: string): boolean {
  if (target.length > MAX_LOGOUT_TARGET_LENGTH) return false;
  const ttl = config.ttl.interaction;
  const sealed: Sealed = { to: target, exp: Math.floor(Date.now() / 1000) + ttl };
  ctx.cookies.set(PENDING_LOGOUT_COOKIE, box.seal(JSON.stringify(sealed), PURPOSE), { ...options(ctx, config), maxAge: ttl * 1000 });
  return true;
}

export function readPendingLogout(ctx: Context, box: SecretBox): string | undefined {
  const value = ctx.cookies.get(PENDING_LOGOUT_COOKIE);
  if (!value) return undefined;
  try {
    const sealed = JSON.parse(box.open(value, PURPOSE)) as Partial<Sealed>;
    if (typeof sealed.to !== 'string' || typeof sealed.exp !== 'number' || sealed.exp < Date.now() / 1000) return undefined;
    return sealed.to;
  } catch (err) {
    if (err instanceof SecretOpenError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export function clearPendingLogout(ctx: Context, config: BridgeConfig): void {
  if (ctx.cookies.get(PENDING_LOGOUT_COOKIE) === undefined) return;
  ctx.cookies.set(PENDING_LOGOUT_COOKIE, null, options(ctx, config));
}
