// CAS proxying, wired into the provider: the token-exchange grant, the scope it needs, the step
// that gives an OP session its PGT, and the PGT's destruction with the session.
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Services } from '../server/services.js';
import { destroyPgtsWithProviderSessions } from './lifecycle.js';
import { linkPgtToSession } from './session-link.js';
import { CAS_PROXY_SCOPE, TOKEN_EXCHANGE_GRANT, registerTokenExchange } from './token-exchange.js';

/** Parts of buildConfiguration() that proxying adds (nothing when it is off). */
export function casProxyConfiguration(services: Services): { extraGrantTypes: string[]; extraScopes: string[] } {
  return services.config.cas.proxy
    ? { extraGrantTypes: [TOKEN_EXCHANGE_GRANT], extraScopes: [CAS_PROXY_SCOPE] }
    : { extraGrantTypes: [], extraScopes: [] };
}

/** Call right after `new Provider(…)`: static clients list the grant type, validated on first use. */
export function installCasProxy(provider: Provider, services: Services): void {
  if (!services.config.cas.proxy) return;
  registerTokenExchange(provider, services);
  provider.use(linkPgtToSession(services) as unknown as Middleware);
  destroyPgtsWithProviderSessions(provider, services);
}

export { proxyCallbackRouter } from './callback.js';
export { destroyPgtsWithSessions } from './lifecycle.js';
export { CAS_PROXY_SCOPE, CAS_PROXY_TICKET_TYPE, TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE } from './token-exchange.js';
