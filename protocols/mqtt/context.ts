/**
 * State shared by every MQTT connection of one adapter: options, the core,
 * the live client-id registry (takeover), persistent session states,
 * retained messages, delayed wills and shared-subscription membership.
 */
import type { AuthUser, Core, CoreSession, Message } from '../../core/index.js';
import type { MqttDurableState } from './durable-state.js';
import type { AuthMethodRegistry } from './handlers/auth.js';
import type { ResolvedOptions } from './options.js';
import type { RetainedIndex } from './retained.js';
import type { SessionState, SessionStore } from './session.js';
import { queueName } from './session.js';
import type { WillSpec } from './will.js';
import { WillScheduler } from './will.js';

/** What the registry needs of a live connection. */
export interface LiveClient {
  takeover(): void;
}

export const NOOP_EVENTS = {
  confirmed(): void {},
  rejected(): void {},
  blocked(): void {},
  unblocked(): void {},
};

export class AdapterContext {
  readonly core: Core;
  readonly opts: ResolvedOptions;
  readonly live = new Map<string, LiveClient>();
  readonly sessions: SessionStore;
  readonly retained: RetainedIndex;
  readonly wills = new WillScheduler();
  /** v5 enhanced authentication methods by name */
  readonly authMethods: AuthMethodRegistry;
  /** `${vhost}\0${sharedQueue}` → client ids whose sessions subscribe through it */
  readonly sharedMembers = new Map<string, Set<string>>();
  /** publish time of messages with an expiry (for the remaining Message Expiry Interval) */
  readonly publishedAt = new WeakMap<Message, number>();
  /** the on-disk side of sessions, retained messages and delayed wills (undefined: in memory only) */
  readonly durable: MqttDurableState | undefined;
  private nextAssigned = 1;

  constructor(
    core: Core,
    opts: ResolvedOptions,
    sessions: SessionStore,
    retained: RetainedIndex,
    authMethods: AuthMethodRegistry,
    durable?: MqttDurableState,
  ) {
    this.core = core;
    this.authMethods = authMethods;
    this.opts = opts;
    this.sessions = sessions;
    this.retained = retained;
    this.durable = durable;
  }

  static key(vhost: string, clientId: string): string {
    return `${vhost}\u0000${clientId}`;
  }

  assignClientId(): string {
    return `polyport-${process.pid.toString(36)}-${Date.now().toString(36)}-${(this.nextAssigned++).toString(36)}`;
  }

  /** Runs `fn` on a short-lived core session as `user` (delayed wills, session expiry). */
  withSession(vhost: string, user: AuthUser, clientId: string, fn: (s: CoreSession) => void): void {
    let conn;
    try {
      conn = this.core.openConnection({ vhost, user, protocol: 'mqtt', remoteAddress: 'internal', clientProperties: { clientId } });
    } catch (e) {
      this.opts.logger.warn({ vhost, clientId, err: String(e) }, 'mqtt: cannot open an internal session');
      return;
    }
    try {
      fn(conn.openSession(NOOP_EVENTS));
    } catch (e) {
      this.opts.logger.warn({ vhost, clientId, err: String(e) }, 'mqtt: internal session failed');
    } finally {
      conn.close();
    }
  }

  /** A will published `delayMs` from now unless the client comes back first (kept on disk meanwhile). */
  scheduleWill(vhost: string, user: AuthUser, clientId: string, will: WillSpec, delayMs: number, persist = true): void {
    if (persist) this.durable?.putWill(vhost, clientId, user, Date.now() + delayMs, will);
    this.wills.schedule(AdapterContext.key(vhost, clientId), delayMs, () => {
      this.durable?.deleteWill(vhost, clientId);
      this.publishWill(vhost, user, clientId, will);
    });
  }

  /** The client reconnected: its pending will is dropped [MQTT-3.1.3-9 (v5)]. */
  cancelWill(vhost: string, clientId: string): void {
    if (this.wills.cancel(AdapterContext.key(vhost, clientId))) this.durable?.deleteWill(vhost, clientId);
  }

  /** Ends an offline persistent session after `ms`; a will still pending is published then [MQTT-3.1.3-9 (v5)]. */
  scheduleExpiry(state: SessionState, ms: number): void {
    if (state.expiryTimer) clearTimeout(state.expiryTimer);
    state.expiryTimer = setTimeout(() => {
      state.expiryTimer = undefined;
      this.wills.fireNow(AdapterContext.key(state.vhost, state.clientId));
      this.endSession(state);
    }, Math.max(0, Math.min(ms, 2_147_483_647)));
    state.expiryTimer.unref();
  }

  /** Writes a persistent session's record (no-op without a durable store). */
  saveSession(state: SessionState, offlineAt?: number): void {
    void this.durable?.saveSession(state, offlineAt);
  }

  publishWill(vhost: string, user: AuthUser, clientId: string, will: WillSpec, session?: CoreSession): void {
    const run = (s: CoreSession): void => {
      if (will.retain) this.retained.forVhost(vhost).set(will.topic, will.message);
      if (will.message.properties.expiration !== undefined) this.publishedAt.set(will.message, Date.now());
      s.publish(will.message);
    };
    if (session) {
      try {
        run(session);
      } catch (e) {
        this.opts.logger.warn({ vhost, clientId, err: String(e) }, 'mqtt: will not published');
      }
    } else this.withSession(vhost, user, clientId, run);
  }

  /** Leave a shared group; the group's queue is deleted with its last member. */
  leaveShared(vhost: string, queue: string, clientId: string, s: CoreSession | undefined, user: AuthUser): void {
    const k = AdapterContext.key(vhost, queue);
    const members = this.sharedMembers.get(k);
    if (!members) return;
    members.delete(clientId);
    if (members.size > 0) return;
    this.sharedMembers.delete(k);
    const del = (cs: CoreSession): void => void cs.deleteQueue(queue);
    if (s) {
      try {
        del(s);
      } catch {
        /* already gone */
      }
    } else this.withSession(vhost, user, clientId, del);
  }

  joinShared(vhost: string, queue: string, clientId: string): void {
    const k = AdapterContext.key(vhost, queue);
    let m = this.sharedMembers.get(k);
    if (!m) this.sharedMembers.set(k, (m = new Set()));
    m.add(clientId);
  }

  /** Ends an offline persistent session: its queues and shared memberships go. */
  endSession(state: SessionState, s?: CoreSession): void {
    if (state.expiryTimer) clearTimeout(state.expiryTimer);
    state.expiryTimer = undefined;
    this.sessions.delete(state.vhost, state.clientId);
    this.durable?.deleteSession(state);
    const own = new Set<string>([queueName(state.clientId, 'qos0'), queueName(state.clientId, 'qos1')]);
    for (const sub of state.subscriptions.values()) {
      if (sub.kind === 'shared') this.leaveShared(state.vhost, sub.queue, state.clientId, s, state.user);
      else own.add(sub.queue);
    }
    const del = (cs: CoreSession): void => {
      for (const q of own) {
        try {
          cs.deleteQueue(q);
        } catch {
          /* exclusive to another connection or gone */
        }
      }
    };
    if (s) del(s);
    else this.withSession(state.vhost, state.user, state.clientId, del);
  }
}
