// A load balancer for multi-node specs: one public origin (the issuer) in front of several bridge
// processes, sending each request to the node the spec chose, with no stickiness, and recording
// which node served what.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  readonly node: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export class Balancer {
  readonly served: Served[] = [];
  readonly #nodes = new Map<string, URL>();
  #server: Server | undefined;
  /** the node that takes the next requests */
  current: string;
  /** paths always sent to one node, whichever is current (e.g. CAS's proxy callback) */
  readonly pinned = new Map<string, string>();
  /** each request to the next node in turn, instead of `current` */
  roundRobin = false;
  #turn = 0;

  constructor(nodes: Record<string, string>) {
    for (const [name, url] of Object.entries(nodes)) this.#nodes.set(name, new URL(url));
    this.current = Object.keys(nodes)[0] ?? '';
  }

  async listen(port = 0): Promise<string> {
    this.#server = createServer((req, res) => {
      const names = [...this.#nodes.keys()];
      const next = this.roundRobin ? names[(this.#turn += 1) % names.length]! : this.current;
      const node = this.pinned.get((req.url ?? '').split('?')[0] ?? '') ?? next;
      const target = this.#nodes.get(node);
      if (!target) {
        res.writeHead(502).end();
        return;
      }
      // Host is passed on unchanged: the nodes see the issuer's origin, as behind a real proxy
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer: IncomingMessage) => {
        this.served.push({ node, method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Requests served since index `from`, by node, as `METHOD path` lines. */
  since(from: number): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const s of this.served.slice(from)) (out[s.node] ??= []).push(`${s.method} ${s.path} ${s.status}`);
    return out;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
  }
}
