/**
 * The publish verb (RabbitMQ basic.publish handling, rabbit_channel):
 * 1. write permission on the exchange, then the exchange must exist
 *    (NOT_FOUND) and not be internal (ACCESS_REFUSED);
 * 2. a user-id property must name the authenticated user unless the user has
 *    the 'impersonator' tag (PRECONDITION_FAILED);
 * 3. direct reply-to: reply-to 'amq.rabbitmq.reply-to' is rewritten for the
 *    publishing session's reply consumer; a default-exchange publish to
 *    'amq.rabbitmq.reply-to.<id>' goes straight to that consumer;
 * 4. CC/BCC header keys join the routing key; BCC is stripped before delivery;
 * 5. route, enqueue in every target queue, settle the confirm id.
 */
import type { AuthUser, PublishOptions, PublishResult } from './api.js';
import type { ConfirmTracker } from './confirms.js';
import { BrokerError } from './errors.js';
import type { FieldTable, FieldValue } from './field-table.js';
import type { Message } from './message.js';
import { withProperties } from './message.js';
import type { ReplyConsumer, ReplyRegistry } from './reply-to.js';
import { REPLY_TO_PREFIX, REPLY_TO_QUEUE } from './reply-to.js';
import { route } from './router.js';
import type { VHost } from './vhost.js';

export interface PublishContext {
  readonly vh: VHost;
  readonly user: AuthUser;
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

export function publish(ctx: PublishContext, input: Message, o: PublishOptions | undefined): PublishResult {
  const { vh, user } = ctx;
  vh.access.check(user.name, vh.name, 'write', 'exchange', input.exchange);
  const x = vh.exchangeOrDie(input.exchange);
  if (x.internal) {
    throw new BrokerError('ACCESS_REFUSED', `cannot publish to internal ${vh.describe('exchange', x.name)}`);
  }
  let msg = input;
  const props = msg.properties;
  if (props.userId !== undefined && props.userId !== user.name && !user.tags.includes('impersonator')) {
    throw new BrokerError(
      'PRECONDITION_FAILED',
      `user_id property set to '${props.userId}' but authenticated user was '${user.name}'`,
    );
  }
  if (props.replyTo === REPLY_TO_QUEUE) {
    if (!ctx.replyConsumer) throw new BrokerError('PRECONDITION_FAILED', 'fast reply consumer does not exist');
    msg = withProperties(msg, { ...props, replyTo: ctx.replyConsumer.address });
  }

  const confirmId = o?.confirmId;
  if (confirmId !== undefined) ctx.confirms.begin(confirmId);
  let routed = 0;

  if (x.name === '' && msg.routingKey.startsWith(REPLY_TO_PREFIX)) {
    const target = ctx.replies.lookup(msg.routingKey);
    if (target) {
      target.deliver(msg);
      routed = 1;
    }
  } else {
    const headers = msg.properties.headers;
    let keys: string[] | undefined;
    if (headers && (headers['CC'] !== undefined || headers['BCC'] !== undefined)) {
      keys = [msg.routingKey];
      headerKeys('CC', headers['CC'], keys);
      headerKeys('BCC', headers['BCC'], keys);
      if (headers['BCC'] !== undefined) msg = withoutBcc(msg, headers);
    }
    const confirms = confirmId === undefined ? undefined : ctx.confirms;
    if (keys === undefined && x.name === '') {
      // fast path: the default exchange without CC/BCC is a queue lookup
      const q = vh.queues.get(msg.routingKey);
      if (q) {
        q.enqueue(msg, confirms, confirmId ?? 0);
        routed = 1;
      }
    } else {
      for (const name of route(vh, x, keys ?? [msg.routingKey], headers)) {
        const q = vh.queues.get(name);
        if (!q) continue;
        // a queue that settles later (future: persistent → fsync) takes its own hold on the id
        q.enqueue(msg, confirms, confirmId ?? 0);
        routed++;
      }
    }
  }
  if (confirmId !== undefined) ctx.confirms.release(confirmId);
  return { routed };
}
