// Interaction policy: oidc-provider's login and consent prompts, with an access prompt between
// them that applies a client's access rules on every authorization, including single sign-on
// logins that never reach CAS, before any grant or code exists for that client.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../../adapters/accounts.js';
import type { ClientConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import { consentAddedByBridge } from './middleware.js';

export const ACCESS_PROMPT = 'cas_access';
export const ACCESS_DENIED_REASON = 'access_rules_denied';

export interface AccessDetails extends Record<string, unknown> {
  readonly rule: string;
}

export function buildPolicy(clients: ReadonlyMap<string, ClientConfig>, accounts: AccountStore, logger: Logger) {
  const { Prompt, Check, base } = interactionPolicy;
  const policy = base();

  // decision per request, so the check and its details agree without a second evaluation
  const decisions = new WeakMap<object, { allowed: boolean; rule: string }>();
  async function decide(ctx: KoaContextWithOIDC): Promise<{ allowed: boolean; rule: string }> {
    const cached = decisions.get(ctx);
    if (cached) return cached;
    const client = ctx.oidc.client ? clients.get(ctx.oidc.client.clientId) : undefined;
    const sub = ctx.oidc.session?.accountId;
    let decision = { allowed: true, rule: 'no access rules' };
    if (client?.access.restricted && sub) {
      const account = await accounts.find(sub);
      decision = account
        ? client.access.evaluate(sub, account.attributes)
        : { allowed: false, rule: 'account unknown to the bridge' };
      logger.info({ event: 'access_decision', client: client.clientId, user: sub, allowed: decision.allowed, rule: decision.rule }, 'access rules evaluated');
    }
    decisions.set(ctx, decision);
    return decision;
  }

  const access = new Prompt(
    { name: ACCESS_PROMPT, requestable: false },
    new Check(
      ACCESS_DENIED_REASON,
      'the account is not allowed to use this client',
      'access_denied',
      async (ctx) => !(await decide(ctx)).allowed,
      async (ctx): Promise<AccessDetails> => ({ rule: (await decide(ctx)).rule }),
    ),
  );
  const consentIndex = policy.findIndex((p) => p.name === 'consent');
  policy.splice(consentIndex, 0, access);

  // A first-party client's registration stands for consent, so `prompt=consent` (which the bridge
  // itself adds when a configured client asks for offline_access) needs no interaction of its own:
  // the grant loadExistingGrant builds covers the request, and any scope or claim it lacks still
  // triggers the consent prompt through oidc-provider's other checks. Skipping the round trip
  // saves a redirect and five database statements per login. Neither does a native first-party
  // app need the interaction oidc-provider requires of native apps (RFC 8252 8.6). For other
  // clients, a prompt=consent the client asked for itself shows the consent page; one the bridge
  // added leaves the decision to the grant (a scope not granted yet shows the page).
  const consent = policy[consentIndex + 1]!;
  const firstParty = (ctx: KoaContextWithOIDC): boolean => {
    const clientId = ctx.oidc.client?.clientId;
    return clientId !== undefined && clients.get(clientId)?.firstParty === true;
  };
  const requested = consent.checks.get('consent_prompt');
  if (requested) {
    const clientAsked = requested.check;
    consent.checks.remove('consent_prompt');
    consent.checks.unshift(new Check(requested.reason, requested.description, requested.error ?? 'consent_required', (ctx) => {
      if (firstParty(ctx) || consentAddedByBridge(ctx.oidc.params)) return Check.NO_NEED_TO_PROMPT;
      return clientAsked(ctx);
    }));
  }
  const native = consent.checks.get('native_client_prompt');
  if (native) {
    const nativeCheck = native.check;
    consent.checks.remove('native_client_prompt');
    consent.checks.unshift(new Check(native.reason, native.description, native.error ?? 'interaction_required',
      (ctx) => (firstParty(ctx) ? Check.NO_NEED_TO_PROMPT : nativeCheck(ctx))));
  }
  return policy;
}
