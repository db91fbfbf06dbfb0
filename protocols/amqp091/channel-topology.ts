/**
 * exchange.* and queue.* methods → CoreSession topology verbs.
 *
 * Every method honours `nowait` (no -ok reply). An empty queue name means the
 * queue last declared on this channel; queue.bind with both queue and routing
 * key empty uses that queue name as the routing key too (spec, RabbitMQ).
 * Reserved names (amq.*), equivalence checks (406), exclusivity (405) and
 * existence (404) are decided by the core; its BrokerError becomes the
 * channel.close / connection.close reply.
 */
import type { Channel } from './channel.js';
import { resolveQueue } from './channel-basic.js';
import type { Method } from './codec/index.js';
import { encodeMethod } from './codec/index.js';

type M<N extends Method['name']> = Extract<Method, { name: N }>;

export function exchangeDeclare(ch: Channel, m: M<'exchange.declare'>): void {
  ch.session.declareExchange({
    name: m.exchange,
    type: m.type,
    durable: m.durable,
    autoDelete: m.autoDelete,
    internal: m.internal,
    args: m.arguments,
    passive: m.passive,
  });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'exchange.declare-ok'));
}

export function exchangeDelete(ch: Channel, m: M<'exchange.delete'>): void {
  ch.session.deleteExchange(m.exchange, { ifUnused: m.ifUnused });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'exchange.delete-ok'));
}

export function exchangeBind(ch: Channel, m: M<'exchange.bind'>): void {
  ch.session.bind({
    source: m.source,
    destination: m.destination,
    destinationType: 'exchange',
    routingKey: m.routingKey,
    args: m.arguments,
  });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'exchange.bind-ok'));
}

export function exchangeUnbind(ch: Channel, m: M<'exchange.unbind'>): void {
  ch.session.unbind({
    source: m.source,
    destination: m.destination,
    destinationType: 'exchange',
    routingKey: m.routingKey,
    args: m.arguments,
  });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'exchange.unbind-ok'));
}

export function queueDeclare(ch: Channel, m: M<'queue.declare'>): void {
  const info = ch.session.declareQueue({
    name: m.queue,
    durable: m.durable,
    exclusive: m.exclusive,
    autoDelete: m.autoDelete,
    args: m.arguments,
    passive: m.passive,
  });
  ch.lastQueue = info.name;
  if (!m.nowait) {
    ch.write(
      encodeMethod(ch.id, 'queue.declare-ok', {
        queue: info.name,
        messageCount: info.messageCount,
        consumerCount: info.consumerCount,
      }),
    );
  }
}

export function queueBind(ch: Channel, m: M<'queue.bind'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  const routingKey = m.queue === '' && m.routingKey === '' ? queue : m.routingKey;
  ch.session.bind({ source: m.exchange, destination: queue, destinationType: 'queue', routingKey, args: m.arguments });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'queue.bind-ok'));
}

export function queueUnbind(ch: Channel, m: M<'queue.unbind'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  ch.session.unbind({
    source: m.exchange,
    destination: queue,
    destinationType: 'queue',
    routingKey: m.routingKey,
    args: m.arguments,
  });
  ch.write(encodeMethod(ch.id, 'queue.unbind-ok'));
}

export function queuePurge(ch: Channel, m: M<'queue.purge'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  const n = ch.session.purgeQueue(queue);
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'queue.purge-ok', { messageCount: n }));
}

export function queueDelete(ch: Channel, m: M<'queue.delete'>): void {
  const queue = resolveQueue(ch, m.queue, m.classId, m.methodId);
  const n = ch.session.deleteQueue(queue, { ifUnused: m.ifUnused, ifEmpty: m.ifEmpty });
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'queue.delete-ok', { messageCount: n }));
}
