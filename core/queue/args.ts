/**
 * Queue arguments: validation at declare time and the typed settings the
 * queue runs with.
 *
 * Validation follows RabbitMQ's `rabbit_amqqueue:check_arguments/3`: each
 * known x- argument has a checker, and a failure is PRECONDITION_FAILED
 *   "invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}"
 * with the Erlang term RabbitMQ prints (`{unacceptable_type,longstr}`,
 * `{value_zero,0}`, `{value_too_large,N}`, `{max_value_exceeded,N}`,
 * `invalid_overflow`, `routing_key_but_no_dlx_defined`). Integer arguments
 * accept every AMQP integer width, as RabbitMQ's ?INTEGER_ARG_TYPES.
 *
 * `QueueSettings` are the policy-overridable values (see policy.ts for how
 * arguments, policies and operator policies combine); x-max-priority and
 * x-single-active-consumer are fixed at declare (RabbitMQ: not policy keys).
 */
import { TYPE_NAMES } from '../equivalence.js';
import { BrokerError } from '../errors.js';
import type { FieldTable, FieldValue } from '../field-table.js';
import { fieldBool, fieldNumber, fieldString, isIntegerField } from '../field-table.js';

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

export const OVERFLOW_VALUES: readonly Overflow[] = ['drop-head', 'reject-publish', 'reject-publish-dlx'];

/** RabbitMQ ?MAX_EXPIRY_TIMER: the largest TTL/expiry accepted (ms) */
export const MAX_EXPIRY = 4294967295;

/** RabbitMQ ?MAX_SUPPORTED_PRIORITY for classic queues */
export const MAX_PRIORITY = 255;

/** Effective, policy-overridable queue settings; undefined = not set. */
export interface QueueSettings {
  readonly messageTtl: number | undefined;
  readonly expires: number | undefined;
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  readonly maxLength: number | undefined;
  readonly maxLengthBytes: number | undefined;
  readonly overflow: Overflow;
}

export const NO_SETTINGS: QueueSettings = {
  messageTtl: undefined,
  expires: undefined,
  deadLetterExchange: undefined,
  deadLetterRoutingKey: undefined,
  maxLength: undefined,
  maxLengthBytes: undefined,
  overflow: 'drop-head',
};

type Check = (v: FieldValue, args: FieldTable) => string | null;

function typeName(v: FieldValue): string {
  return TYPE_NAMES[v.type];
}

function intCheck(v: FieldValue): string | null {
  return isIntegerField(v) ? null : `{unacceptable_type,${typeName(v)}}`;
}

function nonNegInt(v: FieldValue): string | null {
  const e = intCheck(v);
  if (e) return e;
  const n = fieldNumber(v)!;
  return n < 0 ? `{value_negative,${n}}` : null;
}

/** rabbit_misc:check_expiry/1 */
function expiry(n: number): string | null {
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY) return `{value_too_large,${n}}`;
  return null;
}

const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['x-expires', (v) => intCheck(v) ?? (fieldNumber(v) === 0 ? '{value_zero,0}' : expiry(fieldNumber(v)!))],
  ['x-message-ttl', (v) => intCheck(v) ?? expiry(fieldNumber(v)!)],
  ['x-dead-letter-exchange', (v) => (v.type === 'string' ? null : `{unacceptable_type,${typeName(v)}}`)],
  [
    'x-dead-letter-routing-key',
    (v, args) => {
      if (v.type !== 'string') return `{unacceptable_type,${typeName(v)}}`;
      return args['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : null;
    },
  ],
  ['x-max-length', nonNegInt],
  ['x-max-length-bytes', nonNegInt],
  [
    'x-max-priority',
    (v) => {
      const e = nonNegInt(v);
      if (e) return e;
      const n = fieldNumber(v)!;
      return n > MAX_PRIORITY ? `{max_value_exceeded,${n}}` : null;
    },
  ],
  [
    'x-overflow',
    (v) => {
      if (v.type !== 'string') return `{unacceptable_type,${typeName(v)}}`;
      return (OVERFLOW_VALUES as readonly string[]).includes(fieldString(v)!) ? null : 'invalid_overflow';
    },
  ],
  ['x-single-active-consumer', (v) => (v.type === 'boolean' ? null : `{unacceptable_type,${typeName(v)}}`)],
]);

/** Throws PRECONDITION_FAILED for the first invalid argument. `what` = "queue 'q' in vhost '/'". */
export function validateQueueArgs(what: string, args: FieldTable): void {
  for (const [key, check] of CHECKS) {
    const v = args[key];
    if (v === undefined) continue;
    const err = check(v, args);
    if (err !== null) throw new BrokerError('PRECONDITION_FAILED', `invalid arg '${key}' for ${what}: ${err}`);
  }
}

function num(args: FieldTable, key: string): number | undefined {
  const v = args[key];
  return isIntegerField(v) ? fieldNumber(v) : undefined;
}

/** The settings given by the (validated) arguments alone. */
export function settingsFromArgs(args: FieldTable): QueueSettings {
  const overflow = fieldString(args['x-overflow']);
  return {
    messageTtl: num(args, 'x-message-ttl'),
    expires: num(args, 'x-expires'),
    deadLetterExchange: fieldString(args['x-dead-letter-exchange']),
    deadLetterRoutingKey: fieldString(args['x-dead-letter-routing-key']),
    maxLength: num(args, 'x-max-length'),
    maxLengthBytes: num(args, 'x-max-length-bytes'),
    overflow: (OVERFLOW_VALUES as readonly string[]).includes(overflow ?? '') ? (overflow as Overflow) : 'drop-head',
  };
}

/** x-max-priority: 0 when the queue is not a priority queue (RabbitMQ caps at 255). */
export function maxPriorityOf(args: FieldTable): number {
  const n = num(args, 'x-max-priority');
  return n === undefined || n <= 0 ? 0 : Math.min(n, MAX_PRIORITY);
}

export function isSingleActive(args: FieldTable): boolean {
  return fieldBool(args['x-single-active-consumer']) === true;
}
