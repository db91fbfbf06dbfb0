/**
 * The publish verb (RabbitMQ basic.publish handling, rabbit_channel):
 * 1. write permission on the exchange, then the exchange must exist
 *    (NOT_FOUND) and not be internal (ACCESS_REFUSED); on a topic exchange,
 *    the user's write topic permission (if any) must match the routing key
 *    and every CC/BCC key (rabbit_channel check_write_permitted_on_topics);
 * 2. a user-id property must name the authenticated user unless the user has
 *    the 'impersonator' tag (PRECONDITION_FAILED);
 * 3. direct reply-to: reply-to 'amq.rabbitmq.reply-to' is rewritten for the
 *    publishing session's reply consumer; a default-exchange publish to
 *    'amq.rabbitmq.reply-to.<id>' goes straight to that consumer;
 * 4. a per-message `expiration` must be a valid TTL (PRECONDITION_FAILED
 *    "invalid expiration 'abc': no_integer", rabbit_channel);
 * 5. CC/BCC header keys join the routing key; BCC is stripped before delivery;
 * 6. a message with `x-delay` > 0 to an x-delayed-message exchange is held by
 *    the exchange (delayed.ts) and counts as routed; otherwise route, enqueue
 *    in every target queue, settle the confirm id.
 * `deliverToExchange` is the route-and-enqueue step alone, shared with
 * dead-lettering and the delayed exchange's release.
 */
import type { AuthUser, PublishOptions, PublishResult } from './api.js';
import type { ConfirmTracker } from './confirms.js';
import { BrokerError } from './errors.js';
import { DelayedRouter, delayOf } from './exchange/delayed.js';
import type { Exchange } from './exchange/exchange.js';
import type { FieldTable, FieldValue } from './field-table.js';
import type { Message } from './message.js';
import { withProperties } from './message.js';
import { checkExpiration } from './queue/expiry.js';
import type { ConfirmSink, Queue } from './queue/queue.js';
import type { ReplyConsumer, ReplyRegistry } from './reply-to.js';
import { REPLY_TO_PREFIX, REPLY_TO_QUEUE } from './reply-to.js';
import { route } from './router.js';
import type { VHost } from './vhost.js';

export interface PublishContext {
  readonly vh: VHost;
  readonly user: AuthUser;
  /** `{client_id}` of topic permissions */
  readonly clientId?: string | undefined;
  readonly replies: ReplyRegistry;
  readonly replyConsumer: ReplyConsumer | null;
  readonly confirms: ConfirmTracker;
}

function headerKeys(name: string, v: FieldValue | undefined, out: string[]): void {
  if (v === undefined) return;
  if (v.type === 'string' || v.type === 'shortstr') {
    out.push(typeof v.value === 'string' ? v.value : v.value.toString('utf8'));
    return;
  }
  if (v.type !== 'array') {
    throw new BrokerError('PRECONDITION_FAILED', `invalid message: unacceptable type '${v.type}' in header '${name}'`);
  }
  for (const e of v.value) {
    if (e.type === 'string') out.push(typeof e.value === 'string' ? e.value : e.value.toString('utf8'));
    else if (e.type === 'shortstr') out.push(e.value);
  }
}

function withoutBcc(msg: Message, headers: FieldTable): Message {
  const rest: Record<string, FieldValue> = {};
  for (const k of Object.keys(headers)) if (k !== 'BCC') rest[k] = headers[k]!;
  return withProperties(msg, { ...msg.properties, headers: rest });
}

/** The routing keys of a message (key + CC + BCC), or undefined when it has no CC/BCC. Validates the headers. */
function extraKeys(msg: Message): string[] | undefined {
  const headers = msg.properties.headers;
  if (!headers || (headers['CC'] === undefined && headers['BCC'] === undefined)) return undefined;
  const keys = [msg.routingKey];
  headerKeys('CC', headers['CC'], keys);
  headerKeys('BCC', headers['BCC'], keys);
  return keys;
}

/**
 * Routes `msg` from exchange `x` and enqueues it in every target queue;
 * returns the number of queues. `keys` overrides the routing keys (dead
 * letters); `accept` can veto a target queue (dead-letter cycles).
 */
