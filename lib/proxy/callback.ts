// The proxy callback URL (CAS_PROXY_CALLBACK_URL), called by CAS, never by a browser:
//   GET  ?pgtIou=PGTIOU-…&pgtId=PGT-…   store IOU -> PGT for the validating node, answer 200 (only a
//                                        200 makes CAS hand out the PGT)
//   GET  (no parameters)                 Apereo checks that the endpoint answers before using it: 200
//   POST logoutRequest=<SAML LogoutRequest>  CAS logged the PGT out (SessionIndex is the PGT):
//                                        destroy it, answer 200
import Router from '@koa/router';
import type { Context } from 'koa';
import { CasError } from '../cas/errors.js';
import { CAS_TICKET } from '../cas/proxy.js';
import { onlyFrom } from '../http/address-list.js';
import { parseLogoutRequest } from '../cas/slo.js';
import type { Services } from '../server/services.js';
import { BodyTooLargeError, answerText, readCappedBody } from '../http/body.js';

const MAX_BODY_BYTES = 64 * 1024;

// CAS protocol 3.4 and 3.5: a PGT begins with PGT-, its IOU with PGTIOU-; both at most 256 characters
const PGT = new RegExp(`^PGT-${CAS_TICKET.source.slice(1)}`);
const PGT_IOU = new RegExp(`^PGTIOU-${CAS_TICKET.source.slice(1)}`);

async function readFormBody(ctx: Context): Promise<URLSearchParams | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(await readCappedBody(ctx, MAX_BODY_BYTES));
}

async function receivePgt(ctx: Context, services: Services): Promise<void> {
  const iou = ctx.query.pgtIou;
  const pgt = ctx.query.pgtId;
  if (iou === undefined && pgt === undefined) return answerText(ctx, 200, 'OK');
  if (typeof iou !== 'string' || typeof pgt !== 'string' || !PGT_IOU.test(iou) || !PGT.test(pgt)) {
    services.logger.warn({ event: 'cas_proxy', outcome: 'bad_callback' }, 'proxy callback without a valid pgtIou and pgtId');
    return answerText(ctx, 400, 'pgtIou and pgtId are required');
  }
  await services.pgts.saveIou(iou, pgt);
  services.logger.info({ event: 'cas_proxy', outcome: 'pgt_received' }, 'proxy-granting ticket received');
  answerText(ctx, 200, 'OK');
}

async function logoutPgt(ctx: Context, services: Services): Promise<void> {
  let form: URLSearchParams | undefined;
  try {
    form = await readFormBody(ctx);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return answerText(ctx, 413, 'request too large');
    throw err;
  }
  const xml = form?.get('logoutRequest');
  if (!xml) return answerText(ctx, 400, 'logoutRequest is required');
  let pgt: string;
  try {
    pgt = parseLogoutRequest(xml).sessionIndex;
  } catch (err) {
    if (!(err instanceof CasError)) throw err;
    services.logger.warn({ event: 'cas_proxy', outcome: 'bad_logout_request' }, 'unreadable logoutRequest at the proxy callback');
    return answerText(ctx, 400, 'unreadable logoutRequest');
  }
  const removed = await services.pgts.forgetPgt(pgt);
  services.logger.info({ event: 'cas_proxy', outcome: removed ? 'pgt_destroyed' : 'pgt_logout_unknown', reason: 'cas_logout' }, 'CAS logged out a proxy-granting ticket');
  answerText(ctx, 200, 'OK');
}

export function proxyCallbackRouter(services: Services, path: string): Router {
  const router = new Router();
  const noStore = async (ctx: Context, next: () => Promise<unknown>) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
  const fromCas = onlyFrom(services.config.cas.serverAddresses, (ip) => services.logger.warn(
    { event: 'cas_proxy', outcome: 'refused_address', ip }, 'proxy callback from an address not in CAS_SERVER_ADDRESSES'));
  router.get(path, noStore, fromCas, (ctx) => receivePgt(ctx, services));
  router.post(path, noStore, fromCas, (ctx) => logoutPgt(ctx, services));
  return router;
}
