// The CAS client against local stub servers: deadlines, unreachable servers, HTTP errors, the size
// cap, the exact service string, and no retry (a service ticket is single-use).
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { CasClient, MAX_CAS_RESPONSE_BYTES } from '../../lib/cas/client.js';
import { CasError, CasProtocolError, CasTimeoutError, CasUnreachableError } from '../../lib/cas/errors.js';
import { freePort } from '../support/net.js';
import { fixture } from './support.js';
import { stubServer, type Stub } from '../support/stub-server.js';

const TICKET = 'ST-1-secretTicketValue';
const SERVICE = 'https://bridge.example.edu/callback';

async function failureOf(promise: Promise<unknown>): Promise<CasError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(CasError);
    return err as CasError;
  }
  throw new Error('expected a CasError');
}

describe('CAS client', () => {
  const stubs: Stub[] = [];
  const stub = async (...args: Parameters<typeof stubServer>): Promise<Stub> => {
    const s = await stubServer(...args);
    stubs.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(stubs.splice(0).map((s) => s.close()));
  });
  const client = (s: { url: string }, timeoutMs = 2000, path = '/cas/p3/serviceValidate') => new CasClient({ validateUrl: `${s.url}${path}`, timeoutMs });

  it('sends the exact service string and the ticket, and parses the answer', async () => {
    const cas = await stub((_req, res) => res.end(fixture('p3-serviceValidate-success-alice.xml')));
    const service = 'https://bridge.example.edu/callback?login=Ab_c-9&x=a%2Fb c&é=ü';
    const result = await client(cas).validate({ service, ticket: TICKET });
    expect(result.kind).to.equal('success');
    expect(cas.requests).to.have.length(1);
    const [request] = cas.requests;
    expect(request?.pathname).to.equal('/cas/p3/serviceValidate');
    expect(request?.searchParams.get('service')).to.equal(service);
    expect(request?.searchParams.get('ticket')).to.equal(TICKET);
    expect(request?.searchParams.has('renew')).to.equal(false);
  });

  it('adds renew=true when the login asked CAS for a fresh login, and keeps a query of CAS_VALIDATE_URL', async () => {
    const cas = await stub((_req, res) => res.end(fixture('serviceValidate-success-renew.xml')));
    await client(cas, 2000, '/cas/serviceValidate?tenant=law').validate({ service: SERVICE, ticket: TICKET, renew: true });
    const [request] = cas.requests;
    expect(request?.searchParams.get('renew')).to.equal('true');
    expect(request?.searchParams.get('tenant')).to.equal('law');
    expect(request?.searchParams.get('service')).to.equal(SERVICE);
  });

  it('a failure answer is a result, not an error', async () => {
    const cas = await stub((_req, res) => res.end(fixture('serviceValidate-INVALID_SERVICE.xml')));
    expect(await client(cas).validate({ service: SERVICE, ticket: TICKET })).to.include({ kind: 'failure', code: 'INVALID_SERVICE' });
  });

  it('a gzip-compressed answer is read', async () => {
    const cas = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
      res.end(gzipSync(fixture('p3-serviceValidate-success-bob.xml')));
    });
    const result = await client(cas).validate({ service: SERVICE, ticket: TICKET });
    expect(result.kind === 'success' && result.attributes.displayName).to.deep.equal(["Bób O'Brien & <Co>"]);
  });

  it('CAS too slow: CasTimeoutError (504) after CAS_REQUEST_TIMEOUT, one request only', async () => {
    const cas = await stub(() => { /* never answers */ });
    const started = performance.now();
    const err = await failureOf(client(cas, 300).validate({ service: SERVICE, ticket: TICKET }));
    const elapsed = performance.now() - started;
    expect(err).to.be.instanceOf(CasTimeoutError);
    expect(err.status).to.equal(504);
    expect(err.kind).to.equal('cas_timeout');
    expect(elapsed).to.be.within(250, 2000);
    // got rejects only after its retries, so one recorded request now means none was retried
    expect(cas.requests).to.have.length(1);
  });

  it('CAS answering headers but trickling the body past the deadline is a timeout too', async () => {
    const cas = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const err = await failureOf(client(cas, 300).validate({ service: SERVICE, ticket: TICKET }));
    expect(err).to.be.instanceOf(CasTimeoutError);
    expect(cas.requests).to.have.length(1);
  });

  it('connection refused: CasUnreachableError (502)', async () => {
    const port = await freePort();
    const err = await failureOf(client({ url: `http://127.0.0.1:${port}` }).validate({ service: SERVICE, ticket: TICKET }));
    expect(err).to.be.instanceOf(CasUnreachableError);
    expect(err.status).to.equal(502);
    expect(err.message).to.match(/ECONNREFUSED/);
  });

  it('the connection reset mid-answer: CasUnreachableError, no retry', async () => {
    const cas = await stub((req) => req.socket.destroy());
    const err = await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET }));
    expect(err).to.be.instanceOf(CasUnreachableError);
    expect(cas.requests).to.have.length(1);
  });

  for (const status of [500, 502, 503, 404, 302, 401]) {
    it(`HTTP ${status}: CasProtocolError (502), no retry, no redirect followed`, async () => {
      const cas = await stub((_req, res) => {
        res.writeHead(status, status === 302 ? { location: '/elsewhere' } : { 'retry-after': '0' });
        res.end(fixture('p3-serviceValidate-success-alice.xml'));
      });
      const err = await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET }));
      expect(err).to.be.instanceOf(CasProtocolError);
      expect(err.status).to.equal(502);
      expect(err.message).to.include(`HTTP ${status}`);
      expect(cas.requests.map((r) => r.pathname)).to.deep.equal(['/cas/p3/serviceValidate']);
    });
  }

  it('a non-XML 200 answer: CasProtocolError', async () => {
    const cas = await stub((_req, res) => res.end('<!DOCTYPE html><html><body>Maintenance</body></html>'));
    expect(await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET }))).to.be.instanceOf(CasProtocolError);
  });

  it(`an answer over ${MAX_CAS_RESPONSE_BYTES} bytes is cancelled, not read to the end`, async () => {
    const total = 16 * 1024 * 1024;
    let written = 0;
    let closedEarly = false;
    const cas = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => { closedEarly = written < total; });
      pump();
    });
    const err = await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET }));
    expect(err).to.be.instanceOf(CasProtocolError);
    expect(err.message).to.match(/larger than/);
    await new Promise((r) => setTimeout(r, 100));
    expect(closedEarly, `server wrote ${written} of ${total} bytes`).to.equal(true);
  });

  it('a gzip bomb is cancelled at the same cap (counted after decompression)', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, 'a'));
    const cas = await stub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
      res.end(bomb);
    });
    const err = await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET }));
    expect(err.message).to.match(/larger than/);
  });

  it('error messages name the CAS endpoint, never the ticket or the service', async () => {
    const cas = await stub((_req, res) => { res.statusCode = 500; res.end(); });
    const errors = [
      await failureOf(client(cas).validate({ service: SERVICE, ticket: TICKET })),
      await failureOf(client({ url: `http://127.0.0.1:${await freePort()}` }).validate({ service: SERVICE, ticket: TICKET })),
    ];
    for (const err of errors) {
      expect(err.message).not.to.include(TICKET);
      expect(err.message).not.to.include('callback');
    }
  });

  describe('per protocol', () => {
    const bodyOf = (req: import('node:http').IncomingMessage): Promise<string> => new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });

    it('saml11: a SOAP POST to <validateUrl>?TARGET=<service> carrying the ticket (and renew when asked); no service or ticket in the URL', async () => {
      let seen: { method?: string; type?: string; body?: string } = {};
      const cas = await stub((req, res) => {
        void bodyOf(req).then((body) => {
          seen = { method: req.method, type: req.headers['content-type'], body };
          res.end(fixture('samlValidate-success-alice.xml'));
        });
      });
      const service = 'https://bridge.example.edu/callback?login=Ab_c-9';
      const client = new CasClient({ protocol: 'saml11', validateUrl: `${cas.url}/cas/samlValidate?tenant=law`, timeoutMs: 2000 });
      const result = await client.validate({ service, ticket: TICKET, renew: true, pgtUrl: 'https://bridge.example.edu/cas/proxy-callback' });
      expect(result.kind === 'success' && result.user).to.equal('alice');
      const [request] = cas.requests;
      expect(request?.pathname).to.equal('/cas/samlValidate');
      expect([...request!.searchParams.keys()].sort()).to.deep.equal(['TARGET', 'renew', 'tenant']);
      expect(request?.searchParams.get('TARGET')).to.equal(service);
      expect(request?.searchParams.get('renew')).to.equal('true');
      expect(seen.method).to.equal('POST');
      expect(seen.type).to.match(/^text\/xml/);
      expect(seen.body).to.match(new RegExp(`<samlp:AssertionArtifact>${TICKET}</samlp:AssertionArtifact>`));

      await client.validate({ service, ticket: TICKET });
      expect([...cas.requests[1]!.searchParams.keys()].sort()).to.deep.equal(['TARGET', 'tenant']);
    });

    it('cas1: a GET with service, ticket and renew, never a pgtUrl', async () => {
      const cas = await stub((_req, res) => res.end('yes\nalice\n'));
      const client = new CasClient({ protocol: 'cas1', validateUrl: `${cas.url}/cas/validate`, timeoutMs: 2000 });
      const result = await client.validate({ service: SERVICE, ticket: TICKET, renew: true, pgtUrl: 'https://bridge.example.edu/cas/proxy-callback' });
      expect(result).to.deep.include({ kind: 'success', user: 'alice' });
      const [request] = cas.requests;
      expect(Object.fromEntries(request!.searchParams)).to.deep.equal({ service: SERVICE, ticket: TICKET, renew: 'true' });
    });

    it('cas2: /serviceValidate with the pgtUrl when proxying', async () => {
      const cas = await stub((_req, res) => res.end(fixture('serviceValidate-success-with-pgtIou.xml')));
      const client = new CasClient({ protocol: 'cas2', validateUrl: `${cas.url}/cas/proxyValidate`, timeoutMs: 2000 });
      const result = await client.validate({ service: SERVICE, ticket: TICKET, pgtUrl: 'https://bridge.example.edu/cas/proxy-callback' });
      expect(result.kind === 'success' && result.proxyGrantingTicketIou).to.match(/^PGTIOU-/);
      expect(cas.requests[0]?.searchParams.get('pgtUrl')).to.equal('https://bridge.example.edu/cas/proxy-callback');
    });

    it('a proxy ticket validated for the login (CAS names proxies) is refused: a login takes service tickets only', async () => {
      const cas = await stub((_req, res) => res.end(fixture('p3-proxyValidate-success-pt.xml')));
      const client = new CasClient({ protocol: 'cas2', validateUrl: `${cas.url}/cas/proxyValidate`, timeoutMs: 2000 });
      const err = await failureOf(client.validate({ service: SERVICE, ticket: TICKET }));
      expect(err).to.be.instanceOf(CasProtocolError);
      expect(err.message).to.match(/proxy ticket/);
    });

    it('an endless SAML answer is cancelled at the size cap; a trickling one at the deadline', async () => {
      const endless = await stub((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/xml' });
        const chunk = Buffer.alloc(64 * 1024, ' ');
        const pump = (): void => {
          while (res.write(chunk)) { /* until the socket pushes back */ }
          res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
      });
      const err = await failureOf(new CasClient({ protocol: 'saml11', validateUrl: `${endless.url}/cas/samlValidate`, timeoutMs: 5000 }).validate({ service: SERVICE, ticket: TICKET }));
      expect(err.message).to.match(/larger than/);

      const slow = await stub((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('yes\n');
        const timer = setInterval(() => res.write('a'), 50);
        res.on('close', () => clearInterval(timer));
      });
      expect(await failureOf(new CasClient({ protocol: 'cas1', validateUrl: `${slow.url}/cas/validate`, timeoutMs: 300 }).validate({ service: SERVICE, ticket: TICKET })))
        .to.be.instanceOf(CasTimeoutError);
    });
  });
});
