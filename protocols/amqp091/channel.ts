/**
 * Channel: the per-channel processor (RabbitMQ's rabbit_channel + command
 * assembler), one CoreSession per AMQP channel.
 *
 * Responsibilities
 * - Frame sequencing: a content-bearing method (basic.publish) must be
 *   followed by its content header and then body frames until body-size is
 *   reached; anything else in between is 505 UNEXPECTED_FRAME.
 * - Method dispatch to channel-basic.ts / channel-publish.ts /
 *   channel-topology.ts / tx.ts; channel.* and access.request here.
 * - Errors: soft ones (403/404/405/406) close only this channel with
 *   channel.close(code, "NAME - text", class, method); after that everything
 *   but channel.close/close-ok on this channel is ignored. Hard ones are
 *   rethrown to the connection.
 * - SessionEvents from the core: publisher confirms (basic.ack/nack with
 *   `multiple`), blocked/unblocked (forwarded to the connection).
 */
import type { CoreSession, ErrorCode, Logger, PublishOptions, SessionEvents } from '../../core/index.js';
import * as basic from './channel-basic.js';
import { contentBody, contentHeader, publishMethod } from './channel-publish.js';
import * as topology from './channel-topology.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD, decodeMethod, encodeMethod } from './codec/index.js';
import type { Method } from './codec/index.js';
import type { ConfirmTracker } from './confirms.js';
import type { AmqpConsumer } from './consumer.js';
import { AmqpError, channelError, commandInvalid, notImplemented, toAmqpError, unexpectedFrame } from './errors.js';
import type { ClientCapabilities } from './handshake.js';
import * as tx from './tx.js';
import type { TxBuffer } from './tx.js';

/** What a channel needs from its connection. */
export interface ConnectionHost {
  readonly frameMax: number;
  readonly maxMessageSize: number;
  readonly caps: ClientCapabilities;
  readonly log: Logger;
  /** queue bytes on the socket; false = over the high-water mark */
  write(buf: Buffer): boolean;
  freeChannel(id: number): void;
  consumerPaused(c: AmqpConsumer): void;
  /** a publish was processed: a publishing connection is blocked by resource alarms (RabbitMQ) */
  publishSeen(): void;
  /** one more channel is blocked by a resource alarm */
  sessionBlocked(reason: string): void;
  /** one channel less is blocked (the alarm cleared, or the channel closed) */
  sessionUnblocked(): void;
}

export const EXPECT_METHOD = 0;
export const EXPECT_HEADER = 1;
export const EXPECT_BODY = 2;

const EMPTY = Buffer.alloc(0);

export class Channel implements SessionEvents {
  readonly id: number;
  readonly conn: ConnectionHost;
  session!: CoreSession;
  state: 'open' | 'closing' | 'closed' = 'open';

  // content assembly of the publish in progress (fields, not an object: no per-message allocation)
  expect = EXPECT_METHOD;
  pubExchange = '';
  pubRoutingKey = '';
  pubMandatory = false;
  pubProps: Buffer = EMPTY;
  pubBody: Buffer = EMPTY;
  pubReceived = 0;
  /** reused for every core publish call */
  readonly pubOpts: PublishOptions = {};

  readonly consumers = new Map<string, AmqpConsumer>();
  /** basic.qos(global=false): prefetch for consumers created after it (per_consumer_qos) */
  consumerPrefetch = 0;
  /** queue.declare result, used when a later method names the queue '' */
  lastQueue = '';
  confirm: ConfirmTracker | null = null;
  tx: TxBuffer | null = null;

  constructor(conn: ConnectionHost, id: number) {
    this.conn = conn;
    this.id = id;
  }

  attach(session: CoreSession): void {
    this.session = session;
  }

  write(buf: Buffer): boolean {
    return this.conn.write(buf);
  }

  /** Called by the connection for every frame on this channel. Hard errors propagate. */
  handleFrame(type: number, payload: Buffer): void {
    if (this.state !== 'open') return this.handleWhileClosing(type, payload);
    let classId = 0;
    let methodId = 0;
    try {
      if (type === FRAME_METHOD) {
        if (this.expect !== EXPECT_METHOD) {
          classId = 60;
          methodId = 40;
          throw this.expect === EXPECT_HEADER
            ? unexpectedFrame('expected content header for class 60, got non content header frame instead')
            : unexpectedFrame('expected content body, got non content body frame instead');
        }
        const m = decodeMethod(payload);
        classId = m.classId;
        methodId = m.methodId;
        this.handleMethod(m);
      } else if (type === FRAME_HEADER) {
        classId = 60;
        methodId = 40;
        if (this.expect !== EXPECT_HEADER) {
          throw this.expect === EXPECT_METHOD
            ? unexpectedFrame('expected method frame, got non method frame instead')
            : unexpectedFrame('expected content body, got non content body frame instead');
        }
        contentHeader(this, payload);
      } else if (type === FRAME_BODY) {
        classId = 60;
        methodId = 40;
        if (this.expect !== EXPECT_BODY) {
          throw this.expect === EXPECT_METHOD
            ? unexpectedFrame('expected method frame, got non method frame instead')
            : unexpectedFrame('expected content header for class 60, got non content header frame instead');
        }
        contentBody(this, payload);
      } else {
        throw new AmqpError(501, `unexpected frame type ${type} on channel ${this.id}`);
      }
    } catch (e) {
      const err = toAmqpError(e, classId, methodId);
      if (err.hard) throw err;
      this.closeByServer(err);
    }
  }

