// Serves the single-page app of spec/browser/spa/ on loopback, with oidc-client-ts's browser build
// from node_modules and a config.js naming the bridge and the client: the same files can be
// served from several origins.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'browser', 'spa');
const LIBRARY = join(dirname(createRequire(import.meta.url).resolve('oidc-client-ts')), '..', 'browser', 'oidc-client-ts.js');

export interface SpaServer {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  close(): Promise<void>;
}

export async function serveSpa(settings: { authority: string; clientId: string }): Promise<SpaServer> {
  const files: Record<string, [string, string]> = {
    '/app.js': ['text/javascript', readFileSync(join(SPA_DIR, 'app.js'), 'utf8')],
    '/oidc-client-ts.js': ['text/javascript', readFileSync(LIBRARY, 'utf8')],
    '/config.js': ['text/javascript', `window.SPA_CONFIG = ${JSON.stringify({ authority: settings.authority, client_id: settings.clientId })};\n`],
  };
  const page = readFileSync(join(SPA_DIR, 'index.html'), 'utf8');
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://spa').pathname;
    const [type, body] = files[path] ?? ['text/html; charset=utf-8', page];
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
