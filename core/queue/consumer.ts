/**
 * Consumer state: the gates that decide whether a consumer may receive now
 * (LavinMQ `has_capacity`, RabbitMQ `{simple_prefetch, N}`).
 *
 * A consumer has capacity when it is active, not paused (its transport said
 * "stop" by returning false from `deliver`), and — unless it is no-ack, which
 * RabbitMQ exempts from prefetch — it is below its own credit (0 = unlimited)
 * and its session is below the session-wide credit (basic.qos global=true).
 * The object doubles as the `ConsumerHandle` given to the adapter.
 */
import type { ConsumerHandle, ConsumerSink } from '../api.js';
import type { FieldTable } from '../field-table.js';
import type { QueueEntry } from './entry.js';
import type { Queue } from './queue.js';

/** What a consumer needs from the session that owns it. */
export interface ConsumerSession {
  /** session-wide credit still available (basic.qos global) */
  hasCredit(): boolean;
  /** Assigns the next delivery tag; for ack-mode deliveries records the entry as unacked. */
  track(entry: QueueEntry, consumer: Consumer | null, noAck: boolean): number;
  /** The consumer is gone (cancelled by the client or by the server). */
  forget(consumer: Consumer): void;
  /** Settles a tracked delivery (used when a sink could not take a delivery). */
  reject(tag: number, multiple: boolean, requeue: boolean): void;
}

export interface ConsumerOptions {
  tag: string;
  noAck: boolean;
  exclusive: boolean;
  priority: number;
  credit: number;
  args: FieldTable;
}

export class Consumer implements ConsumerHandle {
  readonly tag: string;
  readonly owner: Queue;
  readonly session: ConsumerSession;
  readonly sink: ConsumerSink;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly priority: number;
  readonly args: FieldTable;
  credit: number;
  /** ack-mode deliveries not yet settled */
  unacked = 0;
  paused = false;
  active = true;

  constructor(owner: Queue, session: ConsumerSession, sink: ConsumerSink, o: ConsumerOptions) {
    this.owner = owner;
    this.session = session;
    this.sink = sink;
    this.tag = o.tag;
    this.noAck = o.noAck;
    this.exclusive = o.exclusive;
    this.priority = o.priority;
    this.credit = o.credit;
    this.args = o.args;
  }

  get queue(): string {
    return this.owner.name;
  }

  hasCapacity(): boolean {
    if (!this.active || this.paused) return false;
    if (this.noAck) return true;
    return (this.credit === 0 || this.unacked < this.credit) && this.session.hasCredit();
  }

  setCredit(n: number): void {
    this.credit = Math.max(0, Math.floor(n));
    this.owner.scheduleDispatch();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.owner.scheduleDispatch();
  }

  cancel(): void {
    if (!this.active) return;
    this.active = false;
    this.session.forget(this);
    this.owner.removeConsumer(this);
  }
}
