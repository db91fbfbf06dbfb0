/**
 * The per-connection MQTT state machine.
 *
 * - phases: awaiting CONNECT → connected → closed. The first packet must be
 *   CONNECT [MQTT-3.1.0-1]; a second CONNECT is a protocol violation
 *   [MQTT-3.1.0-2]; either closes the connection;
 * - dispatches each packet to its handler (handlers/*.ts); from a PUBLISH
 *   on, a connection's packets of one event-loop turn are handled in its
 *   check phase, in order (acks of other connections first: `deferred`);
 * - owns the core connection/session of this client, the outbound in-flight
 *   window (session.ts), inbound publishes awaiting a core confirm, topic
 *   aliases both ways, and the will;
 * - close paths: `fail()` for protocol errors (v5: DISCONNECT with a reason
 *   first, where the spec allows the server to send one [MQTT-4.13.1-1]),
 *   `takeover()` (v5 0x8E), keepalive timeout (v5 0x8D), shutdown (v5 0x8B);
 *   `cleanup()` runs once: will, registry, core connection, session expiry.
 */
import type { AuthUser, ConsumerHandle, CoreConnection, CoreSession, ErrorCode, Message, SessionEvents } from '../../core/index.js';
import type { Packet, QoS } from 'mqtt-packet';
import type { ReadErrorKind } from './codec/parser.js';
import { encode } from './codec/writer.js';
import type { ConnectionHandler, MqttConnection } from './connection.js';
import { AdapterContext } from './context.js';
import type { LiveClient } from './context.js';
import type { AuthExchange } from './handlers/auth.js';
import { handleAuth } from './handlers/auth.js';
import { connackFailure, handleConnect } from './handlers/connect.js';
import type { PendingConnect } from './handlers/connect.js';
import type { DeliverySink } from './handlers/deliver.js';
import { handleDisconnect } from './handlers/disconnect.js';
import { handlePuback, handlePubcomp, handlePubrec, handlePubrel } from './handlers/acks.js';
import { handlePingreq } from './handlers/ping.js';
import { handlePublish } from './handlers/publish.js';
import { handleSubscribe } from './handlers/subscribe.js';
import { handleUnsubscribe } from './handlers/unsubscribe.js';
import { RC, reasonForError } from './reason-codes.js';
import { topicToRoutingKey } from './topics.js';
import type { SessionState } from './session.js';
import { Outbound } from './session.js';
import { InboundConfirms } from './inbound.js';
import { confirmInbound, holdLastPublish, rejectInbound } from './inbound-acks.js';
import type { WillSpec } from './will.js';

type Phase = 'new' | 'authenticating' | 'connected' | 'closed';

/** packets held for the check phase (Processor.deferred) before they are handled at once */
const MAX_DEFERRED = 1024;

export class Processor implements ConnectionHandler, LiveClient, SessionEvents {
  readonly conn: MqttConnection;
  readonly ctx: AdapterContext;
  private readonly onGone: (p: Processor) => void;
  phase: Phase = 'new';
  version: 3 | 4 | 5 = 4;
  clientId = '';
  vhost = '';
  user: AuthUser | undefined;
  coreConn: CoreConnection | undefined;
  private _session: CoreSession | undefined;
  state: SessionState | undefined;
  /** session outlives the connection (clean session 0 / v5 expiry > 0) */
  persistent = false;
  will: WillSpec | undefined;
  /** v5 enhanced authentication: the CONNECT's method, the exchange in progress, the CONNECT it holds */
  authMethod: string | undefined;
  authExchange: AuthExchange | undefined;
  pendingConnect: PendingConnect | undefined;
  /** client's v5 limits */
  clientReceiveMaximum = 65535;
  clientMaxPacketSize = 268_435_460;
  clientTopicAliasMax = 0;
  // per-connection collections are created on first use: an idle connection holds none (memory per connection)
  private _aliasesIn: Map<number, string> | undefined;
  private _aliasesOut: Map<string, number> | undefined;
  private _outbound: Outbound | undefined;
  private _consumers: Map<string, ConsumerHandle> | undefined;
  private _sinks: Map<string, DeliverySink> | undefined;
  private _ownPublished: WeakSet<Message> | undefined;
  /** inbound QoS 1/2 publishes awaiting their confirm (inbound.ts; acknowledged by inbound-acks.ts) */
  readonly inbound = new InboundConfirms();
  /**
   * Packets read in this event-loop turn from a PUBLISH on, handled in its
   * check phase (setImmediate) instead of during the socket read. Every
   * connection's acknowledgements read in the same poll phase are handled
   * first, and the deliveries the freed credit allows are written at once
   * (queue dispatch after an ack is a microtask); routing a publisher's batch
   * first would hold them back. With a small window (mqtt.prefetch 10) the
   * subscriber's round trip is the limit, and this lets the subscriber work
   * on the next deliveries while the broker routes the publishes.
   */
  private deferred: Packet[] | undefined;
  /** routingKeyOf's cache ('' maps to '') */
  private lastTopic = '';
  private lastRoutingKey = '';
  private readonly onClosed: (p: Processor) => void;
  /** a core resource alarm is on */
  private alarm = false;
  /** this connection has published at least once (only publishers are blocked by alarms) */
  private hasPublished = false;
  private cleaned = false;

