/**
 * AMQP 0-9-1 field tables and field arrays, with RabbitMQ's type tags
 * (which differ from the 0-9-1 spec text: 's' is a signed 16-bit int).
 *
 *   t boolean   b int8    B uint8   s int16   u uint16   I int32   i uint32
 *   l int64 (bigint)      L uint64 (bigint, spec tag; RabbitMQ never sends it)
 *   f float     d double  D decimal {scale: u8, digits: u32}
 *   T timestamp (u64 bigint)          S longstr   x byte array
 *   A array     F table   V void
 *
 * Decoding keeps every wire type so that re-encoding yields the same bytes:
 * a longstr becomes a `string` when its bytes are valid UTF-8 (then
 * Buffer.from(str) reproduces them exactly) and a copied Buffer otherwise.
 * Exceptions to byte exactness: a non-zero boolean octet other than 1 comes
 * back as 1, and FieldValue 'shortstr' (no RabbitMQ tag) is encoded as 'S'.
 * Decoded Buffers are copies, never views of the input.
 */
import type { FieldTable, FieldValue } from '../../../core/index.js';
import { AmqpCodecError, encodeError, frameError } from './errors.js';
import { isUtf8 } from 'node:buffer';
import { readLongLength, readShortstr, readU32, shortstrLength, truncated } from './wire.js';

/** Offset just past the last decoded value (module-level to avoid tuple allocations). */
let cursor = 0;

/** Decodes the table at o (u32 byte length + fields). Advance by 4 + readU32(b, o). */
export function decodeTable(b: Buffer, o: number): FieldTable {
  const n = readLongLength(b, o);
  return decodeFields(b.subarray(o + 4, o + 4 + n));
}

