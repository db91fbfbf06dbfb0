/**
 * Topology verbs as a client sees them: exchange/queue declare and delete,
 * purge, bind and unbind, with RabbitMQ's checks in RabbitMQ's order
 * (rabbit_channel handle_method for exchange.* and queue.*):
 * - default exchange: any declare/delete/bind touching '' → ACCESS_REFUSED
 *   "operation not permitted on the default exchange";
 * - reserved 'amq.' prefix for new names → ACCESS_REFUSED; deleting an amq.*
 *   exchange → ACCESS_REFUSED "deletion of system exchange … not allowed";
 * - permissions: declare/delete → configure; queue bind → write on the queue,
 *   read on the exchange; purge → read; bind/unbind from an existing topic
 *   exchange → the read topic permission on the binding key (binding_action);
 * - passive declare: existence only (NOT_FOUND), no permission check;
 * - redeclare: equivalence (equivalence.ts), exclusivity (RESOURCE_LOCKED);
 *   a redeclare (active or passive) counts as queue use for x-expires;
 * - new queues: argument validation (queue/args.ts), then the vhost's
 *   max-queues limit; new x-delayed-message exchanges: 'x-delayed-type';
 * - delete and unbind are idempotent.
 */
import type { BindingDecl, ExchangeDecl, QueueDecl, QueueInfo } from './api.js';
import { BrokerError } from './errors.js';
import { DELAYED_TYPE } from './exchange/delayed.js';
import { checkDelayedType, isKnownExchangeType } from './exchange/registry.js';
import {
  EXCHANGE_EQUIVALENCE_ARGS,
  QUEUE_EQUIVALENCE_ARGS,
  TYPE_NAMES,
  assertArgsEquivalence,
  assertFieldEquivalence,
} from './equivalence.js';
import type { FieldTable } from './field-table.js';
import { F, fieldString } from './field-table.js';
import { RESERVED_PREFIX, generateQueueName } from './names.js';
import { validateQueueArgs } from './queue/args.js';
import type { Queue } from './queue/queue.js';
import type { VHost } from './vhost.js';

/** Who performs a verb: the authenticated user and the connection (exclusive ownership). */
export interface Actor {
  readonly user: string;
  readonly connectionId: string;
  /** the `{client_id}` of topic permissions (MQTT); undefined otherwise */
  readonly clientId?: string | undefined;
}

function defaultExchangeRefused(): BrokerError {
  return new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
}

function reservedName(kind: 'exchange' | 'queue', name: string): BrokerError {
  return new BrokerError('ACCESS_REFUSED', `${kind} name '${name}' contains reserved prefix 'amq.*'`);
}

/** Checks the optional string argument naming another exchange (alternate-exchange, x-dead-letter-exchange). */
function exchangeArg(what: string, args: FieldTable, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  const s = fieldString(v);
  // rabbit_channel: "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'"
  if (s === undefined) throw new BrokerError('PRECONDITION_FAILED', `invalid type '${TYPE_NAMES[v.type]}' for arg '${key}' in ${what}`);
  return s;
}

// ---------------------------------------------------------------- exchanges

export function declareExchange(vh: VHost, actor: Actor, d: ExchangeDecl): void {
  if (d.passive) {
    if (d.name === '') throw defaultExchangeRefused();
    vh.exchangeOrDie(d.name);
    return;
  }
  if (!isKnownExchangeType(d.type)) throw new BrokerError('COMMAND_INVALID', `unknown exchange type '${d.type}'`);
  if (d.name === '') throw defaultExchangeRefused();
  vh.access.check(actor.user, vh.name, 'configure', 'exchange', d.name);
  const durable = d.durable ?? false;
  const autoDelete = d.autoDelete ?? false;
  const internal = d.internal ?? false;
  const args = d.args ?? {};
  const what = vh.describe('exchange', d.name);
  const x = vh.exchanges.get(d.name);
  if (!x) {
    if (d.name.startsWith(RESERVED_PREFIX)) throw reservedName('exchange', d.name);
    if (d.type === DELAYED_TYPE) checkDelayedType(args);
    const ae = exchangeArg(what, args, 'alternate-exchange');
    if (ae !== undefined) {
      // RabbitMQ: read on the declared exchange, write on the alternate
      vh.access.check(actor.user, vh.name, 'read', 'exchange', d.name);
      vh.access.check(actor.user, vh.name, 'write', 'exchange', ae);
    }
    vh.createExchange({ name: d.name, type: d.type, durable, autoDelete, internal, args });
    return;
  }
  assertFieldEquivalence(what, 'type', x.type, d.type);
  assertFieldEquivalence(what, 'durable', x.durable, durable);
  assertFieldEquivalence(what, 'auto_delete', x.autoDelete, autoDelete);
  assertFieldEquivalence(what, 'internal', x.internal, internal);
  assertArgsEquivalence(what, x.args, args, EXCHANGE_EQUIVALENCE_ARGS);
}

export function deleteExchange(vh: VHost, actor: Actor, name: string, ifUnused: boolean): void {
  if (name === '') throw defaultExchangeRefused();
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new BrokerError('ACCESS_REFUSED', `deletion of system ${vh.describe('exchange', name)} not allowed`);
  }
  vh.access.check(actor.user, vh.name, 'configure', 'exchange', name);
  const x = vh.exchanges.get(name);
  if (!x) return; // idempotent (RabbitMQ 3.x)
  if (ifUnused && x.bindings.size > 0) {
    throw new BrokerError('PRECONDITION_FAILED', `${vh.describe('exchange', name)} in use`);
  }
  vh.removeExchange(x);
}

