/**
 * Protocol-neutral message. Properties are the superset every adapter maps
 * onto (they follow AMQP 0-9-1 basic properties, which RabbitMQ uses as its
 * internal model too, but carry no wire format).
 */
import type { FieldTable } from './field-table.js';

export interface MessageProperties {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  headers?: FieldTable | undefined;
  /** 1 = transient, 2 = persistent */
  deliveryMode?: number | undefined;
  priority?: number | undefined;
  correlationId?: string | undefined;
  replyTo?: string | undefined;
  /** per-message TTL: a string of milliseconds, as in AMQP */
  expiration?: string | undefined;
  messageId?: string | undefined;
  /** seconds since the epoch (64-bit on the wire) */
  timestamp?: bigint | undefined;
  type?: string | undefined;
  userId?: string | undefined;
  appId?: string | undefined;
  clusterId?: string | undefined;
}

/**
 * An opaque, already-encoded form of the properties that an adapter attached
 * on publish so that it (or another connection of the same protocol) can
 * forward them byte-exact without re-encoding. `format` names the encoding
 * (e.g. "amqp091"). The core drops it whenever it changes the properties.
 */
export interface WireProperties {
  readonly format: string;
  readonly bytes: Buffer;
}

export interface Message {
  /** exchange the message was published to */
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: MessageProperties;
  readonly body: Buffer;
  readonly wire?: WireProperties | undefined;
}

export function isPersistent(m: Message): boolean {
  return m.properties.deliveryMode === 2;
}

/** Size used for x-max-length-bytes and statistics: body bytes, as RabbitMQ counts. */
export function messageSize(m: Message): number {
  return m.body.length;
}

/** A copy with other properties; drops the wire cache since it no longer matches. */
export function withProperties(m: Message, properties: MessageProperties, routing?: { exchange: string; routingKey: string }): Message {
  return {
    exchange: routing ? routing.exchange : m.exchange,
    routingKey: routing ? routing.routingKey : m.routingKey,
    properties,
    body: m.body,
  };
}
