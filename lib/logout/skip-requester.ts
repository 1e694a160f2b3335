// During an RP-initiated logout started by client X, oidc-provider back-channels every client of
// the session, X included; Keycloak then ends its session before the browser comes back and shows
// an error page. X is logging its user out already: its logout token is not sent. oidc-provider
// reports the delivery as an error (`backchannel.error`) carrying LogoutTokenSkipped, which
// observe.ts logs and counts as `skipped`, never as delivered.
import Provider from 'oidc-provider';
import { LogoutTokenSkipped } from './backchannel-outcome.js';

/** The client whose RP-initiated logout is being confirmed in the current request, if any. */
function clientLoggingOut(): string | undefined {
  const ctx = Provider.ctx;
  if (ctx?.oidc?.route !== 'end_session_confirm') return undefined;
  const clientId = ctx.oidc.session?.state?.clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

export function skipLogoutTokenToRequester(provider: Provider): void {
  const proto = provider.Client.prototype as unknown as {
    clientId: string;
    backchannelLogout(sub: string, sid: string | undefined): Promise<void>;
  };
  const { backchannelLogout } = proto;
  proto.backchannelLogout = async function backchannelUnlessRequester(sub, sid) {
    if (clientLoggingOut() === this.clientId) throw new LogoutTokenSkipped(this.clientId);
    return backchannelLogout.call(this, sub, sid);
  };
}
