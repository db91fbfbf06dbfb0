/**
 * Basic-class content properties: the 16-bit property-flags word followed by
 * the present properties in spec order (amqp-rabbitmq-0.9.1.json, class
 * basic): content-type, content-encoding, headers, delivery-mode, priority,
 * correlation-id, reply-to, expiration, message-id, timestamp, type,
 * user-id, app-id, cluster-id — flag bits 15 down to 2.
 *
 * Flag-word continuation (bit 0) is accepted when the continuation words
 * carry no further flags; bit 1 is ignored, as RabbitMQ does.
 */
import type { MessageProperties } from '../../../core/index.js';
import { encodeError, frameError } from './errors.js';
import { decodeTable, tableSize, writeTable } from './table.js';
import { readShortstr, readU16, readU64Big, readU8, shortstrLength, writeShortstr } from './wire.js';

const CONTENT_TYPE = 0x8000;
const CONTENT_ENCODING = 0x4000;
const HEADERS = 0x2000;
const DELIVERY_MODE = 0x1000;
const PRIORITY = 0x0800;
const CORRELATION_ID = 0x0400;
const REPLY_TO = 0x0200;
const EXPIRATION = 0x0100;
const MESSAGE_ID = 0x0080;
const TIMESTAMP = 0x0040;
const TYPE = 0x0020;
const USER_ID = 0x0010;
const APP_ID = 0x0008;
const CLUSTER_ID = 0x0004;

/** Encoded form of "no properties" (flags word 0). Do not modify. */
export const EMPTY_PROPERTIES: Buffer = Buffer.from([0, 0]);

/** Decodes flags + property list (the content header after class/weight/body-size). */
export function decodeProperties(raw: Buffer): MessageProperties {
  const flags = readU16(raw, 0);
  let o = 2;
  let more = flags;
  while ((more & 1) !== 0) {
    more = readU16(raw, o);
    o += 2;
    if ((more & 0xfffe) !== 0) throw frameError('cannot decode: unknown content property flags');
  }
  const p: MessageProperties = {};
  if (flags & CONTENT_TYPE) { p.contentType = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & CONTENT_ENCODING) { p.contentEncoding = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & HEADERS) { p.headers = decodeTable(raw, o); o += 4 + raw.readUInt32BE(o); }
  if (flags & DELIVERY_MODE) { p.deliveryMode = readU8(raw, o); o += 1; }
  if (flags & PRIORITY) { p.priority = readU8(raw, o); o += 1; }
  if (flags & CORRELATION_ID) { p.correlationId = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & REPLY_TO) { p.replyTo = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & EXPIRATION) { p.expiration = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & MESSAGE_ID) { p.messageId = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & TIMESTAMP) { p.timestamp = readU64Big(raw, o); o += 8; }
  if (flags & TYPE) { p.type = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & USER_ID) { p.userId = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & APP_ID) { p.appId = readShortstr(raw, o); o += 1 + raw[o]!; }
  if (flags & CLUSTER_ID) p.clusterId = readShortstr(raw, o);
  return p;
}

/** Encodes properties (undefined = absent) as flags word + property list. */
export function encodeProperties(p: MessageProperties): Buffer {
  let flags = 0;
  let size = 2;
  const str = (v: string | undefined, bit: number, name: string): number => {
    if (v === undefined) return 0;
    flags |= bit;
    const n = shortstrLength(v, name);
    size += 1 + n;
    return n;
  };
  const ctLen = str(p.contentType, CONTENT_TYPE, 'content-type');
  const ceLen = str(p.contentEncoding, CONTENT_ENCODING, 'content-encoding');
  if (p.headers !== undefined) { flags |= HEADERS; size += 4 + tableSize(p.headers); }
  if (p.deliveryMode !== undefined) { flags |= DELIVERY_MODE; size += 1; }
  if (p.priority !== undefined) { flags |= PRIORITY; size += 1; }
  const ciLen = str(p.correlationId, CORRELATION_ID, 'correlation-id');
  const rtLen = str(p.replyTo, REPLY_TO, 'reply-to');
  const exLen = str(p.expiration, EXPIRATION, 'expiration');
  const miLen = str(p.messageId, MESSAGE_ID, 'message-id');
  if (p.timestamp !== undefined) { flags |= TIMESTAMP; size += 8; }
  const tyLen = str(p.type, TYPE, 'type');
  const uiLen = str(p.userId, USER_ID, 'user-id');
  const aiLen = str(p.appId, APP_ID, 'app-id');
  const clLen = str(p.clusterId, CLUSTER_ID, 'cluster-id');

  const b = Buffer.allocUnsafe(size);
  b[0] = flags >>> 8;
  b[1] = flags & 0xff;
  let o = 2;
  if (p.contentType !== undefined) o = writeShortstr(b, o, p.contentType, ctLen);
  if (p.contentEncoding !== undefined) o = writeShortstr(b, o, p.contentEncoding, ceLen);
  if (p.headers !== undefined) o = writeTable(b, o, p.headers);
  if (p.deliveryMode !== undefined) o = writeOctet(b, o, p.deliveryMode, 'delivery-mode');
  if (p.priority !== undefined) o = writeOctet(b, o, p.priority, 'priority');
  if (p.correlationId !== undefined) o = writeShortstr(b, o, p.correlationId, ciLen);
  if (p.replyTo !== undefined) o = writeShortstr(b, o, p.replyTo, rtLen);
  if (p.expiration !== undefined) o = writeShortstr(b, o, p.expiration, exLen);
  if (p.messageId !== undefined) o = writeShortstr(b, o, p.messageId, miLen);
  if (p.timestamp !== undefined) o = writeTimestamp(b, o, p.timestamp);
  if (p.type !== undefined) o = writeShortstr(b, o, p.type, tyLen);
  if (p.userId !== undefined) o = writeShortstr(b, o, p.userId, uiLen);
  if (p.appId !== undefined) o = writeShortstr(b, o, p.appId, aiLen);
  if (p.clusterId !== undefined) writeShortstr(b, o, p.clusterId, clLen);
  return b;
}

function writeOctet(b: Buffer, o: number, v: number, name: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw encodeError(`property '${name}' out of range: ${v}`);
  b[o] = v;
  return o + 1;
}

function writeTimestamp(b: Buffer, o: number, v: bigint): number {
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw encodeError(`property 'timestamp' out of range: ${v}`);
  return b.writeBigUInt64BE(v, o);
}
