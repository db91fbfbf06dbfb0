/**
 * One message in one queue. The same object travels from the ready list to
 * a session's unacked map and back (requeue), so a delivery allocates no
 * extra tracking record.
 */
import type { Message } from '../message.js';
import type { StorePosition } from '../store/index.js';
import type { Consumer } from './consumer.js';
import type { Queue } from './queue.js';

export interface QueueEntry {
  /** monotonic per queue: the message's position, kept across requeues */
  readonly seq: number;
  readonly message: Message;
  readonly size: number;
  /** ms since the epoch when the message expires (fixed at enqueue, kept on requeue); Infinity = never */
  readonly expiresAt: number;
  /** priority level in a priority queue (0 otherwise) */
  readonly priority: number;
  readonly queue: Queue;
  redelivered: boolean;
  /** the consumer holding it unacked; null when ready or taken by basic.get */
  consumer: Consumer | null;
  /** where a persistent message of a durable queue is stored (durability); null otherwise */
  storePos: StorePosition | null;
}
