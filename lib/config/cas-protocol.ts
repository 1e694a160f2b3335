// CAS_PROTOCOL and the validation URL it implies: the protocol given, or the one CAS_VALIDATE_URL's
// path names (the Python cas-proxy only had the URL), else CAS 3. A URL naming another protocol than
// the one chosen is worth a warning; proxying with a protocol that cannot carry a pgtUrl is a problem.
import {
  CAS_PROTOCOLS, PROTOCOL_NAMES, defaultValidatePath, protocolOfPath, supportsProxying, type CasProtocol,
} from '../cas/protocol.js';
import type { Checked } from './cas-proxy.js';

export interface CasProtocolInput {
  readonly protocol: CasProtocol | undefined;
  readonly validateUrl: string | undefined;
  readonly casBase: string;
  /** CAS_PROXY_CALLBACK_URL is set */
  readonly proxying: boolean;
}

export interface CasProtocolConfig {
  readonly protocol: CasProtocol;
  readonly validateUrl: string;
}

export function resolveCasProtocol(input: CasProtocolInput): Checked<CasProtocolConfig> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const named = input.validateUrl ? protocolOfPath(input.validateUrl) : undefined;
  const protocol = input.protocol ?? named ?? 'cas3';
  const validateUrl = input.validateUrl ?? `${input.casBase}${defaultValidatePath(protocol, input.proxying)}`;
  // CAS 2 and CAS 3 answer the same XML: a /serviceValidate URL with cas3 (or /p3/… with cas2) works
  const sameFamily = (a: CasProtocol, b: CasProtocol): boolean => a === b || (supportsProxying(a) && supportsProxying(b));
  if (input.protocol && named && !sameFamily(named, input.protocol)) {
    warnings.push(`CAS_VALIDATE_URL ends like a ${PROTOCOL_NAMES[named]} endpoint but CAS_PROTOCOL is ${input.protocol}: `
      + `validation will speak ${PROTOCOL_NAMES[input.protocol]} to it (check-config probes it)`);
  }
  if (input.proxying && !supportsProxying(protocol)) {
    problems.push(`CAS_PROXY_CALLBACK_URL: CAS proxying needs CAS_PROTOCOL cas3 or cas2; ${PROTOCOL_NAMES[protocol]} validation `
      + `cannot carry a proxy callback (${protocol === 'cas1' ? 'CAS 1 has no proxying at all' : '/samlValidate takes no pgtUrl'}). `
      + `Remove CAS_PROXY_CALLBACK_URL or choose ${CAS_PROTOCOLS.filter(supportsProxying).join(' or ')}`);
  }
  return { value: { protocol, validateUrl }, problems, warnings };
}
