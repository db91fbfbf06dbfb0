/**
 * Headers exchange (RabbitMQ `rabbit_exchange_type_headers` semantics).
 *
 * The binding's `x-match` argument selects the mode: `all` (default),
 * `any`, `all-with-x`, `any-with-x`. Binding arguments whose key starts with
 * 'x-' are ignored unless the mode ends in `-with-x`. A binding value of type
 * void only requires the header to be present; otherwise the values must be
 * equal (integer widths compare numerically, as Erlang's `==`). `all` with no
 * remaining arguments matches everything; `any` with none matches nothing.
 * The routing key is ignored.
 */
import { BrokerError } from '../errors.js';
import type { FieldTable, FieldValue } from '../field-table.js';
import { fieldEquals, fieldNumber, fieldString } from '../field-table.js';
import type { Binding, ExchangeRouter, RouteSink } from './exchange.js';
import { addDestination } from './exchange.js';

type MatchMode = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface CompiledBinding {
  readonly binding: Binding;
  readonly any: boolean;
  readonly keys: readonly string[];
  readonly values: readonly FieldValue[];
}

function modeOf(args: FieldTable): MatchMode | undefined {
  const v = args['x-match'];
  if (v === undefined) return 'all';
  const s = fieldString(v);
  if (s === 'all' || s === 'any' || s === 'all-with-x' || s === 'any-with-x') return s;
  return undefined;
}

function compileBinding(b: Binding): CompiledBinding {
  const mode = modeOf(b.args) ?? 'all';
  const withX = mode.endsWith('-with-x');
  const keys: string[] = [];
  const values: FieldValue[] = [];
  for (const k of Object.keys(b.args)) {
    if (k === 'x-match') continue;
    if (!withX && k.startsWith('x-')) continue;
    keys.push(k);
    values.push(b.args[k]!);
  }
  return { binding: b, any: mode.startsWith('any'), keys, values };
}

function valueMatches(pattern: FieldValue, header: FieldValue): boolean {
  if (pattern.type === 'void') return true;
  if (fieldEquals(pattern, header)) return true;
  // Erlang == compares numbers across integer/float types (1 == 1.0)
  const a = fieldNumber(pattern);
  const b = fieldNumber(header);
  return a !== undefined && b !== undefined && pattern.type !== 'string' && header.type !== 'string' && a === b;
}

export function headersMatch(c: CompiledBinding, headers: FieldTable | undefined): boolean {
  if (c.any) {
    if (!headers) return false;
    for (let i = 0; i < c.keys.length; i++) {
      const h = headers[c.keys[i]!];
      if (h !== undefined && valueMatches(c.values[i]!, h)) return true;
    }
    return false;
  }
  for (let i = 0; i < c.keys.length; i++) {
    const h = headers?.[c.keys[i]!];
    if (h === undefined || !valueMatches(c.values[i]!, h)) return false;
  }
  return true;
}

export class HeadersRouter implements ExchangeRouter {
  private readonly compiled = new Map<Binding, CompiledBinding>();

  validate(b: Binding): void {
    if (modeOf(b.args) === undefined) {
      const v = b.args['x-match'];
      const shown = fieldString(v) ?? v?.type;
      throw new BrokerError(
        'PRECONDITION_FAILED',
        `Invalid x-match field value '${shown}'; expected all, any, all-with-x, or any-with-x`,
      );
    }
  }

  bind(b: Binding): void {
    this.compiled.set(b, compileBinding(b));
  }

  unbind(b: Binding): void {
    this.compiled.delete(b);
  }

  route(_routingKey: string, headers: FieldTable | undefined, out: RouteSink): void {
    for (const c of this.compiled.values()) {
      if (headersMatch(c, headers)) addDestination(c.binding, out);
    }
  }
}
