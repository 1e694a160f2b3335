// check-config's probes of the CAS server: is it reachable, is its TLS certificate valid, and does it
// look like CAS (a login page with a form; a validation endpoint that answers a dummy ticket the way
// the configured protocol fails: a CAS authenticationFailure, a SAML 1.1 AuthnFailed or
// RequestDenied, or CAS 1's "no"). Read-only requests; the dummy ticket cannot exist.
import type { TLSSocket } from 'node:tls';
import got, { RequestError, TimeoutError, type Response } from 'got';
import { CasProtocolError } from '../cas/errors.js';
import { casLoginUrl } from '../cas/urls.js';
import type { ClientConfig } from '../config/index.js';
import { sectorDocumentProblem } from '../provider/sector.js';
import { PROTOCOL_NAMES, defaultValidatePath, type CasProtocol } from '../cas/protocol.js';
import { samlValidateRequest } from '../cas/saml.js';
import { answerShape, describeShape, protocolOfShape, readValidation } from '../cas/validation.js';

export type ProbeStatus = 'ok' | 'warn' | 'fail';

export interface ProbeResult {
  readonly status: ProbeStatus;
  /** what was probed, e.g. "CAS login page" */
  readonly what: string;
  readonly url: string;
  readonly message: string;
}

/** A ticket no CAS can have issued (CAS tickets are [A-Za-z0-9-] after the prefix). */
export const DUMMY_TICKET = 'ST-0-cas-oidc-bridge-check-config';

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const MAX_BYTES = 512 * 1024;

interface Fetched {
  readonly response: Response<string>;
  readonly ms: number;
  /** "TLS certificate valid until 2027-01-31" for https */
  readonly tls: string | undefined;
}

async function fetchText(url: string, timeoutMs: number, soapBody?: string): Promise<Fetched> {
  const started = performance.now();
  const options = {
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    followRedirect: false,
    throwHttpErrors: false,
    headers: { 'user-agent': 'cas-oidc-bridge check-config', accept: 'text/html, application/xml;q=0.9, */*;q=0.1' },
  };
  const request = soapBody === undefined
    ? got.get(url, options)
    : got.post(url, { ...options, body: soapBody, headers: { ...options.headers, 'content-type': 'text/xml; charset=utf-8' } });
  request.on('downloadProgress', (p: { transferred: number }) => {
    if (p.transferred > MAX_BYTES) request.cancel('response too large');
  });
  let tls: string | undefined;
  request.on('response', (res: { socket?: unknown }) => {
    const socket = res.socket as TLSSocket | undefined;
    const cert = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    if (cert?.valid_to) {
      const until = new Date(cert.valid_to);
      const days = Math.floor((until.getTime() - Date.now()) / 86_400_000);
      tls = `TLS certificate valid until ${until.toISOString().slice(0, 10)}${days < 21 ? ` (only ${days} days left)` : ''}`;
    }
  });
  const response = await request;
  return { response, ms: Math.round(performance.now() - started), tls };
}

function transportProblem(err: unknown, timeoutMs: number): string {
  if (err instanceof TimeoutError) return `no answer within ${timeoutMs} ms (CAS_REQUEST_TIMEOUT)`;
  if (err instanceof RequestError) {
    if (err.name === 'CancelError') return `the answer is larger than ${MAX_BYTES} bytes`;
    if (err.code && TLS_CODES.has(err.code)) return `TLS certificate not valid (${err.code}): the bridge will refuse this server too`;
    return `unreachable (${err.code ?? err.message})`;
  }
  return (err as Error).message;
}

const isHtml = (r: Response<string>): boolean => /text\/html|application\/xhtml/i.test(r.headers['content-type'] ?? '');
// a heuristic, not a parser: does the page carry a form with a password field?
const hasLoginForm = (body: string): boolean => /<form[\s>]/i.test(body) && /type\s*=\s*["']?password/i.test(body);

export async function probeLoginPage(loginUrl: string, serviceUrl: string, timeoutMs: number): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const plain = new URL(loginUrl);
  plain.search = '';
  let fetched: Fetched;
  try {
    fetched = await fetchText(plain.href, timeoutMs);
  } catch (err) {
    return [{ status: 'fail', what: 'CAS login page', url: plain.href, message: transportProblem(err, timeoutMs) }];
  }
  const { response, ms, tls } = fetched;
  const extra = [`${ms} ms`, ...(tls ? [tls] : [])].join(', ');
  if (response.statusCode !== 200) {
    const where = response.headers.location ? ` redirecting to ${response.headers.location}` : '';
    results.push({ status: 'fail', what: 'CAS login page', url: plain.href, message: `answers HTTP ${response.statusCode}${where}, not 200 with a login form (${extra})` });
    return results;
  }
  if (!isHtml(response) || !hasLoginForm(response.body)) {
    results.push({ status: 'fail', what: 'CAS login page', url: plain.href, message: `answers 200 but not an HTML page with a login form: is this the CAS /login URL? (${extra})` });
    return results;
  }
  results.push({ status: 'ok', what: 'CAS login page', url: plain.href, message: `answers 200 with an HTML login form (${extra})` });

  // the same page for the bridge's service: CAS refuses services it does not know at this point
  const withService = casLoginUrl(loginUrl, serviceUrl);
  try {
    const again = await fetchText(withService, timeoutMs);
    if (again.response.statusCode === 200 && hasLoginForm(again.response.body)) {
      results.push({ status: 'ok', what: 'CAS login for the service URL', url: withService, message: `answers 200 with a login form (${again.ms} ms)` });
    } else {
      results.push({
        status: 'warn',
        what: 'CAS login for the service URL',
        url: withService,
        message: `answers HTTP ${again.response.statusCode}${again.response.statusCode === 200 ? ' without a login form' : ''}: the service URL is probably not registered at CAS yet`,
      });
    }
  } catch (err) {
    results.push({ status: 'fail', what: 'CAS login for the service URL', url: withService, message: transportProblem(err, timeoutMs) });
  }
  return results;
}

