/**
 * VHost: one virtual host's topology state and its structural operations.
 *
 * - maps of exchanges and queues, and an index of bindings by destination;
 * - the predeclared exchanges: '' (default, direct semantics by queue name),
 *   amq.direct, amq.fanout, amq.topic, amq.headers, amq.match — all durable;
 * - create/remove of exchanges, queues and bindings with RabbitMQ's cascades:
 *   removing a queue or exchange removes every binding that mentions it, and
 *   an auto-delete exchange goes away when it loses its last binding as a
 *   source; an auto-delete queue goes away when its last consumer leaves.
 * - policies and operator policies of this vhost (policy.ts): the effective
 *   settings of every queue and the policy alternate exchange of every
 *   exchange are recomputed when a policy changes and at create;
 * - dead-lettering: routes a queue's dead-lettered copy from its DLX
 *   (queue/dead-letter.ts builds it; a missing DLX drops it silently, and
 *   death cycles are skipped per target queue, as RabbitMQ);
 * - limits (max-connections checked by the broker, max-queues here).
 * Permission checks and AMQP-visible rules live in topology.ts (the verbs);
 * routing lives in router.ts.
 */
import type { VhostLimits } from './api.js';
import type { DurabilityHooks } from './durable/hooks.js';
import type { FieldTable } from './field-table.js';
import type { UserStore } from './access.js';
import { BrokerError } from './errors.js';
import { DefaultRouter } from './exchange/default.js';
import { DelayedRouter, delayOf } from './exchange/delayed.js';
import type { Binding, ExchangeProps } from './exchange/exchange.js';
import { Exchange, bindingId, destinationKey } from './exchange/exchange.js';
import { createRouter } from './exchange/registry.js';
import type { ResourceKind } from './names.js';
import type { Message } from './message.js';
import { describe } from './names.js';
import { PolicySet, effectiveQueueSettings, policyAlternate } from './policy.js';
import { deliverToExchange } from './publish.js';
import { isDeathCycle, makeDeadLettered } from './queue/dead-letter.js';
import type { DeadLetterReason, QueueHooks, QueueProps } from './queue/queue.js';
import { Queue } from './queue/queue.js';

const PREDECLARED: readonly [string, string][] = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

export class VHost {
  readonly name: string;
  readonly access: UserStore;
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** destinationKey → bindings that point at it */
  private readonly byDestination = new Map<string, Set<Binding>>();
  /** connection id → exclusive queues it owns */
  private readonly owned = new Map<string, Set<Queue>>();
  readonly policies = new PolicySet();
  readonly operatorPolicies = new PolicySet();
  /** exchange name → alternate exchange set by a policy (used when the argument is absent) */
  private readonly policyAlternates = new Map<string, string>();
  limits: VhostLimits = {};
  private readonly queueHooks: QueueHooks = {
    unused: (q: Queue): void => void this.removeQueue(q),
    deadLetter: (q, m, reason) => this.deadLetter(q, m, reason),
  };

  readonly durability: DurabilityHooks | undefined;

  constructor(name: string, access: UserStore, durability?: DurabilityHooks) {
    this.name = name;
    this.access = access;
    this.durability = durability;
    const def = new Exchange(
      { name: '', type: 'direct', durable: true, autoDelete: false, internal: false, args: {} },
      new DefaultRouter((q) => this.queues.has(q)),
    );
    this.exchanges.set('', def);
    for (const [n, type] of PREDECLARED) {
      this.createExchange({ name: n, type, durable: true, autoDelete: false, internal: false, args: {} });
    }
  }

  describe(kind: ResourceKind, name: string): string {
    return describe(kind, name, this.name);
  }

  notFound(kind: ResourceKind, name: string): BrokerError {
    return new BrokerError('NOT_FOUND', `no ${this.describe(kind, name)}`);
  }

  exchangeOrDie(name: string): Exchange {
    const x = this.exchanges.get(name);
    if (!x) throw this.notFound('exchange', name);
    return x;
  }

  queueOrDie(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw this.notFound('queue', name);
    return q;
  }

  /**
   * RabbitMQ check_exclusive_access(Q, Conn, lax): an exclusive queue is only
   * usable from its owning connection. RESOURCE_LOCKED (AMQP 405) otherwise.
   */
  checkExclusive(q: Queue, connectionId: string): void {
    if (q.owner !== null && q.owner !== connectionId) throw this.locked(q);
  }

