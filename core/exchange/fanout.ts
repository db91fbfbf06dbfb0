/**
 * Fanout exchange: every binding receives every message; keys and headers are
 * ignored (RabbitMQ `rabbit_exchange_type_fanout`).
 */
import type { Binding, ExchangeRouter, RouteSink } from './exchange.js';
import { addDestination } from './exchange.js';

export class FanoutRouter implements ExchangeRouter {
  private readonly all = new Set<Binding>();

  validate(): void {}

  bind(b: Binding): void {
    this.all.add(b);
  }

  unbind(b: Binding): void {
    this.all.delete(b);
  }

  route(_routingKey: string, _headers: unknown, out: RouteSink): void {
    for (const b of this.all) addDestination(b, out);
  }
}
