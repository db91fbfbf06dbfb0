/**
 * Policies and operator policies (RabbitMQ docs/parameters.md, semantics of
 * rabbit_policy / rabbit_policies):
 *
 * - a policy has a name, a pattern (regular expression matched against the
 *   queue/exchange name, unanchored — JavaScript RegExp syntax instead of
 *   PCRE), apply-to (queues | exchanges | all), a priority and a definition;
 * - for each queue/exchange the ONE matching policy with the highest
 *   priority applies; its definition is not merged with other policies.
 *   Ties: RabbitMQ leaves the order of equal priorities unspecified; here the
 *   name that sorts first (code-unit order) wins, so the choice is stable;
 * - operator policies are matched the same way, separately, and only carry
 *   the numeric caps message-ttl, expires, max-length, max-length-bytes;
 * - merging (rabbit_policy:get/2 + the classic queue's args_policy_lookup):
 *   policy vs operator policy → the lower value; the result vs the queue
 *   argument → the lower value for message-ttl, expires, max-length,
 *   max-length-bytes (docs/ttl.md and docs/maxlength: "the lower of the two
 *   applies"), the argument for dead-letter-exchange,
 *   dead-letter-routing-key and overflow; for exchanges the
 *   'alternate-exchange' argument wins over the policy (docs/ae.md);
 * - validation errors: INVALID_ARGUMENT "Validation failed\n\n<reason>".
 */
import type { PolicyApplyTo, PolicyDefinition, PolicyInfo } from './api.js';
import { BrokerError } from './errors.js';
import type { FieldTable } from './field-table.js';
import type { Overflow, QueueSettings } from './queue/args.js';
import { MAX_EXPIRY, OVERFLOW_VALUES, settingsFromArgs } from './queue/args.js';
import type { AppliedPolicies } from './queue/types.js';

export type PolicyKind = 'policy' | 'operator';

export interface StoredPolicy extends PolicyInfo {
  readonly regex: RegExp;
}

type Validator = (v: unknown) => string | null;

const nonNegInt = (what: string): Validator => (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_EXPIRY ? null : `${show(v)} is not a valid ${what}`;
const posInt = (what: string): Validator => (v) =>
  Number.isInteger(v) && (v as number) > 0 && (v as number) <= MAX_EXPIRY ? null : `${show(v)} is not a valid ${what}`;
const str = (what: string): Validator => (v) => (typeof v === 'string' ? null : `${show(v)} is not a valid ${what}`);

function show(v: unknown): string {
  return typeof v === 'string' ? `<<"${v}">>` : String(JSON.stringify(v));
}

/** rabbit_policies validators (messages as RabbitMQ words them) */
export const POLICY_KEYS: ReadonlyMap<string, Validator> = new Map<string, Validator>([
  ['message-ttl', nonNegInt('message TTL')],
  ['expires', posInt('queue expiry')],
  ['dead-letter-exchange', str('dead letter exchange name')],
  ['dead-letter-routing-key', str('dead letter routing key')],
  ['max-length', nonNegInt('maximum length')],
  ['max-length-bytes', nonNegInt('maximum length in bytes')],
  [
    'overflow',
    (v) => ((OVERFLOW_VALUES as readonly unknown[]).includes(v) ? null : `${show(v)} is not a valid overflow value`),
  ],
  ['alternate-exchange', str('alternate exchange name')],
]);

/** The keys an operator policy may set; each is merged with min(). */
export const OPERATOR_POLICY_KEYS: readonly string[] = ['message-ttl', 'expires', 'max-length', 'max-length-bytes'];

const NUMERIC_KEYS = new Set(OPERATOR_POLICY_KEYS);

const APPLY_TO: readonly PolicyApplyTo[] = ['queues', 'exchanges', 'all'];

function invalid(reason: string): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', `Validation failed\n\n${reason}\n`);
}

