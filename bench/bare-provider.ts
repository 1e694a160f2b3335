// The yardstick: a bare oidc-provider with its in-memory adapter and the smallest CAS login that
// works (redirect to CAS, validate the ticket, finish the interaction). Run as a child process by
// bench/run.ts with PORT, CAS_BASE, CLIENT_SECRET and REDIRECT_URI in the environment.
import { createServer } from 'node:http';
import got from 'got';
import Provider, { type Adapter, type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import { parseValidationResponse } from '../lib/cas/xml.js';
import { generateSigningKey } from '../lib/keys/signing-keys.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const port = Number(env('PORT'));
const casBase = env('CAS_BASE');
const issuer = `http://127.0.0.1:${port}`;
const claimsBySub = new Map<string, Record<string, unknown>>();

// oidc-provider's own memory adapter is an LRU of 1000 entries, too small for a benchmark's
// thousands of tokens; this one keeps everything (and, like it, honours consume and grant ids).
// Sessions are found by uid through a map, as the bridge finds them through an index: a scan of
// every record would make the bare server slower with each login of a run.
const records = new Map<string, AdapterPayload>();
const grants = new Map<string, string[]>();
const uids = new Map<string, string>();
class MapAdapter implements Adapter {
  constructor(private readonly model: string) {}
  #key = (id: string): string => `${this.model}:${id}`;
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    records.set(this.#key(id), payload);
    if (payload.grantId) grants.set(payload.grantId, [...(grants.get(payload.grantId) ?? []), this.#key(id)]);
    if (payload.uid) uids.set(`${this.model}:${payload.uid}`, this.#key(id));
  }
  async find(id: string): Promise<AdapterPayload | undefined> { return records.get(this.#key(id)); }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = uids.get(`${this.model}:${uid}`);
    const payload = key === undefined ? undefined : records.get(key);
    return payload?.uid === uid ? payload : undefined;
  }
  async findByUserCode(): Promise<undefined> { return undefined; }
  async consume(id: string): Promise<void> {
    const payload = records.get(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> { records.delete(this.#key(id)); }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of grants.get(grantId) ?? []) records.delete(key);
    grants.delete(grantId);
  }
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'bench',
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  adapter: MapAdapter,
  jwks: { keys: [await generateSigningKey('RS256')] },
  cookies: { keys: ['bench-cookie-key-0123456789abcdefghijklmnopqrstuvwxyz'] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
  features: { devInteractions: { enabled: false } },
  ttl: { AccessToken: 1800, AuthorizationCode: 300, IdToken: 1800, RefreshToken: 86_400, Interaction: 600, Session: 28_800, Grant: 86_400 },
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  async loadExistingGrant(ctx: KoaContextWithOIDC) {
    const { client, session, params } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({ accountId: session.accountId, clientId: client.clientId });
    grant.addOIDCScope(typeof params?.scope === 'string' ? params.scope : 'openid');
    await grant.save();
    return grant;
  },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...claimsBySub.get(sub) }) }),
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/cb)?$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const service = `${issuer}/interaction/${details.uid}/cb`;
  if (!match[2]) {
    ctx.redirect(`${casBase}/login?service=${encodeURIComponent(service)}`);
    return undefined;
  }
  const ticket = typeof ctx.query.ticket === 'string' ? ctx.query.ticket : '';
  const body = await got(`${casBase}/p3/serviceValidate`, { searchParams: { ticket, service } }).text();
  const result = parseValidationResponse(body);
  if (result.kind !== 'success') {
    ctx.status = 401;
    ctx.body = 'CAS refused the ticket';
    return undefined;
  }
  claimsBySub.set(result.user, { name: result.attributes.displayName?.[0], email: result.attributes.mail?.[0] });
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: result.user } }, { mergeWithLastSubmission: false });
  ctx.respond = false;
  return undefined;
});

const server = createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`{"event":"started","url":"${issuer}"}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
