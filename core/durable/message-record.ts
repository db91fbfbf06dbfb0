/**
 * Binary record of one persistent message (what a durable queue appends to its
 * segment log). Lossless for everything a core `Message` carries except the
 * `wire` cache (a re-encodable cache; adapters rebuild it).
 *
 * Layout (little-endian, `uv` = unsigned LEB128 varint):
 *
 *   u8  version (RECORD_VERSION)
 *   u8  flags        bit0: expiresAt present, bit1: u32 body offset present
 *   u16 property presence bitmap (bit i ⇔ PROPS[i] present)
 *   [u32 bodyOffset] where the body starts (written by every encode since queue
 *                    paging: recovery reads a record's body size and deadline
 *                    without decoding it, `recordMeta`)
 *   [f64 expiresAt]  ms since the epoch (queue-level TTL deadline fixed at enqueue)
 *   str exchange, str routingKey
 *   each present property, in PROPS order
 *   body: the rest of the record (its length is implicit: the store frames records)
 *
 *   str      = uv byteLength + UTF-8
 *   small    = u8 n for integers 0..254, else 0xFF + f64 (deliveryMode, priority)
 *   bigint   = zigzag LEB128 of any bigint (timestamp, int64/uint64/timestamp fields)
 *   table    = uv count, then (str key, value)*
 *   value    = u8 tag + payload (see TAG_*): every FieldValue type keeps its exact
 *              type; a 'string' keeps whether it was a JS string or a Buffer.
 *
 * Fixed-width integer field values must be in range for their type (as the AMQP
 * codec guarantees); 'float' is stored as f32. JS strings are stored as UTF-8,
 * so lone surrogates do not survive (nor do they on any wire).
 */
import type { FieldTable, FieldValue } from '../field-table.js';
import type { Message, MessageProperties } from '../message.js';

export const RECORD_VERSION = 1;

const FLAG_EXPIRES = 1;
const FLAG_BODY_OFFSET = 2;

/** Property order of the presence bitmap (never reorder: it is the on-disk format). */
const PROPS = [
  'contentType', 'contentEncoding', 'headers', 'deliveryMode', 'priority', 'correlationId', 'replyTo',
  'expiration', 'messageId', 'timestamp', 'type', 'userId', 'appId', 'clusterId',
] as const;
const P_HEADERS = 2;
const P_DELIVERY_MODE = 3;
const P_PRIORITY = 4;
const P_TIMESTAMP = 9;

const TAG_FALSE = 0x01;
const TAG_TRUE = 0x02;
const TAG_INT8 = 0x03;
const TAG_UINT8 = 0x04;
const TAG_INT16 = 0x05;
const TAG_UINT16 = 0x06;
const TAG_INT32 = 0x07;
const TAG_UINT32 = 0x08;
const TAG_INT64 = 0x09;
const TAG_UINT64 = 0x0a;
const TAG_TIMESTAMP = 0x0b;
const TAG_FLOAT = 0x0c;
const TAG_DOUBLE = 0x0d;
const TAG_DECIMAL = 0x0e;
const TAG_STRING_TEXT = 0x0f;
const TAG_STRING_BYTES = 0x10;
const TAG_SHORTSTR = 0x11;
const TAG_BYTES = 0x12;
const TAG_ARRAY = 0x13;
const TAG_TABLE = 0x14;
const TAG_VOID = 0x15;

/** A decoded record. */
export interface MessageRecord {
  readonly message: Message;
  /** ms since the epoch; absent when the entry never expires */
  readonly expiresAt?: number;
}

// ---------------------------------------------------------------- writer

/** Growable scratch buffer reused by every encode (the result is copied out). */
class Writer {
  buf = Buffer.allocUnsafe(4096);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(n: number): void {
    this.ensure(1);
    this.buf[this.pos++] = n;
  }

