// Events between parts of the bridge that must not know each other (e.g. logout and CAS proxy
// tickets: when an OP session ends, whatever belongs to it is destroyed by its owner).
import { EventEmitter } from 'node:events';

export type SessionEndReason = 'rp_logout' | 'cas_single_logout' | 'account_changed';

export interface BridgeEventMap {
  /** an OP session was ended by the bridge; listeners destroy what belongs to it */
  'session.ended': [{ readonly sessionUid: string; readonly accountId: string | undefined; readonly reason: SessionEndReason }];
}

export class BridgeEvents extends EventEmitter<BridgeEventMap> {
  /** Emits and waits for async listeners (errors are the listener's to log). */
  async emitAndWait<K extends keyof BridgeEventMap>(name: K, ...args: BridgeEventMap[K]): Promise<void> {
    const listeners = this.listeners(name) as Array<(...a: BridgeEventMap[K]) => unknown>;
    await Promise.allSettled(listeners.map((listener) => listener(...args)));
  }
}
