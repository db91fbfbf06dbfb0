/**
 * The narrow interface the core's vhosts and broker call for durability, so
 * that core/vhost.ts and core/broker.ts depend on four functions rather than
 * on the Persistence class (and tests can pass a fake).
 *
 * - `queueStore`: a durable, non-exclusive queue was created (declare or
 *   import); recovered messages are handed to `onRecovered` synchronously,
 *   before it returns;
 * - `dropQueue` / `dropVhost`: the queue / vhost was deleted (no-ops once the
 *   persistence is closed, so the core's shutdown keeps the data);
 * - `definitionsChanged`: something definitions.json holds changed (a durable
 *   exchange/queue/binding, a user, a permission, a vhost, a policy, limits).
 */
import type { DelayedPersistence } from '../exchange/delayed.js';
import type { DelayedRecoverySink } from './delayed-store.js';
import type { Persistence } from './persistence.js';
import type { PagingBudget } from '../queue/paged-ready.js';
import { DEFAULT_PAGING_BUDGET } from '../queue/paged-ready.js';
import type { QueueStore, RecoveredMessage, RecoverySink } from './queue-store.js';

export type { PagingBudget } from '../queue/paged-ready.js';
export { DEFAULT_PAGING_BUDGET } from '../queue/paged-ready.js';

export interface DurabilityHooks {
  queueStore(vhost: string, queue: string, onRecovered: ((r: RecoveredMessage) => void) | RecoverySink): QueueStore;
  /** paging budget of durable queues; absent = DEFAULT_PAGING_BUDGET; null = never page */
  readonly paging?: PagingBudget | null;
  dropQueue(vhost: string, queue: string): void;
  /**
   * A durable x-delayed-message exchange was created (declare or import): its
   * store; held messages recovered from it go to `onRecovered` synchronously.
   * Deleting the exchange calls the store's `dispose` (drops the data).
   */
  delayedStore?(vhost: string, exchange: string, onRecovered: DelayedRecoverySink): DelayedPersistence;
  dropVhost(vhost: string): void;
  definitionsChanged(): void;
}

export function durabilityHooks(p: Persistence, o: { paging?: Partial<PagingBudget> | null } = {}): DurabilityHooks {
  return {
    paging: o.paging === null ? null : { ...DEFAULT_PAGING_BUDGET, ...o.paging },
    queueStore: (vhost, queue, onRecovered) => p.queueStore(vhost, queue, onRecovered),
    dropQueue: (vhost, queue) => void p.dropQueue(vhost, queue),
    delayedStore: (vhost, exchange, onRecovered) => p.delayed.open(vhost, exchange, onRecovered),
    dropVhost: (vhost) => void p.dropVhost(vhost),
    definitionsChanged: () => p.definitions.scheduleSave(),
  };
}