  locked(q: Queue): BrokerError {
    return new BrokerError(
      'RESOURCE_LOCKED',
      `cannot obtain exclusive access to locked ${q.description}. It could be originally declared on another ` +
        'connection or the exclusive property value does not match that of the original declaration.',
    );
  }

  // ------------------------------------------------------------ exchanges

  /** The type must be known (checked by the caller). */
  createExchange(p: ExchangeProps): Exchange {
    const router = createRouter(p.type, p.args);
    if (!router) throw new BrokerError('COMMAND_INVALID', `unknown exchange type '${p.type}'`);
    const x = new Exchange(p, router);
    this.exchanges.set(p.name, x);
    if (p.durable && !p.name.startsWith('amq.')) this.durability?.definitionsChanged();
    if (router instanceof DelayedRouter) {
      const store = p.durable ? this.durability?.delayedStore?.(this.name, p.name, (r) => router.restore(r.message, r.due, r.delay)) : undefined;
      router.attach(p.name, (m) => void this.releaseDelayed(x, m), store);
    }
    this.applyExchangePolicy(x);
    return x;
  }

  private releaseDelayed(x: Exchange, m: Message): void {
    if (this.exchanges.get(x.name) === x) deliverToExchange(this, x, m);
  }

  removeExchange(x: Exchange): void {
    if (this.exchanges.get(x.name) !== x) return;
    this.exchanges.delete(x.name);
    this.policyAlternates.delete(x.name);
    if (x.durable) this.durability?.definitionsChanged();
    if (x.router instanceof DelayedRouter) x.router.dispose();
    for (const b of x.bindings.values()) this.unindex(b);
    x.bindings.clear();
    this.removeBindingsTo('exchange', x.name);
  }

  // ------------------------------------------------------------ queues

  /** RabbitMQ rabbit_vhost_limit: PRECONDITION_FAILED once max-queues queues exist. */
  checkQueueLimit(name: string): void {
    const max = this.limits.maxQueues;
    if (max === undefined || max < 0 || this.queues.size < max) return;
    throw new BrokerError(
      'PRECONDITION_FAILED',
      `cannot declare queue '${name}': queue limit in vhost '${this.name}' (${max}) is reached`,
    );
  }

  createQueue(p: Omit<QueueProps, 'vhost'>): Queue {
    const stored = p.durable && p.owner === null && this.durability !== undefined;
    const paging = stored ? this.durability!.paging : null; // undefined = the default budget
    const q = new Queue({ ...p, vhost: this.name, ...(paging !== undefined ? { paging } : {}) }, this.queueHooks);
    this.queues.set(p.name, q);
    if (stored && this.durability) {
      q.store = this.durability.queueStore(this.name, p.name, q);
      this.durability.definitionsChanged();
    }
    this.applyQueuePolicy(q);
    if (p.owner !== null) {
      let set = this.owned.get(p.owner);
      if (!set) this.owned.set(p.owner, (set = new Set()));
      set.add(q);
    }
    return q;
  }

  /** Deletes the queue, cancels its consumers, drops its bindings; returns the ready count. */
  removeQueue(q: Queue): number {
    if (this.queues.get(q.name) !== q) return 0;
    this.queues.delete(q.name);
    if (q.owner !== null) {
      const set = this.owned.get(q.owner);
      set?.delete(q);
      if (set?.size === 0) this.owned.delete(q.owner);
    }
    const n = q.destroy();
    if (q.store) {
      this.durability?.dropQueue(this.name, q.name);
      this.durability?.definitionsChanged();
    }
    this.removeBindingsTo('queue', q.name);
    return n;
  }

  /** Exclusive queues owned by a connection (deleted when it closes). */
  queuesOwnedBy(connectionId: string): Queue[] {
    return [...(this.owned.get(connectionId) ?? [])];
  }

  // ------------------------------------------------------------ bindings

  makeBinding(source: string, destinationType: 'queue' | 'exchange', destination: string, routingKey: string, args: FieldTable): Binding {
    return { source, destination, destinationType, routingKey, args, id: bindingId(destinationType, destination, routingKey, args) };
  }

