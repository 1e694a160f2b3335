// A CAS stand-in whose answers a spec scripts: /login redirects to the service with a fresh
// ticket at once (no form), /p3/serviceValidate answers whatever the spec says (a fixture, a slow
// answer, an HTTP error…). Every request is recorded.
import type { ServerResponse } from 'node:http';
import { stubServer, type Stub } from './stub-server.js';

export type ValidateAnswer = (request: URL, res: ServerResponse) => void;

export interface ScriptedCas {
  /** CAS base URL: http://127.0.0.1:PORT/cas */
  readonly url: string;
  readonly requests: URL[];
  /** how /p3/serviceValidate answers (change it per test) */
  validate: ValidateAnswer;
  close(): Promise<void>;
}

export const xmlAnswer = (xml: string): ValidateAnswer => (_request, res) => {
  res.setHeader('content-type', 'text/xml; charset=utf-8');
  res.end(xml);
};

export async function scriptedCas(initial: ValidateAnswer): Promise<ScriptedCas> {
  let tickets = 0;
  const cas: { validate: ValidateAnswer } = { validate: initial };
  const stub: Stub = await stubServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cas.invalid');
    if (url.pathname === '/cas/login') {
      const service = url.searchParams.get('service');
      if (!service) {
        res.statusCode = 400;
        res.end('no service');
        return;
      }
      tickets += 1;
      const target = new URL(service);
      target.searchParams.set('ticket', `ST-${tickets}-scriptedTicket${tickets}`);
      res.writeHead(302, { location: target.href });
      res.end();
      return;
    }
    if (url.pathname === '/cas/p3/serviceValidate') {
      cas.validate(url, res);
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  return {
    url: `${stub.url}/cas`,
    requests: stub.requests,
    get validate() { return cas.validate; },
    set validate(answer: ValidateAnswer) { cas.validate = answer; },
    close: () => stub.close(),
  };
}
