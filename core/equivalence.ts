/**
 * Redeclare equivalence checks (RabbitMQ `rabbit_misc:assert_field_equivalence`
 * and `assert_args_equivalence`). A redeclare with different properties fails
 * with PRECONDITION_FAILED (AMQP 406):
 *   "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'true' but current is 'false'"
 *   "inequivalent arg 'x-max-length' for queue 'q' in vhost '/': received the value '10' of type 'long' but current is none"
 * Only the arguments RabbitMQ compares are compared: for exchanges
 * 'alternate-exchange'; for queues the x- arguments in QUEUE_EQUIVALENCE_ARGS.
 */
import { BrokerError } from './errors.js';
import type { FieldTable, FieldValue } from './field-table.js';
import { fieldEquals, fieldToPlain } from './field-table.js';

/** AMQP table type names as RabbitMQ prints them (also used by queue argument validation) */
export const TYPE_NAMES: Record<FieldValue['type'], string> = {
  boolean: 'bool',
  int8: 'byte',
  uint8: 'unsignedbyte',
  int16: 'short',
  uint16: 'unsignedshort',
  int32: 'signedint',
  uint32: 'unsignedint',
  int64: 'long',
  uint64: 'unsignedlong',
  float: 'float',
  double: 'double',
  timestamp: 'timestamp',
  decimal: 'decimal',
  string: 'longstr',
  shortstr: 'shortstr',
  bytes: 'binary',
  array: 'array',
  table: 'table',
  void: 'void',
};

export const EXCHANGE_EQUIVALENCE_ARGS: readonly string[] = ['alternate-exchange'];

export const QUEUE_EQUIVALENCE_ARGS: readonly string[] = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-type',
  'x-queue-version',
  'x-single-active-consumer',
  'x-delivery-limit',
  'x-queue-leader-locator',
  'x-queue-master-locator',
];

function renderArg(v: FieldValue | undefined): string {
  if (v === undefined) return 'none';
  return `the value '${String(JSON.stringify(fieldToPlain(v)) ?? '').replace(/^"|"$/g, '')}' of type '${TYPE_NAMES[v.type]}'`;
}

/** `what` is the described resource: "queue 'q' in vhost '/'" */
export function assertFieldEquivalence(what: string, field: string, current: unknown, received: unknown): void {
  if (current === received) return;
  throw new BrokerError(
    'PRECONDITION_FAILED',
    `inequivalent arg '${field}' for ${what}: received '${String(received)}' but current is '${String(current)}'`,
  );
}

export function assertArgsEquivalence(
  what: string,
  current: FieldTable,
  received: FieldTable,
  keys: readonly string[],
  defaults: Readonly<Record<string, FieldValue>> = {},
): void {
  for (const k of keys) {
    const a = current[k] ?? defaults[k];
    const b = received[k] ?? defaults[k];
    if (a === undefined && b === undefined) continue;
    if (fieldEquals(a, b)) continue;
    throw new BrokerError(
      'PRECONDITION_FAILED',
      `inequivalent arg '${k}' for ${what}: received ${renderArg(received[k])} but current is ${renderArg(current[k])}`,
    );
  }
}
