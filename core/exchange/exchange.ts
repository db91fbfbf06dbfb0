/**
 * The exchange object, the binding record, and the contract every exchange
 * type implements (RabbitMQ's `rabbit_exchange_type` behaviour, narrowed to
 * what routing needs).
 *
 * - `Binding`: source → destination (queue or exchange) with key and args.
 *   Two bindings are the same when destination, key and args are equal
 *   (RabbitMQ's #binding{} identity), so binding twice is a no-op.
 * - `ExchangeRouter`: per-type index of the exchange's bindings; `route()`
 *   adds matching destinations to a `RouteTarget` (duplicates fold).
 * - `Exchange`: declared properties plus the source-side binding map.
 */
import type { ExchangeSummary } from '../api.js';
import type { FieldTable, FieldValue } from '../field-table.js';
import { fieldString } from '../field-table.js';

export interface Binding {
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly args: FieldTable;
  /** identity within the source exchange (see bindingId) */
  readonly id: string;
}

/** Collects names without duplicates (a Set, or the router's allocation-free list). */
export interface NameSink {
  add(name: string): unknown;
}

/** Accumulates one publish's destinations across exchanges (routers only add to it). */
export interface RouteTarget<S extends NameSink = Set<string>> {
  readonly queues: S;
  readonly exchanges: S;
}

/** What routers are given: any RouteTarget. */
export type RouteSink = RouteTarget<NameSink>;

export function addDestination(b: Binding, out: RouteSink): void {
  if (b.destinationType === 'queue') out.queues.add(b.destination);
  else out.exchanges.add(b.destination);
}

export interface ExchangeRouter {
  /** Throws BrokerError (PRECONDITION_FAILED) for binding args the type refuses. */
  validate(b: Binding): void;
  bind(b: Binding): void;
  unbind(b: Binding): void;
  route(routingKey: string, headers: FieldTable | undefined, out: RouteSink): void;
}

export interface ExchangeProps {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  args: FieldTable;
}

export class Exchange {
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly args: FieldTable;
  readonly router: ExchangeRouter;
  /** bindings with this exchange as the source, by binding id */
  readonly bindings = new Map<string, Binding>();
  /** resolved 'alternate-exchange' argument ('' when none) */
  readonly alternate: string;

  constructor(p: ExchangeProps, router: ExchangeRouter) {
    this.name = p.name;
    this.type = p.type;
    this.durable = p.durable;
    this.autoDelete = p.autoDelete;
    this.internal = p.internal;
    this.args = p.args;
    this.router = router;
    this.alternate = fieldString(p.args['alternate-exchange']) ?? '';
  }

  /** false when an identical binding already exists */
  addBinding(b: Binding): boolean {
    if (this.bindings.has(b.id)) return false;
    this.router.bind(b);
    this.bindings.set(b.id, b);
    return true;
  }

  /** false when there was no such binding */
  removeBinding(id: string): Binding | undefined {
    const b = this.bindings.get(id);
    if (!b) return undefined;
    this.bindings.delete(id);
    this.router.unbind(b);
    return b;
  }

  summary(): ExchangeSummary {
    return {
      name: this.name,
      type: this.type,
      durable: this.durable,
      autoDelete: this.autoDelete,
      internal: this.internal,
      args: this.args,
    };
  }
}

// ---------------------------------------------------------------- binding identity

function canonicalValue(v: FieldValue): string {
  switch (v.type) {
    case 'string':
      return `s:${typeof v.value === 'string' ? Buffer.from(v.value).toString('base64') : v.value.toString('base64')}`;
    case 'bytes':
      return `x:${v.value.toString('base64')}`;
    case 'int64': case 'uint64': case 'timestamp':
      return `${v.type}:${v.value.toString()}`;
    case 'decimal':
      return `d:${v.value.scale}/${v.value.digits}`;
    case 'array':
      return `[${v.value.map(canonicalValue).join(',')}]`;
    case 'table':
      return canonicalTable(v.value);
    case 'void':
      return 'v';
    default:
      return `${v.type}:${String(v.value)}`;
  }
}

/** Order-independent, type-preserving text form of a table. */
export function canonicalTable(t: FieldTable): string {
  const keys = Object.keys(t).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}=${canonicalValue(t[k]!)}`).join(',')}}`;
}

export function bindingId(destinationType: 'queue' | 'exchange', destination: string, routingKey: string, args: FieldTable): string {
  return `${destinationType === 'queue' ? 'q' : 'e'}\u0000${destination}\u0000${routingKey}\u0000${canonicalTable(args)}`;
}

/** Key for indexes of bindings by destination. */
export function destinationKey(destinationType: 'queue' | 'exchange', destination: string): string {
  return `${destinationType === 'queue' ? 'q' : 'e'}\u0000${destination}`;
}