// ---------------------------------------------------------------- queues

function info(q: Queue): QueueInfo {
  return { name: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount };
}

/** RabbitMQ treats a missing x-queue-type as the default type. */
const QUEUE_ARG_DEFAULTS = { 'x-queue-type': F.str('classic') };

export function declareQueue(vh: VHost, actor: Actor, d: QueueDecl): { info: QueueInfo; queue: Queue; created: boolean } {
  if (d.passive) {
    const q = vh.queueOrDie(d.name);
    vh.checkExclusive(q, actor.connectionId);
    q.touch();
    return { info: info(q), queue: q, created: false };
  }
  const name = d.name === '' ? generateQueueName() : d.name;
  vh.access.check(actor.user, vh.name, 'configure', 'queue', name);
  const durable = d.durable ?? false;
  const autoDelete = d.autoDelete ?? false;
  const owner = d.exclusive ? actor.connectionId : null;
  const args = d.args ?? {};
  const what = vh.describe('queue', name);
  const existing = vh.queues.get(name);
  if (existing) {
    // check_exclusive_access(Q, Owner, strict): owner must match exactly
    if (existing.owner !== owner) throw vh.locked(existing);
    assertFieldEquivalence(what, 'durable', existing.durable, durable);
    assertFieldEquivalence(what, 'auto_delete', existing.autoDelete, autoDelete);
    assertArgsEquivalence(what, existing.args, args, QUEUE_EQUIVALENCE_ARGS, QUEUE_ARG_DEFAULTS);
    existing.touch();
    return { info: info(existing), queue: existing, created: false };
  }
  if (d.name !== '' && name.startsWith(RESERVED_PREFIX)) throw reservedName('queue', name);
  const dlx = exchangeArg(what, args, 'x-dead-letter-exchange');
  if (dlx !== undefined) {
    // RabbitMQ: read on the queue, write on the dead-letter exchange
    vh.access.check(actor.user, vh.name, 'read', 'queue', name);
    vh.access.check(actor.user, vh.name, 'write', 'exchange', dlx);
  }
  validateQueueArgs(what, args);
  vh.checkQueueLimit(name);
  const q = vh.createQueue({ name, durable, autoDelete, owner, args });
  return { info: info(q), queue: q, created: true };
}

export function deleteQueue(vh: VHost, actor: Actor, name: string, o: { ifUnused?: boolean; ifEmpty?: boolean }): number {
  vh.access.check(actor.user, vh.name, 'configure', 'queue', name);
  const q = vh.queues.get(name);
  if (!q) return 0; // idempotent (RabbitMQ 3.x)
  vh.checkExclusive(q, actor.connectionId);
  if (o.ifUnused && q.consumerCount > 0) throw new BrokerError('PRECONDITION_FAILED', `${q.description} in use`);
  if (o.ifEmpty && q.messageCount > 0) throw new BrokerError('PRECONDITION_FAILED', `${q.description} not empty`);
  return vh.removeQueue(q);
}

export function purgeQueue(vh: VHost, actor: Actor, name: string): number {
  vh.access.check(actor.user, vh.name, 'read', 'queue', name);
  const q = vh.queueOrDie(name);
  vh.checkExclusive(q, actor.connectionId);
  return q.purge();
}

// ---------------------------------------------------------------- bindings

function bindingChecks(vh: VHost, actor: Actor, b: BindingDecl): void {
  // rabbit_channel binding_action: write on the destination, read on the source
  vh.access.check(actor.user, vh.name, 'write', b.destinationType, b.destination);
  if (b.source === '' || (b.destinationType === 'exchange' && b.destination === '')) throw defaultExchangeRefused();
  vh.access.check(actor.user, vh.name, 'read', 'exchange', b.source);
  const x = vh.exchanges.get(b.source);
  if (x?.type === 'topic') vh.access.checkTopic(actor.user, vh.name, x.name, 'read', [b.routingKey], actor.clientId);
}

function destinationExists(vh: VHost, actor: Actor, b: BindingDecl): void {
  if (b.destinationType === 'queue') vh.checkExclusive(vh.queueOrDie(b.destination), actor.connectionId);
  else vh.exchangeOrDie(b.destination);
}

export function bind(vh: VHost, actor: Actor, b: BindingDecl): void {
  bindingChecks(vh, actor, b);
  const source = vh.exchangeOrDie(b.source);
  destinationExists(vh, actor, b);
  vh.addBinding(source, vh.makeBinding(b.source, b.destinationType, b.destination, b.routingKey, b.args ?? {}));
}

export function unbind(vh: VHost, actor: Actor, b: BindingDecl): void {
  bindingChecks(vh, actor, b);
  const source = vh.exchangeOrDie(b.source);
  destinationExists(vh, actor, b);
  const probe = vh.makeBinding(b.source, b.destinationType, b.destination, b.routingKey, b.args ?? {});
  vh.removeBinding(source, probe.id); // missing binding: ok (idempotent)
}
