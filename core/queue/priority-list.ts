/**
 * Ready messages of a priority queue (`x-max-priority`, RabbitMQ
 * rabbit_priority_queue semantics for classic queues):
 *
 * - one ReadyList per priority level 0..max; a message's level is its
 *   `priority` property, 0 when missing, capped at the queue's maximum;
 * - higher levels are delivered first, FIFO within a level;
 * - a requeued message goes back into its own level at its original
 *   position (each level keeps ReadyList's requeued-first ordering);
 * - `shift()` always takes the highest level's head, which is also what
 *   drop-head overflow removes (RabbitMQ's priority queue `fetch`);
 * - TTL: the head of EVERY level expires when due (the priority queue runs
 *   the classic queue's dropwhile on each sub-queue), not only the overall head.
 * `top` caches the highest non-empty level so shift is O(1) amortised.
 */
import type { QueueEntry } from './entry.js';
import type { ReadyQueue } from './ready-list.js';
import { ReadyList } from './ready-list.js';

/** The level for a message priority in a queue with maximum `max` (RabbitMQ caps, never rejects). */
export function priorityLevel(priority: number | undefined, max: number): number {
  if (priority === undefined || !(priority > 0)) return 0;
  return Math.min(Math.floor(priority), max);
}

export class PriorityReadyList implements ReadyQueue {
  private readonly levels: ReadyList[] = [];
  private top = -1;
  private count = 0;
  bytes = 0;

  constructor(maxPriority: number) {
    for (let i = 0; i <= maxPriority; i++) this.levels.push(new ReadyList());
  }

  get length(): number {
    return this.count;
  }

  push(e: QueueEntry): void {
    this.levels[e.priority]!.push(e);
    this.added(e);
  }

  insertRequeued(e: QueueEntry): void {
    this.levels[e.priority]!.insertRequeued(e);
    this.added(e);
  }

  peek(): QueueEntry | undefined {
    return this.top < 0 ? undefined : this.levels[this.top]!.peek();
  }

  shift(): QueueEntry | undefined {
    if (this.top < 0) return undefined;
    const e = this.levels[this.top]!.shift()!;
    this.count--;
    this.bytes -= e.size;
    while (this.top >= 0 && this.levels[this.top]!.length === 0) this.top--;
    return e;
  }

  dropExpired(now: number, expire: (e: QueueEntry) => void): void {
    for (let i = this.top; i >= 0; i--) {
      const level = this.levels[i]!;
      for (let h = level.peek(); h !== undefined && h.expiresAt <= now; h = level.peek()) {
        level.shift();
        this.count--;
        this.bytes -= h.size;
        expire(h);
      }
    }
    while (this.top >= 0 && this.levels[this.top]!.length === 0) this.top--;
  }

  headExpiry(): number {
    let min = Infinity;
    for (let i = this.top; i >= 0; i--) min = Math.min(min, this.levels[i]!.headExpiry());
    return min;
  }

  /** Removes everything, highest level first (delivery order). */
  drain(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let i = this.levels.length - 1; i >= 0; i--) out.push(...this.levels[i]!.drain());
    this.top = -1;
    this.count = 0;
    this.bytes = 0;
    return out;
  }

  private added(e: QueueEntry): void {
    this.count++;
    this.bytes += e.size;
    if (e.priority > this.top) this.top = e.priority;
  }
}
