// Shape of one entry of the `clients` setting. Keys follow OpenID client metadata names so that an
// admin can copy them from a relying party's documentation.
import { z } from 'zod';

const absoluteUrl = z.string().refine((s) => URL.canParse(s), { message: 'must be an absolute URL' });
const stringList = z.union([z.array(z.string()), z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean))]);

export const CLIENT_AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

export const clientEntrySchema = z.strictObject({
  client_id: z.string({ error: 'is required (a string)' }).min(1, { error: 'is required (a string)' }),
  /** required by the secret-based methods; a public client (`none`) and `private_key_jwt` have none */
  client_secret: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  /** earlier secrets still accepted during a rotation */
  client_secret_previous: z.array(z.string()).default([]),
  client_name: z.string().optional(),
  /** exact redirect URIs (recommended) */
  redirect_uris: z.array(absoluteUrl).default([]),
  /** compat form: scheme, host and port exact; path as a prefix on a `/` boundary */
  redirect_uri_allowlist: z.array(absoluteUrl).default([]),
  post_logout_redirect_uris: z.array(absoluteUrl).default([]),
  /**
   * client_secret_post and client_secret_basic accept each other; `none`: a public client (browser
   * or native app, PKCE required); the JWT methods: RFC 7523 client assertions
   */
  token_endpoint_auth_method: z.enum(CLIENT_AUTH_METHODS).default('client_secret_post'),
  /** `native`: RFC 8252 redirect URIs (loopback on any port, private-use schemes) */
  application_type: z.enum(['web', 'native']).default('web'),
  /** skips the consent page; default: true for confidential clients, false for public ones */
  first_party: z.boolean().optional(),
  /** browser origins allowed to call the token, userinfo, revocation and introspection endpoints */
  allowed_origins: z.array(z.string()).optional(),
  /** public keys of a `private_key_jwt` client, inline (JWK Set) … */
  jwks: z.strictObject({ keys: z.array(z.record(z.string(), z.unknown())).min(1, { error: 'must list at least one key' }) }).optional(),
  /** … or where the bridge fetches them */
  jwks_uri: absoluteUrl.optional(),
  /** scopes granted even when the client does not ask for them */
  scope: stringList.default(['openid']),
  /** scopes the client may obtain at all; default: every scope the bridge knows */
  allowed_scopes: stringList.optional(),
  backchannel_logout_uri: absoluteUrl.optional(),
  backchannel_logout_session_required: z.boolean().default(true),
  /** who may log in to this client (rules over the CAS user and attributes) */
  access: z.unknown().optional(),
  /** CAS services this client may obtain proxy tickets for (exact URLs or patterns) */
  cas_proxy_targets: z.array(z.string()).default([]),
  /** public: the mapped sub; pairwise: a sub per sector (OpenID Connect Core 8.1); default SUBJECT_TYPE */
  subject_type: z.enum(['public', 'pairwise'], { error: 'must be "public" or "pairwise"' }).optional(),
  /** JSON array of the client's redirect URIs, on the host that names its sector (pairwise only) */
  sector_identifier_uri: absoluteUrl.optional(),
});

export type ClientEntryInput = z.input<typeof clientEntrySchema>;
export type ClientEntry = z.output<typeof clientEntrySchema>;

export const clientListSchema = z.array(z.unknown());
