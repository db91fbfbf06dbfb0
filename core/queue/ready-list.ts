/**
 * A queue's ready messages in delivery order.
 *
 * Two parts: `requeued`, a small list sorted by sequence number holding
 * messages that came back from consumers (reject/nack requeue, recover,
 * channel close), and the main FIFO deque of never-delivered messages. Every
 * requeued message is older than every message still in the deque (it was
 * taken from the front earlier), so the requeued list always comes first and
 * a requeued message regains its original position, as in RabbitMQ's classic
 * queues.
 */
import type { QueueEntry } from './entry.js';

const COMPACT_MIN = 1024;

/** What a queue needs from its ready messages (ReadyList, or PriorityReadyList for x-max-priority). */
export interface ReadyQueue {
  readonly length: number;
  /** body bytes of all ready messages (x-max-length-bytes) */
  readonly bytes: number;
  push(e: QueueEntry): void;
  insertRequeued(e: QueueEntry): void;
  peek(): QueueEntry | undefined;
  shift(): QueueEntry | undefined;
  /** Removes everything (in-memory entries returned; `discard`: the queue is deleted, skip store acks). */
  drain(discard?: boolean): QueueEntry[];
  /** Removes heads due at `now` (classic queues expire at the head only); each goes to `expire`. */
  dropExpired(now: number, expire: (e: QueueEntry) => void): void;
  /** The earliest expiry among the head(s); Infinity when none. */
  headExpiry(): number;
}

export class ReadyList implements ReadyQueue {
  private items: QueueEntry[] = [];
  private head = 0;
  private readonly requeued: QueueEntry[] = [];
  /** body bytes of all ready messages (x-max-length-bytes) */
  bytes = 0;

  get length(): number {
    return this.items.length - this.head + this.requeued.length;
  }

  push(e: QueueEntry): void {
    this.items.push(e);
    this.bytes += e.size;
  }

  /** Puts a returned message back at its original position (by seq). */
  insertRequeued(e: QueueEntry): void {
    const r = this.requeued;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid]!.seq < e.seq) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, e);
    this.bytes += e.size;
  }

  peek(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued[0] : this.items[this.head];
  }

  shift(): QueueEntry | undefined {
    let e: QueueEntry | undefined;
    if (this.requeued.length > 0) {
      e = this.requeued.shift();
    } else if (this.head < this.items.length) {
      e = this.items[this.head];
      this.items[this.head++] = undefined as unknown as QueueEntry; // release the reference
      if (this.head >= COMPACT_MIN && this.head * 2 >= this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    }
    if (e) this.bytes -= e.size;
    return e;
  }

  dropExpired(now: number, expire: (e: QueueEntry) => void): void {
    for (let h = this.peek(); h !== undefined && h.expiresAt <= now; h = this.peek()) expire(this.shift()!);
  }

  headExpiry(): number {
    return this.peek()?.expiresAt ?? Infinity;
  }

  /** Removes everything; returns the removed entries in order. */
  drain(): QueueEntry[] {
    const out = this.requeued.splice(0);
    for (let i = this.head; i < this.items.length; i++) out.push(this.items[i]!);
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return out;
  }
}
