// Messages between a cluster's primary and its workers (over the IPC channel node:cluster opens).
import type { LoadedSettings } from '../config/load.js';

/** worker → primary, once it listens for the answer: send the configuration */
export interface ConfigRequest {
  readonly type: 'bridge:config-request';
}

/** primary → worker: the settings the primary loaded, so every worker runs the same configuration */
export interface ConfigMessage {
  readonly type: 'bridge:config';
  readonly settings: LoadedSettings;
}

/** worker → primary: listening and serving */
export interface ReadyMessage {
  readonly type: 'bridge:ready';
  readonly url: string;
}

export function isConfigMessage(message: unknown): message is ConfigMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'bridge:config';
}

export function isReadyMessage(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'bridge:ready';
}

export function isConfigRequest(message: unknown): message is ConfigRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'bridge:config-request';
}

/** primary → worker: send your metrics (`id` pairs the reply with its scrape) */
export interface MetricsRequest {
  readonly type: 'bridge:metrics-request';
  readonly id: number;
}

/** worker → primary: prom-client's JSON form of every metric of the worker */
export interface MetricsReply {
  readonly type: 'bridge:metrics-reply';
  readonly id: number;
  readonly metrics: object[];
}

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'bridge:metrics-request';
}

export function isMetricsReply(message: unknown): message is MetricsReply {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'bridge:metrics-reply';
}