  private handleMethod(m: Method): void {
    switch (m.name) {
      case 'basic.publish': return publishMethod(this, m);
      case 'basic.ack': return basic.ack(this, m);
      case 'basic.nack': return basic.nack(this, m);
      case 'basic.reject': return basic.reject(this, m);
      case 'basic.qos': return basic.qos(this, m);
      case 'basic.consume': return basic.consume(this, m);
      case 'basic.cancel': return basic.cancel(this, m);
      case 'basic.get': return basic.get(this, m);
      case 'basic.recover': return basic.recover(this, m.requeue, false);
      case 'basic.recover-async': return basic.recover(this, m.requeue, true);
      case 'exchange.declare': return topology.exchangeDeclare(this, m);
      case 'exchange.delete': return topology.exchangeDelete(this, m);
      case 'exchange.bind': return topology.exchangeBind(this, m);
      case 'exchange.unbind': return topology.exchangeUnbind(this, m);
      case 'queue.declare': return topology.queueDeclare(this, m);
      case 'queue.bind': return topology.queueBind(this, m);
      case 'queue.unbind': return topology.queueUnbind(this, m);
      case 'queue.purge': return topology.queuePurge(this, m);
      case 'queue.delete': return topology.queueDelete(this, m);
      case 'confirm.select': return tx.confirmSelect(this, m);
      case 'tx.select': return tx.txSelect(this);
      case 'tx.commit': return tx.txCommit(this);
      case 'tx.rollback': return tx.txRollback(this);
      case 'channel.open':
        throw channelError("second 'channel.open' seen", m.classId, m.methodId);
      case 'channel.close':
        return this.closeByClient();
      case 'channel.close-ok':
        return; // nothing outstanding
      case 'channel.flow':
        // RabbitMQ 3.x: flow(active=false) is not implemented
        if (!m.active) throw notImplemented('active=false', m.classId, m.methodId);
        this.write(encodeMethod(this.id, 'channel.flow-ok', { active: true }));
        return;
      case 'channel.flow-ok':
        return;
      case 'access.request':
        // rabbit_channel: always granted, ticket 1
        this.write(encodeMethod(this.id, 'access.request-ok', { ticket: 1 }));
        return;
      default:
        // server-to-client methods and connection.* on a channel (rabbit_channel fallback)
        throw commandInvalid('unimplemented method', m.classId, m.methodId);
    }
  }

  private handleWhileClosing(type: number, payload: Buffer): void {
    if (this.state === 'closed' || type !== FRAME_METHOD) return;
    let m: Method;
    try {
      m = decodeMethod(payload);
    } catch {
      return;
    }
    if (m.name === 'channel.close-ok') {
      this.state = 'closed';
      this.conn.freeChannel(this.id);
    } else if (m.name === 'channel.close') {
      // both ends closed at once: answer, keep waiting for our close-ok
      this.write(encodeMethod(this.id, 'channel.close-ok'));
    }
  }

  /** Soft error: channel.close to the client; ignore the channel until close-ok. */
  closeByServer(err: AmqpError): void {
    if (this.state !== 'open') return;
    this.conn.log.warn(
      { channel: this.id, code: err.replyCode, text: err.replyText, classId: err.classId, methodId: err.methodId },
      'channel error',
    );
    this.state = 'closing';
    this.write(
      encodeMethod(this.id, 'channel.close', {
        replyCode: err.replyCode,
        replyText: err.replyText,
        failingClassId: err.classId,
        failingMethodId: err.methodId,
      }),
    );
    this.teardown();
  }

  private closeByClient(): void {
    this.teardown();
    this.state = 'closed';
    this.write(encodeMethod(this.id, 'channel.close-ok'));
    this.conn.freeChannel(this.id);
  }

  private sessionClosed = false;

  /** Release core resources: requeue unacked deliveries, cancel consumers. Idempotent. */
  teardown(): void {
    if (this.state === 'open') this.state = 'closed';
    this.expect = EXPECT_METHOD;
    this.pubBody = EMPTY;
    this.pubProps = EMPTY;
    for (const c of this.consumers.values()) c.active = false;
    this.consumers.clear();
    this.confirm = null;
    this.tx = null;
    if (this.isBlocked) {
      this.isBlocked = false;
      this.conn.sessionUnblocked();
    }
    if (this.sessionClosed || this.session === undefined) return;
    this.sessionClosed = true;
    try {
      this.session.close();
    } catch (e) {
      this.conn.log.error({ err: e, channel: this.id }, 'core session close failed');
    }
  }

  /** The core cancelled a consumer (queue deleted…): basic.cancel if the client understands it. */
  consumerCancelledByServer(c: AmqpConsumer): void {
    if (this.state !== 'open' || this.consumers.get(c.tag) !== c) return;
    this.consumers.delete(c.tag);
    c.active = false;
    if (this.conn.caps.consumerCancelNotify) {
      this.write(encodeMethod(this.id, 'basic.cancel', { consumerTag: c.tag, nowait: true }));
    }
  }

  // ------------------------------------------------------------ SessionEvents

  confirmed(ids: readonly number[]): void {
    if (this.state === 'open' && this.confirm !== null) this.confirm.settle(ids, false, this);
  }

  rejected(ids: readonly number[], _code: ErrorCode): void {
    if (this.state === 'open' && this.confirm !== null) this.confirm.settle(ids, true, this);
  }

  private isBlocked = false;

  blocked(reason: string): void {
    if (this.isBlocked || this.state !== 'open') return;
    this.isBlocked = true;
    this.conn.sessionBlocked(reason);
  }

  unblocked(): void {
    if (!this.isBlocked) return;
    this.isBlocked = false;
    this.conn.sessionUnblocked();
  }
}
