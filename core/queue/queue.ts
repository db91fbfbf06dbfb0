/**
 * Queue: the one queue implementation every protocol uses.
 *
 * - ready messages (ReadyList: requeued-first then FIFO; PriorityReadyList
 *   for x-max-priority) and consumers (ConsumerSet: priority + round-robin;
 *   SingleActiveConsumers for x-single-active-consumer);
 * - dispatch: `scheduleDispatch()` queues at most one `setImmediate` (credit freed by
 *   an ack, or the only ready message: a microtask, `dispatchSoon()`); a run delivers
 *   while a consumer has capacity, within a byte budget. No Promise and no per-message timer;
 * - settlement: ack, requeue (original position, redelivered), reject
 *   (dead-lettered); basic.get; purge; destroy (consumers hear QUEUE_DELETED);
 *   auto-delete after the last consumer (RabbitMQ auto_delete);
 * - RabbitMQ extensions, with the settings `configure()` receives (arguments
 *   + policies, policy.ts): TTL (expiry fixed at enqueue, checked at the
 *   head, ONE head timer; TTL 0 = handed to a waiting consumer now or
 *   expired), x-expires, length limits (limits.ts), dead-lettering through
 *   the owner's hook. Like a classic queue's attempt_delivery, when a TTL 0
 *   or a length limit makes it matter, ready messages are first dispatched
 *   synchronously so limits apply to what really waits in the queue.
 */
import type { ConsumerSink, Delivery, QueueSummary } from '../api.js';
import { BrokerError } from '../errors.js';
import type { FieldTable } from '../field-table.js';
import type { Message } from '../message.js';
import { messageSize } from '../message.js';
import { describe } from '../names.js';
import type { QueueSettings } from './args.js';
import { NO_SETTINGS, isSingleActive, maxPriorityOf, settingsFromArgs } from './args.js';
import type { ConsumerOptions, ConsumerSession } from './consumer.js';
import { Consumer } from './consumer.js';
import type { ConsumerPool } from './consumer-set.js';
import { ConsumerSet } from './consumer-set.js';
import type { QueueEntry } from './entry.js';
import { HeadTimer, IdleTimer, effectiveTtl } from './expiry.js';
import { DEFAULT_PAGING_BUDGET, PagedReadyList } from './paged-ready.js';
import { hasLimit, isOverLimit, wouldOverflow } from './limits.js';
import { PriorityReadyList, priorityLevel } from './priority-list.js';
import type { ReadyQueue } from './ready-list.js';
import { ReadyList } from './ready-list.js';
import { SingleActiveConsumers } from './single-active.js';
import type { QueueStore, RecoveredMessage } from '../durable/queue-store.js';
import type { StorePosition } from '../store/index.js';
import { confirmToken } from '../durable/queue-store.js';
import type { AppliedPolicies, ConfirmSink, DeadLetterReason, QueueHooks, QueueProps } from './types.js';

/** bytes delivered per dispatch run before yielding to the event loop (LavinMQ yield_each_delivered_bytes) */
export const DISPATCH_BYTE_BUDGET = 256 * 1024;
/** accounted per delivery on top of the body, so tiny messages also yield */
const DELIVERY_OVERHEAD = 128;

export type { AppliedPolicies, ConfirmSink, DeadLetterReason, QueueHooks, QueueProps } from './types.js';

export class Queue {
  readonly name: string;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly owner: string | null;
  readonly args: FieldTable;
  readonly consumers: ConsumerPool;
  /** 0 when not a priority queue */
  readonly maxPriority: number;
  /** deliveries held by sessions (ack mode), not yet settled */
  unackedCount = 0;
  deleted = false;
  /** effective settings: arguments combined with policies (policy.ts) */
  settings: QueueSettings = NO_SETTINGS;
  applied: AppliedPolicies = { policy: undefined, operatorPolicy: undefined, definition: undefined };
  private readonly ready: ReadyQueue;
  private readonly hooks: QueueHooks;
  private readonly ttlTimer: HeadTimer;
  private readonly idle: IdleTimer;
  private hadConsumer = false;
  private nextSeq = 1;
  private scheduled = false;
  private soon = false; // dispatchSoon's microtask is queued
  /** the durable store (durable, non-exclusive queues with persistence wired); null otherwise */
  store: QueueStore | null = null;