  /** `onGone`: the client is cleaned up; `onClosed`: its transport closed (both shared by the adapter) */
  constructor(conn: MqttConnection, ctx: AdapterContext, onGone: (p: Processor) => void, onClosed: (p: Processor) => void = () => {}) {
    this.conn = conn;
    this.ctx = ctx;
    this.onGone = onGone;
    this.onClosed = onClosed;
  }

  /**
   * The core session, opened on first use (publish, subscribe, resume): an
   * idle connection holds only its core connection (memory per connection).
   */
  get session(): CoreSession | undefined {
    if (!this._session && this.coreConn && this.phase !== 'closed') {
      this._session = this.coreConn.openSession(this); // the processor implements SessionEvents
      this._session.setSessionCredit(this.clientReceiveMaximum);
    }
    return this._session;
  }

  get hasSession(): boolean {
    return this._session !== undefined;
  }

  get aliasesIn(): Map<number, string> {
    return (this._aliasesIn ??= new Map());
  }
  get aliasesOut(): Map<string, number> {
    return (this._aliasesOut ??= new Map());
  }
  get outbound(): Outbound {
    return (this._outbound ??= new Outbound());
  }
  get consumers(): Map<string, ConsumerHandle> {
    return (this._consumers ??= new Map());
  }
  get sinks(): Map<string, DeliverySink> {
    return (this._sinks ??= new Map());
  }
  /** messages this connection published while it has a no-local subscription */
  get ownPublished(): WeakSet<Message> {
    return (this._ownPublished ??= new WeakSet());
  }
  /** The routing key of a PUBLISH topic; the last one is cached (a publisher usually repeats its topic). */
  routingKeyOf(topic: string): string {
    if (topic !== this.lastTopic) {
      this.lastRoutingKey = topicToRoutingKey(topic, this.ctx.opts.topicEscaping);
      this.lastTopic = topic;
    }
    return this.lastRoutingKey;
  }

  /** true when `m` was published by this connection (no-local) */
  publishedHere(m: Message): boolean {
    return this._ownPublished?.has(m) ?? false;
  }

  get key(): string {
    return AdapterContext.key(this.vhost, this.clientId);
  }

  get log() {
    return this.ctx.opts.logger;
  }

  // ------------------------------------------------------------ ConnectionHandler

  packet(p: Packet): void {
    if (this.phase === 'closed') return;
    if (this.deferred) {
      this.deferred.push(p); // behind a deferred PUBLISH: the connection's packets keep their order
      // a flood (one poll phase can read up to 2 MiB from a socket): handle it now, as before,
      // so a throttle (unconfirmed publishes, alarm) stops the reads and packets do not pile up
      if (this.deferred.length >= MAX_DEFERRED) this.flushDeferred();
      return;
    }
    if (p.cmd === 'publish' && this.phase === 'connected') {
      this.deferred = [p];
      setImmediate(runDeferred, this);
      return;
    }
    this.handle(p);
  }

  /**
   * Handles the packets deferred behind a PUBLISH now. Also called before
   * anything that ends the connection, so what the client sent before is
   * never lost (a PUBLISH, or the DISCONNECT that suppresses the will).
   */
  flushDeferred(): void {
    const list = this.deferred;
    if (!list) return;
    this.deferred = undefined;
    for (const p of list) this.handle(p);
  }

