/**
 * STOMP headers ↔ message properties, as rabbit_stomp_util maps them.
 *
 * SEND: content-type, content-encoding, persistent:true (delivery mode 2),
 * priority, correlation-id, reply-to, expiration, amqp-message-id, timestamp,
 * type, user-id, app-id become properties; every other header (except the
 * frame-control ones and message-id, which a client may not set) goes into
 * AMQP `headers` as a longstr.
 * MESSAGE: the same properties back as headers; AMQP header values of a
 * string or integer type are rendered as strings, others are dropped.
 */
import { F } from '../../core/index.js';
import type { FieldValue, Message, MessageProperties } from '../../core/index.js';
import { Errors } from './errors.js';
import { renderReplyTo } from './destinations.js';

/** headers that control the frame or are mapped to properties; never forwarded as AMQP headers */
const NOT_FORWARDED = new Set([
  'destination',
  'receipt',
  'transaction',
  'content-length',
  'message-id',
  'content-type',
  'content-encoding',
  'persistent',
  'priority',
  'correlation-id',
  'reply-to',
  'expiration',
  'amqp-message-id',
  'timestamp',
  'type',
  'user-id',
  'app-id',
]);

function intHeader(name: string, v: string, max: number): number {
  const t = v.trim();
  if (!/^\d{1,15}$/.test(t) || Number(t) > max) throw Errors.invalidHeader(name, v, `expected an integer from 0 to ${max}`);
  return Number(t);
}

/** Message properties from SEND headers. `replyTo` is the already rewritten reply-to value. */
export function propertiesFromHeaders(h: Record<string, string>, replyTo: string | undefined): MessageProperties {
  const p: MessageProperties = {};
  const v = h;
  if (v['content-type'] !== undefined) p.contentType = v['content-type'];
  if (v['content-encoding'] !== undefined) p.contentEncoding = v['content-encoding'];
  if (v['persistent'] === 'true') p.deliveryMode = 2;
  if (v['priority'] !== undefined) p.priority = intHeader('priority', v['priority'], 255);
  if (v['correlation-id'] !== undefined) p.correlationId = v['correlation-id'];
  if (replyTo !== undefined) p.replyTo = replyTo;
  if (v['expiration'] !== undefined) {
    intHeader('expiration', v['expiration'], Number.MAX_SAFE_INTEGER);
    p.expiration = v['expiration'].trim();
  }
  if (v['amqp-message-id'] !== undefined) p.messageId = v['amqp-message-id'];
  if (v['timestamp'] !== undefined) p.timestamp = BigInt(intHeader('timestamp', v['timestamp'], Number.MAX_SAFE_INTEGER));
  if (v['type'] !== undefined) p.type = v['type'];
  if (v['user-id'] !== undefined) p.userId = v['user-id'];
  if (v['app-id'] !== undefined) p.appId = v['app-id'];
  let headers: Record<string, FieldValue> | undefined;
  for (const k in h) {
    if (NOT_FORWARDED.has(k)) continue;
    headers ??= {};
    headers[k] = F.str(h[k]!);
  }
  if (headers !== undefined) p.headers = headers;
  return p;
}

/** String rendering of an AMQP header value for a MESSAGE, or undefined to drop it. */
export function renderHeaderValue(v: FieldValue): string | undefined {
  switch (v.type) {
    case 'string':
      return typeof v.value === 'string' ? v.value : v.value.toString('utf8');
    case 'shortstr':
      return v.value;
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32':
      return String(v.value);
    case 'int64': case 'uint64':
      return v.value.toString();
    default:
      return undefined;
  }
}

/** Append the property headers (and custom AMQP headers) of a message to a MESSAGE header list. */
export function appendPropertyHeaders(out: [string, string][], m: Message, written: Set<string>): void {
  const p = m.properties;
  const add = (k: string, v: string | undefined): void => {
    if (v === undefined) return;
    out.push([k, v]);
    written.add(k);
  };
  add('content-type', p.contentType);
  add('content-encoding', p.contentEncoding);
  if (p.deliveryMode === 2) add('persistent', 'true');
  if (p.priority !== undefined) add('priority', String(p.priority));
  add('correlation-id', p.correlationId);
  if (p.replyTo !== undefined) add('reply-to', renderReplyTo(p.replyTo));
  add('expiration', p.expiration);
  add('amqp-message-id', p.messageId);
  if (p.timestamp !== undefined) add('timestamp', p.timestamp.toString());
  add('type', p.type);
  add('user-id', p.userId);
  add('app-id', p.appId);
  const h = p.headers;
  if (h === undefined) return;
  for (const k in h) {
    if (written.has(k) || k === 'content-length') continue;
    const s = renderHeaderValue(h[k]!);
    if (s !== undefined) add(k, s);
  }
}
