// Builds an oidc-provider instance for the bridge. A new one is built whenever the signing keys
// change (oidc-provider reads keys once, at construction), and swapped in by ProviderHolder.
import Provider from 'oidc-provider';
import { ConfigError } from '../config/index.js';
import { jwksFromRows } from '../keys/signing-keys.js';
import type { Services } from '../server/services.js';
import { buildConfiguration } from './configuration.js';
import { installClientPolicies } from './clients.js';
import { observeProvider } from './observe.js';
import { preflightByRegistration } from './cors.js';
import { asKoa, emptyRevocationAnswer, explainPkceMethod, linkCasTicketToSession, configuredClientRequests } from './middleware.js';
import { promptNoneToCasGateway } from './gateway.js';
import { sessionStateInTokenResponses } from './session-state.js';
import { rpLogoutThroughCas } from '../logout/rp-logout.js';
import { skipLogoutTokenToRequester } from '../logout/skip-requester.js';
import { anonymousLogout } from '../logout/anonymous-logout.js';
import { casProxyConfiguration, installCasProxy } from '../proxy/index.js';

export async function createProvider(services: Services): Promise<Provider> {
  const jwks = jwksFromRows(await services.signingKeys.list(), services.box);
  const provider = new Provider(services.config.issuer, buildConfiguration(services, { jwks, ...casProxyConfiguration(services) }));
  provider.proxy = services.config.server.trustProxy;
  installClientPolicies(provider, services.config.clients);
  skipLogoutTokenToRequester(provider);
  installCasProxy(provider, services);
  provider.use(asKoa(preflightByRegistration(services.config.clients, services.logger)));
  provider.use(asKoa(configuredClientRequests(services)));
  provider.use(asKoa(explainPkceMethod(services)));
  provider.use(asKoa(emptyRevocationAnswer()));
  provider.use(asKoa(linkCasTicketToSession(services)));
  provider.use(asKoa(promptNoneToCasGateway()));
  provider.use(asKoa(sessionStateInTokenResponses()));
  provider.use(asKoa(rpLogoutThroughCas(services)));
  provider.use(asKoa(anonymousLogout(services, provider)));
  provider.on('server_error', (ctx, err) => services.logger.error({ err, event: 'server_error', path: ctx.path }, 'oidc-provider server error'));
  observeProvider(provider, services.logger, services.metrics, services.clients);

  // static clients are validated lazily on first use; fail at start (or reload) instead, naming the
  // client: oidc-provider's own checks of client metadata go beyond the bridge's
  const problems: string[] = [];
  for (const client of services.config.clients) {
    try {
      await provider.Client.find(client.clientId);
    } catch (err) {
      const { error_description: description } = err as { error_description?: string };
      if (!description) throw err;
      problems.push(`${client.where}: ${description}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return provider;
}
