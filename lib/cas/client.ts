// The only code that talks HTTP to CAS. Tickets are single-use, so nothing is retried; every call
// has a deadline and a response size cap. Ticket validation speaks the configured protocol: a GET
// with service and ticket (CAS 3, 2, 1), or the SAML 1.1 SOAP POST to <validateUrl>?TARGET=<service>.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, TimeoutError, type CancelableRequest, type Got, type Response } from 'got';
import { CasProtocolError, CasTimeoutError, CasUnreachableError } from './errors.js';
import { parseProxyResponse, type CasProxyResult } from './proxy.js';
import { MAX_CAS_RESPONSE_BYTES, type CasProtocol } from './protocol.js';
import { samlValidateRequest } from './saml.js';
import type { CasValidationResult } from './types.js';
import { readValidation } from './validation.js';

export { MAX_CAS_RESPONSE_BYTES };

export interface CasClientOptions {
  readonly validateUrl: string;
  /** default cas3 */
  readonly protocol?: CasProtocol;
  readonly timeoutMs: number;
  /** CAS /proxy, when proxying is configured */
  readonly proxyUrl?: string | undefined;
}

export interface ValidateParams {
  readonly service: string;
  readonly ticket: string;
  readonly renew?: boolean;
  readonly pgtUrl?: string | undefined;
}

export class CasClient {
  readonly #http: Got;
  readonly #validateUrl: string;
  readonly #protocol: CasProtocol;
  readonly #proxyUrl: string | undefined;

  constructor(options: CasClientOptions) {
    this.#validateUrl = options.validateUrl;
    this.#protocol = options.protocol ?? 'cas3';
    this.#proxyUrl = options.proxyUrl;
    this.#http = got.extend({
      retry: { limit: 0 },
      timeout: { request: options.timeoutMs },
      followRedirect: false,
      throwHttpErrors: false,
      decompress: true,
      headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1', 'user-agent': 'cas-oidc-bridge' },
      agent: {
        http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
        https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      },
    });
  }

  /**
   * Validates a login's service ticket; answers the CAS result or throws a CasError. A ticket that
   * turns out to be a proxy ticket (CAS names proxies) is refused: a login takes service tickets
   * only, or any service holding a proxy-granting ticket of the person could log in as them.
   */
  async validate(params: ValidateParams): Promise<CasValidationResult> {
    const result = readValidation(this.#protocol, await this.#validationBody(params));
    if (result.kind === 'success' && result.proxies.length) {
      throw new CasProtocolError('CAS validated a proxy ticket: a login takes service tickets only');
    }
    return result;
  }

  async #validationBody(params: ValidateParams): Promise<string> {
    const url = new URL(this.#validateUrl);
    if (this.#protocol === 'saml11') {
      url.searchParams.set('TARGET', params.service);
      // as the Java CAS client's Saml11TicketValidator does: Apereo's /samlValidate applies the same
      // renew check as /serviceValidate, so a login that asked for a fresh login gets one
      if (params.renew) url.searchParams.set('renew', 'true');
      return this.postXml(url, samlValidateRequest(params.ticket));
    }
    url.searchParams.set('service', params.service);
    url.searchParams.set('ticket', params.ticket);
    if (params.renew) url.searchParams.set('renew', 'true');
    // CAS 1 and SAML 1.1 know no proxy callback (the configuration refuses proxying with them)
    if (params.pgtUrl && this.#protocol !== 'cas1') url.searchParams.set('pgtUrl', params.pgtUrl);
    return this.getText(url);
  }

  /** GET <proxyUrl>?pgt=…&targetService=…; answers a proxy ticket or CAS's failure code. Never retried. */
  async proxy(pgt: string, targetService: string): Promise<CasProxyResult> {
    if (!this.#proxyUrl) throw new Error('CAS proxy URL is not configured');
    const url = new URL(this.#proxyUrl);
    url.searchParams.set('pgt', pgt);
    url.searchParams.set('targetService', targetService);
    return parseProxyResponse(await this.getText(url));
  }

  /** A capped GET returning the body as text; maps transport failures onto CasError types. */
  getText(url: URL): Promise<string> {
    return this.#read(url, this.#http.get(url));
  }

  /** A capped SOAP POST (SAML 1.1 validation), read like a GET. */
  postXml(url: URL, xml: string): Promise<string> {
    return this.#read(url, this.#http.post(url, {
      body: xml,
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: 'http://www.oasis-open.org/committees/security' },
    }));
  }

  async #read(url: URL, request: CancelableRequest<Response<string>>): Promise<string> {
    request.on('downloadProgress', (progress: { transferred: number }) => {
      if (progress.transferred > MAX_CAS_RESPONSE_BYTES) request.cancel('response too large');
    });
    let response;
    try {
      response = await request;
    } catch (err) {
      throw mapTransportError(err, url);
    }
    if (response.statusCode !== 200) {
      throw new CasProtocolError(`CAS answered HTTP ${response.statusCode} at ${url.origin}${url.pathname}`);
    }
    return response.body;
  }
}

function mapTransportError(err: unknown, url: URL): Error {
  const where = `${url.origin}${url.pathname}`;
  if (err instanceof TimeoutError) return new CasTimeoutError(`CAS did not answer in time at ${where}`);
  if (err instanceof RequestError) {
    if (err.name === 'CancelError') return new CasProtocolError(`CAS response larger than ${MAX_CAS_RESPONSE_BYTES} bytes at ${where}`);
    return new CasUnreachableError(`CAS unreachable at ${where} (${err.code ?? err.message})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
