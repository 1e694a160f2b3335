// POST <SERVICE_URL>: CAS single logout. CAS posts `logoutRequest=<samlp:LogoutRequest>` (form
// encoded, server to server, no cookies) for every ticket of a CAS session that ends. Answers:
// 200 whether or not the ticket was known (CAS only needs to know it was received), 400 for a body
// that is not a logout request, 415 for one that is not a form, 503 when the bridge's storage
// fails. Never 500, never a page.
import type { Context } from 'koa';
import { CasProtocolError } from '../lib/cas/errors.js';
import { parseLogoutRequest } from '../lib/cas/slo.js';
import { endSessionForTicket } from '../lib/logout/single-logout.js';
import type { ProviderHolder } from '../lib/provider/holder.js';
import type { Services } from '../lib/server/services.js';
import { BodyTooLargeError, answerText, readCappedBody } from '../lib/http/body.js';

/** A logout request is well under 4 KiB; anything far larger is not one. */
export const MAX_LOGOUT_REQUEST_BYTES = 64 * 1024;

export async function casSingleLogout(ctx: Context, services: Services, holder: ProviderHolder): Promise<void> {
  const log = services.logger.child({ event: 'cas_single_logout' });
  // CAS posts a form; anything else (JSON, text/plain from a page's fetch) is not a logout request
  if (!ctx.is('application/x-www-form-urlencoded')) {
    log.warn({ outcome: 'malformed', reason: 'content type' }, 'CAS logout request refused: not application/x-www-form-urlencoded');
    return answerText(ctx, 415, 'expected application/x-www-form-urlencoded\n');
  }
  let body: string;
  try {
    body = await readCappedBody(ctx, MAX_LOGOUT_REQUEST_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    log.warn({ outcome: 'too_large' }, 'CAS logout request refused: body too large');
    return answerText(ctx, 413, 'logout request too large\n');
  }
  const xml = new URLSearchParams(body).get('logoutRequest');
  if (!xml) {
    log.warn({ outcome: 'malformed' }, 'POST to the service URL without a logoutRequest');
    return answerText(ctx, 400, 'expected a form field logoutRequest\n');
  }
  let sessionIndex: string;
  try {
    sessionIndex = parseLogoutRequest(xml).sessionIndex;
  } catch (err) {
    if (!(err instanceof CasProtocolError)) throw err;
    log.warn({ outcome: 'malformed', reason: err.message }, 'CAS logout request refused');
    return answerText(ctx, 400, 'malformed logoutRequest\n');
  }

  try {
    const result = await endSessionForTicket(services, holder.current, sessionIndex);
    log.info({ outcome: result.outcome, notified: result.notified, failed: result.failed }, 'CAS logout request handled');
  } catch (err) {
    log.error({ err }, 'CAS logout request could not be handled');
    return answerText(ctx, 503, 'logout request could not be handled now\n');
  }
  answerText(ctx, 200, 'ok\n');
}
