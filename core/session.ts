/**
 * CoreSession: one AMQP channel (or one MQTT/STOMP connection's session).
 *
 * Responsibilities:
 * - forwards topology verbs (topology.ts) and publish (publish.ts) with the
 *   session's user and connection as the actor;
 * - consumers: per-session unique tags (NOT_ALLOWED "attempt to reuse consumer
 *   tag"), generated 'amq.ctag-…' tags, the direct reply-to consumer;
 * - delivery tags 1, 2, 3… shared by every consumer and basic.get of the
 *   session; the unacked map (tag → entry) in tag order;
 * - ack / reject / nack with `multiple` (tag 0 + multiple = everything),
 *   PRECONDITION_FAILED "unknown delivery tag N" otherwise;
 * - session credit (basic.qos global=true), counting unacked consumer
 *   deliveries only (no-ack and basic.get deliveries do not count);
 * - publisher confirms (confirms.ts) and flow-alarm notifications (flow.ts);
 * - close: cancel consumers, then requeue every unacked delivery.
 */
import type {
  BindingDecl,
  ConsumeOptions,
  ConsumerHandle,
  ConsumerSink,
  CoreSession,
  Delivery,
  ExchangeDecl,
  PublishOptions,
  PublishResult,
  QueueDecl,
  QueueInfo,
  SessionEvents,
} from './api.js';
import { ConfirmTracker } from './confirms.js';
import type { Connection } from './connection.js';
import { BrokerError } from './errors.js';
import { fieldNumber, isIntegerField } from './field-table.js';
import type { Message } from './message.js';
import { generateConsumerTag } from './names.js';
import type { PublishContext } from './publish.js';
import { publish } from './publish.js';
import type { Consumer, ConsumerSession } from './queue/consumer.js';
import type { QueueEntry } from './queue/entry.js';
import type { ReplySession } from './reply-to.js';
import { REPLY_TO_QUEUE, ReplyConsumer } from './reply-to.js';
import * as topology from './topology.js';

export class Session implements CoreSession, ConsumerSession, ReplySession {
  readonly connection: Connection;
  private readonly events: SessionEvents;
  private readonly confirms: ConfirmTracker;
  private readonly unacked = new Map<number, QueueEntry>();
  private readonly consumers = new Map<string, Consumer | ReplyConsumer>();
  private replyConsumer: ReplyConsumer | null = null;
  private nextTag = 1;
  /** unacked deliveries made to consumers (what basic.qos global limits) */
  private consumerUnacked = 0;
  private sessionCredit = 0;
  private publishCtx: PublishContext | undefined;
  private closed = false;
  private readonly unsubscribeFlow: () => void;

  constructor(connection: Connection, events: SessionEvents) {
    this.connection = connection;
    this.events = events;
    this.confirms = new ConfirmTracker(events);
    this.unsubscribeFlow = connection.broker.flow.subscribe(events);
  }

  private get vh() {
    return this.connection.vh;
  }

