/**
 * One message in one queue. The same object travels from the ready list to
 * a session's unacked map and back (requeue), so a delivery allocates no
 * extra tracking record.
 */
import type { Message } from '../message.js';
import type { Consumer } from './consumer.js';
import type { Queue } from './queue.js';

export interface QueueEntry {
  /** monotonic per queue: the message's position, kept across requeues */
  readonly seq: number;
  readonly message: Message;
  readonly size: number;
  readonly queue: Queue;
  redelivered: boolean;
  /** the consumer holding it unacked; null when ready or taken by basic.get */
  consumer: Consumer | null;
}
