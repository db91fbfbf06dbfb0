/**
 * Direct exchange: a message goes to every binding whose key equals the
 * routing key exactly (RabbitMQ `rabbit_exchange_type_direct`).
 */
import type { Binding, ExchangeRouter, RouteSink } from './exchange.js';
import { addDestination } from './exchange.js';

export class DirectRouter implements ExchangeRouter {
  private readonly byKey = new Map<string, Set<Binding>>();

  validate(): void {}

  bind(b: Binding): void {
    let set = this.byKey.get(b.routingKey);
    if (!set) this.byKey.set(b.routingKey, (set = new Set()));
    set.add(b);
  }

  unbind(b: Binding): void {
    const set = this.byKey.get(b.routingKey);
    if (!set) return;
    set.delete(b);
    if (set.size === 0) this.byKey.delete(b.routingKey);
  }

  route(routingKey: string, _headers: unknown, out: RouteSink): void {
    const set = this.byKey.get(routingKey);
    if (set) for (const b of set) addDestination(b, out);
  }
}
