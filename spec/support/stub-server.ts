// A throwaway HTTP server standing in for CAS in specs: each request is recorded and answered by
// the handler the spec gives.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Stub {
  readonly url: string;
  readonly requests: URL[];
  close(): Promise<void>;
}

export async function stubServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Stub> {
  const requests: URL[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://stub.invalid'));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