  constructor(p: QueueProps, hooks: QueueHooks) {
    this.name = p.name;
    this.vhost = p.vhost;
    this.durable = p.durable;
    this.autoDelete = p.autoDelete;
    this.owner = p.owner;
    this.args = p.args;
    this.hooks = hooks;
    this.maxPriority = maxPriorityOf(p.args);
    const paging = p.paging === undefined ? DEFAULT_PAGING_BUDGET : p.paging;
    this.ready = this.maxPriority > 0
      ? new PriorityReadyList(this.maxPriority) // priority queues stay in memory
      : p.durable && p.owner === null && paging !== null
        ? new PagedReadyList({
          queue: this,
          store: () => this.store,
          hydrated: () => {
            this.armTtl(0);
            this.scheduleDispatch();
          },
          keepsDropped: () => this.settings.deadLetterExchange !== undefined,
        }, paging)
        : new ReadyList();
    this.consumers = isSingleActive(p.args) ? new SingleActiveConsumers() : new ConsumerSet();
    this.ttlTimer = new HeadTimer(this.expireHeads);
    this.idle = new IdleTimer(() => this.consumers.size > 0, () => void (this.deleted || this.hooks.unused(this)));
    this.configure(settingsFromArgs(p.args));
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

  /** New effective settings (declare, policy change). Applies a lowered length limit at once. */
  configure(s: QueueSettings, applied?: AppliedPolicies): void {
    const expiresChanged = s.expires !== this.settings.expires;
    this.settings = s;
    if (applied) this.applied = applied;
    if (this.deleted) return;
    if (expiresChanged) this.idle.configure(s.expires);
    if (s.overflow === 'drop-head' && hasLimit(s)) this.dropHeadOverflow();
  }

  /** Redeclare (active or passive) counts as use for x-expires. */
  touch(): void {
    this.idle.touch();
  }

  // ------------------------------------------------------------ publish side

  /**
   * Appends a message. With `confirms`, a queue that settles later (a durable
   * queue waiting for fsync, next issue) calls `confirms.hold(confirmId)` now
   * and `release`/`reject` when stored; a publish refused by x-overflow
   * reject-publish(-dlx) calls `confirms.reject(confirmId, 'REJECTED_OVERFLOW')`.
   */
  enqueue(message: Message, confirms?: ConfirmSink, confirmId = 0): void {
    if (this.deleted) return;
    const s = this.settings;
    const size = messageSize(message);
    const limited = hasLimit(s);
    if (limited && s.overflow !== 'drop-head') {
      this.dispatchNow();
      if (wouldOverflow(s, this.ready.length, this.ready.bytes, size)) {
        // rabbit_amqqueue_process maybe_deliver_or_enqueue: nack (confirms) or silent drop
        if (confirms) confirms.reject(confirmId, 'REJECTED_OVERFLOW');
        if (s.overflow === 'reject-publish-dlx') this.deadLetterMessage(message, 'maxlen');
        return;
      }
    }
    const ttl = effectiveTtl(s.messageTtl, message);
    const now = ttl === undefined ? 0 : Date.now();
    const entry = this.newEntry(message, size, ttl === undefined ? Infinity : now + ttl, false, null);
    if (this.store !== null && message.properties.deliveryMode === 2) {
      if (confirms) confirms.hold(confirmId);
      entry.storePos = this.store.persist(message, confirms ? confirmToken(confirms, confirmId) : undefined, entry.expiresAt);
    }
    if (ttl === 0 || (limited && isOverLimit(s, this.ready.length + 1, this.ready.bytes + size))) {
      // attempt_delivery: a consumer waiting with capacity takes it before it is queued
      if (this.deliverNow(entry)) return;
      if (ttl === 0) {
        this.deadLetter(entry, 'expired'); // TTL 0: expired unless delivered immediately
        return;
      }
    }
    this.ready.push(entry);
    if (limited) this.dropHeadOverflow();
    if (entry.expiresAt !== Infinity && !this.deleted) this.ttlTimer.arm(entry.expiresAt, now); // early is harmless: it re-arms
    if (this.ready.length === 1) this.dispatchSoon(); // a consumer may be waiting; else batch per loop turn
    else this.scheduleDispatch();
  }

  /** A new entry at the tail of this queue's order (enqueue, boot recovery). */
  private newEntry(message: Message, size: number, expiresAt: number, redelivered: boolean, storePos: StorePosition | null): QueueEntry {
    const priority = this.maxPriority > 0 ? priorityLevel(message.properties.priority, this.maxPriority) : 0;
    return { seq: this.nextSeq++, message, size, expiresAt, priority, queue: this, redelivered, consumer: null, storePos };
  }

  /** Dispatches synchronously, then hands `entry` to a consumer if none is left waiting. */
  private deliverNow(entry: QueueEntry): boolean {
    if (this.consumers.size === 0) return false;
    this.dispatchNow();
    if (this.ready.length > 0) return false;
    const c = this.consumers.select();
    if (!c) return false;
    this.deliver(c, entry);
    return true;
  }

  private dropHeadOverflow(): void {
    const s = this.settings;
    if (s.overflow !== 'drop-head') return;
    const unread = this.ready instanceof PagedReadyList && s.deadLetterExchange === undefined ? this.ready : null;
    while (this.ready.length > 0 && isOverLimit(s, this.ready.length, this.ready.bytes)) {
      if (unread?.dropHeadUnread()) continue; // a paged head nobody needs: acked without reading it
      this.deadLetter(this.ready.shift()!, 'maxlen');
    }
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
      return;
    }
    if (this.consumers.size === 0) {
      this.idle.touch();
      this.idle.start();
    }
    this.scheduleDispatch(); // another consumer may take over (after an exclusive or single active one)
  }

