// Sizes of authorization request parameters. oidc-provider keeps every parameter of an
// authorization request in its interaction, and the bridge keeps state and redirect_uri with the
// login it sends to CAS, for anyone who asks, signed in or not. So a parameter far larger than any
// real client sends is refused with invalid_request (at the client's redirect URI: the check runs
// once oidc-provider has validated the client and its redirect_uri), and never stored.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** Characters per parameter; Keycloak's state is 150–400, most clients' far less. */
export const PARAMETER_LIMITS: Readonly<Record<string, number>> = {
  state: 2048,
  nonce: 512,
  login_hint: 512,
  acr_values: 512,
  ui_locales: 256,
  claims_locales: 256,
  code_challenge: 128,
  id_token_hint: 8192,
  request: 8192,
};
/** Any other parameter. */
export const DEFAULT_PARAMETER_LIMIT = 2048;
/** All parameters together. */
export const TOTAL_PARAMETER_LIMIT = 16384;

export async function checkParameterSizes(ctx: KoaContextWithOIDC): Promise<void> {
  let total = 0;
  for (const [name, value] of Object.entries(ctx.oidc.params ?? {})) {
    if (typeof value !== 'string') continue;
    const limit = PARAMETER_LIMITS[name] ?? DEFAULT_PARAMETER_LIMIT;
    if (value.length > limit) throw new errors.InvalidRequest(`${name} is longer than ${limit} characters`);
    total += value.length;
  }
  if (total > TOTAL_PARAMETER_LIMIT) throw new errors.InvalidRequest(`the parameters are longer than ${TOTAL_PARAMETER_LIMIT} characters together`);
}
