/**
 * Queue: the one queue implementation every protocol uses.
 *
 * Responsibilities:
 * - ready messages (ReadyList: requeued-first, then FIFO) and counters;
 * - consumers (ConsumerSet: priority + round-robin) and exclusive consume;
 * - dispatch: `scheduleDispatch()` queues at most one `setImmediate`; the run
 *   delivers while a consumer has capacity and messages are ready, within a
 *   byte budget, then reschedules itself. No Promise on this path;
 * - settlement of entries held by sessions: ack, requeue (back at the original
 *   position, redelivered=true), reject without requeue (dead-letter hook);
 * - basic.get, purge (ready messages only), destroy (cancels consumers with
 *   QUEUE_DELETED — RabbitMQ consumer cancel notification);
 * - auto-delete: tells its owner when the last consumer went away, once it
 *   has had one (RabbitMQ auto_delete semantics).
 * TTL, length limits, DLX and priorities attach here later; `args` is kept.
 */
import type { ConsumerSink, Delivery, QueueSummary } from '../api.js';
import { BrokerError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { FieldTable } from '../field-table.js';
import type { Message } from '../message.js';
import { messageSize } from '../message.js';
import { describe } from '../names.js';
import type { ConsumerOptions, ConsumerSession } from './consumer.js';
import { Consumer } from './consumer.js';
import { ConsumerSet } from './consumer-set.js';
import type { QueueEntry } from './entry.js';
import { ReadyList } from './ready-list.js';

/** bytes delivered per dispatch run before yielding to the event loop (LavinMQ yield_each_delivered_bytes) */
export const DISPATCH_BYTE_BUDGET = 256 * 1024;
/** accounted per delivery on top of the body, so tiny messages also yield */
const DELIVERY_OVERHEAD = 128;

/** The part of confirms.ts a queue uses to defer a publisher confirm. */
export interface ConfirmSink {
  hold(id: number): void;
  release(id: number): void;
  reject(id: number, code: ErrorCode): void;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface QueueProps {
  name: string;
  vhost: string;
  durable: boolean;
  autoDelete: boolean;
  /** id of the owning connection for exclusive queues, else null */
  owner: string | null;
  args: FieldTable;
}

export interface QueueHooks {
  /** auto-delete queue lost its last consumer: the owner deletes it */
  unused(q: Queue): void;
}

export class Queue {
  readonly name: string;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly owner: string | null;
  readonly args: FieldTable;
  readonly consumers = new ConsumerSet();
  /** deliveries held by sessions (ack mode), not yet settled */
  unackedCount = 0;
  deleted = false;
  private readonly ready = new ReadyList();
  private readonly hooks: QueueHooks;
  private hadConsumer = false;
  private nextSeq = 1;
  private scheduled = false;

  constructor(p: QueueProps, hooks: QueueHooks) {
    this.name = p.name;
    this.vhost = p.vhost;
    this.durable = p.durable;
    this.autoDelete = p.autoDelete;
    this.owner = p.owner;
    this.args = p.args;
    this.hooks = hooks;
  }

  get exclusive(): boolean {
    return this.owner !== null;
  }

  /** ready messages (AMQP declare-ok message_count) */
  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  get description(): string {
    return describe('queue', this.name, this.vhost);
  }

  // ------------------------------------------------------------ publish side

  /**
   * Appends a message. With `confirms`, a queue that settles later (a durable
   * queue waiting for fsync, next issue) calls `confirms.hold(confirmId)` now
   * and `release`/`reject` when stored; today every queue accepts
   * synchronously, so there is nothing to hold.
   */
  enqueue(message: Message, confirms?: ConfirmSink, confirmId = 0): void {
    void confirms;
    void confirmId;
    const entry: QueueEntry = {
      seq: this.nextSeq++,
      message,
      size: messageSize(message),
      queue: this,
      redelivered: false,
      consumer: null,
    };
    this.ready.push(entry);
    this.scheduleDispatch();
  }

  // ------------------------------------------------------------ consumers

  addConsumer(session: ConsumerSession, sink: ConsumerSink, o: ConsumerOptions): Consumer {
    if (this.consumers.hasExclusive() || (o.exclusive && this.consumers.size > 0)) {
      throw new BrokerError('ACCESS_REFUSED', `${this.description} in exclusive use`);
    }
    const c = new Consumer(this, session, sink, o);
    this.consumers.add(c);
    this.hadConsumer = true;
    this.scheduleDispatch();
    return c;
  }

  removeConsumer(c: Consumer): void {
    if (!this.consumers.remove(c)) return;
    if (this.autoDelete && this.hadConsumer && this.consumers.size === 0 && !this.deleted) {
      this.hooks.unused(this);
    } else {
      this.scheduleDispatch(); // another consumer may take over (e.g. after an exclusive one)
    }
  }

  // ------------------------------------------------------------ dispatch

  scheduleDispatch(): void {
    if (this.scheduled || this.deleted || this.ready.length === 0 || this.consumers.size === 0) return;
    this.scheduled = true;
    setImmediate(this.runDispatch);
  }

  private readonly runDispatch = (): void => {
    this.scheduled = false;
    let budget = DISPATCH_BYTE_BUDGET;
    while (!this.deleted && this.ready.length > 0) {
      const c = this.consumers.select();
      if (!c) return;
      const entry = this.ready.shift()!;
      budget -= entry.size + DELIVERY_OVERHEAD;
      this.deliver(c, entry);
      if (budget <= 0) {
        this.scheduleDispatch();
        return;
      }
    }
  };

  private deliver(c: Consumer, entry: QueueEntry): void {
    if (!c.noAck) {
      entry.consumer = c;
      c.unacked++;
      this.unackedCount++;
    }
    const tag = c.session.track(entry, c.noAck ? null : c, c.noAck);
    const d: Delivery = {
      tag,
      message: entry.message,
      redelivered: entry.redelivered,
      queue: this.name,
      consumerTag: c.tag,
    };
    if (!c.sink.deliver(d)) c.paused = true;
  }

  /** basic.get: the next ready message, or null. */
  get(session: ConsumerSession, noAck: boolean): Delivery | null {
    const entry = this.ready.shift();
    if (!entry) return null;
    if (!noAck) this.unackedCount++;
    const tag = session.track(entry, null, noAck);
    return {
      tag,
      message: entry.message,
      redelivered: entry.redelivered,
      queue: this.name,
      consumerTag: '',
      remaining: this.ready.length,
    };
  }

  // ------------------------------------------------------------ settlement (called by sessions)

  private release(entry: QueueEntry): void {
    const c = entry.consumer;
    entry.consumer = null;
    this.unackedCount--;
    if (c) {
      c.unacked--;
      if (c.active) this.scheduleDispatch();
    }
  }

  ack(entry: QueueEntry): void {
    this.release(entry);
  }

  /** Back to its original position, flagged redelivered (RabbitMQ classic queue). */
  requeue(entry: QueueEntry): void {
    this.release(entry);
    if (this.deleted) return;
    entry.redelivered = true;
    this.ready.insertRequeued(entry);
    this.scheduleDispatch();
  }

  /** reject/nack with requeue=false */
  reject(entry: QueueEntry): void {
    this.release(entry);
    this.deadLetter(entry, 'rejected');
  }

  /** Dead-lettering hook: x-dead-letter-exchange routing and x-death arrive with the next issue; drops for now. */
  deadLetter(_entry: QueueEntry, _reason: DeadLetterReason): void {}

  // ------------------------------------------------------------ admin

  /** Removes ready messages only (unacked ones stay with their sessions). */
  purge(): number {
    return this.ready.drain().length;
  }

  /** Marks deleted, cancels consumers; returns the ready count that was dropped. */
  destroy(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    const dropped = this.ready.drain().length;
    for (const c of this.consumers.all()) {
      this.consumers.remove(c);
      if (!c.active) continue;
      c.active = false;
      c.session.forget(c);
      c.sink.cancelled('QUEUE_DELETED');
    }
    return dropped;
  }

  summary(): QueueSummary {
    const ready = this.ready.length;
    return {
      name: this.name,
      durable: this.durable,
      exclusive: this.exclusive,
      autoDelete: this.autoDelete,
      args: this.args,
      messages: ready + this.unackedCount,
      messagesReady: ready,
      messagesUnacked: this.unackedCount,
      consumers: this.consumers.size,
    };
  }
}
