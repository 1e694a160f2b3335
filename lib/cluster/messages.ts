// Messages between a cluster's primary and its workers (over the IPC channel node:cluster opens).
import type { LoadedSettings } from '../config/load.js';

/** a guard for one message type: IPC messages arrive as `unknown` */
const hasType = <M extends { readonly type: string }>(type: M['type']) =>
  (message: unknown): message is M =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

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

/** worker → primary: could not start, and why (the sentence the CLI prints, e.g. a port in use) */
export interface StartFailedMessage {
  readonly type: 'bridge:start-failed';
  readonly reason: string;
}

export const isStartFailedMessage = hasType<StartFailedMessage>('bridge:start-failed');

export const isConfigMessage = hasType<ConfigMessage>('bridge:config');

export const isReadyMessage = hasType<ReadyMessage>('bridge:ready');

export const isConfigRequest = hasType<ConfigRequest>('bridge:config-request');

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

export const isMetricsRequest = hasType<MetricsRequest>('bridge:metrics-request');

export const isMetricsReply = hasType<MetricsReply>('bridge:metrics-reply');

/** primary → worker: check and build a reload of these settings, then wait for the decision */
export interface ReloadPrepare {
  readonly type: 'bridge:reload-prepare';
  readonly id: number;
  readonly settings: LoadedSettings;
}

/** worker → primary: the reload is ready (no problems), or why it cannot be */
export interface ReloadPrepared {
  readonly type: 'bridge:reload-prepared';
  readonly id: number;
  readonly problems: readonly string[];
}

/** primary → worker: every worker is ready (apply), or one is not (drop it) */
export interface ReloadDecision {
  readonly type: 'bridge:reload-decision';
  readonly id: number;
  readonly apply: boolean;
}

/** worker → primary: the decision is carried out */
export interface ReloadDone {
  readonly type: 'bridge:reload-done';
  readonly id: number;
}

export const isReloadPrepare = hasType<ReloadPrepare>('bridge:reload-prepare');
export const isReloadPrepared = hasType<ReloadPrepared>('bridge:reload-prepared');
export const isReloadDecision = hasType<ReloadDecision>('bridge:reload-decision');
export const isReloadDone = hasType<ReloadDone>('bridge:reload-done');
