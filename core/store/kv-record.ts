/**
 * On-disk format of a KvLog file (kv-log.ts): every byte-layout decision of it.
 *
 * The file is a bare sequence of records (no file header):
 *   record : u32 LE length | u32 LE checksum | body                          → 8 + length
 *   body   : u8 type (1 = set, 2 = delete) | u16 LE key byte length | key (UTF-8) | value
 *
 * `length` counts the body; a delete carries no value bytes. The checksum is the
 * segment-record checksum of record-format.ts (CRC-32 over the 4 length bytes then
 * the body), so a KvLog record is a segment record whose payload is the body and
 * `checkRecordAt` validates it; a damaged length field or an all-zero header (a file
 * that grew but whose data never reached the disk) is never valid.
 *
 * Replay (`replayKvLog`, synchronous, at open) reads the file through a small
 * window so that it never holds the whole file: records bigger than the window get
 * a buffer of their own (after a 1-byte probe proves the file is that long, so a
 * damaged length can never make it allocate gigabytes). Replay stops at the first
 * short or bad record; the caller truncates the file there.
 */
import { crc32 } from 'node:zlib';
import { RECORD_HEADER_SIZE, RECORD_OK, checkRecordAt } from './record-format.js';

export const KV_SET = 1;
export const KV_DELETE = 2;
export type KvType = typeof KV_SET | typeof KV_DELETE;
/** type + key length */
const BODY_HEADER_SIZE = 3;
/** Bytes before the key: record header + body header. */
export const KV_HEAD_SIZE = RECORD_HEADER_SIZE + BODY_HEADER_SIZE;
export const MAX_KEY_BYTES = 0xffff;
const MAX_BODY_SIZE = 0xffffffff;
/** Values up to this size are copied into the record buffer; larger ones are referenced. */
const COPY_LIMIT = 64 * 1024;
const WINDOW = 1 << 20;

/** Where one live key's record sits in the file (compaction copies it from there). */
export interface KvSlot {
  readonly off: number;
  /** whole record, header included */
  readonly len: number;
}

/** The UTF-8 bytes of a key; RangeError when it is not well-formed or longer than 65535 bytes. */
export function encodeKey(key: string): Buffer {
  if (typeof key !== 'string') throw new TypeError('state map key must be a string');
  if (/\p{Cs}/u.test(key)) throw new RangeError('state map key has a lone surrogate (not representable in UTF-8)');
  const kb = Buffer.from(key, 'utf8');
  if (kb.length > MAX_KEY_BYTES) throw new RangeError(`state map key too long: ${kb.length} bytes (max ${MAX_KEY_BYTES})`);
  return kb;
}

/** The record as buffers for one gather write, and its total length. `value` > 64 KiB is referenced. */
export function encodeKvRecord(type: KvType, key: Buffer, value: Buffer | null): { bufs: Buffer[]; len: number } {
  const vlen = value === null ? 0 : value.length;
  const body = BODY_HEADER_SIZE + key.length + vlen;
  if (body > MAX_BODY_SIZE) throw new RangeError(`state map value too large: ${vlen} bytes`);
  const copy = value !== null && vlen <= COPY_LIMIT;
  const head = Buffer.allocUnsafe(KV_HEAD_SIZE + key.length + (copy ? vlen : 0));
  head.writeUInt32LE(body, 0);
  head[8] = type;
  head.writeUInt16LE(key.length, 9);
  key.copy(head, KV_HEAD_SIZE);
  if (copy) value.copy(head, KV_HEAD_SIZE + key.length);
  // CRC-32 chained over length | body, exactly record-format.ts's recordChecksum
  let sum = crc32(head.subarray(RECORD_HEADER_SIZE), crc32(head.subarray(0, 4)));
  if (value !== null && !copy) sum = crc32(value, sum);
  head.writeUInt32LE(sum, 4);
  const len = RECORD_HEADER_SIZE + body;
  return { bufs: value !== null && !copy ? [head, value] : [head], len };
}