  uv(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  str(s: string): void {
    const max = s.length * 3;
    if (max < 0x80) {
      // one length byte is enough whatever the UTF-8 length
      this.ensure(1 + max);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uv(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(b: Buffer): void {
    this.uv(b.length);
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  small(n: number): void {
    if (Number.isInteger(n) && n >= 0 && n < 0xff && !Object.is(n, -0)) return this.u8(n);
    this.u8(0xff);
    this.f64(n);
  }

  f64(n: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  big(v: bigint): void {
    if (v > -0x8_0000_0000_0000n && v < 0x8_0000_0000_0000n) {
      // fast path (|v| < 2^51): zigzag in doubles, exact below 2^53
      const n = Number(v);
      this.uv(n >= 0 ? n * 2 : -n * 2 - 1);
      return;
    }
    let z = v >= 0n ? v << 1n : ((-v) << 1n) - 1n; // zigzag
    while (z >= 0x80n) {
      this.u8(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.u8(Number(z));
  }

  table(t: FieldTable): void {
    const keys = Object.keys(t);
    this.uv(keys.length);
    for (const k of keys) {
      this.str(k);
      this.value(t[k]!);
    }
  }

  value(v: FieldValue): void {
    this.ensure(9);
    const b = this.buf;
    switch (v.type) {
      case 'boolean': return this.u8(v.value ? TAG_TRUE : TAG_FALSE);
      case 'int8': b[this.pos++] = TAG_INT8; this.pos = b.writeInt8(v.value, this.pos); return;
      case 'uint8': b[this.pos++] = TAG_UINT8; this.pos = b.writeUInt8(v.value, this.pos); return;
      case 'int16': b[this.pos++] = TAG_INT16; this.pos = b.writeInt16LE(v.value, this.pos); return;
      case 'uint16': b[this.pos++] = TAG_UINT16; this.pos = b.writeUInt16LE(v.value, this.pos); return;
      case 'int32': b[this.pos++] = TAG_INT32; this.pos = b.writeInt32LE(v.value, this.pos); return;
      case 'uint32': b[this.pos++] = TAG_UINT32; this.pos = b.writeUInt32LE(v.value, this.pos); return;
      case 'float': b[this.pos++] = TAG_FLOAT; this.pos = b.writeFloatLE(v.value, this.pos); return;
      case 'double': b[this.pos++] = TAG_DOUBLE; this.pos = b.writeDoubleLE(v.value, this.pos); return;
      case 'int64': this.u8(TAG_INT64); return this.big(v.value);
      case 'uint64': this.u8(TAG_UINT64); return this.big(v.value);
      case 'timestamp': this.u8(TAG_TIMESTAMP); return this.big(v.value);
      case 'decimal':
        this.u8(TAG_DECIMAL);
        this.small(v.value.scale);
        return this.f64(v.value.digits);
      case 'string':
        if (typeof v.value === 'string') {
          this.u8(TAG_STRING_TEXT);
          return this.str(v.value);
        }
        this.u8(TAG_STRING_BYTES);
        return this.bytes(v.value);
      case 'shortstr': this.u8(TAG_SHORTSTR); return this.str(v.value);
      case 'bytes': this.u8(TAG_BYTES); return this.bytes(v.value);
      case 'array':
        this.u8(TAG_ARRAY);
        this.uv(v.value.length);
        for (const x of v.value) this.value(x);
        return;
      case 'table': this.u8(TAG_TABLE); return this.table(v.value);
      case 'void': return this.u8(TAG_VOID);
    }
  }
}

const writer = new Writer();

/**
 * Encodes a message (and the entry's TTL deadline, if any) into a fresh Buffer.
 * Cost: one pass over the properties into a reused scratch buffer, one copy of
 * scratch + body into the result.
 */
export function encodeMessage(message: Message, expiresAt?: number): Buffer {
  const w = writer;
  w.pos = 0;
  const p = message.properties;
  let bitmap = 0;
  for (let i = 0; i < PROPS.length; i++) if (p[PROPS[i]!] !== undefined) bitmap |= 1 << i;
  const hasExpiry = expiresAt !== undefined && expiresAt !== Infinity;
  w.ensure(8);
  w.buf[0] = RECORD_VERSION;
  w.buf[1] = (hasExpiry ? FLAG_EXPIRES : 0) | FLAG_BODY_OFFSET;
  w.buf.writeUInt16LE(bitmap, 2);
  w.pos = 8; // [4, 8): the body offset, written below
  if (hasExpiry) w.f64(expiresAt);
  w.str(message.exchange);
  w.str(message.routingKey);
  for (let i = 0; i < PROPS.length; i++) {
    if ((bitmap & (1 << i)) === 0) continue;
    const v = p[PROPS[i]!]!;
    if (i === P_HEADERS) w.table(v as FieldTable);
    else if (i === P_DELIVERY_MODE || i === P_PRIORITY) w.small(v as number);
    else if (i === P_TIMESTAMP) w.big(v as bigint);
    else w.str(v as string);
  }
  const body = message.body;
  const out = Buffer.allocUnsafe(w.pos + body.length);
  w.buf.writeUInt32LE(w.pos, 4);
  w.buf.copy(out, 0, 0, w.pos);
  body.copy(out, w.pos);
  // keep the scratch buffer from growing without bound after one huge header
  if (w.buf.length > 1 << 20) w.buf = Buffer.allocUnsafe(4096);
  return out;
}

// ---------------------------------------------------------------- reader

class Reader {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`message record truncated at ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  uv(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  str(): string {
    const n = this.uv();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A copy: decoded values must not pin the (possibly large, shared) record buffer. */
  bytes(): Buffer {
    const n = this.uv();
    this.need(n);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  small(): number {
    const b = this.u8();
    return b === 0xff ? this.f64() : b;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  big(): bigint {
    const start = this.pos;
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      const b = this.u8();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2); // < 2^49: exact in a double
      mul *= 0x80;
    }
    this.pos = start;
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    return (z & 1n) === 0n ? z >> 1n : -((z + 1n) >> 1n);
  }

  fixed(read: (off: number) => number, size: number): number {
    this.need(size);
    const v = read.call(this.buf, this.pos);
    this.pos += size;
    return v;
  }

  table(): FieldTable {
    const n = this.uv();
    const out: Record<string, FieldValue> = {};
    for (let i = 0; i < n; i++) {
      const k = this.str();
      const v = this.value();
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }

  value(): FieldValue {
    const tag = this.u8();
    const b = this.buf;
    switch (tag) {
      case TAG_FALSE: return { type: 'boolean', value: false };
      case TAG_TRUE: return { type: 'boolean', value: true };
      case TAG_INT8: return { type: 'int8', value: this.fixed(b.readInt8, 1) };
      case TAG_UINT8: return { type: 'uint8', value: this.fixed(b.readUInt8, 1) };
      case TAG_INT16: return { type: 'int16', value: this.fixed(b.readInt16LE, 2) };
      case TAG_UINT16: return { type: 'uint16', value: this.fixed(b.readUInt16LE, 2) };
      case TAG_INT32: return { type: 'int32', value: this.fixed(b.readInt32LE, 4) };
      case TAG_UINT32: return { type: 'uint32', value: this.fixed(b.readUInt32LE, 4) };
      case TAG_FLOAT: return { type: 'float', value: this.fixed(b.readFloatLE, 4) };
      case TAG_DOUBLE: return { type: 'double', value: this.fixed(b.readDoubleLE, 8) };
      case TAG_INT64: return { type: 'int64', value: this.big() };
      case TAG_UINT64: return { type: 'uint64', value: this.big() };
      case TAG_TIMESTAMP: return { type: 'timestamp', value: this.big() };
      case TAG_DECIMAL: {
        const scale = this.small();
        return { type: 'decimal', value: { scale, digits: this.f64() } };
      }
      case TAG_STRING_TEXT: return { type: 'string', value: this.str() };
      case TAG_STRING_BYTES: return { type: 'string', value: this.bytes() };
      case TAG_SHORTSTR: return { type: 'shortstr', value: this.str() };
      case TAG_BYTES: return { type: 'bytes', value: this.bytes() };
      case TAG_ARRAY: {
        const n = this.uv();
        const arr: FieldValue[] = [];
        for (let i = 0; i < n; i++) arr.push(this.value());
        return { type: 'array', value: arr };
      }
      case TAG_TABLE: return { type: 'table', value: this.table() };
      case TAG_VOID: return { type: 'void' };
      default: throw new RangeError(`unknown field value tag 0x${tag.toString(16)} at ${this.pos - 1}`);
    }
  }
}

/**
 * Decodes a record. The body is a copy unless `shareBody` (then it is a view
 * into `buf`: fine for a buffer returned by a store read, not for a recovery
 * visitor's view of a whole segment). Throws RangeError on a malformed record.
 */
export function decodeMessage(buf: Buffer, o: { shareBody?: boolean } = {}): MessageRecord {
  if (buf.length < 4) throw new RangeError('message record too short');
  if (buf[0] !== RECORD_VERSION) throw new RangeError(`unsupported message record version ${buf[0]}`);
  const flags = buf[1]!;
  const bitmap = buf.readUInt16LE(2);
  const r = new Reader(buf, (flags & FLAG_BODY_OFFSET) !== 0 ? 8 : 4);
  const expiresAt = (flags & FLAG_EXPIRES) !== 0 ? r.f64() : undefined;
  const exchange = r.str();
  const routingKey = r.str();
  const props: Record<string, unknown> = {};
  for (let i = 0; i < PROPS.length; i++) {
    if ((bitmap & (1 << i)) === 0) continue;
    let v: unknown;
    if (i === P_HEADERS) v = r.table();
    else if (i === P_DELIVERY_MODE || i === P_PRIORITY) v = r.small();
    else if (i === P_TIMESTAMP) v = r.big();
    else v = r.str();
    props[PROPS[i]!] = v;
  }
  if (bitmap >>> PROPS.length !== 0) throw new RangeError(`unknown property bits 0x${bitmap.toString(16)}`);
  const rest = buf.subarray(r.pos);
  const body = o.shareBody ? rest : Buffer.from(rest);
  const message: Message = { exchange, routingKey, properties: props as MessageProperties, body };
  return expiresAt === undefined ? { message } : { message, expiresAt };
}

/** What recovery needs of a record without decoding it (see `recordMeta`). */
export interface RecordMeta {
  /** body bytes */
  bodySize: number;
  /** ms since the epoch; Infinity = never expires */
  expiresAt: number;
}

/**
 * Body size and deadline of a record, written into `out` (no allocation) —
 * a decode only for records written before the body offset existed.
 * Throws RangeError on a malformed record.
 */
export function recordMeta(buf: Buffer, out: RecordMeta): RecordMeta {
  if (buf.length < 4) throw new RangeError('message record too short');
  if (buf[0] !== RECORD_VERSION) throw new RangeError(`unsupported message record version ${buf[0]}`);
  const flags = buf[1]!;
  if ((flags & FLAG_BODY_OFFSET) === 0) {
    const rec = decodeMessage(buf, { shareBody: true });
    out.bodySize = rec.message.body.length;
    out.expiresAt = rec.expiresAt ?? Infinity;
    return out;
  }
  const hasExpiry = (flags & FLAG_EXPIRES) !== 0;
  if (buf.length < (hasExpiry ? 16 : 8)) throw new RangeError('message record truncated');
  const start = buf.readUInt32LE(4);
  if (start > buf.length) throw new RangeError(`message record body offset ${start} beyond ${buf.length}`);
  out.bodySize = buf.length - start;
  out.expiresAt = hasExpiry ? buf.readDoubleLE(8) : Infinity;
  return out;
}
