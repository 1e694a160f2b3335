// After a CAS login resumes: the PGT the login obtained (sealed in the interaction result, see
// login.ts) becomes the OP session's PGT. A login without a PGT removes an earlier one: the
// session now stands for this login only.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { SecretOpenError } from '../keys/secrets.js';
import type { Services } from '../server/services.js';
import { PGT_RESULT_KEY, PGT_TRANSFER_PURPOSE } from './login.js';

type OidcMiddleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<void>;

function openTransfer(services: Services, sealed: unknown): { accountId: string; pgt: string } | undefined {
  if (typeof sealed !== 'string') return undefined;
  let plain: string;
  try {
    plain = services.box.open(sealed, PGT_TRANSFER_PURPOSE);
  } catch (err) {
    if (err instanceof SecretOpenError) return undefined;
    throw err;
  }
  const split = plain.indexOf('\n');
  return split > 0 ? { accountId: plain.slice(0, split), pgt: plain.slice(split + 1) } : undefined;
}

export function linkPgtToSession(services: Services): OidcMiddleware {
  return async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'resume' || !services.config.cas.proxy) return;
    const result = ctx.oidc.result;
    const session = ctx.oidc.session;
    if (!result?.login || !session?.accountId) return;
    try {
      const transfer = openTransfer(services, result[PGT_RESULT_KEY]);
      if (transfer && transfer.accountId === session.accountId) {
        await services.pgts.attach(session.uid, transfer.accountId, transfer.pgt, services.config.ttl.session);
      } else {
        await services.pgts.forgetSession(session.uid);
      }
    } catch (err) {
      services.logger.error({ err, event: 'cas_proxy' }, 'could not give the OP session its proxy-granting ticket');
    }
  };
}
