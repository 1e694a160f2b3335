// Consent for configured clients. A first-party client (every confidential client unless the
// admin says otherwise) gets what it asks (within what it may have) plus its default scopes,
// without a consent page. Any other client (public ones by default: anyone can use their client id)
// keeps only what the person granted on the consent page (interactions/consent.ts).
import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import type { ClientConfig } from '../config/index.js';
import { scopesAllowedFor } from './scopes.js';

export function grantedScopes(client: ClientConfig, requested: readonly string[], known: ReadonlySet<string>): string[] {
  const allowed = scopesAllowedFor(client, known);
  return [...new Set([...requested, ...client.defaultScopes])].filter((s) => allowed.has(s));
}

export function loadExistingGrantFor(clients: ReadonlyMap<string, ClientConfig>, knownScopes: ReadonlySet<string>) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const { client, session, params, provider } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const config = clients.get(client.clientId);
    const resultGrantId = (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId;
    const grantId = resultGrantId ?? session.grantIdFor(client.clientId);
    const existing = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!config) return existing;
    if (!config.firstParty) return existing?.accountId === session.accountId ? existing : undefined;

    const requested = typeof params?.scope === 'string' ? params.scope.split(' ') : [];
    const scopes = grantedScopes(config, requested, knownScopes);
    const grant = existing && existing.accountId === session.accountId
      ? existing
      : new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    const missing = scopes.filter((s) => !grant.getOIDCScope().split(' ').includes(s));
    if (missing.length || !grant.jti) {
      grant.addOIDCScope(scopes.join(' '));
      await grant.save();
    }
    return grant;
  };
}
