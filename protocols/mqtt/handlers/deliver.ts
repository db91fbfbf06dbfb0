/**
 * Outbound PUBLISH: core deliveries (and retained messages) → the client.
 *
 * - the session's subscriptions that match the topic decide the delivery:
 *   QoS = min(published QoS, max QoS of the matching subscriptions)
 *   [MQTT-3.8.4-8] [MQTT-3.3.4-2 (v5)], every matching Subscription
 *   Identifier [MQTT-3.3.4-3 (v5)], no-local [MQTT-3.8.3-3 (v5)] and Retain As
 *   Published [MQTT-3.3.1-12 (v5)]; a topic that matches none (the '$' rule
 *   [MQTT-4.7.2-1], an AMQP key that is not a valid topic) is acked and dropped;
 * - QoS 1/2 take a packet id and an in-flight slot (core credit is the
 *   window); QoS 0 deliveries from an ack-mode queue are acked at once;
 * - expired messages are dropped; the remaining expiry is sent [MQTT-3.3.2-6];
 * - v5 topic aliases towards the client up to its Topic Alias Maximum
 *   [MQTT-3.3.2-8]; a packet above the client's Maximum Packet Size is
 *   dropped as if sent [MQTT-3.1.2-25];
 * - returns the transport's verdict so the core pauses the consumer at the
 *   high-water mark.
 */
import type { ConsumerSink, Delivery, Message } from '../../../core/index.js';
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { encode, encodePublishV4 } from '../codec/writer.js';
import type { Processor } from '../processor.js';
import { messageQos, messageRetainFlag, toPublishProperties } from '../properties.js';
import type { QueueKind } from '../session.js';
import { routingKeyToTopic, topicMatches, topicNameError } from '../topics.js';

export interface OutgoingPublish {
  topic: string;
  /** `topic` UTF-8 encoded, when the caller has it (v3/v4 encoder) */
  topicBytes?: Buffer | undefined;
  message: Message;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  subscriptionIds: number[] | undefined;
  /** core delivery tag to ack when the client acknowledges; -1 for none */
  tag: number;
  queue: string;
}

/** sendPublish outcomes (a number, not an object per delivery) */
export const WRITTEN = 0;
/** written, and the transport is over its high-water mark */
export const WRITTEN_FULL = 1;
/** not sent: expired, or above the client's Maximum Packet Size */
export const DROPPED = 2;

/** Encodes and writes one PUBLISH: WRITTEN, WRITTEN_FULL or DROPPED. */
export function sendPublish(p: Processor, o: OutgoingPublish): number {
  const ctx = p.ctx;
  const msg = o.message;
  let expiryLeft: number | undefined;
  if (msg.properties.expiration !== undefined) {
    const at = ctx.publishedAt.get(msg);
    if (at !== undefined) {
      expiryLeft = Number(msg.properties.expiration) - (Date.now() - at);
      if (expiryLeft <= 0) return DROPPED; // expired [MQTT-3.3.2-5]
    }
  }
  const packetId = o.qos > 0 ? p.outbound.allocate(p.state!.outboundPubrel) : 0;
  let buf: Buffer;
  if (p.version !== 5) {
    buf = encodePublishV4(o.topicBytes ?? o.topic, msg.body, o.qos, o.retain, o.dup, packetId);
  } else {
    const props = toPublishProperties(msg, ctx.opts.topicEscaping, expiryLeft) ?? {};
    if (o.subscriptionIds && o.subscriptionIds.length > 0) {
      props.subscriptionIdentifier = o.subscriptionIds.length === 1 ? o.subscriptionIds[0]! : o.subscriptionIds;
    }
    let topic = o.topic;
    if (p.clientTopicAliasMax > 0) {
      const alias = p.aliasesOut.get(topic);
      if (alias !== undefined) {
        props.topicAlias = alias;
        topic = '';
      } else if (p.aliasesOut.size < p.clientTopicAliasMax) {
        const a = p.aliasesOut.size + 1;
        p.aliasesOut.set(topic, a);
        props.topicAlias = a;
      }
    }
    const pkt: IPublishPacket = { cmd: 'publish', topic, payload: msg.body, qos: o.qos, retain: o.retain, dup: o.dup, properties: props };
    if (o.qos > 0) pkt.messageId = packetId;
    buf = encode(pkt, 5);
    if (buf.length > p.clientMaxPacketSize) {
      if (props.topicAlias !== undefined && topic !== '') p.aliasesOut.delete(o.topic);
      return DROPPED; // [MQTT-3.1.2-25]
    }
  }
  if (o.qos > 0) p.outbound.inflight.set(packetId, { tag: o.tag, qos: o.qos, queue: o.queue });
  return p.conn.write(buf) ? WRITTEN : WRITTEN_FULL;
}

