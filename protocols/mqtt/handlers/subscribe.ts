/**
 * SUBSCRIBE → SUBACK, and resuming a stored session's consumers.
 *
 * Each filter becomes a binding from the MQTT exchange to a core queue with
 * the translated filter as binding key:
 * - `mqtt-subscription-<clientId>qos0` (consumed without acks) for QoS 0,
 *   `…qos1` (acked, credit = min(prefetch, Receive Maximum)) for QoS 1 and 2;
 * - `$share/<group>/<filter>` → one queue per (group, filter) shared by the
 *   group's members, each consuming it [MQTT-4.8.2 (v5)]: messages are split
 *   between members, a leaving member's unacked ones are requeued;
 * - queues of sessions that outlive the connection are durable, not
 *   exclusive, with `x-expires` = session expiry; otherwise exclusive;
 * - a subscription to an existing filter replaces it [MQTT-3.8.4-3];
 * - validation: invalid filter → 0x8F (v5) / 0x80; refused by permissions →
 *   0x87 (v5) / 0x80 [MQTT-3.9.3-2]; No Local on a shared subscription is a
 *   protocol error [MQTT-3.8.3-4 (v5)]; packet id 0 is malformed;
 * - SUBACK carries one code per filter, in order [MQTT-3.8.4-6] [MQTT-3.9.3-1];
 *   granted QoS = requested (QoS 2 supported);
 * - retained messages matching the filter (exact and wildcard) follow the
 *   SUBACK with RETAIN=1 [MQTT-3.3.1-9]; v5 Retain Handling 1 sends them
 *   only for a new subscription, 2 never [MQTT-3.3.1-10] [MQTT-3.3.1-11];
 *   not for shared subscriptions.
 */
import type { CoreSession, FieldTable } from '../../../core/index.js';
import { F, isBrokerError } from '../../../core/index.js';
import type { ISubscribePacket, QoS } from 'mqtt-packet';
import type { Processor } from '../processor.js';
import { messageQos } from '../properties.js';
import { RC, reasonForError } from '../reason-codes.js';
import type { QueueKind, Subscription } from '../session.js';
import { queueName, sharedQueueName } from '../session.js';
import { filterToBindingKey, parseFilter } from '../topics.js';
import { ensureConsumer, sendPublish } from './deliver.js';

/** Declares the queue a subscription needs (falls back to the existing queue when its arguments differ). */
export function declareSubscriptionQueue(p: Processor, s: CoreSession, name: string, kind: QueueKind): void {
  const shared = kind === 'shared';
  const persistent = p.persistent || shared;
  const args: FieldTable = p.persistent && !shared ? { 'x-expires': F.long(p.state!.expirySeconds * 1000) } : {};
  try {
    s.declareQueue({ name, durable: true, exclusive: !persistent, autoDelete: false, args });
  } catch (e) {
    if (!isBrokerError(e) || (e.code !== 'PRECONDITION_FAILED' && e.code !== 'RESOURCE_LOCKED')) throw e;
    // the queue exists with other settings (session expiry changed, clean ↔ persistent): use it as it is
    s.declareQueue({ name, passive: true });
  }
}

function consumerFor(p: Processor, sub: Subscription): void {
  ensureConsumer(p, sub.queue, sub.kind, sub.kind === 'qos0' || (sub.kind === 'shared' && sub.qos === 0));
}

/**
 * Session present: consume the stored subscriptions' queues again and re-send
 * PUBRELs [MQTT-4.4.0-1]. Queues and bindings are declared again first
 * (idempotent): after a restart they come from definitions.json, and this
 * heals a subscription whose queue went missing.
 */
export function resumeSession(p: Processor): void {
  const state = p.state!;
  const s = p.session!;
  for (const sub of state.subscriptions.values()) {
    try {
      declareSubscriptionQueue(p, s, sub.queue, sub.kind);
      s.bind({ source: p.ctx.opts.exchange, destination: sub.queue, destinationType: 'queue', routingKey: sub.bindingKey });
      if (sub.kind === 'shared') p.ctx.joinShared(p.vhost, sub.queue, p.clientId);
      consumerFor(p, sub);
    } catch (e) {
      p.log.warn({ clientId: p.clientId, queue: sub.queue, err: String(e) }, 'mqtt: cannot resume subscription');
    }
  }
  for (const id of state.outboundPubrel) {
    p.send(p.version === 5 ? { cmd: 'pubrel', messageId: id, reasonCode: 0 } : { cmd: 'pubrel', messageId: id });
  }
}

