/**
 * On-disk format of segment files (one place for every byte-layout decision).
 *
 * Segment file = header + records:
 *   header : "PPSG" magic (4 bytes) | u32 LE format version (= 1)            → 8 bytes
 *   record : u32 LE payload length | u32 LE checksum | payload bytes           → 8 + length
 *
 * The checksum is CRC-32 (IEEE, `zlib.crc32`) over the 4 length bytes followed by
 * the payload, i.e. `zlib.crc32(payload, crc32(lengthLE))`. Chaining the length in
 * means a corrupted length field is detected too, and an all-zero header (what a
 * file extended but never written can contain after a crash) is never valid,
 * even for an empty payload.
 *
 * Ack file (`NNNNNNNNNN.ack`) = a flat array of u32 LE record offsets, no header.
 * Replay is idempotent: duplicates and offsets that name no record are ignored.
 */
import { crc32 } from 'node:zlib';

export const SEGMENT_MAGIC = 0x47535050; // "PPSG" read as u32 LE
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_SIZE = 8;
export const RECORD_HEADER_SIZE = 8;
export const ACK_ENTRY_SIZE = 4;
/** Largest payload: the whole segment must stay addressable by u32 offsets. */
export const MAX_PAYLOAD_SIZE = 0xffffffff - SEGMENT_HEADER_SIZE - RECORD_HEADER_SIZE;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 of the 4 little-endian bytes of `len` (pure JS, no allocation). */
function crcOfLength(len: number): number {
  let c = 0xffffffff;
  for (let i = 0; i < 4; i++) c = CRC_TABLE[(c ^ (len >>> (8 * i))) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The record checksum for `payload` (see the module comment). */
export function recordChecksum(payload: Uint8Array): number {
  return crc32(payload, crcOfLength(payload.length));
}

export function writeSegmentHeader(buf: Buffer, at: number): void {
  buf.writeUInt32LE(SEGMENT_MAGIC, at);
  buf.writeUInt32LE(FORMAT_VERSION, at + 4);
}

/** null when the header is fine, else a human-readable reason. */
export function checkSegmentHeader(buf: Buffer): string | null {
  if (buf.length < SEGMENT_HEADER_SIZE) return `file shorter than header (${buf.length} bytes)`;
  if (buf.readUInt32LE(0) !== SEGMENT_MAGIC) return 'bad magic';
  const v = buf.readUInt32LE(4);
  return v === FORMAT_VERSION ? null : `unsupported format version ${v}`;
}

/** Writes the 8-byte record header for `payload` at `buf[at]`. */
export function writeRecordHeader(buf: Buffer, at: number, payload: Uint8Array): void {
  buf.writeUInt32LE(payload.length, at);
  buf.writeUInt32LE(recordChecksum(payload), at + 4);
}

/** Result codes of `checkRecordAt`. */
export const RECORD_OK = 0;
/** Fewer than 8 bytes left, or the length runs past the end of the data. */
export const RECORD_TRUNCATED = 1;
/** Complete record whose checksum does not match. */
export const RECORD_BAD_CRC = 2;
export type RecordCheck = typeof RECORD_OK | typeof RECORD_TRUNCATED | typeof RECORD_BAD_CRC;

/**
 * Validates the record at `buf[at]` within `buf[0, end)`. On RECORD_OK and
 * RECORD_BAD_CRC the payload length is `buf.readUInt32LE(at)`.
 */
export function checkRecordAt(buf: Buffer, at: number, end: number): RecordCheck {
  if (end - at < RECORD_HEADER_SIZE) return RECORD_TRUNCATED;
  const len = buf.readUInt32LE(at);
  if (len > end - at - RECORD_HEADER_SIZE) return RECORD_TRUNCATED;
  const start = at + RECORD_HEADER_SIZE;
  const sum = crc32(buf.subarray(start, start + len), crcOfLength(len));
  return sum === buf.readUInt32LE(at + 4) ? RECORD_OK : RECORD_BAD_CRC;
}
