/**
 * STOMP destinations as RabbitMQ's STOMP plugin understands them
 * (rabbit_stomp_processor parse_endpoint, rabbit_routing_parser):
 *   /exchange/<x>[/<key>]  /queue/<q>  /amq/queue/<q>  /topic/<key>
 *   /temp-queue/<name> (reply-to only)  /reply-queue/<q>  bare <q> = /queue/<q>
 * Names are %-escaped (%2F for '/').
 *
 * Also: synthesis of a MESSAGE `destination` from (exchange, routing key),
 * the rendering of a `reply-to` property, queue parameters from headers and
 * subscription queue names (`stomp-subscription-…`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { F } from '../../core/index.js';
import type { FieldTable, FieldValue, QueueDecl } from '../../core/index.js';
import { Errors } from './errors.js';

export type Destination =
  | { readonly kind: 'exchange'; readonly exchange: string; readonly key: string }
  | { readonly kind: 'queue'; readonly name: string }
  | { readonly kind: 'amqqueue'; readonly name: string }
  | { readonly kind: 'topic'; readonly key: string }
  | { readonly kind: 'temp-queue'; readonly name: string }
  | { readonly kind: 'reply-queue'; readonly name: string };

/** %XX → byte (UTF-8); malformed escapes stay as they are. */
export function unescapeName(s: string): string {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  } catch {
    return s;
  }
}

export function escapeName(s: string): string {
  return s.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'));
}

function nonEmpty(d: string, name: string): string {
  if (name === '') throw Errors.unknownDestination(d);
  return unescapeName(name);
}

/** Parse a destination header; unknown prefixes → ERROR "Unknown destination". */
export function parseDestination(d: string): Destination {
  if (!d.startsWith('/')) {
    if (d === '') throw Errors.unknownDestination(d);
    return { kind: 'queue', name: unescapeName(d) };
  }
  if (d.startsWith('/queue/')) return { kind: 'queue', name: nonEmpty(d, d.slice(7)) };
  if (d.startsWith('/amq/queue/')) return { kind: 'amqqueue', name: nonEmpty(d, d.slice(11)) };
  if (d.startsWith('/topic/')) return { kind: 'topic', key: nonEmpty(d, d.slice(7)) };
  if (d.startsWith('/temp-queue/')) return { kind: 'temp-queue', name: nonEmpty(d, d.slice(12)) };
  if (d.startsWith('/reply-queue/')) return { kind: 'reply-queue', name: nonEmpty(d, d.slice(13)) };
  if (d.startsWith('/exchange/')) {
    const rest = d.slice(10);
    const slash = rest.indexOf('/');
    const x = slash === -1 ? rest : rest.slice(0, slash);
    const key = slash === -1 ? '' : rest.slice(slash + 1);
    return { kind: 'exchange', exchange: nonEmpty(d, x), key: unescapeName(key) };
  }
  throw Errors.unknownDestination(d);
}

/** MESSAGE destination from the routing (rabbit_stomp_util): '' → /queue, amq.topic → /topic, else /exchange. */
export function synthesiseDestination(exchange: string, routingKey: string, topicExchange: string): string {
  if (exchange === '') return '/queue/' + escapeName(routingKey);
  if (exchange === topicExchange) return '/topic/' + escapeName(routingKey);
  return routingKey === '' ? '/exchange/' + escapeName(exchange) : '/exchange/' + escapeName(exchange) + '/' + escapeName(routingKey);
}

/** A reply-to property without a destination prefix is shown as /reply-queue/<v>. */
export function renderReplyTo(v: string): string {
  return v.startsWith('/') ? v : '/reply-queue/' + escapeName(v);
}

const BOOL_HEADERS = new Set(['true', 'false']);

function bool(headers: Record<string, string>, name: string, dflt: boolean): boolean {
  const v = headers[name];
  if (v === undefined) return dflt;
  if (!BOOL_HEADERS.has(v)) throw Errors.invalidHeader(name, v, "expected 'true' or 'false'");
  return v === 'true';
}

/** queue arguments given as headers and their AMQP types (rabbit_stomp_headers.hrl) */
const INT_ARGS = ['x-expires', 'x-message-ttl', 'x-max-length', 'x-max-length-bytes', 'x-max-priority', 'x-delivery-limit', 'x-max-age-seconds'];
const STR_ARGS = ['x-dead-letter-exchange', 'x-dead-letter-routing-key', 'x-overflow', 'x-queue-type', 'x-max-age', 'x-stream-max-segment-size-bytes', 'x-queue-mode', 'x-queue-leader-locator'];
const BOOL_ARGS = ['x-single-active-consumer'];

export function queueArgs(headers: Record<string, string>): FieldTable {
  const args: Record<string, FieldValue> = {};
  for (const k of INT_ARGS) {
    const v = headers[k];
    if (v === undefined) continue;
    if (!/^-?\d{1,18}$/.test(v.trim())) throw Errors.invalidHeader(k, v, 'expected an integer');
    args[k] = F.int(Number(v.trim()));
  }
  for (const k of STR_ARGS) {
    const v = headers[k];
    if (v !== undefined) args[k] = F.str(v);
  }
  for (const k of BOOL_ARGS) {
    const v = headers[k];
    if (v !== undefined) args[k] = F.bool(bool(headers, k, false));
  }
  return args;
}

export interface QueueDefaults {
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
}

/** QueueDecl for a destination's queue: defaults overridden by durable/persistent, auto-delete, exclusive headers. */
export function queueDecl(name: string, headers: Record<string, string>, d: QueueDefaults): QueueDecl {
  const durable = bool(headers, 'durable', bool(headers, 'persistent', d.durable));
  return {
    name,
    durable,
    autoDelete: bool(headers, 'auto-delete', d.autoDelete),
    exclusive: bool(headers, 'exclusive', d.exclusive),
    args: queueArgs(headers),
  };
}

/** Defaults per destination kind (rabbit_stomp_util:335-345). */
export const QUEUE_DEFAULTS = {
  queue: { durable: true, autoDelete: false, exclusive: false },
  topic: { durable: false, autoDelete: true, exclusive: false },
  exchange: { durable: false, autoDelete: true, exclusive: true },
  temp: { durable: false, autoDelete: true, exclusive: true },
} as const;

/** Server-named subscription queue: random, or derived from (destination, id) for durable topic subscriptions. */
export function subscriptionQueueName(durableKey?: { destination: string; id: string }): string {
  const bytes =
    durableKey === undefined
      ? randomBytes(16)
      : createHash('md5').update(durableKey.destination).update('\0').update(durableKey.id).digest();
  return 'stomp-subscription-' + bytes.toString('base64url');
}

/** True for the boolean header value 'true'. */
export function isTrue(headers: Record<string, string>, name: string): boolean {
  return headers[name] === 'true';
}
