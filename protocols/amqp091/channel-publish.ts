/**
 * basic.publish: content assembly and hand-off to the core.
 *
 * Responsibilities
 * - basic.publish method → expect a content header (class 60) → body frames
 *   until body-size bytes arrived (RabbitMQ's rabbit_command_assembler).
 *   immediate=true → 540 NOT_IMPLEMENTED "immediate=true"; a body-size above
 *   max_message_size → 406 "message size N is larger than configured max size M".
 * - The body is copied once into a buffer of exactly body-size bytes (frames
 *   are views of socket chunks; keeping them would pin whole chunks).
 * - The raw property bytes travel with the message (`wire`, format amqp091)
 *   so AMQP consumers get them byte-exact without re-encoding.
 * - user-id must match the authenticated user (406, as RabbitMQ) unless the
 *   user has the `impersonator` tag.
 * - mandatory + unroutable → basic.return 312 NO_ROUTE, written before the
 *   publisher confirm (the core confirms in a later batch).
 * - Every publish is reported to the connection's flow control: publishing
 *   connections are the ones resource alarms block (rabbit_reader should_block).
 */
import type { Message } from '../../core/index.js';
import type { Channel } from './channel.js';
import { EXPECT_BODY, EXPECT_HEADER, EXPECT_METHOD } from './channel.js';
import type { Method } from './codec/index.js';
import { decodeContentHeader, decodeProperties, encodeReturn } from './codec/index.js';
import { propertiesOf } from './consumer.js';
import { AmqpError, notImplemented, preconditionFailed, unexpectedFrame } from './errors.js';

const EMPTY = Buffer.alloc(0);

export function publishMethod(ch: Channel, m: Extract<Method, { name: 'basic.publish' }>): void {
  if (m.immediate) throw notImplemented('immediate=true', 60, 40);
  ch.pubExchange = m.exchange;
  ch.pubRoutingKey = m.routingKey;
  ch.pubMandatory = m.mandatory;
  ch.expect = EXPECT_HEADER;
}

export function contentHeader(ch: Channel, payload: Buffer): void {
  const h = decodeContentHeader(payload);
  if (h.classId !== 60) {
    throw unexpectedFrame(`expected content header for class 60, got one for class ${h.classId} instead`, 60, 40);
  }
  const max = ch.conn.maxMessageSize;
  if (h.bodySize > max) {
    throw preconditionFailed(`message size ${h.bodySize} is larger than configured max size ${max}`, 60, 40);
  }
  ch.pubProps = Buffer.from(h.properties);
  if (h.bodySize === 0) {
    ch.pubBody = EMPTY;
    complete(ch);
  } else {
    ch.pubBody = Buffer.allocUnsafe(h.bodySize);
    ch.pubReceived = 0;
    ch.expect = EXPECT_BODY;
  }
}

export function contentBody(ch: Channel, payload: Buffer): void {
  const body = ch.pubBody;
  if (payload.length > body.length - ch.pubReceived) {
    throw new AmqpError(501, `content body frame overruns the declared body size ${body.length}`, 60, 40);
  }
  payload.copy(body, ch.pubReceived);
  ch.pubReceived += payload.length;
  if (ch.pubReceived === body.length) complete(ch);
}

function complete(ch: Channel): void {
  ch.expect = EXPECT_METHOD;
  const raw = ch.pubProps;
  const body = ch.pubBody;
  ch.pubProps = EMPTY;
  ch.pubBody = EMPTY;
  const properties = decodeProperties(raw);
  const userId = properties.userId;
  if (userId !== undefined) {
    const user = ch.session.connection.user;
    if (userId !== user.name && !user.tags.includes('impersonator')) {
      throw preconditionFailed(`user_id property set to '${userId}' but authenticated user was '${user.name}'`, 60, 40);
    }
  }
  const msg: Message = {
    exchange: ch.pubExchange,
    routingKey: ch.pubRoutingKey,
    properties,
    body,
    wire: { format: 'amqp091', bytes: raw },
  };
  if (ch.tx !== null) ch.tx.publish(msg, ch.pubMandatory);
  else publishNow(ch, msg, ch.pubMandatory);
  ch.conn.publishSeen();
}

/** Route through the core now (also used by tx.commit). */
export function publishNow(ch: Channel, msg: Message, mandatory: boolean): void {
  const o = ch.pubOpts;
  o.mandatory = mandatory;
  o.confirmId = ch.confirm !== null ? ch.confirm.next() : undefined;
  const r = ch.session.publish(msg, o);
  if (mandatory && r.routed === 0) {
    const raw = propertiesOf(msg);
    ch.write(encodeReturn(ch.id, 312, 'NO_ROUTE', msg.exchange, msg.routingKey, raw, msg.body, ch.conn.frameMax));
  }
}