/** Validates and compiles a policy; throws INVALID_ARGUMENT. */
export function compilePolicy(kind: PolicyKind, vhost: string, name: string, p: PolicyDefinition): StoredPolicy {
  if (typeof name !== 'string' || name === '') throw invalid('policy name must not be empty');
  if (!(APPLY_TO as readonly unknown[]).includes(p.applyTo)) throw invalid(`${show(p.applyTo)} is not a valid apply-to value`);
  if (!Number.isInteger(p.priority)) throw invalid(`${show(p.priority)} is not a valid priority`);
  let regex: RegExp;
  try {
    regex = new RegExp(p.pattern);
  } catch {
    throw invalid(`${show(p.pattern)} is not a valid regular expression`);
  }
  const def = p.definition ?? {};
  const keys = Object.keys(def);
  if (keys.length === 0) throw invalid('no policy provided');
  const allowed = kind === 'operator' ? OPERATOR_POLICY_KEYS : [...POLICY_KEYS.keys()];
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw invalid(`[${unknown.map((k) => `<<"${k}">>`).join(',')}] are not recognised policy settings`);
  for (const k of keys) {
    const err = POLICY_KEYS.get(k)!(def[k]);
    if (err) throw invalid(err);
  }
  return { vhost, name, pattern: p.pattern, applyTo: p.applyTo, priority: p.priority, definition: { ...def }, regex };
}

export function publicPolicy(p: StoredPolicy): PolicyInfo {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, applyTo: p.applyTo, priority: p.priority, definition: { ...p.definition } };
}

/** One vhost's policies of one kind, kept sorted for matching. */
export class PolicySet {
  private readonly byName = new Map<string, StoredPolicy>();
  private sorted: StoredPolicy[] = [];

  get size(): number {
    return this.byName.size;
  }

  set(p: StoredPolicy): void {
    this.byName.set(p.name, p);
    this.resort();
  }

  delete(name: string): boolean {
    if (!this.byName.delete(name)) return false;
    this.resort();
    return true;
  }

  list(): StoredPolicy[] {
    return [...this.byName.values()];
  }

  /** The policy that applies to a queue or exchange named `name`, if any. */
  match(kind: 'queue' | 'exchange', name: string): StoredPolicy | undefined {
    for (const p of this.sorted) {
      if (p.applyTo !== 'all' && p.applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) continue;
      if (p.regex.test(name)) return p;
    }
    return undefined;
  }

  private resort(): void {
    this.sorted = [...this.byName.values()].sort((a, b) =>
      b.priority !== a.priority ? b.priority - a.priority : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }
}

/** rabbit_policy:get/2 merge: policy definition, operator caps folded in with min(). */
export function mergeDefinitions(p: StoredPolicy | undefined, op: StoredPolicy | undefined): Record<string, unknown> | undefined {
  if (!p && !op) return undefined;
  const out: Record<string, unknown> = { ...(p?.definition ?? {}) };
  for (const [k, v] of Object.entries(op?.definition ?? {})) {
    const cur = out[k];
    out[k] = NUMERIC_KEYS.has(k) && typeof cur === 'number' && typeof v === 'number' ? Math.min(cur, v) : v;
  }
  return out;
}

function lower(arg: number | undefined, pol: unknown): number | undefined {
  if (typeof pol !== 'number') return arg;
  return arg === undefined ? pol : Math.min(arg, pol);
}

function either<T>(arg: T | undefined, pol: unknown): T | undefined {
  return arg !== undefined ? arg : (pol as T | undefined);
}

/** The settings a queue runs with, and what to report as applied. */
export function effectiveQueueSettings(
  args: FieldTable,
  p: StoredPolicy | undefined,
  op: StoredPolicy | undefined,
): { settings: QueueSettings; applied: AppliedPolicies } {
  const a = settingsFromArgs(args);
  const def = mergeDefinitions(p, op) ?? {};
  const argOverflow = args['x-overflow'] !== undefined ? a.overflow : undefined;
  const settings: QueueSettings = {
    messageTtl: lower(a.messageTtl, def['message-ttl']),
    expires: lower(a.expires, def['expires']),
    deadLetterExchange: either(a.deadLetterExchange, def['dead-letter-exchange']),
    deadLetterRoutingKey: either(a.deadLetterRoutingKey, def['dead-letter-routing-key']),
    maxLength: lower(a.maxLength, def['max-length']),
    maxLengthBytes: lower(a.maxLengthBytes, def['max-length-bytes']),
    overflow: either<Overflow>(argOverflow, def['overflow']) ?? 'drop-head',
  };
  return {
    settings,
    applied: { policy: p?.name, operatorPolicy: op?.name, definition: p || op ? mergeDefinitions(p, op) : undefined },
  };
}

/** The alternate exchange from a policy, when the exchange has no 'alternate-exchange' argument. */
export function policyAlternate(p: StoredPolicy | undefined): string | undefined {
  const v = p?.definition['alternate-exchange'];
  return typeof v === 'string' ? v : undefined;
}
