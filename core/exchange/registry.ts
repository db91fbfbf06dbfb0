/**
 * Exchange type registry: type name → router factory. Unknown types are
 * refused by the declare path with COMMAND_INVALID "unknown exchange type 'x'"
 * (RabbitMQ `rabbit_exchange:check_type/1`, AMQP 503).
 */
import { DirectRouter } from './direct.js';
import type { ExchangeRouter } from './exchange.js';
import { FanoutRouter } from './fanout.js';
import { HeadersRouter } from './headers.js';
import { TopicRouter } from './topic.js';

const FACTORIES: ReadonlyMap<string, () => ExchangeRouter> = new Map<string, () => ExchangeRouter>([
  ['direct', () => new DirectRouter()],
  ['fanout', () => new FanoutRouter()],
  ['topic', () => new TopicRouter()],
  ['headers', () => new HeadersRouter()],
]);

export function isKnownExchangeType(type: string): boolean {
  return FACTORIES.has(type);
}

/** undefined for an unknown type */
export function createRouter(type: string): ExchangeRouter | undefined {
  return FACTORIES.get(type)?.();
}