/** Decodes a whole buffer holding only table fields (no length prefix). */
export function decodeFields(v: Buffer): FieldTable {
  const out: Record<string, FieldValue> = {};
  let o = 0;
  while (o < v.length) {
    const key = readShortstr(v, o);
    o += 1 + v[o]!;
    const value = decodeValue(v, o);
    o = cursor;
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function decodeArray(v: Buffer): FieldValue[] {
  const out: FieldValue[] = [];
  let o = 0;
  while (o < v.length) {
    out.push(decodeValue(v, o));
    o = cursor;
  }
  return out;
}

function need(v: Buffer, o: number, n: number): void {
  if (o + n > v.length) truncated('field value');
}

/** Decodes the tagged value at o; sets `cursor` past it. */
function decodeValue(v: Buffer, o: number): FieldValue {
  if (o >= v.length) truncated('field value');
  const tag = v[o++]!;
  switch (tag) {
    case 0x53: { // S
      const n = readLongLength(v, o);
      const s = o + 4;
      cursor = s + n;
      const bytes = v.subarray(s, s + n);
      return { type: 'string', value: isUtf8(bytes) ? v.toString('utf8', s, s + n) : Buffer.from(bytes) };
    }
    case 0x49: need(v, o, 4); cursor = o + 4; return { type: 'int32', value: v.readInt32BE(o) }; // I
    case 0x74: need(v, o, 1); cursor = o + 1; return { type: 'boolean', value: v[o] !== 0 }; // t
    case 0x62: need(v, o, 1); cursor = o + 1; return { type: 'int8', value: v.readInt8(o) }; // b
    case 0x42: need(v, o, 1); cursor = o + 1; return { type: 'uint8', value: v[o]! }; // B
    case 0x73: need(v, o, 2); cursor = o + 2; return { type: 'int16', value: v.readInt16BE(o) }; // s
    case 0x75: need(v, o, 2); cursor = o + 2; return { type: 'uint16', value: v.readUInt16BE(o) }; // u
    case 0x69: need(v, o, 4); cursor = o + 4; return { type: 'uint32', value: v.readUInt32BE(o) }; // i
    case 0x6c: need(v, o, 8); cursor = o + 8; return { type: 'int64', value: v.readBigInt64BE(o) }; // l
    case 0x4c: need(v, o, 8); cursor = o + 8; return { type: 'uint64', value: v.readBigUInt64BE(o) }; // L
    case 0x54: need(v, o, 8); cursor = o + 8; return { type: 'timestamp', value: v.readBigUInt64BE(o) }; // T
    case 0x66: need(v, o, 4); cursor = o + 4; return { type: 'float', value: v.readFloatBE(o) }; // f
    case 0x64: need(v, o, 8); cursor = o + 8; return { type: 'double', value: v.readDoubleBE(o) }; // d
    case 0x44: // D
      need(v, o, 5);
      cursor = o + 5;
      return { type: 'decimal', value: { scale: v[o]!, digits: readU32(v, o + 1) } };
    case 0x46: { // F
      const n = readLongLength(v, o);
      const value = decodeFields(v.subarray(o + 4, o + 4 + n));
      cursor = o + 4 + n;
      return { type: 'table', value };
    }
    case 0x41: { // A
      const n = readLongLength(v, o);
      const value = decodeArray(v.subarray(o + 4, o + 4 + n));
      cursor = o + 4 + n;
      return { type: 'array', value };
    }
    case 0x78: { // x
      const n = readLongLength(v, o);
      cursor = o + 4 + n;
      return { type: 'bytes', value: Buffer.from(v.subarray(o + 4, o + 4 + n)) };
    }
    case 0x56: cursor = o; return { type: 'void' }; // V
    default:
      throw frameError(`cannot decode: unknown field value type tag 0x${tag.toString(16).padStart(2, '0')}`);
  }
}

/** Byte size of the encoded fields of `t` (without the 4-byte length prefix). */
export function tableSize(t: FieldTable): number {
  let n = 0;
  for (const key of Object.keys(t)) n += 1 + shortstrLength(key, 'table key') + valueSize(t[key]!);
  return n;
}

function valueSize(v: FieldValue): number {
  switch (v.type) {
    case 'boolean': case 'int8': case 'uint8': return 2;
    case 'int16': case 'uint16': return 3;
    case 'int32': case 'uint32': case 'float': return 5;
    case 'int64': case 'uint64': case 'timestamp': case 'double': return 9;
    case 'decimal': return 6;
    case 'string': return 5 + (typeof v.value === 'string' ? Buffer.byteLength(v.value, 'utf8') : v.value.length);
    case 'shortstr': return 5 + Buffer.byteLength(v.value, 'utf8');
    case 'bytes': return 5 + v.value.length;
    case 'table': return 5 + tableSize(v.value);
    case 'array': {
      let n = 5;
      for (const x of v.value) n += valueSize(x);
      return n;
    }
    case 'void': return 1;
    default: throw encodeError(`unknown field value type '${(v as { type: unknown }).type}'`);
  }
}

/** Writes `t` as u32 length + fields at o (space must have been sized with tableSize). Returns the new offset. */
export function writeTable(b: Buffer, o: number, t: FieldTable): number {
  try {
    return writeTableUnchecked(b, o, t);
  } catch (e) {
    if (e instanceof AmqpCodecError) throw e;
    throw encodeError(`cannot encode field table: ${(e as Error).message}`);
  }
}

function writeTableUnchecked(b: Buffer, o: number, t: FieldTable): number {
  const start = o;
  o += 4;
  for (const key of Object.keys(t)) {
    const n = b.write(key, o + 1, 'utf8');
    b[o] = n;
    o = writeValue(b, o + 1 + n, t[key]!);
  }
  b.writeUInt32BE(o - start - 4, start);
  return o;
}

function writeLongBytes(b: Buffer, o: number, tag: number, bytes: Buffer): number {
  b[o] = tag;
  b.writeUInt32BE(bytes.length, o + 1);
  bytes.copy(b, o + 5);
  return o + 5 + bytes.length;
}

function writeLongText(b: Buffer, o: number, tag: number, s: string): number {
  b[o] = tag;
  const n = b.write(s, o + 5, 'utf8');
  b.writeUInt32BE(n, o + 1);
  return o + 5 + n;
}

function writeValue(b: Buffer, o: number, v: FieldValue): number {
  switch (v.type) {
    case 'string':
      return typeof v.value === 'string' ? writeLongText(b, o, 0x53, v.value) : writeLongBytes(b, o, 0x53, v.value);
    case 'shortstr': return writeLongText(b, o, 0x53, v.value);
    case 'bytes': return writeLongBytes(b, o, 0x78, v.value);
    case 'boolean': b[o] = 0x74; b[o + 1] = v.value ? 1 : 0; return o + 2;
    case 'int8': b[o] = 0x62; return b.writeInt8(v.value, o + 1);
    case 'uint8': b[o] = 0x42; return b.writeUInt8(v.value, o + 1);
    case 'int16': b[o] = 0x73; return b.writeInt16BE(v.value, o + 1);
    case 'uint16': b[o] = 0x75; return b.writeUInt16BE(v.value, o + 1);
    case 'int32': b[o] = 0x49; return b.writeInt32BE(v.value, o + 1);
    case 'uint32': b[o] = 0x69; return b.writeUInt32BE(v.value, o + 1);
    case 'int64': b[o] = 0x6c; return b.writeBigInt64BE(v.value, o + 1);
    case 'uint64': b[o] = 0x4c; return b.writeBigUInt64BE(v.value, o + 1);
    case 'timestamp': b[o] = 0x54; return b.writeBigUInt64BE(v.value, o + 1);
    case 'float': b[o] = 0x66; return b.writeFloatBE(v.value, o + 1);
    case 'double': b[o] = 0x64; return b.writeDoubleBE(v.value, o + 1);
    case 'decimal':
      b[o] = 0x44;
      b.writeUInt8(v.value.scale, o + 1);
      return b.writeUInt32BE(v.value.digits, o + 2);
    case 'table':
      b[o] = 0x46;
      return writeTableUnchecked(b, o + 1, v.value);
    case 'array': {
      b[o] = 0x41;
      const start = o + 1;
      o += 5;
      for (const x of v.value) o = writeValue(b, o, x);
      b.writeUInt32BE(o - start - 4, start);
      return o;
    }
    case 'void': b[o] = 0x56; return o + 1;
    default: throw encodeError(`unknown field value type '${(v as { type: unknown }).type}'`);
  }
}

/** Encodes `t` as a standalone buffer: u32 length + fields. */
export function encodeTable(t: FieldTable): Buffer {
  const b = Buffer.allocUnsafe(4 + tableSize(t));
  writeTable(b, 0, t);
  return b;
}

/** Encodes a field array as a standalone buffer: u32 length + values (tests, headers tooling). */
export function encodeArray(values: readonly FieldValue[]): Buffer {
  const b = Buffer.allocUnsafe(valueSize({ type: 'array', value: values }));
  const end = writeValueChecked(b, 0, { type: 'array', value: values });
  return b.subarray(1, end);
}

/** Decodes a field array at o (u32 length + values). Advance by 4 + readU32(b, o). */
export function decodeArrayAt(b: Buffer, o: number): FieldValue[] {
  const n = readLongLength(b, o);
  return decodeArray(b.subarray(o + 4, o + 4 + n));
}

function writeValueChecked(b: Buffer, o: number, v: FieldValue): number {
  try {
    return writeValue(b, o, v);
  } catch (e) {
    if (e instanceof AmqpCodecError) throw e;
    throw encodeError(`cannot encode field value: ${(e as Error).message}`);
  }
}
