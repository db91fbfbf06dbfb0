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

/**
 * Append the property headers (and custom AMQP headers) of a message to a
 * MESSAGE header list. `written`: names already in `out` (never mutated, so
 * callers may pass a shared constant set); a custom header never repeats a
 * name written before it.
 */
export function appendPropertyHeaders(out: [string, string][], m: Message, written: ReadonlySet<string>): void {
  const p = m.properties;
  const first = out.length;
  if (p.contentType !== undefined) out.push(['content-type', p.contentType]);
  if (p.contentEncoding !== undefined) out.push(['content-encoding', p.contentEncoding]);
  if (p.deliveryMode === 2) out.push(['persistent', 'true']);
  if (p.priority !== undefined) out.push(['priority', String(p.priority)]);
  if (p.correlationId !== undefined) out.push(['correlation-id', p.correlationId]);
  if (p.replyTo !== undefined) out.push(['reply-to', renderReplyTo(p.replyTo)]);
  if (p.expiration !== undefined) out.push(['expiration', p.expiration]);
  if (p.messageId !== undefined) out.push(['amqp-message-id', p.messageId]);
  if (p.timestamp !== undefined) out.push(['timestamp', p.timestamp.toString()]);
  if (p.type !== undefined) out.push(['type', p.type]);
  if (p.userId !== undefined) out.push(['user-id', p.userId]);
  if (p.appId !== undefined) out.push(['app-id', p.appId]);
  const h = p.headers;
  if (h === undefined) return;
  const seen = new Set(written);
  for (let i = first; i < out.length; i++) seen.add(out[i]![0]);
  for (const k in h) {
    if (seen.has(k) || k === 'content-length') continue;
    const s = renderHeaderValue(h[k]!);
    if (s === undefined) continue;
    out.push([k, s]);
    seen.add(k);
  }
}