export interface KvBody {
  readonly type: KvType;
  readonly key: string;
  /** offset of the value in the record buffer (the value runs to its end) */
  readonly valueAt: number;
}

/** Parses a record whose checksum is already verified; a string says why it is malformed. */
export function parseKvRecord(rec: Buffer): KvBody | string {
  const body = rec.length - RECORD_HEADER_SIZE;
  if (body < BODY_HEADER_SIZE) return `record body too short (${body} bytes)`;
  const type = rec[8];
  const klen = rec.readUInt16LE(9);
  if (klen > body - BODY_HEADER_SIZE) return `key length ${klen} runs past the record`;
  if (type !== KV_SET && type !== KV_DELETE) return `unknown record type ${type}`;
  const valueAt = KV_HEAD_SIZE + klen;
  if (type === KV_DELETE && valueAt !== rec.length) return 'delete record carries a value';
  return { type, key: rec.toString('utf8', KV_HEAD_SIZE, valueAt), valueAt };
}

/** Positional read: bytes read, fewer than asked only at end of file. */
export type ReadAt = (buf: Buffer, off: number, len: number, pos: number) => number;

export interface ReplayResult {
  readonly values: Map<string, Buffer>;
  readonly index: Map<string, KvSlot>;
  readonly liveBytes: number;
  readonly deadBytes: number;
  /** end of the last good record: where the file must end */
  readonly end: number;
  /** why replay stopped before the end of the file, or null */
  readonly damage: string | null;
}

/** Replays the file: set/delete in file order; stops at the first torn or bad record. */
export function replayKvLog(read: ReadAt): ReplayResult {
  const values = new Map<string, Buffer>();
  const index = new Map<string, KvSlot>();
  let live = 0;
  let dead = 0;
  const win = Buffer.allocUnsafe(WINDOW);
  let winStart = 0;
  let winLen = 0;
  const readFull = (buf: Buffer, pos: number): number => {
    let got = 0;
    while (got < buf.length) {
      const n = read(buf, got, buf.length - got, pos + got);
      if (n <= 0) break;
      got += n;
    }
    return got;
  };
  /** bytes [o, o+n) of the file, shorter at end of file; a window view when n <= WINDOW */
  const view = (o: number, n: number): Buffer => {
    if (o >= winStart && o + n <= winStart + winLen) return win.subarray(o - winStart, o - winStart + n);
    if (n > WINDOW) {
      if (readFull(Buffer.allocUnsafe(1), o + n - 1) < 1) return win.subarray(0, 0);
      const own = Buffer.allocUnsafe(n);
      return own.subarray(0, readFull(own, o));
    }
    winStart = o;
    winLen = readFull(win, o);
    return win.subarray(0, Math.min(n, winLen));
  };

  let o = 0;
  let damage: string | null = null;
  for (;;) {
    const hdr = view(o, RECORD_HEADER_SIZE);
    if (hdr.length === 0) break;
    if (hdr.length < RECORD_HEADER_SIZE) {
      damage = `torn record header (${hdr.length} bytes)`;
      break;
    }
    const len = RECORD_HEADER_SIZE + hdr.readUInt32LE(0);
    const rec = view(o, len);
    if (rec.length < len) {
      damage = 'torn record (runs past the end of the file)';
      break;
    }
    if (checkRecordAt(rec, 0, len) !== RECORD_OK) {
      damage = 'bad CRC';
      break;
    }
    const r = parseKvRecord(rec);
    if (typeof r === 'string') {
      damage = r;
      break;
    }
    const old = index.get(r.key);
    if (old) {
      live -= old.len;
      dead += old.len;
    }
    if (r.type === KV_SET) {
      // a window view is reused: copy; a record of its own is kept (its head is small)
      values.set(r.key, len > WINDOW ? rec.subarray(r.valueAt) : Buffer.from(rec.subarray(r.valueAt)));
      index.set(r.key, { off: o, len });
      live += len;
    } else {
      values.delete(r.key);
      index.delete(r.key);
      dead += len;
    }
    o += len;
  }
  return { values, index, liveBytes: live, deadBytes: dead, end: o, damage };
}
