/**
 * Routing: which queues a publish reaches (RabbitMQ `rabbit_exchange:route/2`).
 *
 * - The exchange's type routes every routing key of the message (the key
 *   itself plus CC and BCC header keys, RabbitMQ sender-selected distribution).
 * - Exchange-to-exchange bindings are followed breadth-first with a seen set,
 *   so cycles terminate and each exchange routes once per publish.
 * - When an exchange's own routing yields nothing and it has an
 *   alternate exchange — its 'alternate-exchange' argument, else the one set
 *   by a policy (docs/ae.md: the argument wins) — the alternate is routed
 *   instead (chains followed, cycles stopped by the same seen set; a missing
 *   alternate is ignored).
 * - Queues are collected in a set: a message reaches each queue at most once.
 * - The result is the one queue's name when there is exactly one (the common
 *   case, without an array), else the queue names.
 */
import type { Exchange, RouteTarget } from './exchange/exchange.js';
import type { FieldTable } from './field-table.js';
import type { VHost } from './vhost.js';

/**
 * Names in insertion order without duplicates, emptied without allocating
 * (Set.clear() allocates a new table, and a publish used to allocate four
 * Sets: most of a small message's garbage). Linear search while small, a
 * Set beyond that (a fanout to many queues).
 */
class NameList {
  readonly items: string[] = [];
  size = 0;
  private index: Set<string> | undefined;

  add(name: string): void {
    const items = this.items;
    if (this.index !== undefined) {
      if (this.index.has(name)) return;
      this.index.add(name);
    } else {
      for (let i = 0; i < this.size; i++) if (items[i] === name) return;
      if (this.size === 8) this.index = new Set(items.slice(0, 8)).add(name);
    }
    items[this.size++] = name;
  }

  reset(): void {
    this.size = 0; // stale names past `size` are only queue/exchange names
    this.index = undefined;
  }
}

/**
 * The first exchange's destinations, reused by every call. Safe because
 * exchange routers only collect names (no callbacks), and the result is
 * taken out before the caller enqueues (enqueue can dead-letter, which
 * routes again).
 */
const first = { queues: new NameList(), exchanges: new NameList() };

export function route(vh: VHost, start: Exchange, keys: string | readonly string[], headers: FieldTable | undefined): string | Iterable<string> {
  const { queues, exchanges } = first;
  queues.reset();
  exchanges.reset();
  if (typeof keys === 'string') start.router.route(keys, headers, first);
  else for (const k of keys) start.router.route(k, headers, first);
  // common case: queues only, no exchange-to-exchange binding, no alternate to consult
  if (exchanges.size === 0) {
    const n = queues.size;
    if (n === 1) return queues.items[0]!;
    if (n > 1) return queues.items.slice(0, n);
    if (vh.alternateOf(start) === '') return NONE;
  }
  return routeAll(vh, start, typeof keys === 'string' ? [keys] : keys, headers);
}

const NONE: readonly string[] = [];

function routeAll(vh: VHost, start: Exchange, keys: readonly string[], headers: FieldTable | undefined): Set<string> {
  const queues = new Set<string>();
  const local: RouteTarget = { queues: new Set(), exchanges: new Set() };
  const seen = new Set<string>([start.name]);
  const work: Exchange[] = [start];
  for (let i = 0; i < work.length; i++) {
    const x = work[i]!;
    local.queues.clear();
    local.exchanges.clear();
    for (const k of keys) x.router.route(k, headers, local);
    if (local.queues.size === 0 && local.exchanges.size === 0) {
      const alternate = vh.alternateOf(x);
      if (alternate !== '') local.exchanges.add(alternate);
    }
    for (const q of local.queues) queues.add(q);
    for (const name of local.exchanges) {
      if (seen.has(name)) continue;
      seen.add(name);
      const next = vh.exchanges.get(name);
      if (next) work.push(next);
    }
  }
  return queues;
}
