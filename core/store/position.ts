/**
 * Where a record lives in a queue's segmented log.
 *
 * Responsibilities:
 * - the `StorePosition` value type handed out by `SegmentLog.append` and taken by
 *   `ack`/`read` (plain data: a queue may keep it, or pack it into a `PositionIndex`);
 * - ordering and file naming helpers shared by the store modules.
 *
 * `segment` is the segment number (u32, never reused within a log directory),
 * `offset` the byte offset of the record header in that segment file (u32),
 * `size` the payload length in bytes (u32, header excluded).
 */
export interface StorePosition {
  readonly segment: number;
  readonly offset: number;
  readonly size: number;
}

/** Negative, zero or positive, like a sort comparator: log order. */
export function comparePositions(a: StorePosition, b: StorePosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}

export const SEGMENT_SUFFIX = '.seg';
export const ACK_SUFFIX = '.ack';

/** `42` → `0000000042` (10 digits hold any u32). */
export function segmentBaseName(segment: number): string {
  return String(segment).padStart(10, '0');
}

/** Parses `0000000042.seg` / `.ack`; returns -1 for any other name. */
export function parseSegmentFileName(name: string, suffix: string): number {
  if (name.length !== 10 + suffix.length || !name.endsWith(suffix)) return -1;
  const digits = name.slice(0, 10);
  if (!/^\d{10}$/.test(digits)) return -1;
  const n = Number(digits);
  return n <= 0xffffffff ? n : -1;
}
