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
import type { Persistence } from './persistence.js';
import type { QueueStore, RecoveredMessage } from './queue-store.js';

export interface DurabilityHooks {
  queueStore(vhost: string, queue: string, onRecovered: (r: RecoveredMessage) => void): QueueStore;
  dropQueue(vhost: string, queue: string): void;
  dropVhost(vhost: string): void;
  definitionsChanged(): void;
}

export function durabilityHooks(p: Persistence): DurabilityHooks {
  return {
    queueStore: (vhost, queue, onRecovered) => p.queueStore(vhost, queue, onRecovered),
    dropQueue: (vhost, queue) => void p.dropQueue(vhost, queue),
    dropVhost: (vhost) => void p.dropVhost(vhost),
    definitionsChanged: () => p.definitions.scheduleSave(),
  };
}