  // ------------------------------------------------------------ dispatch

  scheduleDispatch(): void {
    if (this.scheduled || this.deleted || this.ready.length === 0 || this.consumers.size === 0) return;
    this.scheduled = true;
    setImmediate(this.runDispatch);
  }

  private readonly runDispatch = (): void => {
    this.scheduled = false;
    if (this.dispatchLoop(DISPATCH_BYTE_BUDGET)) this.scheduleDispatch();
  };

  /**
   * Credit freed (ack, session credit), or a consumer may wait for the only ready message:
   * dispatch once the adapter handled its chunk (microtask), not after every other read of
   * this poll phase or in the next turn (setImmediate). A small prefetch waits here each round trip.
   */
  dispatchSoon(): void {
    if (this.soon || this.deleted || this.ready.length === 0 || this.consumers.size === 0) return;
    this.soon = true;
    queueMicrotask(this.runSoon);
  }

  private readonly runSoon = (): void => {
    this.soon = false;
    if (!this.deleted && this.dispatchLoop(DISPATCH_BYTE_BUDGET)) this.scheduleDispatch();
  };

  /** Synchronous dispatch of what is ready (used before limits and TTL 0 decisions). */
  private dispatchNow(): void {
    if (this.consumers.size > 0 && this.ready.length > 0) this.dispatchLoop(Infinity);
  }

  /** Delivers while possible; true when it stopped because the byte budget ran out. */
  private dispatchLoop(budget: number): boolean {
    let now = 0;
    while (!this.deleted && this.ready.length > 0) {
      const head = this.ready.peek();
      if (head === undefined) break; // a paged head is being read back: hydrated() dispatches again
      if (head.expiresAt !== Infinity) {
        if (now === 0) now = Date.now();
        if (head.expiresAt <= now) {
          this.deadLetter(this.ready.shift()!, 'expired');
          continue;
        }
      }
      const c = this.consumers.select();
      if (!c) break;
      const entry = this.ready.shift()!;
      budget -= entry.size + DELIVERY_OVERHEAD;
      this.deliver(c, entry);
      if (budget <= 0) {
        this.armTtl(now);
        return true;
      }
    }
    this.armTtl(now);
    return false;
  }

  private deliver(c: Consumer, entry: QueueEntry): void {
    if (c.noAck) this.unstore(entry);
    else if (entry.storePos !== null && !entry.redelivered) this.store?.markDelivered(entry.storePos);
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
    let ok: boolean;
    try {
      ok = c.sink.deliver(d);
    } catch (err) {
      // The consumer's protocol could not carry this message (e.g. a routing
      // key too long for an AMQP shortstr): never let one message take the
      // broker down. Settle it as rejected without requeue (dead-letters when
      // a DLX is set) so the consumer is not stuck with it.
      process.emitWarning(`delivery from ${this.description} to consumer '${c.tag}' failed: ${String(err)}`);
      if (!c.noAck) c.session.reject(tag, false, false);
      return;
    }
    if (!ok) c.paused = true;
  }

