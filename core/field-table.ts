/**
 * Typed header/argument values. Every value keeps its wire type so that a
 * table received from a client is forwarded exactly (AMQP `I` stays `I`,
 * a long beyond 2^53 stays exact). Helpers read values without caring for
 * the precise integer width.
 */
export type IntType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32';

export type FieldValue =
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: IntType; readonly value: number }
  | { readonly type: 'float' | 'double'; readonly value: number }
  | { readonly type: 'int64' | 'uint64' | 'timestamp'; readonly value: bigint }
  | { readonly type: 'decimal'; readonly value: { readonly scale: number; readonly digits: number } }
  /** AMQP longstr: bytes that are usually UTF-8 text. A Buffer keeps binary data exact. */
  | { readonly type: 'string'; readonly value: string | Buffer }
  /** AMQP shortstr inside a table ('s' in the 0-9-1 spec, rarely used). */
  | { readonly type: 'shortstr'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: Buffer }
  | { readonly type: 'array'; readonly value: readonly FieldValue[] }
  | { readonly type: 'table'; readonly value: FieldTable }
  | { readonly type: 'void'; readonly value?: undefined };

export type FieldTable = { readonly [key: string]: FieldValue };

export const F = {
  str: (value: string | Buffer): FieldValue => ({ type: 'string', value }),
  bool: (value: boolean): FieldValue => ({ type: 'boolean', value }),
  int: (value: number): FieldValue =>
    value >= -0x80000000 && value <= 0x7fffffff && Number.isInteger(value)
      ? { type: 'int32', value }
      : { type: 'int64', value: BigInt(Math.trunc(value)) },
  long: (value: number | bigint): FieldValue => ({ type: 'int64', value: BigInt(value) }),
  timestamp: (seconds: number | bigint): FieldValue => ({ type: 'timestamp', value: BigInt(seconds) }),
  array: (value: FieldValue[]): FieldValue => ({ type: 'array', value }),
  table: (value: FieldTable): FieldValue => ({ type: 'table', value }),
};

/** Numeric view of a value (any integer width, float, or a numeric string); undefined otherwise. */
export function fieldNumber(v: FieldValue | undefined): number | undefined {
  if (!v) return undefined;
  switch (v.type) {
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32':
    case 'float': case 'double':
      return v.value;
    case 'int64': case 'uint64': case 'timestamp':
      return Number(v.value);
    case 'decimal':
      return v.value.digits / 10 ** v.value.scale;
    default:
      return undefined;
  }
}

/** True for values of an integer type (what RabbitMQ requires for x-max-length and friends). */
export function isIntegerField(v: FieldValue | undefined): boolean {
  if (!v) return false;
  switch (v.type) {
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32':
    case 'int64': case 'uint64':
      return true;
    default:
      return false;
  }
}

/** String view of a string-like value; undefined otherwise. */
export function fieldString(v: FieldValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.type === 'string') return typeof v.value === 'string' ? v.value : v.value.toString('utf8');
  if (v.type === 'shortstr') return v.value;
  return undefined;
}

export function fieldBool(v: FieldValue | undefined): boolean | undefined {
  if (!v) return undefined;
  if (v.type === 'boolean') return v.value;
  return undefined;
}

/** Deep equality with RabbitMQ's notion of "equivalent" argument values (type and value). */
export function fieldEquals(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.type !== b.type) {
    // integer widths are interchangeable for equivalence checks (RabbitMQ compares numerically)
    if (isIntegerField(a) && isIntegerField(b)) return fieldNumber(a) === fieldNumber(b);
    return false;
  }
  switch (a.type) {
    case 'string': {
      const bv = (b as typeof a).value;
      const ab = typeof a.value === 'string' ? Buffer.from(a.value) : a.value;
      const bb = typeof bv === 'string' ? Buffer.from(bv) : bv;
      return ab.equals(bb);
    }
    case 'bytes':
      return a.value.equals((b as typeof a).value);
    case 'decimal': {
      const bv = (b as typeof a).value;
      return a.value.scale === bv.scale && a.value.digits === bv.digits;
    }
    case 'array': {
      const bv = (b as typeof a).value;
      return a.value.length === bv.length && a.value.every((x, i) => fieldEquals(x, bv[i]));
    }
    case 'table':
      return tableEquals(a.value, (b as typeof a).value);
    case 'void':
      return true;
    default:
      return a.value === (b as { value: unknown }).value;
  }
}

export function tableEquals(a: FieldTable | undefined, b: FieldTable | undefined): boolean {
  const ak = a ? Object.keys(a) : [];
  const bk = b ? Object.keys(b) : [];
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!b || !Object.hasOwn(b, k) || !fieldEquals(a![k], b[k])) return false;
  }
  return true;
}

/** Plain JSON-ish rendering (management API, logs). Buffers become strings. */
export function fieldToPlain(v: FieldValue): unknown {
  switch (v.type) {
    case 'string': return typeof v.value === 'string' ? v.value : v.value.toString('utf8');
    case 'bytes': return v.value.toString('base64');
    case 'int64': case 'uint64': case 'timestamp': return Number(v.value);
    case 'decimal': return v.value.digits / 10 ** v.value.scale;
    case 'array': return v.value.map(fieldToPlain);
    case 'table': return tableToPlain(v.value);
    case 'void': return null;
    default: return v.value;
  }
}

export function tableToPlain(t: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) out[k] = fieldToPlain(v);
  return out;
}

/** Inverse of tableToPlain for JSON input (management API, definitions): guesses types as RabbitMQ does. */
export function plainToField(v: unknown): FieldValue {
  if (v === null || v === undefined) return { type: 'void' };
  if (typeof v === 'boolean') return F.bool(v);
  if (typeof v === 'number') return Number.isInteger(v) ? F.long(v) : { type: 'double', value: v };
  if (typeof v === 'bigint') return F.long(v);
  if (typeof v === 'string') return F.str(v);
  if (Buffer.isBuffer(v)) return { type: 'bytes', value: v };
  if (Array.isArray(v)) return F.array(v.map(plainToField));
  if (typeof v === 'object') return F.table(plainToTable(v as Record<string, unknown>));
  return F.str(String(v));
}

export function plainToTable(o: Record<string, unknown>): FieldTable {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(o)) out[k] = plainToField(v);
  return out;
}
