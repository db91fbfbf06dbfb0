/**
 * Exchange type registry: type name → router factory. Unknown types are
 * refused by the declare path with COMMAND_INVALID "unknown exchange type 'x'"
 * (RabbitMQ `rabbit_exchange:check_type/1`, AMQP 503).
 *
 * 'x-delayed-message' (delayed.ts) wraps the router of the type named by its
 * 'x-delayed-type' argument; the declare path validates that argument
 * (`checkDelayedType`) before the exchange is created.
 */
import { BrokerError } from '../errors.js';
import type { FieldTable } from '../field-table.js';
import { fieldString } from '../field-table.js';
import { DELAYED_TYPE, DelayedRouter } from './delayed.js';
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
  return FACTORIES.has(type) || type === DELAYED_TYPE;
}

/**
 * The delayed-message plugin's validate/1: PRECONDITION_FAILED
 * "Invalid argument, 'x-delayed-type' must be an existing exchange type",
 * or "... 'x-delayed-message' can't be used for 'x-delayed-type'".
 */
export function checkDelayedType(args: FieldTable): string {
  const t = fieldString(args['x-delayed-type']);
  if (t === DELAYED_TYPE) {
    throw new BrokerError('PRECONDITION_FAILED', "Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'");
  }
  if (t === undefined || !FACTORIES.has(t)) {
    throw new BrokerError('PRECONDITION_FAILED', "Invalid argument, 'x-delayed-type' must be an existing exchange type");
  }
  return t;
}

/** undefined for an unknown type (or a delayed exchange without a valid x-delayed-type) */
export function createRouter(type: string, args: FieldTable = {}): ExchangeRouter | undefined {
  if (type === DELAYED_TYPE) {
    const inner = fieldString(args['x-delayed-type']);
    const make = inner === undefined ? undefined : FACTORIES.get(inner);
    return make ? new DelayedRouter(inner!, make()) : undefined;
  }
  return FACTORIES.get(type)?.();
}