  private handle(p: Packet): void {
    if (this.phase === 'closed') return;
    if (this.phase === 'new') {
      if (p.cmd !== 'connect') {
        this.closeNow(`${p.cmd} before CONNECT`); // [MQTT-3.1.0-1]
        return;
      }
      handleConnect(this, p);
      return;
    }
    if (this.phase === 'authenticating') {
      // only AUTH until the exchange ends [MQTT-4.12.0-1]
      if (p.cmd === 'auth') handleAuth(this, p);
      else if (p.cmd === 'disconnect') this.closeNow('DISCONNECT during authentication');
      else connackFailure(this, 5, RC.PROTOCOL_ERROR, `${p.cmd} during authentication`);
      return;
    }
    try {
      switch (p.cmd) {
        case 'publish': return handlePublish(this, p);
        case 'puback': return handlePuback(this, p);
        case 'pubrec': return handlePubrec(this, p);
        case 'pubrel': return handlePubrel(this, p);
        case 'pubcomp': return handlePubcomp(this, p);
        case 'subscribe': return handleSubscribe(this, p);
        case 'unsubscribe': return handleUnsubscribe(this, p);
        case 'pingreq': return handlePingreq(this);
        case 'disconnect': return handleDisconnect(this, p);
        case 'auth': return handleAuth(this, p);
        case 'connect':
          return this.fail(RC.PROTOCOL_ERROR, 'second CONNECT'); // [MQTT-3.1.0-2]
        default:
          // server-to-client packet types sent by a client [MQTT-4.8.0-1 (v5)]
          return this.fail(RC.PROTOCOL_ERROR, `unexpected ${p.cmd} from a client`);
      }
    } catch (e) {
      this.log.error({ clientId: this.clientId, err: String(e), cmd: p.cmd }, 'mqtt: packet handling failed');
      this.fail(RC.UNSPECIFIED_ERROR, 'internal error');
    }
  }

  readError(kind: ReadErrorKind, message: string, cmd: string | undefined): void {
    this.flushDeferred();
    if (this.phase === 'new' || this.phase === 'authenticating') {
      if (cmd === 'connect' && message === 'Invalid protocol version') {
        // [MQTT-3.1.2-2] unacceptable protocol level: CONNACK 0x01, then close
        connackFailure(this, 4, RC.UNSUPPORTED_PROTOCOL_VERSION);
        return;
      }
      if (kind === 'too_large' && this.version === 5) {
        connackFailure(this, 5, RC.PACKET_TOO_LARGE);
        return;
      }
      this.closeNow(message);
      return;
    }
    const reason = kind === 'too_large' ? RC.PACKET_TOO_LARGE : kind === 'protocol' ? RC.PROTOCOL_ERROR : RC.MALFORMED_PACKET;
    this.fail(reason, message);
  }

  keepaliveTimeout(): void {
    this.log.info({ clientId: this.clientId }, 'mqtt: keepalive timeout');
    this.fail(RC.KEEP_ALIVE_TIMEOUT, 'keepalive timeout');
  }

  loginTimeout(): void {
    if (this.phase === 'new' || this.phase === 'authenticating') this.closeNow('no CONNECT within the login timeout');
  }

  drained(): void {
    if (this._consumers) for (const h of this._consumers.values()) h.resume();
  }

  closed(err?: Error): void {
    this.flushDeferred();
    if (err) this.log.debug({ clientId: this.clientId, err: err.message }, 'mqtt: transport error');
    this.onClosed(this);
    this.cleanup(true);
  }

  // ------------------------------------------------------------ SessionEvents (core → adapter)

  confirmed(ids: readonly number[]): void {
    this.onConfirmed(ids);
  }

  rejected(ids: readonly number[], code: ErrorCode): void {
    this.onRejected(ids, code);
  }

  blocked(): void {
    this.setAlarm(true);
  }

  unblocked(): void {
    this.setAlarm(false);
  }

  // ------------------------------------------------------------ sending

  send(p: Packet): boolean {
    if (this.conn.isClosing) return false;
    return this.conn.write(encode(p, this.version));
  }

  /** Protocol error: v5 DISCONNECT with `reason` (only once connected [MQTT-4.13.2-1 (v5)]), then close. */
  fail(reason: number, message: string): void {
    this.flushDeferred();
    if (this.phase === 'closed') return;
    this.log.info({ clientId: this.clientId, reason, message }, 'mqtt: closing connection');
    if (this.version === 5 && this.phase === 'connected') {
      this.send({ cmd: 'disconnect', reasonCode: reason, properties: { reasonString: message } } as Packet);
    }
    this.cleanup(true);
    this.conn.end();
  }

  /** Close without any packet (before CONNECT, v3/v4 violations). */
  closeNow(message: string): void {
    this.flushDeferred();
    if (this.phase === 'closed') return;
    this.log.info({ clientId: this.clientId, message }, 'mqtt: closing connection');
    this.cleanup(true);
    this.conn.end();
  }

  /** Another connection took this client id [MQTT-3.1.4-2]: v5 DISCONNECT 0x8E. */
  takeover(): void {
    this.fail(RC.SESSION_TAKEN_OVER, 'session taken over');
  }

  /** Adapter shutdown: v5 DISCONNECT 0x8B. */
  shutdown(): void {
    this.fail(RC.SERVER_SHUTTING_DOWN, 'server shutting down');
  }

  // ------------------------------------------------------------ resource alarms

