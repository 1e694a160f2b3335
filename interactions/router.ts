// Routes the bridge serves itself, beside oidc-provider: the interaction steps and the CAS
// service URL.
import Router from '@koa/router';
import type { Services } from '../lib/server/services.js';
import type { ProviderHolder } from '../lib/provider/holder.js';
import { casReturn } from './callback.js';
import { abortInteraction, completeCasLogin, startInteraction } from './login.js';
import { casSingleLogout } from './single-logout.js';
import { answerConsent } from './consent.js';
import { onlyFrom } from '../lib/http/address-list.js';

export function interactionRouter(services: Services, holder: ProviderHolder): Router {
  const router = new Router();
  const noStore = async (ctx: { set(k: string, v: string): void }, next: () => Promise<unknown>) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
  router.get('/interaction/:uid', noStore, (ctx) => startInteraction(ctx, services, holder.current));
  router.get('/interaction/:uid/cas', noStore, (ctx) => completeCasLogin(ctx, services, holder.current));
  router.get('/interaction/:uid/abort', noStore, (ctx) => abortInteraction(ctx, services, holder.current));
  router.post('/interaction/:uid/consent', noStore, (ctx) => answerConsent(ctx, services, holder.current));
  router.get(new URL(services.config.cas.serviceUrl).pathname, noStore, (ctx) => casReturn(ctx, services, holder.current));
  // CAS single logout: POSTed by CAS itself to the same service URL (from CAS_SERVER_ADDRESSES)
  const fromCas = onlyFrom(services.config.cas.serverAddresses, (ip) => services.logger.warn(
    { event: 'cas_single_logout', outcome: 'refused_address', ip }, 'single-logout request from an address not in CAS_SERVER_ADDRESSES'));
  router.post(new URL(services.config.cas.serviceUrl).pathname, fromCas, (ctx) => casSingleLogout(ctx, services, holder));
  return router;
}