export function handleSubscribe(p: Processor, pkt: ISubscribePacket): void {
  const v5 = p.version === 5;
  const o = p.ctx.opts;
  const state = p.state!;
  const s = p.session!;
  if (!pkt.messageId) return p.fail(RC.MALFORMED_PACKET, 'SUBSCRIBE without packet identifier'); // [MQTT-2.3.1-1]
  if (pkt.subscriptions.length === 0) return p.fail(RC.PROTOCOL_ERROR, 'SUBSCRIBE without filters'); // [MQTT-3.8.3-3]
  const subId = pkt.properties?.subscriptionIdentifier;
  if (subId === 0) return p.fail(RC.PROTOCOL_ERROR, 'Subscription Identifier 0');
  const granted: number[] = [];
  const retainedToSend: { sub: Subscription }[] = [];
  for (const req of pkt.subscriptions) {
    const parsed = parseFilter(req.topic);
    if (typeof parsed === 'string') {
      granted.push(v5 ? RC.TOPIC_FILTER_INVALID : 0x80);
      continue;
    }
    if (parsed.group !== undefined && req.nl) return p.fail(RC.PROTOCOL_ERROR, 'No Local on a shared subscription');
    const qos = req.qos as QoS;
    const bindingKey = filterToBindingKey(parsed.filter, o.topicEscaping);
    const kind: QueueKind = parsed.group !== undefined ? 'shared' : qos === 0 ? 'qos0' : 'qos1';
    const queue = kind === 'shared' ? sharedQueueName(parsed.group!, bindingKey) : queueName(p.clientId, kind);
    const sub: Subscription = {
      raw: req.topic,
      filter: parsed.filter,
      group: parsed.group,
      qos,
      noLocal: v5 && (req.nl ?? false),
      retainAsPublished: v5 && (req.rap ?? false),
      retainHandling: v5 ? (req.rh ?? 0) : 0,
      subscriptionId: subId,
      queue,
      kind,
      bindingKey,
    };
    const existing = state.subscriptions.get(req.topic);
    try {
      declareSubscriptionQueue(p, s, queue, kind);
      s.bind({ source: o.exchange, destination: queue, destinationType: 'queue', routingKey: bindingKey });
      if (existing && existing.queue !== queue) {
        s.unbind({ source: o.exchange, destination: existing.queue, destinationType: 'queue', routingKey: existing.bindingKey });
      }
      if (kind === 'shared') p.ctx.joinShared(p.vhost, queue, p.clientId);
      state.subscriptions.set(req.topic, sub);
      consumerFor(p, sub);
    } catch (e) {
      p.log.info({ clientId: p.clientId, filter: req.topic, err: String(e) }, 'mqtt: subscription refused');
      granted.push(v5 ? reasonForError(isBrokerError(e) ? e.code : 'INTERNAL_ERROR') : 0x80);
      continue;
    }
    granted.push(qos);
    if (kind !== 'shared' && (sub.retainHandling === 0 || (sub.retainHandling === 1 && !existing))) {
      retainedToSend.push({ sub });
    }
  }
  if (p.persistent) p.ctx.saveSession(state);
  p.send({ cmd: 'suback', messageId: pkt.messageId, granted });
  const store = p.ctx.retained.forVhost(p.vhost);
  for (const { sub } of retainedToSend) {
    for (const entry of store.lookup(sub.filter)) {
      if (sub.noLocal && p.publishedHere(entry.message)) continue;
      const qos = Math.min(sub.qos, messageQos(entry.message)) as QoS;
      sendPublish(p, {
        topic: entry.topic,
        message: entry.message,
        qos,
        retain: true,
        dup: false,
        subscriptionIds: sub.subscriptionId !== undefined ? [sub.subscriptionId] : undefined,
        tag: -1,
        queue: '',
      });
    }
  }
}
