/**
 * MQTT session state.
 *
 * `SessionState` is what outlives a connection for persistent sessions
 * (clean session 0 / v5 Session Expiry Interval > 0): the subscriptions
 * (with their MQTT options, which the core's bindings do not carry), the
 * inbound QoS 2 packet ids already routed and awaiting PUBREL (so a
 * re-sent PUBLISH after reconnect is not routed twice [MQTT-4.3.3-10]), and
 * outbound QoS 2 packet ids awaiting PUBCOMP [MQTT-4.4.0-1]. `SessionStore`
 * keeps them per (vhost, client id) — in memory now, an interface so it can
 * move to the definitions store.
 *
 * `Outbound` is per connection: packet id allocation (1..65535, never one in
 * use [MQTT-2.2.1-3]) and the in-flight map packet id → core delivery tag.
 * The window is enforced by the core: consumer credit = min(prefetch,
 * Receive Maximum) and session credit = Receive Maximum [MQTT-3.3.4-9].
 */
import type { AuthUser } from '../../core/index.js';
import type { QoS } from 'mqtt-packet';

export type QueueKind = 'qos0' | 'qos1' | 'shared';

export interface Subscription {
  /** the filter as the client sent it (with $share prefix) */
  readonly raw: string;
  /** filter without the $share prefix */
  readonly filter: string;
  readonly group: string | undefined;
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: number;
  readonly subscriptionId: number | undefined;
  /** core queue it is bound to, and the binding key */
  readonly queue: string;
  readonly kind: QueueKind;
  readonly bindingKey: string;
}

export interface SessionState {
  readonly vhost: string;
  readonly clientId: string;
  user: AuthUser;
  readonly subscriptions: Map<string, Subscription>;
  readonly inboundQos2: Set<number>;
  readonly outboundPubrel: Set<number>;
  /** seconds the session lasts after the connection closes (0 = ends with it) */
  expirySeconds: number;
  /** timer that ends an offline session */
  expiryTimer: NodeJS.Timeout | undefined;
}

/** Session state whose collections are created on first use (an idle clean session holds none). */
class LazySessionState implements SessionState {
  readonly vhost: string;
  readonly clientId: string;
  user: AuthUser;
  expirySeconds = 0;
  expiryTimer: NodeJS.Timeout | undefined = undefined;
  private _subscriptions: Map<string, Subscription> | undefined;
  private _inboundQos2: Set<number> | undefined;
  private _outboundPubrel: Set<number> | undefined;

  constructor(vhost: string, clientId: string, user: AuthUser) {
    this.vhost = vhost;
    this.clientId = clientId;
    this.user = user;
  }

  get subscriptions(): Map<string, Subscription> {
    return (this._subscriptions ??= new Map());
  }
  get inboundQos2(): Set<number> {
    return (this._inboundQos2 ??= new Set());
  }
  get outboundPubrel(): Set<number> {
    return (this._outboundPubrel ??= new Set());
  }
  /** no subscriptions (without creating the map) */
  get unsubscribed(): boolean {
    return (this._subscriptions?.size ?? 0) === 0;
  }
}

export function newSessionState(vhost: string, clientId: string, user: AuthUser): SessionState {
  return new LazySessionState(vhost, clientId, user);
}

export interface SessionStore {
  get(vhost: string, clientId: string): SessionState | undefined;
  put(s: SessionState): void;
  delete(vhost: string, clientId: string): void;
  /** every stored session (for shutdown and shared-group bookkeeping) */
  all(): Iterable<SessionState>;
}

export function memorySessionStore(): SessionStore {
  const m = new Map<string, SessionState>();
  const key = (v: string, c: string): string => `${v}\u0000${c}`;
  return {
    get: (v, c) => m.get(key(v, c)),
    put: (s) => void m.set(key(s.vhost, s.clientId), s),
    delete: (v, c) => void m.delete(key(v, c)),
    all: () => m.values(),
  };
}

/** Queue names as RabbitMQ gives them (rabbit_mqtt_util). */
export function queueName(clientId: string, kind: 'qos0' | 'qos1'): string {
  return `mqtt-subscription-${clientId}${kind}`;
}

export function sharedQueueName(group: string, bindingKey: string): string {
  return `mqtt-shared-${group}-${bindingKey}`;
}

export interface InFlight {
  readonly tag: number;
  readonly qos: QoS;
  /** the consumer it came from (shared queues: its unacked deliveries are requeued on unsubscribe) */
  readonly queue: string;
}

export class Outbound {
  readonly inflight = new Map<number, InFlight>();
  private next = 1;

  /** A free packet id, not in flight nor in `pubrel` (awaiting PUBCOMP); the caller guarantees the window is below 65535 (credit). */
  allocate(pubrel?: ReadonlySet<number>): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.next;
      this.next = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id) && !(pubrel !== undefined && pubrel.size > 0 && pubrel.has(id))) return id;
    }
    throw new Error('no free packet identifier');
  }
}
