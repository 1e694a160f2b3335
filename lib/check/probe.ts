// check-config's probes of the CAS server: is it reachable, is its TLS certificate valid, and does it
// look like CAS (a login page with a form; a validation endpoint that answers a dummy ticket with a
// CAS authenticationFailure). Read-only requests; the dummy ticket cannot exist.
import type { TLSSocket } from 'node:tls';
import got, { RequestError, TimeoutError, type Response } from 'got';
import { CasProtocolError } from '../cas/errors.js';
import { casLoginUrl } from '../cas/urls.js';
import { parseValidationResponse } from '../cas/xml.js';

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

async function fetchText(url: string, timeoutMs: number): Promise<Fetched> {
  const started = performance.now();
  const request = got.get(url, {
    retry: { limit: 0 },
    timeout: { request: timeoutMs },
    followRedirect: false,
    throwHttpErrors: false,
    headers: { 'user-agent': 'cas-oidc-bridge check-config', accept: 'text/html, application/xml;q=0.9, */*;q=0.1' },
  });
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

export async function probeValidation(validateUrl: string, serviceUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const url = new URL(validateUrl);
  url.searchParams.set('service', serviceUrl);
  url.searchParams.set('ticket', DUMMY_TICKET);
  const what = 'CAS ticket validation';
  const shown = validateUrl;
  let fetched: Fetched;
  try {
    fetched = await fetchText(url.href, timeoutMs);
  } catch (err) {
    return { status: 'fail', what, url: shown, message: transportProblem(err, timeoutMs) };
  }
  const { response, ms, tls } = fetched;
  const extra = [`${ms} ms`, ...(tls ? [tls] : [])].join(', ');
  if (response.statusCode !== 200) {
    return { status: 'fail', what, url: shown, message: `answers HTTP ${response.statusCode} to a validation request, not 200 with CAS XML (${extra})` };
  }
  try {
    const result = parseValidationResponse(response.body);
    if (result.kind === 'success') {
      return { status: 'fail', what, url: shown, message: 'accepted a ticket that cannot exist: this is not a CAS server to trust' };
    }
    if (result.code === 'INVALID_TICKET' || result.code === 'INVALID_TICKET_SPEC') {
      return { status: 'ok', what, url: shown, message: `answers a dummy ticket with a CAS authenticationFailure (${result.code}), as CAS does (${extra})` };
    }
    return {
      status: 'warn',
      what,
      url: shown,
      message: `answers a dummy ticket with a CAS authenticationFailure ${result.code}${result.code === 'INVALID_SERVICE' ? ': the service URL may not be registered' : ''} (${extra})`,
    };
  } catch (err) {
    if (!(err instanceof CasProtocolError)) throw err;
    return { status: 'fail', what, url: shown, message: `does not answer with CAS XML (${err.message}): is this the /p3/serviceValidate URL?` };
  }
}
