// One vocabulary for back-channel logout, whichever logout caused it (an application's
// RP-initiated logout, or CAS single logout): for each client of the ended session, a logout token
// was `delivered` (the client answered 200/204), `failed` (it could not be sent or was refused), or
// `skipped` (not sent: the client that asked for the logout is logging its user out already).
// The log line and the counter say the same thing.
import type { Logger } from '../observability/logger.js';
import type { BridgeMetrics } from '../observability/metrics.js';

export type BackchannelOutcome = 'delivered' | 'failed' | 'skipped';
export type LogoutReason = 'rp_logout' | 'cas_single_logout';

/** Thrown instead of sending a logout token to the client that asked for the logout. */
export class LogoutTokenSkipped extends Error {
  constructor(readonly clientId: string) {
    super(`no logout token to ${clientId}: it asked for the logout`);
    this.name = 'LogoutTokenSkipped';
  }
}

const MESSAGE: Record<BackchannelOutcome, string> = {
  delivered: 'logout token delivered',
  failed: 'logout token not delivered',
  skipped: 'no logout token to the client that started the logout',
};

export function recordBackchannel(
  logger: Logger,
  metrics: BridgeMetrics,
  what: { readonly reason: LogoutReason; readonly client: string; readonly outcome: BackchannelOutcome; readonly error?: string },
): void {
  metrics.backchannelLogout(what.outcome, what.reason);
  const line = { event: 'backchannel_logout', reason: what.reason, client: what.client, outcome: what.outcome, ...(what.error ? { error: what.error } : {}) };
  if (what.outcome === 'failed') logger.warn(line, MESSAGE.failed);
  else logger.info(line, MESSAGE[what.outcome]);
}
