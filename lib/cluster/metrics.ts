// A cluster's metrics: the primary asks each serving worker for its metrics over IPC and adds
// them up with prom-client's aggregation. Only serving workers are asked, and a worker that dies
// mid-scrape is not waited for, so a scrape during a worker's restart still answers at once.
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { BridgeMetrics } from '../observability/metrics.js';
import type { MetricsSource } from '../observability/metrics-server.js';
import { isMetricsReply, isMetricsRequest, type MetricsReply, type MetricsRequest } from './messages.js';

/** a worker that has not answered by then is left out of this scrape */
const REPLY_TIMEOUT_MS = 3000;

interface Scrape {
  readonly replies: object[][];
  readonly waiting: Set<number>;
  finish(): void;
}

export class ClusterMetrics implements MetricsSource {
  readonly #serving: () => Worker[];
  readonly #scrapes = new Map<number, Scrape>();
  #nextId = 0;

  constructor(serving: () => Worker[]) {
    this.#serving = serving;
  }

  /** A message from a worker; answers true when it was a metrics reply. */
  receive(worker: Worker, message: unknown): boolean {
    if (!isMetricsReply(message)) return false;
    const scrape = this.#scrapes.get(message.id);
    if (scrape?.waiting.delete(worker.id)) {
      scrape.replies.push(message.metrics);
      if (!scrape.waiting.size) scrape.finish();
    }
    return true;
  }

  /** A worker exited: no scrape waits for it any more. */
  forget(worker: Worker): void {
    for (const scrape of this.#scrapes.values()) {
      if (scrape.waiting.delete(worker.id) && !scrape.waiting.size) scrape.finish();
    }
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    const workers = this.#serving();
    const id = this.#nextId++;
    const replies = await new Promise<object[][]>((resolve) => {
      const scrape: Scrape = {
        replies: [],
        waiting: new Set(workers.map((w) => w.id)),
        finish: () => {
          clearTimeout(timer);
          this.#scrapes.delete(id);
          resolve(scrape.replies);
        },
      };
      const timer = setTimeout(() => scrape.finish(), REPLY_TIMEOUT_MS);
      this.#scrapes.set(id, scrape);
      for (const worker of workers) worker.send({ type: 'bridge:metrics-request', id } satisfies MetricsRequest);
      if (!scrape.waiting.size) scrape.finish();
    });
    const registry = AggregatorRegistry.aggregate(replies);
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}

/** In a worker: answer the primary's metrics requests with this process's metrics. */
export function answerMetricsRequests(metrics: BridgeMetrics): void {
  process.on('message', (message: unknown) => {
    if (!isMetricsRequest(message)) return;
    const reply = (json: object[]): void => {
      process.send?.({ type: 'bridge:metrics-reply', id: message.id, metrics: json } satisfies MetricsReply);
    };
    metrics.snapshot().then(reply, () => reply([]));
  });
}
