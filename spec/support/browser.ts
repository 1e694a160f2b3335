// A cookie-keeping HTTP user agent for specs: follows redirects one by one so a spec can stop at
// the relying party's redirect URI, and submits HTML forms the way a browser would.
import got from 'got';
import { CookieJar } from 'tough-cookie';
import { parse as parseHtml } from 'node-html-parser';

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly headers: Headers;
}

export class TestBrowser {
  readonly jar = new CookieJar();
  readonly history: Hop[] = [];
  acceptLanguage = 'en';
  /** headers added to every request this browser sends to a URL (e.g. a forged Host for one origin) */
  extraHeaders: (url: string) => Record<string, string> = () => ({});
  /** a CA certificate (PEM) to trust for https, e.g. a spec's self-signed proxy */
  ca: string | undefined;
  /** the local address to connect from (another 127.x address, to tell the client from a proxy) */
  localAddress: string | undefined;

  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Hop> {
    const headers = new Headers({ ...this.extraHeaders(url), ...init.headers });
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    headers.set('accept-language', this.acceptLanguage);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8');
    // what a browser sends for a top-level navigation (fetch would say "cors")
    headers.set('sec-fetch-mode', 'navigate');
    headers.set('sec-fetch-dest', 'document');
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    // node's http client, not fetch: fetch always sends `Sec-Fetch-Mode: cors`, which relying
    // parties such as mod_auth_openidc take for an XHR
    const response = await got(url, {
      method: (init.method ?? (body ? 'POST' : 'GET')) as 'GET' | 'POST',
      headers: Object.fromEntries(headers),
      body,
      followRedirect: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
      decompress: true,
      ...(this.ca ? { https: { certificateAuthority: this.ca } } : {}),
      ...(this.localAddress ? { localAddress: this.localAddress } : {}),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [String(value)]) responseHeaders.append(name, v);
    }
    for (const setCookie of responseHeaders.getSetCookie()) await this.jar.setCookie(setCookie, url, { ignoreError: true });
    const location = responseHeaders.get('location') ?? undefined;
    const hop: Hop = {
      url,
      status: response.statusCode,
      location: location ? new URL(location, url).href : undefined,
      body: response.body,
      headers: responseHeaders,
    };
    this.history.push(hop);
    return hop;
  }

  /** GET `url` and follow redirects until `stop(url)` is true for a Location, or a non-redirect answer. */
  async follow(url: string, stop: (location: string) => boolean = () => false, max = 20): Promise<Hop> {
    let hop = await this.request(url);
    for (let i = 0; i < max && hop.location && hop.status >= 300 && hop.status < 400; i += 1) {
      if (stop(hop.location)) return hop;
      hop = await this.request(hop.location);
    }
    return hop;
  }

  /** Fills and submits the first form of a page (hidden fields kept); follows redirects. */
  async submitForm(page: Hop, fields: Record<string, string>, stop?: (location: string) => boolean, selector = 'form'): Promise<Hop> {
    const root = parseHtml(page.body);
    const form = root.querySelector(selector);
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
    const data: Record<string, string> = {};
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (name && input.getAttribute('type') !== 'submit') data[name] = input.getAttribute('value') ?? '';
    }
    Object.assign(data, fields);
    const action = new URL(form.getAttribute('action') || page.url, page.url).href;
    const method = (form.getAttribute('method') ?? 'get').toUpperCase();
    let hop = method === 'POST'
      ? await this.request(action, { method: 'POST', form: data, headers: { referer: page.url } })
      : await this.request(`${action}?${new URLSearchParams(data)}`);
    for (let i = 0; i < 20 && hop.location && hop.status >= 300 && hop.status < 400; i += 1) {
      if (stop?.(hop.location)) return hop;
      hop = await this.request(hop.location);
    }
    return hop;
  }
}
