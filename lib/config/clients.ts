// Shape of one entry of the `clients` setting. Keys follow OpenID client metadata names so that an
// admin can copy them from a relying party's documentation.
import { z } from 'zod';

const absoluteUrl = z.string().refine((s) => URL.canParse(s), { message: 'must be an absolute URL' });
const stringList = z.union([z.array(z.string()), z.string().transform((s) => s.split(/[\s,]+/).filter(Boolean))]);

export const clientEntrySchema = z.strictObject({
  client_id: z.string({ error: 'is required (a string)' }).min(1, { error: 'is required (a string)' }),
  client_secret: z.string({ error: 'is required (a string)' }).min(1, { error: 'is required (a string)' }),
  /** earlier secrets still accepted during a rotation */
  client_secret_previous: z.array(z.string()).default([]),
  client_name: z.string().optional(),
  /** exact redirect URIs (recommended) */
  redirect_uris: z.array(absoluteUrl).default([]),
  /** compat form: scheme, host and port exact; path as a prefix on a `/` boundary */
  redirect_uri_allowlist: z.array(absoluteUrl).default([]),
  post_logout_redirect_uris: z.array(absoluteUrl).default([]),
  /** both methods are accepted whatever is chosen here; this is what discovery-driven clients see */
  token_endpoint_auth_method: z.enum(['client_secret_post', 'client_secret_basic']).default('client_secret_post'),
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
