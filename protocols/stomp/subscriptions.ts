/**
 * SUBSCRIBE / UNSUBSCRIBE / ACK / NACK and MESSAGE delivery.
 *
 * - SUBSCRIBE resolves its destination to a queue (declare / bind, see
 *   destinations.ts) and consumes it with `ack` auto → noAck, client /
 *   client-individual → manual acks; `prefetch-count` → credit; `x-priority`
 *   → consumer priority. The consumer tag is `T_<id>` (`Q_<destination>`
 *   when a 1.0 client gave no id), as in RabbitMQ.
 * - MESSAGE carries subscription, destination (synthesised from the routing),
 *   message-id `T_<sub>@@<session>@@<tag>`, `ack` (1.2, client modes),
 *   redelivered, the property headers and content-length.
 * - ACK/NACK name a message by `id` (1.2) or `message-id` (1.0/1.1). `client`
 *   mode is cumulative within its subscription ([STOMP 1.2 §SUBSCRIBE ack]),
 *   so the adapter keeps the subscription's unacked tags in order and settles
 *   each one; `client-individual` settles one tag. Unknown ids are errors.
 * - deliver() returns the transport's backpressure verdict; paused consumers
 *   resume when the transport drains.
 */
import type { ConsumerHandle, ConsumerSink, CoreSession, Delivery, ErrorCode } from '../../core/index.js';
import { isBrokerError } from '../../core/index.js';
import type { StompVersion } from './codec.js';
import { parseDestination, queueDecl, QUEUE_DEFAULTS, subscriptionQueueName, synthesiseDestination, isTrue } from './destinations.js';
import { Errors, StompError } from './errors.js';
import { appendPropertyHeaders } from './headers.js';
import type { FrameOut } from './types.js';

export type AckMode = 'auto' | 'client' | 'client-individual';

export interface SubscriptionContext {
  readonly out: FrameOut;
  readonly session: CoreSession;
  readonly version: StompVersion;
  readonly sessionId: string;
  readonly topicExchange: string;
}

const SEP = '@@';

/** headers deliver() writes before the property headers */
const MESSAGE_HEADERS: ReadonlySet<string> = new Set(['subscription', 'destination', 'message-id', 'ack', 'redelivered']);

class Subscription implements ConsumerSink {
  readonly id: string;
  readonly tag: string;
  readonly destination: string;
  readonly ack: AckMode;
  /** durable topic subscription queue (deleted by UNSUBSCRIBE with durable:true) */
  readonly queue: string;
  handle: ConsumerHandle | undefined;
  paused = false;
  /** client mode: unacked delivery tags in order */
  readonly pending: number[] = [];
  private readonly ctx: SubscriptionContext;
  private readonly idPrefix: string;
  private readonly owner: Subscriptions;
  private lastExchange: string | undefined;
  private lastRoutingKey: string | undefined;
  private lastDestination = '';

  constructor(owner: Subscriptions, ctx: SubscriptionContext, id: string, tag: string, destination: string, ack: AckMode, queue: string) {
    this.owner = owner;
    this.ctx = ctx;
    this.id = id;
    this.tag = tag;
    this.destination = destination;
    this.ack = ack;
    this.queue = queue;
    this.idPrefix = tag + SEP + ctx.sessionId + SEP;
  }

  deliver(d: Delivery): boolean {
    const m = d.message;
    const messageId = this.idPrefix + d.tag;
    // consecutive messages mostly share their routing: reuse the synthesised destination
    if (m.exchange !== this.lastExchange || m.routingKey !== this.lastRoutingKey) {
      this.lastExchange = m.exchange;
      this.lastRoutingKey = m.routingKey;
      this.lastDestination = synthesiseDestination(m.exchange, m.routingKey, this.ctx.topicExchange);
    }
    const h: [string, string][] = [
      ['subscription', this.id],
      ['destination', this.lastDestination],
      ['message-id', messageId],
    ];
    if (this.ack !== 'auto') {
      if (this.ctx.version === '1.2') h.push(['ack', messageId]);
      if (this.ack === 'client') this.pending.push(d.tag);
    }
    h.push(['redelivered', d.redelivered ? 'true' : 'false']);
    appendPropertyHeaders(h, m, MESSAGE_HEADERS);
    h.push(['content-length', String(m.body.length)]);
    const ok = this.ctx.out.send('MESSAGE', h, m.body);
    if (!ok) {
      this.paused = true;
      this.owner.paused.add(this);
    }
    return ok;
  }