export function deliverToExchange(
  vh: VHost,
  x: Exchange,
  input: Message,
  confirms?: ConfirmSink,
  confirmId = 0,
  keys?: readonly string[],
  accept?: (q: Queue) => boolean,
): number {
  let msg = input;
  const routeKeys = keys ?? extraKeys(msg);
  const headers = msg.properties.headers;
  if (headers?.['BCC'] !== undefined) msg = withoutBcc(msg, headers);
  if (routeKeys === undefined && x.name === '' && accept === undefined) {
    // fast path: the default exchange without CC/BCC is a queue lookup
    const q = vh.queues.get(msg.routingKey);
    if (!q) return 0;
    q.enqueue(msg, confirms, confirmId);
    return 1;
  }
  const targets = route(vh, x, routeKeys ?? msg.routingKey, headers);
  if (typeof targets === 'string') {
    const q = vh.queues.get(targets);
    if (!q || (accept && !accept(q))) return 0;
    q.enqueue(msg, confirms, confirmId);
    return 1;
  }
  let routed = 0;
  for (const name of targets) {
    const q = vh.queues.get(name);
    if (!q || (accept && !accept(q))) continue;
    // a queue that settles later (future: persistent → fsync) takes its own hold on the id
    q.enqueue(msg, confirms, confirmId);
    routed++;
  }
  return routed;
}

export function publish(ctx: PublishContext, input: Message, o: PublishOptions | undefined): PublishResult {
  const { vh, user } = ctx;
  vh.access.check(user.name, vh.name, 'write', 'exchange', input.exchange);
  const x = vh.exchangeOrDie(input.exchange);
  if (x.internal) {
    throw new BrokerError('ACCESS_REFUSED', `cannot publish to internal ${vh.describe('exchange', x.name)}`);
  }
  // users without topic permissions: one Map lookup
  if (x.type === 'topic' && vh.access.topicPermission(user.name, vh.name, x.name) !== undefined) {
    vh.access.checkTopic(user.name, vh.name, x.name, 'write', extraKeys(input) ?? [input.routingKey], ctx.clientId);
  }
  let msg = input;
  const props = msg.properties;
  if (props.userId !== undefined && props.userId !== user.name && !user.tags.includes('impersonator')) {
    throw new BrokerError(
      'PRECONDITION_FAILED',
      `user_id property set to '${props.userId}' but authenticated user was '${user.name}'`,
    );
  }
  checkExpiration(msg);
  if (props.replyTo === REPLY_TO_QUEUE) {
    if (!ctx.replyConsumer) throw new BrokerError('PRECONDITION_FAILED', 'fast reply consumer does not exist');
    msg = withProperties(msg, { ...props, replyTo: ctx.replyConsumer.address });
  }

  const confirmId = o?.confirmId;
  let routed = 0;
  if (x.name === '' && msg.routingKey.startsWith(REPLY_TO_PREFIX)) {
    if (confirmId !== undefined) ctx.confirms.begin(confirmId);
    const target = ctx.replies.lookup(msg.routingKey);
    if (target) {
      target.deliver(msg);
      routed = 1;
    }
  } else {
    extraKeys(msg); // validates CC/BCC before anything is accepted
    if (confirmId !== undefined) ctx.confirms.begin(confirmId);
    const delay = x.router instanceof DelayedRouter ? delayOf(msg) : 0;
    if (delay > 0) {
      // a durable exchange's store takes its own hold on the id until the held message is on disk
      (x.router as DelayedRouter).hold(msg, delay, Date.now(), confirmId === undefined ? undefined : ctx.confirms, confirmId);
      routed = 1; // the plugin cannot know the queues yet: mandatory is satisfied
    } else {
      const confirms = confirmId === undefined ? undefined : ctx.confirms;
      routed = deliverToExchange(vh, x, msg, confirms, confirmId ?? 0);
    }
  }
  if (confirmId !== undefined) ctx.confirms.release(confirmId);
  return { routed };
}