  /**
   * Core resource alarm (memory/disk). As RabbitMQ's MQTT reader does, only a
   * connection that has published stops being read; subscribers keep
   * reading, so their PUBACK/PUBREC/PUBCOMP keep flowing and queues drain.
   * The keepalive check is suspended while reading is paused (connection.ts).
   */
  setAlarm(on: boolean): void {
    this.alarm = on;
    this.conn.throttle('blocked', on && this.hasPublished);
  }

  /** Called for every inbound PUBLISH: the first one under an alarm blocks the connection after it is handled. */
  notePublished(): void {
    if (this.hasPublished) return;
    this.hasPublished = true;
    if (this.alarm) this.conn.throttle('blocked', true);
  }

  // ------------------------------------------------------------ inbound publish confirms (inbound.ts)

  publishToCore(msg: Message, packetId: number, qos: QoS): number {
    const s = this.session!;
    if (qos === 0) return s.publish(msg).routed;
    const confirmId = this.inbound.begin(packetId, qos);
    let r;
    try {
      r = s.publish(msg, { confirmId });
    } catch (e) {
      this.inbound.cancel(confirmId);
      throw e;
    }
    this.inbound.setRouted(confirmId, r.routed);
    if (this.inbound.size >= this.ctx.opts.maxUnconfirmed) this.conn.throttle('confirms', true);
    return r.routed;
  }

  /** Publishes awaiting a confirm (inbound QoS 1/2 not yet acknowledged). */
  get unconfirmed(): number {
    return this.inbound.size;
  }

  /** v5 Receive Maximum accounting: QoS 1 until PUBACK, QoS 2 until PUBCOMP (PUBREL received) [MQTT-3.3.4-9 (v5)] */
  get inboundInFlight(): number {
    return this.inbound.qos1Size + (this.state?.inboundQos2.size ?? 0);
  }

  isPendingQos2(packetId: number): boolean {
    return this.inbound.hasQos2(packetId);
  }

  onConfirmed(ids: readonly number[]): void {
    confirmInbound(this, ids);
  }

  onRejected(ids: readonly number[], code: ErrorCode): void {
    rejectInbound(this, ids, code);
  }

  /** The latest inbound publish also waits for `stored` before it is acknowledged (inbound-acks.ts). */
  holdLastPublish(stored: Promise<void>): void {
    holdLastPublish(this, stored);
  }

  /** Forgets an inbound QoS 2 packet id (PUBREL, or its publish failed). true when it was known. */
  releaseInboundQos2(id: number): boolean {
    const state = this.state;
    if (!state?.inboundQos2.delete(id)) return false;
    if (this.persistent) this.ctx.durable?.removeInboundQos2(state, id);
    return true;
  }

  // ------------------------------------------------------------ cleanup

  /**
   * Runs once when the connection ends. `abnormal`: no DISCONNECT was
   * received, so the will is published (or scheduled) [MQTT-3.1.2-8].
   */
  cleanup(abnormal: boolean): void {
    if (this.cleaned) return;
    this.flushDeferred(); // may end the connection itself (a deferred DISCONNECT)
    if (this.cleaned) return;
    this.cleaned = true;
    const wasConnected = this.phase === 'connected';
    this.phase = 'closed';
    this.conn.reader.stop();
    if (wasConnected) {
      if (this.ctx.live.get(this.key) === this) this.ctx.live.delete(this.key);
      const will = this.will;
      this.will = undefined;
      const state = this.state!;
      if (will && abnormal) {
        const delay = Math.min(will.delaySeconds, this.persistent ? state.expirySeconds : 0);
        if (delay > 0) this.ctx.scheduleWill(state.vhost, this.user!, state.clientId, will, delay * 1000);
        else this.ctx.publishWill(this.vhost, this.user!, this.clientId, will, this._session);
      }
      if (this.persistent && state.expirySeconds > 0) {
        this.ctx.sessions.put(state);
        this.ctx.saveSession(state, Date.now());
        this.ctx.scheduleExpiry(state, state.expirySeconds * 1000);
      } else {
        try {
          this.ctx.endSession(state, this._session);
        } catch (e) {
          this.log.warn({ clientId: this.clientId, err: String(e) }, 'mqtt: session cleanup failed');
        }
      }
    }
    try {
      this.coreConn?.close(); // requeues unacked deliveries, deletes exclusive queues
    } catch (e) {
      this.log.warn({ clientId: this.clientId, err: String(e) }, 'mqtt: core connection close failed');
    }
    this._session = undefined;
    this.coreConn = undefined;
    this.onGone(this);
  }
}

/** setImmediate callback of Processor.packet (a module function: no closure per connection) */
function runDeferred(p: Processor): void {
  p.flushDeferred();
}