  cancelled(reason: ErrorCode | 'QUEUE_DELETED'): void {
    this.owner.forget(this);
    const body = Buffer.from(`Subscription '${this.id}' was cancelled by the broker (${reason}).\n`);
    this.ctx.out.send(
      'ERROR',
      [
        ['message', 'Server cancelled subscription'],
        ['subscription', this.id],
        ['content-type', 'text/plain'],
        ['content-length', String(body.length)],
      ],
      body,
    );
  }
}

function parseAck(v: string | undefined): AckMode {
  if (v === undefined) return 'auto';
  if (v === 'auto' || v === 'client' || v === 'client-individual') return v;
  throw Errors.invalidHeader('ack', v, "expected 'auto', 'client' or 'client-individual'");
}

function parseCount(name: string, v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\d{1,9}$/.test(v.trim())) throw Errors.invalidHeader(name, v, 'expected a non-negative integer');
  return Number(v.trim());
}

export class Subscriptions {
  private readonly ctx: SubscriptionContext;
  private readonly byId = new Map<string, Subscription>();
  private readonly byTag = new Map<string, Subscription>();
  readonly paused = new Set<Subscription>();

  constructor(ctx: SubscriptionContext) {
    this.ctx = ctx;
  }

  subscribe(h: Record<string, string>): void {
    const dest = h['destination'];
    if (dest === undefined) throw Errors.missingHeader('SUBSCRIBE', 'destination');
    const id = h['id'] ?? dest;
    const tag = h['id'] !== undefined ? 'T_' + id : 'Q_' + dest;
    if (this.byId.has(id)) throw Errors.duplicateSubscription(id);
    const ack = parseAck(h['ack']);
    const credit = parseCount('prefetch-count', h['prefetch-count']);
    const priority = h['x-priority'] === undefined ? undefined : parseCount('x-priority', h['x-priority']);
    const queue = this.resolveQueue(dest, h);
    this.start(new Subscription(this, this.ctx, id, tag, dest, ack, queue), credit, priority);
  }

  /** the auto-ack consumer of a /temp-queue reply queue */
  subscribeInternal(id: string, queue: string): void {
    this.start(new Subscription(this, this.ctx, id, 'T_' + id, id, 'auto', queue), 0, undefined);
  }

  private start(s: Subscription, credit: number, priority: number | undefined): void {
    this.byId.set(s.id, s);
    this.byTag.set(s.tag, s);
    try {
      s.handle = this.ctx.session.consume(s.queue, s, {
        tag: s.tag,
        noAck: s.ack === 'auto',
        credit,
        ...(priority === undefined ? {} : { priority }),
      });
    } catch (e) {
      this.forget(s);
      throw e;
    }
  }

  /** Declare (and bind) the queue a SUBSCRIBE destination consumes from. */
  private resolveQueue(dest: string, h: Record<string, string>): string {
    const s = this.ctx.session;
    const d = parseDestination(dest);
    switch (d.kind) {
      case 'queue':
        return ensureQueue(s, d.name, h);
      case 'amqqueue':
        return s.declareQueue({ name: d.name, passive: true }).name;
      case 'topic': {
        const durable = isTrue(h, 'durable') || isTrue(h, 'persistent');
        if (durable && h['id'] === undefined) {
          throw new StompError('Missing Header', 'Header \'id\' is required for durable subscriptions');
        }
        const name = h['x-queue-name'] ?? subscriptionQueueName(durable ? { destination: dest, id: h['id']! } : undefined);
        const q = s.declareQueue(queueDecl(name, h, QUEUE_DEFAULTS.topic)).name;
        s.bind({ source: this.ctx.topicExchange, destination: q, destinationType: 'queue', routingKey: d.key });
        return q;
      }
      case 'exchange': {
        const name = h['x-queue-name'] ?? subscriptionQueueName();
        const q = s.declareQueue(queueDecl(name, h, QUEUE_DEFAULTS.exchange)).name;
        try {
          s.bind({ source: d.exchange, destination: q, destinationType: 'queue', routingKey: d.key });
        } catch (e) {
          s.deleteQueue(q);
          throw e;
        }
        return q;
      }
      default:
        throw new StompError('Invalid destination', `'${dest}' cannot be subscribed to (/temp-queue/ is for reply-to headers only)`);
    }
  }

