/**
 * CoreConnection: one client connection (any protocol) bound to a vhost and
 * an authenticated user. Owns its sessions and its exclusive queues; close()
 * closes every session and deletes the exclusive queues it declared
 * (RabbitMQ: exclusive queues die with their declaring connection).
 * `clientId` is `ctx.clientProperties.clientId` when it is a string (MQTT
 * sets it): the `{client_id}` variable of topic permissions.
 */
import type { AuthUser, ConnectionContext, ConnectionSummary, CoreConnection, SessionEvents } from './api.js';
import { BrokerError } from './errors.js';
import type { FlowGate } from './flow.js';
import type { ReplyRegistry } from './reply-to.js';
import { Session } from './session.js';
import type { VHost } from './vhost.js';

/** What a connection needs from the broker. */
export interface ConnectionBroker {
  readonly flow: FlowGate;
  readonly replies: ReplyRegistry;
  connectionClosed(c: Connection): void;
}

export class Connection implements CoreConnection {
  readonly id: string;
  readonly vh: VHost;
  readonly user: AuthUser;
  readonly ctx: ConnectionContext;
  readonly broker: ConnectionBroker;
  /** the client identifier for topic permission variables; undefined when the protocol has none */
  readonly clientId: string | undefined;
  private readonly sessions = new Set<Session>();
  private closed = false;

  constructor(id: string, vh: VHost, ctx: ConnectionContext, broker: ConnectionBroker) {
    this.id = id;
    this.vh = vh;
    this.user = ctx.user;
    this.ctx = ctx;
    this.broker = broker;
    const clientId = ctx.clientProperties?.['clientId'];
    this.clientId = typeof clientId === 'string' ? clientId : undefined;
  }

  get vhost(): string {
    return this.vh.name;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  openSession(events: SessionEvents): Session {
    if (this.closed) throw new BrokerError('INTERNAL_ERROR', 'connection is closed');
    const s = new Session(this, events);
    this.sessions.add(s);
    return s;
  }

  sessionClosed(s: Session): void {
    this.sessions.delete(s);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions]) s.close();
    for (const q of this.vh.queuesOwnedBy(this.id)) this.vh.removeQueue(q);
    this.broker.connectionClosed(this);
  }

  summary(): ConnectionSummary {
    return {
      id: this.id,
      vhost: this.vh.name,
      user: this.user.name,
      protocol: this.ctx.protocol,
      remoteAddress: this.ctx.remoteAddress,
      sessions: this.sessions.size,
    };
  }
}
