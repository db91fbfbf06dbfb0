/**
 * MQTT PUBLISH (and will) properties ↔ core message properties/headers,
 * following RabbitMQ's conversions (docs/conversions.md):
 * - QoS 0 → delivery mode 1, QoS 1/2 → 2; header `x-mqtt-publish-qos` keeps
 *   the exact QoS (RabbitMQ 3.x sets it too); `x-mqtt-retain` marks a
 *   message published with RETAIN (for Retain As Published);
 * - Content Type ↔ content_type; Message Expiry Interval (s) ↔ expiration (ms);
 * - Correlation Data ↔ correlation_id when it is UTF-8 of at most 255 bytes,
 *   else header `x-correlation-id` (bytes);
 * - Response Topic ↔ header `x-reply-to-topic` in AMQP (routing-key) form;
 * - User Properties ↔ headers (string values; a repeated name becomes an array);
 *   AMQP headers of other scalar types become strings, tables are skipped;
 * - Payload Format Indicator ↔ header `x-mqtt-payload-format` (forwarded
 *   unchanged [MQTT-3.3.2-4]).
 */
import type { FieldTable, FieldValue, Message, MessageProperties } from '../../core/index.js';
import { F, fieldNumber, fieldString, fieldToPlain } from '../../core/index.js';
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { routingKeyToTopic, topicToRoutingKey } from './topics.js';

export type PublishProperties = NonNullable<IPublishPacket['properties']>;

export const H_QOS = 'x-mqtt-publish-qos';
export const H_RETAIN = 'x-mqtt-retain';
export const H_REPLY_TO_TOPIC = 'x-reply-to-topic';
export const H_CORRELATION = 'x-correlation-id';
export const H_PAYLOAD_FORMAT = 'x-mqtt-payload-format';

const RESERVED = new Set([H_QOS, H_RETAIN, H_REPLY_TO_TOPIC, H_CORRELATION, H_PAYLOAD_FORMAT]);

const QOS_FIELD: readonly FieldValue[] = [
  { type: 'uint8', value: 0 },
  { type: 'uint8', value: 1 },
  { type: 'uint8', value: 2 },
];
const TRUE: FieldValue = F.bool(true);

export interface PublishInput {
  routingKey: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: PublishProperties | undefined;
}

function isShortUtf8(b: Buffer): boolean {
  if (b.length > 255) return false;
  const s = b.toString('utf8');
  return !s.includes('\uFFFD') && Buffer.byteLength(s) === b.length;
}

/**
 * The properties of a PUBLISH without v5 properties depend only on QoS and
 * RETAIN: one frozen object per combination is shared by all such messages
 * (the core never changes a message's properties in place; it copies). Fewer
 * objects per queued message means less for the young-generation GC to copy.
 */
const PLAIN: readonly MessageProperties[] = [0, 1, 2].flatMap((qos) => [false, true].map((retain) => {
  const headers: Record<string, FieldValue> = { [H_QOS]: QOS_FIELD[qos]! };
  if (retain) headers[H_RETAIN] = TRUE;
  return Object.freeze({ deliveryMode: qos > 0 ? 2 : 1, headers: Object.freeze(headers) });
}));

