/**
 * Direct reply-to (RabbitMQ `amq.rabbitmq.reply-to`): a zero-buffer,
 * at-most-once path from a responder straight to a requester's consumer.
 *
 * - A session consumes the pseudo-queue 'amq.rabbitmq.reply-to' in no-ack
 *   mode; it gets an opaque id registered broker-wide.
 * - When that session publishes with reply-to 'amq.rabbitmq.reply-to', the
 *   property is rewritten to 'amq.rabbitmq.reply-to.<id>'.
 * - A publish to the default exchange with that routing key is handed to the
 *   consumer's sink directly (no queue; dropped if the id is gone).
 */
import type { ConsumerHandle, ConsumerSink, Delivery } from './api.js';
import type { Message } from './message.js';
import { randomId } from './names.js';

export const REPLY_TO_QUEUE = 'amq.rabbitmq.reply-to';
export const REPLY_TO_PREFIX = 'amq.rabbitmq.reply-to.';

export interface ReplySession {
  nextDeliveryTag(): number;
  forgetReplyConsumer(c: ReplyConsumer): void;
}

export class ReplyConsumer implements ConsumerHandle {
  readonly tag: string;
  readonly queue = REPLY_TO_QUEUE;
  readonly id: string;
  readonly sink: ConsumerSink;
  private readonly session: ReplySession;
  private readonly registry: ReplyRegistry;
  active = true;

  constructor(registry: ReplyRegistry, session: ReplySession, sink: ConsumerSink, tag: string) {
    this.registry = registry;
    this.session = session;
    this.sink = sink;
    this.tag = tag;
    this.id = randomId();
  }

  /** the rewritten reply-to value */
  get address(): string {
    return REPLY_TO_PREFIX + this.id;
  }

  deliver(message: Message): void {
    const d: Delivery = {
      tag: this.session.nextDeliveryTag(),
      message,
      redelivered: false,
      queue: '',
      consumerTag: this.tag,
    };
    // no buffer: a busy transport just gets it (at-most-once, RabbitMQ drops nothing here either)
    this.sink.deliver(d);
  }

  setCredit(): void {}
  resume(): void {}

  cancel(): void {
    if (!this.active) return;
    this.active = false;
    this.registry.unregister(this);
    this.session.forgetReplyConsumer(this);
  }
}

export class ReplyRegistry {
  private readonly byId = new Map<string, ReplyConsumer>();

  register(c: ReplyConsumer): void {
    this.byId.set(c.id, c);
  }

  unregister(c: ReplyConsumer): void {
    if (this.byId.get(c.id) === c) this.byId.delete(c.id);
  }

  /** The consumer addressed by a routing key 'amq.rabbitmq.reply-to.<id>', if any. */
  lookup(routingKey: string): ReplyConsumer | undefined {
    return this.byId.get(routingKey.slice(REPLY_TO_PREFIX.length));
  }
}
