/**
 * Primitive AMQP 0-9-1 wire readers and writers shared by the generated
 * method codec, field tables, properties and content encoders.
 *
 * Readers take (buffer, offset), check bounds explicitly and throw
 * AmqpCodecError(501) on truncation or invalid UTF-8; they never allocate
 * beyond the value they return. Callers advance the offset themselves from
 * the length prefix (shortstr: 1 + b[o], longstr/table: 4 + u32), which keeps
 * the generated decoders free of tuple allocations.
 */
import { isUtf8 } from 'node:buffer';
import { encodeError, frameError } from './errors.js';

/** 2^53 - 1 as a 32-bit high word limit: values above are rejected. */
const MAX_SAFE_HI = 0x1fffff;
const TWO_32 = 0x1_0000_0000;

/** Node's internal latin1 slice (present on every Buffer, untyped; faster than toString for ASCII). */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

export function truncated(what: string): never {
  throw frameError(`cannot decode: truncated ${what}`);
}

export function readU8(b: Buffer, o: number): number {
  if (o >= b.length) truncated('octet');
  return b[o]!;
}

export function readU16(b: Buffer, o: number): number {
  if (o + 2 > b.length) truncated('short');
  return (b[o]! << 8) | b[o + 1]!;
}

export function readU32(b: Buffer, o: number): number {
  if (o + 4 > b.length) truncated('long');
  return b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
}

/** Unsigned 64-bit as a JS number; values ≥ 2^53 are rejected with 501. */
export function readU64Number(b: Buffer, o: number): number {
  if (o + 8 > b.length) truncated('longlong');
  const hi = b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  if (hi > MAX_SAFE_HI) throw frameError('cannot decode: 64-bit value exceeds 2^53');
  const lo = b[o + 4]! * 0x1000000 + ((b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!);
  return hi * TWO_32 + lo;
}

export function readU64Big(b: Buffer, o: number): bigint {
  if (o + 8 > b.length) truncated('longlong');
  return b.readBigUInt64BE(o);
}

/** Decodes bytes [s, e) as UTF-8, rejecting malformed sequences with 501. */
export function utf8(b: Buffer, s: number, e: number): string {
  if (s === e) return '';
  for (let i = s; i < e; i++) {
    if (b[i]! >= 0x80) {
      if (!isUtf8(b.subarray(s, e))) throw frameError('cannot decode: invalid UTF-8 in string');
      return b.toString('utf8', s, e);
    }
  }
  return (b as unknown as Latin1Slicer).latin1Slice(s, e);
}

/** shortstr at o (length octet + UTF-8). Advance by 1 + b[o]. */
export function readShortstr(b: Buffer, o: number): string {
  if (o >= b.length) truncated('shortstr');
  const s = o + 1;
  const e = s + b[o]!;
  if (e > b.length) truncated('shortstr');
  return utf8(b, s, e);
}

/** Byte length of the longstr/table/array at o, bounds-checked. Advance by 4 + result. */
export function readLongLength(b: Buffer, o: number): number {
  const n = readU32(b, o);
  if (o + 4 + n > b.length) truncated('longstr');
  return n;
}

/** longstr at o decoded as (strict) UTF-8 text. Advance by 4 + readU32(b, o). */
export function readLongstrText(b: Buffer, o: number): string {
  const n = readLongLength(b, o);
  return utf8(b, o + 4, o + 4 + n);
}

/** longstr at o as a copied Buffer (arbitrary bytes). Advance by 4 + readU32(b, o). */
export function readLongstrBytes(b: Buffer, o: number): Buffer {
  const n = readLongLength(b, o);
  return Buffer.from(b.subarray(o + 4, o + 4 + n));
}

/** UTF-8 byte length of a shortstr value; throws 541 above 255. */
export function shortstrLength(s: string, field: string): number {
  const n = s.length === 0 ? 0 : Buffer.byteLength(s, 'utf8');
  if (n > 255) throw encodeError(`shortstr '${field}' is ${n} bytes, more than 255`);
  return n;
}

/** Writes a shortstr whose byte length `n` was computed by shortstrLength. Returns the new offset. */
export function writeShortstr(b: Buffer, o: number, s: string, n: number): number {
  b[o] = n;
  if (n === s.length) {
    // UTF-8 length equals UTF-16 length only for all-ASCII strings: copy code units
    // directly (several times faster than Buffer#write for short strings).
    for (let i = 0; i < n; i++) b[o + 1 + i] = s.charCodeAt(i);
  } else {
    b.write(s, o + 1, n, 'utf8');
  }
  return o + 1 + n;
}

export function writeU16(b: Buffer, o: number, v: number): number {
  b.writeUInt16BE(v, o);
  return o + 2;
}

export function writeU32(b: Buffer, o: number, v: number): number {
  b.writeUInt32BE(v, o);
  return o + 4;
}

/** Writes a non-negative safe integer as an unsigned 64-bit value. */
export function writeU64Number(b: Buffer, o: number, v: number): number {
  if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER) || v !== Math.floor(v)) {
    throw encodeError(`64-bit value ${v} is not a non-negative safe integer`);
  }
  const hi = Math.floor(v / TWO_32);
  const lo = v - hi * TWO_32;
  b[o] = hi >>> 24;
  b[o + 1] = (hi >>> 16) & 0xff;
  b[o + 2] = (hi >>> 8) & 0xff;
  b[o + 3] = hi & 0xff;
  b[o + 4] = lo >>> 24;
  b[o + 5] = (lo >>> 16) & 0xff;
  b[o + 6] = (lo >>> 8) & 0xff;
  b[o + 7] = lo & 0xff;
  return o + 8;
}

/** Writes the 7-byte frame header (type, channel, payload size). Returns 7 + o. */
export function writeFrameHeader(b: Buffer, o: number, type: number, channel: number, size: number): number {
  b[o] = type;
  b.writeUInt16BE(channel, o + 1);
  b.writeUInt32BE(size, o + 3);
  return o + 7;
}