export class DeliverySink implements ConsumerSink {
  private readonly p: Processor;
  private readonly queue: string;
  private readonly kind: QueueKind;
  readonly noAck: boolean;
  /** topicOf's cache ('' maps to '', not a valid topic) */
  private lastKey = '';
  private lastTopic = '';
  private lastTopicValid = false;
  private lastTopicUses = 0;
  private lastTopicBytes: Buffer | undefined;

  constructor(p: Processor, queue: string, kind: QueueKind, noAck = kind === 'qos0') {
    this.p = p;
    this.queue = queue;
    this.kind = kind;
    this.noAck = noAck;
  }

  deliver(d: Delivery): boolean {
    const p = this.p;
    if (p.phase !== 'connected' || !p.state) return true; // the core requeues on close
    const msg = d.message;
    const topic = this.topicOf(msg.routingKey);
    let maxQos = -1;
    let rap = false;
    let ids: number[] | undefined;
    const own = p.publishedHere(msg);
    if (this.lastTopicValid) {
      for (const sub of p.state.subscriptions.values()) {
        if (sub.queue !== this.queue) continue;
        if (own && sub.noLocal) continue;
        if (!topicMatches(sub.filter, topic)) continue;
        if (sub.qos > maxQos) maxQos = sub.qos;
        if (sub.retainAsPublished) rap = true;
        if (sub.subscriptionId !== undefined) (ids ??= []).push(sub.subscriptionId);
      }
    }
    if (maxQos < 0) {
      this.settle(d.tag);
      return true;
    }
    const qos = Math.min(messageQos(msg), maxQos) as QoS;
    const r = sendPublish(p, {
      topic,
      topicBytes: p.version === 5 ? undefined : this.topicBytes(),
      message: msg,
      qos,
      retain: rap && messageRetainFlag(msg),
      dup: qos > 0 && d.redelivered,
      subscriptionIds: ids,
      tag: this.noAck ? -1 : d.tag,
      queue: this.queue,
    });
    if (qos === 0 || r === DROPPED) this.settle(d.tag);
    return r !== WRITTEN_FULL;
  }

  cancelled(): void {
    const p = this.p;
    if (p.consumers.get(this.queue)) {
      p.consumers.delete(this.queue);
      p.sinks.delete(this.queue);
    }
    p.log.info({ clientId: p.clientId, queue: this.queue, kind: this.kind }, 'mqtt: subscription queue deleted');
  }

  /**
   * MQTT topic of a routing key, and whether it is a valid topic name (in
   * lastTopicValid); the last one is cached (messages of one publisher share
   * the key string).
   */
  private topicOf(key: string): string {
    if (key !== this.lastKey) {
      this.lastTopic = routingKeyToTopic(key, this.p.ctx.opts.topicEscaping);
      this.lastTopicValid = topicNameError(this.lastTopic) === null;
      this.lastKey = key;
      this.lastTopicUses = 0;
      this.lastTopicBytes = undefined;
    }
    return this.lastTopic;
  }

  /** The cached topic's UTF-8 bytes, made once the topic repeats (alternating topics never pay for them). */
  private topicBytes(): Buffer | undefined {
    if (this.lastTopicBytes === undefined && ++this.lastTopicUses > 1) {
      this.lastTopicBytes = Buffer.allocUnsafeSlow(Buffer.byteLength(this.lastTopic)); // not a pooled slice: kept per subscription
      this.lastTopicBytes.write(this.lastTopic, 0, 'utf8');
    }
    return this.lastTopicBytes;
  }

  private settle(tag: number): void {
    if (this.noAck) return;
    try {
      this.p.session?.ack(tag, false);
    } catch {
      /* settled already */
    }
  }
}

/** Starts consuming `queue` (idempotent); credit = min(mqtt.prefetch, client Receive Maximum). */
export function ensureConsumer(p: Processor, queue: string, kind: QueueKind, noAck: boolean): void {
  if (p.consumers.has(queue)) return;
  const sink = new DeliverySink(p, queue, kind);
  const credit = noAck ? 0 : Math.min(p.ctx.opts.prefetch, p.clientReceiveMaximum);
  const h = p.session!.consume(queue, sink, { tag: `mqtt-${queue}`, noAck, credit });
  p.consumers.set(queue, h);
  p.sinks.set(queue, sink);
}

/** Stops consuming `queue`; `requeueInflight`: its unacknowledged deliveries go back to the queue (shared groups). */
export function cancelConsumer(p: Processor, queue: string, requeueInflight: boolean): void {
  const h = p.consumers.get(queue);
  if (!h) return;
  h.cancel();
  p.consumers.delete(queue);
  p.sinks.delete(queue);
  if (!requeueInflight) return;
  for (const [pid, f] of p.outbound.inflight) {
    if (f.queue !== queue || f.tag < 0) continue;
    p.outbound.inflight.delete(pid);
    try {
      p.session!.reject(f.tag, false, true);
    } catch {
      /* already settled */
    }
  }
}
