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
 */
import type { Exchange, RouteTarget } from './exchange/exchange.js';
import type { FieldTable } from './field-table.js';
import type { VHost } from './vhost.js';

export function route(vh: VHost, start: Exchange, keys: readonly string[], headers: FieldTable | undefined): Set<string> {
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
