// A minimal, fast CAS for the benchmark: /login sends the browser straight back to the service
// with a fresh ticket, /p3/serviceValidate answers CAS 3 XML once per ticket. Loopback only.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface CasStandIn {
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function startCasStandIn(): Promise<CasStandIn> {
  const tickets = new Map<string, { service: string; user: string }>();
  let logins = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cas.invalid');
    const service = url.searchParams.get('service') ?? '';
    if (url.pathname === '/cas/login') {
      logins += 1;
      const ticket = `ST-${randomBytes(18).toString('base64url')}`;
      tickets.set(ticket, { service, user: `user${logins % 1000}` });
      const back = new URL(service);
      back.searchParams.set('ticket', ticket);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/cas/p3/serviceValidate') {
      const ticket = url.searchParams.get('ticket') ?? '';
      const issued = tickets.get(ticket);
      tickets.delete(ticket);
      res.setHeader('content-type', 'application/xml; charset=utf-8');
      if (!issued || issued.service !== service) {
        res.end(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">unknown ticket</cas:authenticationFailure></cas:serviceResponse>`);
        return;
      }
      const user = escapeXml(issued.user);
      res.end(`<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>${user}</cas:user><cas:attributes>`
        + `<cas:mail>${user}@example.edu</cas:mail><cas:displayName>Bench ${user}</cas:displayName>`
        + `<cas:memberOf>staff</cas:memberOf><cas:memberOf>bench</cas:memberOf>`
        + `</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`);
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/cas`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
