// The CAS proxying part of a login: which pgtUrl to validate with, and the proxy-granting ticket
// the validation yielded, either decrypted from the `proxyGrantingTicket` attribute or picked up
// by its IOU from the callback store. A login never fails for want of a PGT: the person still gets
// in, and a later token exchange answers that there is no PGT.
import type { CasAuthenticationSuccess } from '../cas/types.js';
import type { Logger } from '../observability/logger.js';
import type { Services } from '../server/services.js';
import { PgtDecrypter, PgtDecryptionError } from './pgt-decrypt.js';

/** Interaction-result key carrying the sealed PGT from the login to the OP session. */
export const PGT_RESULT_KEY = 'cas_pgt';
export const PGT_TRANSFER_PURPOSE = 'cas-pgt-transfer';

/** CAS attributes that carry proxy tickets: never claims, never stored with the account. */
export const PROXY_ATTRIBUTES: readonly string[] = ['proxyGrantingTicket', 'pgtIou'];

/** The callback lands before CAS answers the validation; wait this long for another node's write. */
export const IOU_WAIT_MS = 2000;
const IOU_POLL_MS = 100;

const decrypters = new WeakMap<object, PgtDecrypter>();

function decrypterFor(services: Services): PgtDecrypter | undefined {
  const pem = services.config.cas.proxy?.pgtPrivateKeyPem;
  if (!pem) return undefined;
  let decrypter = decrypters.get(services.config);
  if (!decrypter) {
    decrypter = new PgtDecrypter(pem);
    decrypters.set(services.config, decrypter);
  }
  return decrypter;
}

export function pgtUrlFor(services: Services): string | undefined {
  return services.config.cas.proxy?.callbackUrl;
}

async function waitForIou(services: Services, iou: string, waitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pgt = await services.pgts.takeIou(iou);
    if (pgt !== undefined || Date.now() >= deadline) return pgt;
    await new Promise((resolve) => setTimeout(resolve, IOU_POLL_MS));
  }
}

export interface ObtainedPgt {
  /** the validation result without proxy-ticket attributes */
  readonly result: CasAuthenticationSuccess;
  readonly pgt: string | undefined;
}

export async function obtainPgt(services: Services, result: CasAuthenticationSuccess, log: Logger, waitMs = IOU_WAIT_MS): Promise<ObtainedPgt> {
  const attributes = { ...result.attributes };
  const encrypted = attributes.proxyGrantingTicket?.[0];
  for (const name of PROXY_ATTRIBUTES) delete attributes[name];
  const stripped: CasAuthenticationSuccess = { ...result, attributes };
  if (!services.config.cas.proxy) return { result: stripped, pgt: undefined };

  const decrypter = decrypterFor(services);
  if (decrypter && encrypted) {
    try {
      return { result: stripped, pgt: decrypter.decrypt(encrypted) };
    } catch (err) {
      if (!(err instanceof PgtDecryptionError)) throw err;
      log.warn({ casProxy: 'pgt_undecryptable' }, 'the proxyGrantingTicket attribute could not be decrypted with CAS_PGT_PRIVATE_KEY (does CAS hold the matching public key?)');
    }
  }
  if (result.proxyGrantingTicketIou) {
    const pgt = await waitForIou(services, result.proxyGrantingTicketIou, waitMs);
    if (pgt === undefined) log.warn({ casProxy: 'callback_not_received' }, 'CAS named a PGT IOU but its callback was not received');
    return { result: stripped, pgt };
  }
  if (!encrypted) log.warn({ casProxy: 'no_pgt' }, 'CAS returned no proxy-granting ticket (is the bridge\'s service allowed to proxy, and the callback URL allowed?)');
  return { result: stripped, pgt: undefined };
}

/** What the login adds to its interaction result: the PGT sealed to the account it was issued for. */
export function pgtInteractionResult(services: Services, accountId: string, pgt: string | undefined): Record<string, string> {
  if (pgt === undefined) return {};
  return { [PGT_RESULT_KEY]: services.box.seal(`${accountId}\n${pgt}`, PGT_TRANSFER_PURPOSE) };
}
