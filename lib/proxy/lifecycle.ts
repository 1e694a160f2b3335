// A PGT lives no longer than its OP session: it is destroyed when the bridge ends the session
// (logout, CAS single logout: the `session.ended` event), when oidc-provider destroys the session
// record itself (RP-initiated logout, a different account logging in), and by expiry
// (adapters/cleanup.ts). CAS logging the PGT itself out is handled at the callback URL.
import type Provider from 'oidc-provider';
import type { Services } from '../server/services.js';

async function forget(services: Services, sessionUid: string, reason: string): Promise<void> {
  try {
    const removed = await services.pgts.forgetSession(sessionUid);
    if (removed) services.logger.info({ event: 'cas_proxy', outcome: 'pgt_destroyed', reason }, 'proxy-granting ticket destroyed with its session');
  } catch (err) {
    services.logger.error({ err, event: 'cas_proxy' }, 'could not destroy the proxy-granting ticket of an ended session');
  }
}

/** Listens to the bridge's `session.ended` event; answers a function that stops listening. */
export function destroyPgtsWithSessions(services: Services): () => void {
  const listener = ({ sessionUid, reason }: { readonly sessionUid: string; readonly reason: string }): Promise<void> =>
    forget(services, sessionUid, reason);
  services.events.on('session.ended', listener);
  return () => services.events.off('session.ended', listener);
}

/** oidc-provider's own session destruction (one listener per provider instance). */
export function destroyPgtsWithProviderSessions(provider: Provider, services: Services): void {
  provider.on('session.destroyed', (session) => {
    if (session.uid) void forget(services, session.uid, 'session_destroyed');
  });
}
