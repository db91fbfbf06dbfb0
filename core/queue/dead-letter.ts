/**
 * Dead-lettering: the message copy RabbitMQ republishes to a queue's
 * dead-letter exchange, and the cycle rule (docs/dlx.md; semantics of
 * rabbit_dead_letter / mc_amqpl, not their code).
 *
 * The copy (properties are immutable: a new properties object, wire cache
 * dropped by withProperties):
 * - exchange = the DLX; routing key = x-dead-letter-routing-key when set,
 *   otherwise the original; routing keys = [dlrk] or the original key plus
 *   its CC keys;
 * - `x-death`: array of tables, most recent first, one entry per
 *   {queue, reason}. A new entry is
 *   {count: long 1, reason: longstr, queue: longstr, time: timestamp (s),
 *    exchange: longstr, routing-keys: array of longstr, original-expiration?}
 *   An existing {queue, reason} entry keeps its first-occurrence fields,
 *   gets count+1 and moves to the front;
 * - `x-first-death-queue/-reason/-exchange` set once; `x-last-death-*` set
 *   every time (longstr);
 * - a per-message `expiration` is removed and recorded as
 *   `original-expiration` in the new x-death entry;
 * - `CC` is removed when a dead-letter routing key is set; `BCC` always.
 * Cycle rule (`isDeathCycle`): unless the reason is `rejected`, a target
 * queue that already appears in x-death is skipped when no death between
 * now and that earlier death (inclusive) was a rejection.
 */
import type { FieldTable, FieldValue } from '../field-table.js';
import { F, fieldNumber, fieldString } from '../field-table.js';
import type { Message, MessageProperties } from '../message.js';
import { withProperties } from '../message.js';
import type { DeadLetterReason } from './types.js';

export interface DeadLettered {
  readonly message: Message;
  /** keys to route with from the DLX */
  readonly keys: string[];
  /** the new x-death array (most recent first), for cycle detection */
  readonly deaths: readonly FieldValue[];
}

/** The message's routing keys at death: its key plus the CC header keys (BCC was stripped at publish). */
export function routingKeysOf(m: Message): string[] {
  const keys = [m.routingKey];
  const cc = m.properties.headers?.['CC'];
  if (cc === undefined) return keys;
  const one = fieldString(cc);
  if (one !== undefined) keys.push(one);
  else if (cc.type === 'array') {
    for (const v of cc.value) {
      const s = fieldString(v);
      if (s !== undefined) keys.push(s);
    }
  }
  return keys;
}

function tableField(t: FieldTable, key: string): string | undefined {
  return fieldString(t[key]);
}

export function makeDeadLettered(
  m: Message,
  queue: string,
  reason: DeadLetterReason,
  dlx: string,
  dlrk: string | undefined,
  nowMs: number,
): DeadLettered {
  const oldHeaders: FieldTable = m.properties.headers ?? {};
  const oldKeys = routingKeysOf(m);
  const prior = oldHeaders['x-death'];
  const deaths: FieldValue[] = prior?.type === 'array' ? [...prior.value] : [];

  const idx = deaths.findIndex(
    (d) => d.type === 'table' && tableField(d.value, 'queue') === queue && tableField(d.value, 'reason') === reason,
  );
  let entry: FieldTable;
  if (idx >= 0) {
    const old = (deaths[idx] as { value: FieldTable }).value;
    entry = { ...old, count: F.long((fieldNumber(old['count']) ?? 0) + 1) };
    deaths.splice(idx, 1);
  } else {
    const e: Record<string, FieldValue> = {
      count: F.long(1),
      reason: F.str(reason),
      queue: F.str(queue),
      time: F.timestamp(Math.floor(nowMs / 1000)),
      exchange: F.str(m.exchange),
      'routing-keys': F.array(oldKeys.map((k) => F.str(k))),
    };
    if (m.properties.expiration !== undefined) e['original-expiration'] = F.str(m.properties.expiration);
    entry = e;
  }
  deaths.unshift(F.table(entry));

  const headers: Record<string, FieldValue> = {};
  for (const k of Object.keys(oldHeaders)) {
    if (k === 'BCC' || (k === 'CC' && dlrk !== undefined)) continue;
    headers[k] = oldHeaders[k]!;
  }
  headers['x-death'] = F.array(deaths);
  if (headers['x-first-death-queue'] === undefined) {
    headers['x-first-death-queue'] = F.str(queue);
    headers['x-first-death-reason'] = F.str(reason);
    headers['x-first-death-exchange'] = F.str(m.exchange);
  }
  headers['x-last-death-queue'] = F.str(queue);
  headers['x-last-death-reason'] = F.str(reason);
  headers['x-last-death-exchange'] = F.str(m.exchange);

  const { expiration: _dropped, ...rest } = m.properties;
  const properties: MessageProperties = { ...rest, headers };
  const routingKey = dlrk ?? m.routingKey;
  const message = withProperties(m, properties, { exchange: dlx, routingKey });
  return { message, keys: dlrk !== undefined ? [dlrk] : oldKeys, deaths };
}

/** RabbitMQ's cycle rule for one target queue (see the module comment). */
export function isDeathCycle(target: string, deaths: readonly FieldValue[]): boolean {
  for (const d of deaths) {
    if (d.type !== 'table') continue;
    if (tableField(d.value, 'reason') === 'rejected') return false;
    if (tableField(d.value, 'queue') === target) return true;
  }
  return false;
}