  private get actor(): topology.Actor {
    return { user: this.connection.user.name, connectionId: this.connection.id, clientId: this.connection.clientId };
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private ensureOpen(): void {
    if (this.closed) throw new BrokerError('INTERNAL_ERROR', 'session is closed');
  }

  // ------------------------------------------------------------ topology

  declareExchange(d: ExchangeDecl): void {
    this.ensureOpen();
    topology.declareExchange(this.vh, this.actor, d);
  }

  deleteExchange(name: string, o?: { ifUnused?: boolean }): void {
    this.ensureOpen();
    topology.deleteExchange(this.vh, this.actor, name, o?.ifUnused ?? false);
  }

  declareQueue(d: QueueDecl): QueueInfo {
    this.ensureOpen();
    return topology.declareQueue(this.vh, this.actor, d).info;
  }

  deleteQueue(name: string, o?: { ifUnused?: boolean; ifEmpty?: boolean }): number {
    this.ensureOpen();
    return topology.deleteQueue(this.vh, this.actor, name, o ?? {});
  }

  purgeQueue(name: string): number {
    this.ensureOpen();
    return topology.purgeQueue(this.vh, this.actor, name);
  }

  bind(b: BindingDecl): void {
    this.ensureOpen();
    topology.bind(this.vh, this.actor, b);
  }

  unbind(b: BindingDecl): void {
    this.ensureOpen();
    topology.unbind(this.vh, this.actor, b);
  }

  // ------------------------------------------------------------ publish

  publish(msg: Message, o?: PublishOptions): PublishResult {
    this.ensureOpen();
    return publish((this.publishCtx ??= this.newPublishContext()), msg, o);
  }

  /** built once, and again when the reply consumer changes (one object less per publish) */
  private newPublishContext(): PublishContext {
    return {
      vh: this.vh,
      user: this.connection.user,
      clientId: this.connection.clientId,
      replies: this.connection.broker.replies,
      replyConsumer: this.replyConsumer,
      confirms: this.confirms,
    };
  }

  // ------------------------------------------------------------ consume

  consume(queue: string, sink: ConsumerSink, o: ConsumeOptions): ConsumerHandle {
    this.ensureOpen();
    let tag = o.tag;
    if (tag === '') {
      do tag = generateConsumerTag();
      while (this.consumers.has(tag));
    } else if (this.consumers.has(tag)) {
      throw new BrokerError('NOT_ALLOWED', `attempt to reuse consumer tag '${tag}'`);
    }
    if (queue === REPLY_TO_QUEUE) return this.consumeReplyTo(sink, o, tag);

    const vh = this.vh;
    vh.access.check(this.connection.user.name, vh.name, 'read', 'queue', queue);
    const q = vh.queueOrDie(queue);
    vh.checkExclusive(q, this.connection.id);
    const xp = o.args?.['x-priority'];
    const priority = o.priority ?? (isIntegerField(xp) ? fieldNumber(xp)! : 0);
    const c = q.addConsumer(this, sink, {
      tag,
      noAck: o.noAck,
      exclusive: o.exclusive ?? false,
      priority,
      credit: Math.max(0, Math.floor(o.credit)),
      args: o.args ?? {},
    });
    this.consumers.set(tag, c);
    return c;
  }

  private consumeReplyTo(sink: ConsumerSink, o: ConsumeOptions, tag: string): ConsumerHandle {
    if (!o.noAck) throw new BrokerError('PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
    if (this.replyConsumer) throw new BrokerError('PRECONDITION_FAILED', 'reply consumer already set');
    const registry = this.connection.broker.replies;
    const rc = new ReplyConsumer(registry, this, sink, tag);
    registry.register(rc);
    this.replyConsumer = rc;
    this.publishCtx = undefined;
    this.consumers.set(tag, rc);
    return rc;
  }

  get(queue: string, noAck: boolean): Delivery | null {
    this.ensureOpen();
    const vh = this.vh;
    vh.access.check(this.connection.user.name, vh.name, 'read', 'queue', queue);
    const q = vh.queueOrDie(queue);
    vh.checkExclusive(q, this.connection.id);
    return q.get(this, noAck);
  }

  // ------------------------------------------------------------ ConsumerSession / ReplySession

  hasCredit(): boolean {
    return this.sessionCredit === 0 || this.consumerUnacked < this.sessionCredit;
  }

  track(entry: QueueEntry, consumer: Consumer | null, noAck: boolean): number {
    const tag = this.nextTag++;
    if (!noAck) {
      this.unacked.set(tag, entry);
      if (consumer) this.consumerUnacked++;
    }
    return tag;
  }

  nextDeliveryTag(): number {
    return this.nextTag++;
  }

  forget(consumer: Consumer): void {
    if (this.consumers.get(consumer.tag) === consumer) this.consumers.delete(consumer.tag);
  }

  forgetReplyConsumer(c: ReplyConsumer): void {
    if (this.replyConsumer === c) {
      this.replyConsumer = null;
      this.publishCtx = undefined;
    }
    if (this.consumers.get(c.tag) === c) this.consumers.delete(c.tag);
  }

  // ------------------------------------------------------------ settlement

  ack(tag: number, multiple: boolean): void {
    this.ensureOpen();
    this.settle(tag, multiple, 'ack');
  }

  reject(tag: number, multiple: boolean, requeue: boolean): void {
    this.ensureOpen();
    this.settle(tag, multiple, requeue ? 'requeue' : 'reject');
  }

  recover(): void {
    this.ensureOpen();
    this.settle(0, true, 'requeue');
  }

  setSessionCredit(n: number): void {
    this.ensureOpen();
    this.sessionCredit = Math.max(0, Math.floor(n));
    this.kickConsumers();
  }

  private settle(tag: number, multiple: boolean, how: 'ack' | 'requeue' | 'reject'): void {
    const one = multiple ? undefined : this.unacked.get(tag);
    if (multiple ? tag !== 0 && !this.unacked.has(tag) : one === undefined) {
      throw new BrokerError('PRECONDITION_FAILED', `unknown delivery tag ${tag}`);
    }
    const wasFull = !this.hasCredit();
    if (one !== undefined) {
      this.unacked.delete(tag);
      this.settleOne(one, how);
    } else {
      const all = tag === 0;
      for (const [t, e] of this.unacked) {
        if (!all && t > tag) break; // the map is in tag order
        this.unacked.delete(t);
        this.settleOne(e, how);
      }
    }
    if (wasFull && this.hasCredit()) this.kickConsumers();
  }

  private settleOne(e: QueueEntry, how: 'ack' | 'requeue' | 'reject'): void {
    if (e.consumer) this.consumerUnacked--;
    if (how === 'ack') e.queue.ack(e);
    else if (how === 'requeue') e.queue.requeue(e);
    else e.queue.reject(e);
  }

  /** Session credit freed or changed: every queue this session consumes from may deliver again (soon: see Queue.dispatchSoon). */
  private kickConsumers(): void {
    for (const c of this.consumers.values()) if (!(c instanceof ReplyConsumer)) c.owner.dispatchSoon();
  }

  // ------------------------------------------------------------ close

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeFlow();
    this.confirms.close();
    for (const c of [...this.consumers.values()]) c.cancel();
    this.consumers.clear();
    // requeue in tag order; each goes back to its original position
    for (const [t, e] of this.unacked) {
      this.unacked.delete(t);
      this.settleOne(e, 'requeue');
    }
    this.connection.sessionClosed(this);
  }
}