  unsubscribe(h: Record<string, string>): void {
    const key = h['id'] ?? h['destination'];
    if (key === undefined) throw new StompError('Missing destination or id', "UNSUBSCRIBE must include a 'destination' or 'id' header");
    const s = this.byId.get(key);
    if (s === undefined) throw Errors.noSubscription(key);
    this.forget(s);
    s.handle?.cancel();
    // a durable topic subscription is removed by UNSUBSCRIBE with durable:true
    if ((isTrue(h, 'durable') || isTrue(h, 'persistent')) && s.destination.startsWith('/topic/')) {
      this.ctx.session.deleteQueue(s.queue);
    }
  }

  forget(s: Subscription): void {
    if (this.byId.get(s.id) === s) this.byId.delete(s.id);
    if (this.byTag.get(s.tag) === s) this.byTag.delete(s.tag);
    this.paused.delete(s);
  }

  /** ACK (settle = 'ack') or NACK (requeue or not) of a message id */
  settle(cmd: 'ACK' | 'NACK', h: Record<string, string>, requeue: boolean): void {
    const header = this.ctx.version === '1.2' ? 'id' : 'message-id';
    const mid = h[header] ?? h['id'] ?? h['message-id'];
    if (mid === undefined) throw Errors.missingHeader(cmd, header);
    const last = mid.lastIndexOf(SEP);
    const mid2 = last > 0 ? mid.lastIndexOf(SEP, last - 1) : -1;
    const tagStr = mid.slice(last + SEP.length);
    if (last === -1 || mid2 === -1 || !/^\d{1,15}$/.test(tagStr) || mid.slice(mid2 + SEP.length, last) !== this.ctx.sessionId) {
      throw Errors.invalidMessageId(header, mid);
    }
    const tag = Number(tagStr);
    const sub = this.byTag.get(mid.slice(0, mid2));
    const s = this.ctx.session;
    const one = (t: number): void => (cmd === 'ACK' ? s.ack(t, false) : s.reject(t, false, requeue));
    try {
      if (sub !== undefined && sub.ack === 'client') {
        const idx = sub.pending.lastIndexOf(tag);
        if (idx === -1) one(tag); // throws unknown delivery tag unless settled some other way
        for (const t of sub.pending.splice(0, idx + 1)) one(t);
        return;
      }
      one(tag);
    } catch (e) {
      if (isBrokerError(e) && e.code === 'PRECONDITION_FAILED') {
        throw new StompError('Invalid message-id', `${cmd} of unknown ${header} '${mid}': ${e.message}`);
      }
      throw e;
    }
  }

  /** the transport drained: resume paused consumers */
  resumeAll(): void {
    if (this.paused.size === 0) return;
    const subs = [...this.paused];
    this.paused.clear();
    for (const s of subs) {
      s.paused = false;
      s.handle?.resume();
    }
  }
}

/** /queue/<q>: a durable shared queue, declared only when it does not exist yet (RabbitMQ check_exists). */
export function ensureQueue(s: CoreSession, name: string, h: Record<string, string>): string {
  try {
    return s.declareQueue({ name, passive: true }).name;
  } catch (e) {
    if (!isBrokerError(e) || e.code !== 'NOT_FOUND') throw e;
  }
  return s.declareQueue(queueDecl(name, h, QUEUE_DEFAULTS.queue)).name;
}