  /** false when an identical binding exists (binding twice is a no-op) */
  addBinding(source: Exchange, b: Binding): boolean {
    source.router.validate(b);
    if (!source.addBinding(b)) return false;
    if (source.durable) this.durability?.definitionsChanged();
    const key = destinationKey(b.destinationType, b.destination);
    let set = this.byDestination.get(key);
    if (!set) this.byDestination.set(key, (set = new Set()));
    set.add(b);
    return true;
  }

  /** Missing binding → false (unbind is idempotent). Cascades exchange auto-delete. */
  removeBinding(source: Exchange, id: string): boolean {
    const b = source.removeBinding(id);
    if (!b) return false;
    if (source.durable) this.durability?.definitionsChanged();
    this.unindex(b);
    if (source.autoDelete && source.bindings.size === 0) this.removeExchange(source);
    return true;
  }

  bindingsTo(destinationType: 'queue' | 'exchange', name: string): readonly Binding[] {
    return [...(this.byDestination.get(destinationKey(destinationType, name)) ?? [])];
  }

  private unindex(b: Binding): void {
    const key = destinationKey(b.destinationType, b.destination);
    const set = this.byDestination.get(key);
    if (!set) return;
    set.delete(b);
    if (set.size === 0) this.byDestination.delete(key);
  }

  private removeBindingsTo(destinationType: 'queue' | 'exchange', name: string): void {
    for (const b of this.bindingsTo(destinationType, name)) {
      const src = this.exchanges.get(b.source);
      if (src) this.removeBinding(src, b.id);
      else this.unindex(b);
    }
  }

  // ------------------------------------------------------------ policies

  /** The alternate exchange for `x`: its argument, else its policy's, else ''. */
  alternateOf(x: Exchange): string {
    return x.alternate !== '' ? x.alternate : (this.policyAlternates.get(x.name) ?? '');
  }

  private applyQueuePolicy(q: Queue): void {
    const { settings, applied } = effectiveQueueSettings(
      q.args,
      this.policies.match('queue', q.name),
      this.operatorPolicies.match('queue', q.name),
    );
    q.configure(settings, applied);
  }

  private applyExchangePolicy(x: Exchange): void {
    const alt = policyAlternate(this.policies.match('exchange', x.name));
    if (alt === undefined) this.policyAlternates.delete(x.name);
    else this.policyAlternates.set(x.name, alt);
  }

  /** A policy was set or cleared: recompute every queue's and exchange's effective settings. */
  applyPolicies(): void {
    for (const q of [...this.queues.values()]) this.applyQueuePolicy(q);
    for (const x of this.exchanges.values()) if (x.name !== '') this.applyExchangePolicy(x);
  }

  // ------------------------------------------------------------ dead-lettering

  /** Routes the dead-lettered copy of `m` from `q`'s dead-letter exchange (at most once per target queue). */
  private deadLetter(q: Queue, m: Message, reason: DeadLetterReason): void {
    const dlxName = q.settings.deadLetterExchange;
    if (dlxName === undefined) return;
    const dlx = this.exchanges.get(dlxName);
    if (!dlx) return; // RabbitMQ: a missing dead-letter exchange drops the message
    const dl = makeDeadLettered(m, q.name, reason, dlxName, q.settings.deadLetterRoutingKey, Date.now());
    // rejected messages never form a cycle; otherwise skip queues the message already died in without a rejection
    const accept = reason === 'rejected' ? undefined : (target: Queue) => !isDeathCycle(target.name, dl.deaths);
    if (dlx.router instanceof DelayedRouter) {
      // a delayed DLX delays dead letters too (x-delay still positive on first pass, as the plugin)
      const delay = delayOf(dl.message);
      if (delay > 0) return void dlx.router.hold(dl.message, delay);
    }
    deliverToExchange(this, dlx, dl.message, undefined, 0, dl.keys, accept);
  }

  /** Deletes every queue (consumers hear QUEUE_DELETED); used when the vhost is deleted. */
  destroy(): void {
    for (const q of [...this.queues.values()]) this.removeQueue(q);
    for (const x of this.exchanges.values()) if (x.router instanceof DelayedRouter) x.router.dispose();
    this.exchanges.clear();
  }
}
