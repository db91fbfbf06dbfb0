/**
 * basic.* methods other than publish: qos, consume, cancel, get, ack, nack,
 * reject, recover (RabbitMQ rabbit_channel semantics).
 *
 * - basic.qos: prefetch_size != 0 → 540 NOT_IMPLEMENTED "prefetch_size!=0 (N)";
 *   global=false sets the prefetch of consumers created afterwards on this
 *   channel (per_consumer_qos); global=true is the channel-wide credit.
 * - basic.consume: '' queue = last declared queue; x-priority → consumer
 *   priority; a consumer tag already used on this channel → 530 NOT_ALLOWED
 *   "attempt to reuse consumer tag 'x'"; consume-ok precedes every delivery.
 * - basic.cancel: idempotent (cancel-ok even for unknown tags).
 * - ack/nack/reject: the core throws 406 "unknown delivery tag N"; inside a
 *   transaction they are buffered until commit.
 * - basic.recover(requeue=false) → 540 NOT_IMPLEMENTED "requeue=false".
 */
import { fieldNumber } from '../../core/index.js';
import type { Channel } from './channel.js';
import type { Method } from './codec/index.js';
import { encodeGetOk, encodeMethod } from './codec/index.js';
import { AmqpConsumer, propertiesOf } from './consumer.js';
import { notAllowed, notFound, notImplemented } from './errors.js';

type M<N extends Method['name']> = Extract<Method, { name: N }>;

/** '' means the queue last declared on this channel (spec; RabbitMQ "no previously declared queue"). */
export function resolveQueue(ch: Channel, name: string, classId: number, methodId: number): string {
  if (name !== '') return name;
  if (ch.lastQueue === '') throw notFound('no previously declared queue', classId, methodId);
  return ch.lastQueue;
}

export function qos(ch: Channel, m: M<'basic.qos'>): void {
  if (m.prefetchSize !== 0) throw notImplemented(`prefetch_size!=0 (${m.prefetchSize})`, m.classId, m.methodId);
  if (m.global) ch.session.setSessionCredit(m.prefetchCount);
  else ch.consumerPrefetch = m.prefetchCount;
  ch.write(encodeMethod(ch.id, 'basic.qos-ok'));
}

export function consume(ch: Channel, m: M<'basic.consume'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  if (m.consumerTag !== '' && ch.consumers.has(m.consumerTag)) {
    throw notAllowed(`attempt to reuse consumer tag '${m.consumerTag}'`, m.classId, m.methodId);
  }
  const sink = new AmqpConsumer(ch, m.noAck);
  const handle = ch.session.consume(queue, sink, {
    tag: m.consumerTag,
    noAck: m.noAck,
    exclusive: m.exclusive,
    priority: fieldNumber(m.arguments['x-priority']),
    args: m.arguments,
    credit: ch.consumerPrefetch,
  });
  sink.handle = handle;
  sink.tag = handle.tag;
  ch.consumers.set(handle.tag, sink);
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'basic.consume-ok', { consumerTag: handle.tag }));
  sink.open();
}

export function cancel(ch: Channel, m: M<'basic.cancel'>): void {
  const c = ch.consumers.get(m.consumerTag);
  if (c !== undefined) {
    ch.consumers.delete(m.consumerTag);
    c.active = false;
    c.handle?.cancel();
  }
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'basic.cancel-ok', { consumerTag: m.consumerTag }));
}

export function get(ch: Channel, m: M<'basic.get'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  const d = ch.session.get(queue, m.noAck);
  if (d === null) {
    ch.write(encodeMethod(ch.id, 'basic.get-empty', { clusterId: '' }));
    return;
  }
  const msg = d.message;
  ch.write(
    encodeGetOk(
      ch.id, d.tag, d.redelivered, msg.exchange, msg.routingKey, d.remaining ?? 0,
      propertiesOf(msg), msg.body, ch.conn.frameMax,
    ),
  );
}

export function ack(ch: Channel, m: M<'basic.ack'>): void {
  if (ch.tx !== null) ch.tx.ack(m.deliveryTag, m.multiple);
  else ch.session.ack(m.deliveryTag, m.multiple);
}

export function nack(ch: Channel, m: M<'basic.nack'>): void {
  if (ch.tx !== null) ch.tx.reject(m.deliveryTag, m.multiple, m.requeue);
  else ch.session.reject(m.deliveryTag, m.multiple, m.requeue);
}

export function reject(ch: Channel, m: M<'basic.reject'>): void {
  if (ch.tx !== null) ch.tx.reject(m.deliveryTag, false, m.requeue);
  else ch.session.reject(m.deliveryTag, false, m.requeue);
}

export function recover(ch: Channel, requeue: boolean, async: boolean): void {
  if (!requeue) throw notImplemented('requeue=false', 60, async ? 100 : 110);
  ch.session.recover();
  if (!async) ch.write(encodeMethod(ch.id, 'basic.recover-ok'));
}
