/**
 * SEND → CoreSession.publish.
 *
 * - destination → (exchange, routing key): /queue/<q> declares q on its
 *   first SEND in the session (durable shared queue, only if missing),
 *   /amq/queue and /reply-queue go through the default exchange, /topic via
 *   the topic exchange, /exchange/<x>/<key> as given;
 * - `reply-to: /temp-queue/<name>` creates the session's private reply
 *   queue for <name> (exclusive, auto-delete, auto-subscribed with auto-ack
 *   under subscription id `/temp-queue/<name>`) and the property carries the
 *   real queue name, which a STOMP reader sees as `/reply-queue/<queue>`;
 * - headers → properties (headers.ts);
 * - `receipt` → publish with a confirm id; the RECEIPT follows the confirm.
 */
import type { CoreSession, Message } from '../../core/index.js';
import { parseDestination } from './destinations.js';
import type { Destination } from './destinations.js';
import { Errors, StompError } from './errors.js';
import { propertiesFromHeaders } from './headers.js';
import type { Receipts } from './receipts.js';
import { ensureQueue } from './subscriptions.js';
import type { Subscriptions } from './subscriptions.js';

export class Publisher {
  private readonly session: CoreSession;
  private readonly receipts: Receipts;
  private readonly subs: Subscriptions;
  private readonly topicExchange: string;
  private readonly declared = new Set<string>();
  private readonly tempQueues = new Map<string, string>();
  private lastDest: string | undefined;
  private lastParsed: Destination | undefined;

  constructor(session: CoreSession, receipts: Receipts, subs: Subscriptions, topicExchange: string) {
    this.session = session;
    this.receipts = receipts;
    this.subs = subs;
    this.topicExchange = topicExchange;
  }

  send(h: Record<string, string>, body: Buffer): void {
    const dest = h['destination'];
    if (dest === undefined) throw Errors.missingHeader('SEND', 'destination');
    // a producer mostly repeats its destination: parse it once
    if (dest !== this.lastDest) {
      this.lastParsed = parseDestination(dest);
      this.lastDest = dest;
    }
    const d = this.lastParsed!;
    let exchange = '';
    let routingKey: string;
    switch (d.kind) {
      case 'queue':
        if (!this.declared.has(d.name)) {
          ensureQueue(this.session, d.name, h);
          this.declared.add(d.name);
        }
        routingKey = d.name;
        break;
      case 'amqqueue':
      case 'reply-queue':
        routingKey = d.name;
        break;
      case 'topic':
        exchange = this.topicExchange;
        routingKey = d.key;
        break;
      case 'exchange':
        exchange = d.exchange;
        routingKey = d.key;
        break;
      default:
        throw new StompError('Invalid destination', `'${dest}' cannot be sent to (/temp-queue/ is for reply-to headers only)`);
    }
    let replyTo = h['reply-to'];
    if (replyTo !== undefined && replyTo.startsWith('/temp-queue/')) replyTo = this.tempQueue(replyTo);
    const msg: Message = { exchange, routingKey, properties: propertiesFromHeaders(h, replyTo), body };
    const receipt = h['receipt'];
    if (receipt === undefined) {
      this.session.publish(msg);
    } else {
      const confirmId = this.receipts.awaitConfirm(receipt);
      this.session.publish(msg, { confirmId });
    }
  }

  private tempQueue(dest: string): string {
    const known = this.tempQueues.get(dest);
    if (known !== undefined) return known;
    const d = parseDestination(dest);
    if (d.kind !== 'temp-queue') throw Errors.unknownDestination(dest);
    const q = this.session.declareQueue({ name: '', exclusive: true, autoDelete: true }).name;
    this.subs.subscribeInternal(dest, q);
    this.tempQueues.set(dest, q);
    return q;
  }
}