export function toMessage(exchange: string, p: PublishInput, escaping: boolean): Message {
  if (!p.properties) return { exchange, routingKey: p.routingKey, properties: PLAIN[p.qos * 2 + (p.retain ? 1 : 0)]!, body: p.payload };
  const headers: Record<string, FieldValue> = { [H_QOS]: QOS_FIELD[p.qos]! };
  if (p.retain) headers[H_RETAIN] = TRUE;
  const props: MessageProperties = { deliveryMode: p.qos > 0 ? 2 : 1, headers };
  const mp = p.properties;
  if (mp) {
    if (mp.contentType !== undefined) props.contentType = mp.contentType;
    if (mp.messageExpiryInterval !== undefined) props.expiration = String(mp.messageExpiryInterval * 1000);
    if (mp.correlationData !== undefined) {
      if (isShortUtf8(mp.correlationData)) props.correlationId = mp.correlationData.toString('utf8');
      else headers[H_CORRELATION] = { type: 'bytes', value: mp.correlationData };
    }
    if (mp.responseTopic !== undefined) headers[H_REPLY_TO_TOPIC] = F.str(topicToRoutingKey(mp.responseTopic, escaping));
    if (mp.payloadFormatIndicator !== undefined) headers[H_PAYLOAD_FORMAT] = F.bool(mp.payloadFormatIndicator);
    const up = mp.userProperties;
    if (up) {
      for (const [k, v] of Object.entries(up)) {
        if (RESERVED.has(k)) continue;
        headers[k] = Array.isArray(v) ? F.array(v.map((x) => F.str(x))) : F.str(v);
      }
    }
  }
  return { exchange, routingKey: p.routingKey, properties: props, body: p.payload };
}

/** QoS the message was published with: the MQTT header, else delivery mode 2 → 1. */
export function messageQos(m: Message): QoS {
  const h = m.properties.headers?.[H_QOS];
  if (h) {
    const n = fieldNumber(h);
    if (n === 0 || n === 1 || n === 2) return n;
  }
  return m.properties.deliveryMode === 2 ? 1 : 0;
}

export function messageRetainFlag(m: Message): boolean {
  const h = m.properties.headers?.[H_RETAIN];
  return h?.type === 'boolean' && h.value;
}

function headerToString(v: FieldValue): string | undefined {
  const s = fieldString(v);
  if (s !== undefined) return s;
  if (v.type === 'table' || v.type === 'array' || v.type === 'void') return undefined;
  if (v.type === 'bytes') return v.value.toString('utf8');
  return String(fieldToPlain(v));
}

/**
 * v5 PUBLISH properties for a delivered message. `expiryLeftMs`: remaining
 * lifetime when known (else the original expiration is sent).
 */
export function toPublishProperties(m: Message, escaping: boolean, expiryLeftMs?: number): PublishProperties | undefined {
  const mp = m.properties;
  let out: PublishProperties | undefined;
  const set = (): PublishProperties => (out ??= {});
  if (mp.contentType !== undefined) set().contentType = mp.contentType;
  if (mp.correlationId !== undefined) set().correlationData = Buffer.from(mp.correlationId, 'utf8');
  if (mp.expiration !== undefined) {
    const ms = expiryLeftMs ?? Number(mp.expiration);
    if (Number.isFinite(ms) && ms >= 0) set().messageExpiryInterval = Math.max(0, Math.ceil(ms / 1000));
  }
  const headers: FieldTable | undefined = mp.headers;
  if (headers) {
    for (const [k, v] of Object.entries(headers)) {
      if (k === H_REPLY_TO_TOPIC) {
        const s = fieldString(v);
        if (s !== undefined) set().responseTopic = routingKeyToTopic(s, escaping);
        continue;
      }
      if (k === H_CORRELATION) {
        if (v.type === 'bytes') set().correlationData = v.value;
        else {
          const s = fieldString(v);
          if (s !== undefined) set().correlationData = Buffer.from(s, 'utf8');
        }
        continue;
      }
      if (k === H_PAYLOAD_FORMAT) {
        if (v.type === 'boolean') set().payloadFormatIndicator = v.value;
        continue;
      }
      if (RESERVED.has(k)) continue;
      let val: string | string[] | undefined;
      if (v.type === 'array') {
        const parts = v.value.map(headerToString).filter((x): x is string => x !== undefined);
        if (parts.length === v.value.length && parts.length > 0) val = parts;
      } else {
        val = headerToString(v);
      }
      if (val === undefined) continue;
      const o = set();
      (o.userProperties ??= {})[k] = val;
    }
  }
  return out;
}