const ANSWER_NOUN: Record<CasProtocol, string> = {
  cas3: 'CAS XML',
  cas2: 'CAS XML',
  saml11: 'a SAML 1.1 SOAP answer',
  cas1: 'CAS 1 text (yes/no)',
};

/** How a protocol answers a ticket that does not exist, in the words of a probe result. */
function expectedFailure(protocol: CasProtocol, code: string): { ok: boolean; words: string } {
  switch (protocol) {
    case 'cas3':
    case 'cas2':
      if (code === 'INVALID_TICKET' || code === 'INVALID_TICKET_SPEC') return { ok: true, words: `a CAS authenticationFailure (${code}), as CAS does` };
      return { ok: false, words: `a CAS authenticationFailure ${code}${code === 'INVALID_SERVICE' ? ': the service URL may not be registered' : ''}` };
    case 'saml11':
      // django-cas-server answers AuthnFailed, Apereo RequestDenied; VersionMismatch means the
      // server could not read the bridge's request at all, so real logins would fail too
      if (code === 'AuthnFailed' || code === 'RequestDenied') return { ok: true, words: `a SAML 1.1 Response with status ${code}` };
      if (code === 'VersionMismatch') return { ok: false, words: 'a SAML 1.1 Response with status VersionMismatch: the server did not read the bridge\'s SAML 1.1 request' };
      return { ok: false, words: `a SAML 1.1 Response with status ${code}, not the AuthnFailed or RequestDenied a CAS server answers an unknown ticket with` };
    case 'cas1':
      return { ok: true, words: '"no", as CAS 1 does' };
  }
}

export async function probeValidation(validateUrl: string, serviceUrl: string, timeoutMs: number, protocol: CasProtocol = 'cas3'): Promise<ProbeResult> {
  const url = new URL(validateUrl);
  let soap: string | undefined;
  if (protocol === 'saml11') {
    url.searchParams.set('TARGET', serviceUrl);
    soap = samlValidateRequest(DUMMY_TICKET);
  } else {
    url.searchParams.set('service', serviceUrl);
    url.searchParams.set('ticket', DUMMY_TICKET);
  }
  const name = PROTOCOL_NAMES[protocol];
  const what = 'CAS ticket validation';
  const shown = validateUrl;
  const isThisTheUrl = `is this the ${defaultValidatePath(protocol, false)} URL?`;
  let fetched: Fetched;
  try {
    fetched = await fetchText(url.href, timeoutMs, soap);
  } catch (err) {
    return { status: 'fail', what, url: shown, message: transportProblem(err, timeoutMs) };
  }
  const { response, ms, tls } = fetched;
  const extra = [`${ms} ms`, ...(tls ? [tls] : [])].join(', ');
  if (response.statusCode !== 200) {
    return { status: 'fail', what, url: shown, message: `answers HTTP ${response.statusCode} to a ${name} validation request, not 200 (${extra}): ${isThisTheUrl}` };
  }
  const shape = answerShape(response.body);
  const speaks = protocolOfShape(shape);
  if (speaks !== undefined && speaks !== protocol && !(speaks === 'cas3' && protocol === 'cas2')) {
    return { status: 'fail', what, url: shown, message: `speaks another protocol than CAS_PROTOCOL=${protocol}: the answer is ${describeShape(shape)} (${extra})` };
  }
  try {
    const result = readValidation(protocol, response.body);
    if (result.kind === 'success') {
      return { status: 'fail', what, url: shown, message: 'accepted a ticket that cannot exist: this is not a CAS server to trust' };
    }
    const expected = expectedFailure(protocol, result.code);
    return { status: expected.ok ? 'ok' : 'warn', what, url: shown, message: `answers a dummy ticket with ${expected.words} (${name}, ${extra})` };
  } catch (err) {
    if (!(err instanceof CasProtocolError)) throw err;
    return { status: 'fail', what, url: shown, message: `does not answer with ${ANSWER_NOUN[protocol]} (${err.message}): ${isThisTheUrl}` };
  }
}

/** The sector_identifier_uri document of every pairwise client that has one, checked as at start. */
export async function probeSectorDocuments(clients: readonly ClientConfig[]): Promise<ProbeResult[]> {
  const withDocument = clients.filter((c) => c.subjectType === 'pairwise' && c.sectorIdentifierUri !== undefined);
  return Promise.all(withDocument.map(async (client) => {
    const problem = await sectorDocumentProblem(client);
    return {
      status: problem ? 'fail' : 'ok',
      what: `sector_identifier_uri of ${client.clientId}`,
      url: client.sectorIdentifierUri ?? '',
      message: problem ?? 'lists every redirect URI of the client',
    } satisfies ProbeResult;
  }));
}
