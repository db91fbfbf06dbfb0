/**
 * Publisher-confirm aggregation for one session.
 *
 * Each confirm id carries a count of outstanding holds: `begin` takes one for
 * the routing step, every queue that cannot accept synchronously takes another
 * (`hold`, released by its stored/fsync callback later), and `release` drops
 * one. At zero the id is confirmed — RabbitMQ's "settled by every target
 * queue" rule. Unroutable messages have no queue holds, so they confirm as
 * soon as routing ends. Outcomes are flushed once per microtask as one
 * ascending `confirmed(ids)` batch (and `rejected(ids, code)` per code), after
 * the adapter has had the chance to send basic.return synchronously.
 */
import type { SessionEvents } from './api.js';
import type { ErrorCode } from './errors.js';

export class ConfirmTracker {
  private readonly events: SessionEvents;
  private readonly pending = new Map<number, number>();
  private confirmed: number[] = [];
  private rejected = new Map<ErrorCode, number[]>();
  private scheduled = false;
  private closed = false;

  constructor(events: SessionEvents) {
    this.events = events;
  }

  /**
   * The id between `begin` and the publish's own `release`, with its holds,
   * kept out of `pending`: most publishes settle within that call (transient
   * or non-durable queues), and a Map entry added and deleted for each one
   * churned the Map's hash table (a new table every few publishes).
   */
  private current: number | undefined;
  private currentHolds = 0;

  /** ids not yet settled */
  get pendingCount(): number {
    return this.pending.size + (this.current === undefined ? 0 : 1);
  }

  begin(id: number): void {
    if (this.current !== undefined) this.pending.set(this.current, this.currentHolds); // an earlier publish threw before its release
    this.current = id;
    this.currentHolds = 1;
  }

  hold(id: number): void {
    if (id === this.current) {
      this.currentHolds++;
      return;
    }
    const n = this.pending.get(id);
    if (n !== undefined) this.pending.set(id, n + 1);
  }

  release(id: number): void {
    if (id === this.current) {
      this.current = undefined;
      if (this.currentHolds > 1) {
        this.pending.set(id, this.currentHolds - 1); // a queue settles it later (fsync)
        return;
      }
      this.confirmed.push(id);
      this.schedule();
      return;
    }
    const n = this.pending.get(id);
    if (n === undefined) return;
    if (n > 1) {
      this.pending.set(id, n - 1);
      return;
    }
    this.pending.delete(id);
    this.confirmed.push(id);
    this.schedule();
  }

  /** A target refused the message: the id is nacked whatever the other targets do. */
  reject(id: number, code: ErrorCode): void {
    if (id === this.current) this.current = undefined;
    else if (!this.pending.delete(id)) return;
    let ids = this.rejected.get(code);
    if (!ids) this.rejected.set(code, (ids = []));
    ids.push(id);
    this.schedule();
  }

  /** Session closed: nothing more is emitted. */
  close(): void {
    this.closed = true;
    this.current = undefined;
    this.pending.clear();
    this.confirmed = [];
    this.rejected.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.closed) return;
    const ids = this.confirmed;
    const rejected = this.rejected.size > 0 ? this.rejected : undefined; // no new Map per flush when none
    this.confirmed = [];
    if (rejected) this.rejected = new Map();
    if (ids.length > 0) this.events.confirmed(sortAscending(ids));
    if (rejected) for (const [code, r] of rejected) this.events.rejected(sortAscending(r), code);
  };
}

function sortAscending(ids: number[]): number[] {
  for (let i = 1; i < ids.length; i++) {
    if (ids[i - 1]! > ids[i]!) return ids.sort((a, b) => a - b);
  }
  return ids;
}
