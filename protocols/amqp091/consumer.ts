/**
 * AmqpConsumer: the ConsumerSink of one basic.consume (RabbitMQ's consumer
 * record in rabbit_channel).
 *
 * Responsibilities
 * - Encode each delivery as basic.deliver + header + body frames in ONE
 *   buffer and write it straight to the transport; return the transport's
 *   verdict so the core pauses this consumer above the high-water mark
 *   (resumed by the connection on drain).
 * - Hold deliveries the core hands over before consume-ok went out, so the
 *   client always sees consume-ok first.
 * - Server-side cancel (queue deleted): consumer_cancel_notify via the channel.
 * - Property bytes: reuse the publisher's raw AMQP properties (`wire`) when
 *   the message came from an AMQP 0-9-1 client, else encode once and cache.
 */
import type { ConsumerHandle, ConsumerSink, Delivery, ErrorCode, Message } from '../../core/index.js';
import type { Channel } from './channel.js';
import { encodeDeliver, encodeProperties } from './codec/index.js';

const encodedProps = new WeakMap<Message, Buffer>();

/** Raw basic properties of a message, for deliver/get-ok/return frames. */
export function propertiesOf(m: Message): Buffer {
  const w = m.wire;
  if (w !== undefined && w.format === 'amqp091') return w.bytes;
  let b = encodedProps.get(m);
  if (b === undefined) {
    b = encodeProperties(m.properties);
    encodedProps.set(m, b);
  }
  return b;
}

export class AmqpConsumer implements ConsumerSink {
  readonly channel: Channel;
  readonly noAck: boolean;
  tag = '';
  handle: ConsumerHandle | undefined;
  /** false once cancelled (by the client or the server) or the channel closed */
  active = true;
  /** the core paused us (deliver returned false); the connection resumes on drain */
  paused = false;
  private held: Delivery[] | null = [];

  constructor(channel: Channel, noAck: boolean) {
    this.channel = channel;
    this.noAck = noAck;
  }

  deliver(d: Delivery): boolean {
    if (!this.active) return true;
    if (this.held !== null) {
      this.held.push(d);
      return true;
    }
    const ch = this.channel;
    const conn = ch.conn;
    const m = d.message;
    const ok = conn.write(
      encodeDeliver(ch.id, d.consumerTag, d.tag, d.redelivered, m.exchange, m.routingKey, propertiesOf(m), m.body, conn.frameMax),
    );
    if (!ok) conn.consumerPaused(this);
    return ok;
  }

  cancelled(_reason: ErrorCode | 'QUEUE_DELETED'): void {
    this.channel.consumerCancelledByServer(this);
  }

  /** consume-ok is on the wire: release held deliveries. */
  open(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (const d of held) this.deliver(d);
  }

  /** transport drained */
  resume(): void {
    this.paused = false;
    if (this.active) this.handle?.resume();
  }
}
