// The only code that talks HTTP to CAS. Tickets are single-use, so nothing is retried; every call
// has a deadline and a response size cap.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, TimeoutError, type Got } from 'got';
import { CasProtocolError, CasTimeoutError, CasUnreachableError } from './errors.js';
import { parseValidationResponse } from './xml.js';
import { parseProxyResponse, type CasProxyResult } from './proxy.js';
import type { CasValidationResult } from './types.js';

export const MAX_CAS_RESPONSE_BYTES = 256 * 1024;

export interface CasClientOptions {
  readonly validateUrl: string;
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
  readonly #proxyUrl: string | undefined;

  constructor(options: CasClientOptions) {
    this.#validateUrl = options.validateUrl;
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

  /** GET <validateUrl>?service=…&ticket=…; answers the parsed CAS result or throws a CasError. */
  async validate(params: ValidateParams): Promise<CasValidationResult> {
    const url = new URL(this.#validateUrl);
    url.searchParams.set('service', params.service);
    url.searchParams.set('ticket', params.ticket);
    if (params.renew) url.searchParams.set('renew', 'true');
    if (params.pgtUrl) url.searchParams.set('pgtUrl', params.pgtUrl);
    return parseValidationResponse(await this.getText(url));
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
  async getText(url: URL): Promise<string> {
    const request = this.#http.get(url);
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
