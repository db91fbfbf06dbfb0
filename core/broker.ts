/**
 * createCore(): assembles the routing core.
 *
 * - vhost registry (VhostManager) with the default vhost created at start;
 * - the user store (access.ts) — no user is created here: the gateway adds
 *   users and permissions from its configuration;
 * - openConnection(): NOT_ALLOWED "vhost x not found" for an unknown vhost
 *   (RabbitMQ rabbit_reader), ACCESS_REFUSED "access to vhost 'x' refused for
 *   user 'u'" without permissions, NOT_ALLOWED "access to vhost 'x' refused
 *   for user 'u': connection limit (N) is reached" at the vhost's
 *   max-connections; connection ids 'conn-<n>';
 * - vhost limits (set_vhost_limits) and the policy operations (policy-manager.ts);
 * - the flow gate (resource alarms), the direct reply-to registry, the
 *   inspector, and shutdown ordering (connections first).
 */
import type {
  ConnectionContext,
  Core,
  CoreConnection,
  CoreOptions,
  Logger,
  VhostLimits,
  VhostManager,
} from './api.js';
import { SYSTEM_USER, UserStore } from './access.js';
import type { CoreSession } from './api.js';
import type { DurabilityHooks } from './durable/hooks.js';
import { Connection } from './connection.js';
import type { ConnectionBroker } from './connection.js';
import { BrokerError } from './errors.js';
import { FlowGate } from './flow.js';
import { Inspector } from './inspect.js';
import { Policies } from './policy-manager.js';
import { ReplyRegistry } from './reply-to.js';
import { VHost } from './vhost.js';

class Broker implements Core, ConnectionBroker, VhostManager {
  readonly users: UserStore;
  readonly vhosts: VhostManager = this;
  readonly flow = new FlowGate();
  readonly replies = new ReplyRegistry();
  readonly inspect: Inspector;
  readonly policies: Policies;
  private readonly vhostMap = new Map<string, VHost>();
  private readonly connections = new Map<string, Connection>();
  private readonly log: Logger | undefined;
  private nextConnection = 1;
  private readonly durability: DurabilityHooks | undefined;

  constructor(opts: CoreOptions) {
    this.log = opts.logger?.child({ module: 'core' });
    this.durability = opts.durability;
    this.users = new UserStore(
      (name) => this.vhostMap.has(name),
      () => this.durability?.definitionsChanged(),
    );
    this.inspect = new Inspector(this.vhostMap, this.connections);
    const changed = (): void => this.durability?.definitionsChanged();
    this.policies = new Policies(this.vhostMap, { saved: changed, cleared: changed });
    this.addVhost(opts.defaultVhost ?? '/');
  }

  // ------------------------------------------------------------ VhostManager

  /** Idempotent: adding an existing vhost keeps it as it is. */
  addVhost(name: string, _o?: { description?: string }): void {
    if (this.vhostMap.has(name)) return;
    this.vhostMap.set(name, new VHost(name, this.users, this.durability));
    this.durability?.definitionsChanged();
    this.log?.info({ vhost: name }, 'vhost added');
  }

  /** Deletes every queue (consumers are cancelled) and the vhost's permissions. */
  deleteVhost(name: string): void {
    const vh = this.vhostMap.get(name);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${name}'`);
    this.vhostMap.delete(name);
    for (const c of [...this.connections.values()]) if (c.vh === vh) c.close();
    vh.destroy();
    this.users.clearVhost(name);
    this.durability?.dropVhost(name);
    this.durability?.definitionsChanged();
    this.log?.info({ vhost: name }, 'vhost deleted');
  }

  hasVhost(name: string): boolean {
    return this.vhostMap.has(name);
  }

  listVhosts(): string[] {
    return [...this.vhostMap.keys()];
  }

  setLimits(vhost: string, limits: VhostLimits): void {
    const vh = this.vhostMap.get(vhost);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    const next: VhostLimits = {};
    for (const key of ['maxConnections', 'maxQueues'] as const) {
      const v = limits[key];
      if (v === undefined) continue;
      if (!Number.isInteger(v)) throw new BrokerError('INVALID_ARGUMENT', `invalid vhost limit ${key}: ${String(v)}`);
      next[key] = v;
    }
    vh.limits = next;
    this.durability?.definitionsChanged();
  }

  getLimits(vhost: string): VhostLimits {
    const vh = this.vhostMap.get(vhost);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    return { ...vh.limits };
  }

  // ------------------------------------------------------------ connections

  openConnection(ctx: ConnectionContext): CoreConnection {
    const vh = this.vhostMap.get(ctx.vhost);
    if (!vh) throw new BrokerError('NOT_ALLOWED', `vhost ${ctx.vhost} not found`);
    if (!this.users.canAccessVhost(ctx.user.name, ctx.vhost)) {
      throw new BrokerError('ACCESS_REFUSED', `access to vhost '${ctx.vhost}' refused for user '${ctx.user.name}'`);
    }
    const max = vh.limits.maxConnections;
    if (max !== undefined && max >= 0) {
      let n = 0;
      for (const c of this.connections.values()) if (c.vh === vh) n++;
      if (n >= max) {
        throw new BrokerError(
          'NOT_ALLOWED',
          `access to vhost '${ctx.vhost}' refused for user '${ctx.user.name}': connection limit (${max}) is reached`,
        );
      }
    }
    const c = new Connection(`conn-${this.nextConnection++}`, vh, ctx, this);
    this.connections.set(c.id, c);
    return c;
  }

  systemSession(vhost: string): CoreSession {
    const vh = this.vhostMap.get(vhost);
    if (!vh) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    const user = { name: SYSTEM_USER, tags: ['administrator'] };
    const c = new Connection(`system-${this.nextConnection++}`, vh, { vhost, user, protocol: 'internal', remoteAddress: '' }, this);
    return c.openSession({ confirmed() {}, rejected() {}, blocked() {}, unblocked() {} });
  }

  connectionClosed(c: Connection): void {
    this.connections.delete(c.id);
  }

  async shutdown(): Promise<void> {
    for (const c of [...this.connections.values()]) c.close();
    for (const vh of this.vhostMap.values()) vh.destroy();
  }
}

export function createCore(opts: CoreOptions = {}): Core {
  return new Broker(opts);
}
