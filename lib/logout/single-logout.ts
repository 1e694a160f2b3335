// CAS single logout at the bridge: a logout request names a service ticket; the OP session that
// ticket created ends everywhere. Its grants are revoked (offline ones too: a CAS logout means the
// person, or a CAS administrator, ended the login at its source), the session is destroyed, and
// every client of the session with a back-channel logout URI receives a logout token.
import type Provider from 'oidc-provider';
import type { Services } from '../server/services.js';
import { recordBackchannel } from './backchannel-outcome.js';

export type SingleLogoutOutcome = 'ended' | 'unknown_ticket' | 'already_ended';

export interface SingleLogoutResult {
  readonly outcome: SingleLogoutOutcome;
  /** clients sent a logout token, and those whose endpoint failed */
  readonly notified: readonly string[];
  readonly failed: readonly string[];
}

interface BackchannelClient {
  readonly clientId: string;
  readonly backchannelLogoutUri?: string | undefined;
  backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
}

/** Deletes every token of a grant, then the grant (what oidc-provider's revoke helper does, without a request). */
export async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.DeviceCode.revokeByGrantId(grantId),
    provider.BackchannelAuthenticationRequest.revokeByGrantId(grantId),
  ]);
  await provider.Grant.adapter.destroy(grantId);
}

export async function endSessionForTicket(services: Services, provider: Provider, ticket: string): Promise<SingleLogoutResult> {
  const none = { notified: [], failed: [] };
  const link = await services.casTickets.sessionFor(ticket);
  if (!link) return { outcome: 'unknown_ticket', ...none };
  // CAS sends one request per ticket of its session, possibly at once: the first to forget the
  // session's tickets ends it, the others change nothing
  if (await services.casTickets.forgetSession(link.sessionUid) === 0) return { outcome: 'already_ended', ...none };

  const session = await provider.Session.findByUid(link.sessionUid);
  const authorizations = Object.entries(session?.authorizations ?? {});
  for (const [, authorization] of authorizations) {
    if (authorization.grantId) await revokeGrant(provider, authorization.grantId);
  }
  if (session) await session.destroy();
  await services.events.emitAndWait('session.ended', { sessionUid: link.sessionUid, accountId: link.accountId, reason: 'cas_single_logout' });

  const accountId = session?.accountId;
  if (!session || !accountId) return { outcome: 'ended', ...none };
  const notified: string[] = [];
  const failed: string[] = [];
  const record = (client: string, outcome: 'delivered' | 'failed', error?: string): void =>
    recordBackchannel(services.logger, services.metrics, { reason: 'cas_single_logout', client, outcome, ...(error ? { error } : {}) });
  await Promise.all(authorizations.map(async ([clientId]) => {
    const client = await provider.Client.find(clientId) as unknown as BackchannelClient | undefined;
    if (!client?.backchannelLogoutUri) return;
    try {
      await client.backchannelLogout(accountId, session.sidFor(clientId));
      notified.push(clientId);
      record(clientId, 'delivered');
    } catch (err) {
      failed.push(clientId);
      record(clientId, 'failed', err instanceof Error ? err.message : String(err));
    }
  }));
  return { outcome: 'ended', notified, failed };
}
