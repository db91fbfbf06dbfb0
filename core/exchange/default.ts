/**
 * The default exchange '' (AMQP 0-9-1 §3.1.3.1): implicitly bound to every
 * queue with the queue's name as key, so it routes a message to the queue
 * named by the routing key, if it exists. Explicit bindings are refused
 * earlier ("operation not permitted on the default exchange").
 */
import type { ExchangeRouter, RouteSink } from './exchange.js';

export class DefaultRouter implements ExchangeRouter {
  private readonly hasQueue: (name: string) => boolean;

  constructor(hasQueue: (name: string) => boolean) {
    this.hasQueue = hasQueue;
  }

  validate(): void {}
  bind(): void {}
  unbind(): void {}

  route(routingKey: string, _headers: unknown, out: RouteSink): void {
    if (this.hasQueue(routingKey)) out.queues.add(routingKey);
  }
}