  /** basic.get: the next ready (unexpired) message, or null. Counts as use for x-expires. */
  get(session: ConsumerSession, noAck: boolean): Delivery | null {
    this.idle.touch();
    this.ready.dropExpired(Date.now(), this.expire);
    const entry = this.ready.shift();
    if (!entry) return null;
    this.armTtl(0);
    if (!noAck) this.unackedCount++;
    if (noAck) this.unstore(entry);
    else if (entry.storePos !== null && !entry.redelivered) this.store?.markDelivered(entry.storePos);
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

  // ------------------------------------------------------------ TTL

  /** Arms the head timer for the current head's expiry (no-op when armed as soon). */
  private armTtl(now: number): void {
    const at = this.ready.headExpiry();
    if (at === Infinity || this.deleted) return;
    this.ttlTimer.arm(at, now === 0 ? Date.now() : now);
  }

  /** The head timer fired: expire what is due at the head, re-arm for the next head. */
  private readonly expireHeads = (): void => {
    if (this.deleted) return;
    const now = Date.now();
    this.ready.dropExpired(now, this.expire);
    this.armTtl(now);
  };

  private readonly expire = (e: QueueEntry): void => this.deadLetter(e, 'expired');

  // ------------------------------------------------------------ settlement (called by sessions)

  private release(entry: QueueEntry): void {
    const c = entry.consumer;
    entry.consumer = null;
    this.unackedCount--;
    if (c) {
      c.unacked--;
      if (c.active) this.dispatchSoon();
    }
  }

  ack(entry: QueueEntry): void {
    this.release(entry);
    this.unstore(entry);
  }

  /** Back to its original position (in its priority), flagged redelivered (RabbitMQ classic queue). */
  requeue(entry: QueueEntry): void {
    this.release(entry);
    if (this.deleted) return;
    entry.redelivered = true;
    this.ready.insertRequeued(entry);
    if (entry.expiresAt !== Infinity) this.armTtl(0);
    this.scheduleDispatch();
  }

  /** reject/nack with requeue=false */
  reject(entry: QueueEntry): void {
    this.release(entry);
    this.deadLetter(entry, 'rejected');
  }

  /** Dead-letters the entry's message when the queue has a dead-letter exchange; drops it otherwise. */
  deadLetter(entry: QueueEntry, reason: DeadLetterReason): void {
    this.unstore(entry);
    this.deadLetterMessage(entry.message, reason);
  }

  private deadLetterMessage(message: Message, reason: DeadLetterReason): void {
    if (this.settings.deadLetterExchange === undefined) return;
    this.hooks.deadLetter?.(this, message, reason);
  }

  // ------------------------------------------------------------ admin

  /** Removes ready messages only (unacked ones stay with their sessions). Not dead-lettered (RabbitMQ). */
  purge(): number {
    const n = this.ready.length;
    for (const e of this.ready.drain()) this.unstore(e); // paged positions are acked by the list
    return n;
  }

  /** The message left the queue: its stored copy is acked (no-op when not stored). */
  private unstore(entry: QueueEntry): void {
    if (entry.storePos === null) return;
    this.store?.ack(entry.storePos);
    entry.storePos = null;
  }

  /** Boot recovery: appends a message read back from the store (before any consumer exists). */
  restore(r: RecoveredMessage): void {
    const entry = this.newEntry(r.message, messageSize(r.message), r.expiresAt ?? Infinity, r.redelivered, r.position);
    this.ready.push(entry);
    if (entry.expiresAt !== Infinity) this.armTtl(0);
  }

  /** Boot recovery (RecoverySink): decode the next record, or only index its position? */
  wantsMessage(): boolean {
    return !(this.ready instanceof PagedReadyList) || this.ready.wantsMessage();
  }

  /** Boot recovery (RecoverySink): a record kept as a position only; false = not pageable, decode it. */
  restorePaged(segment: number, offset: number, size: number, bodySize: number, expiresAt: number, redelivered: boolean): boolean {
    if (!(this.ready instanceof PagedReadyList)) return false;
    if (!this.ready.restorePaged(this.nextSeq, segment, offset, size, bodySize, expiresAt, redelivered)) return false;
    this.nextSeq++;
    if (expiresAt !== Infinity) this.armTtl(0);
    return true;
  }

  /** Marks deleted, cancels consumers and timers; returns the ready count that was dropped. */
  destroy(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    this.ttlTimer.cancel();
    this.idle.cancel();
    const dropped = this.ready.length;
    this.ready.drain(true); // the store goes with the queue: nothing to ack
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
    const s: QueueSummary = {
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
    const { policy, operatorPolicy, definition } = this.applied;
    if (policy !== undefined) s.policy = policy;
    if (operatorPolicy !== undefined) s.operatorPolicy = operatorPolicy;
    if (definition !== undefined) s.effectivePolicyDefinition = { ...definition };
    return s;
  }
}
