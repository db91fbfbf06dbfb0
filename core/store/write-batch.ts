/**
 * The in-memory write buffer of a segment log: records waiting for the next
 * group commit, laid out exactly as they will be written.
 *
 * Responsibilities:
 * - encode records (header + payload) into large slab buffers, so one batch is a
 *   handful of iovecs for a single `writev` (payloads > 64 KiB are referenced, not copied);
 * - group them into per-segment `WriteChunk`s (a batch spans segments when one fills up);
 * - collect the durability tokens of each chunk, pending acks, segments to delete and
 *   `flush()` waiters for the batch;
 * - serve reads of records that are not yet durable (`findPayload`).
 *
 * Slab bytes are never modified once written, so buffers handed to `writev` or
 * returned by `findPayload` stay valid while a later batch fills the same slab.
 */
import type { Segment } from './segment.js';
import { RECORD_HEADER_SIZE, SEGMENT_HEADER_SIZE, writeRecordHeader, writeSegmentHeader } from './record-format.js';

const SLAB_SIZE = 1 << 20;
const COPY_LIMIT = 64 * 1024;

export interface WriteChunk {
  readonly seg: Segment;
  /** File offset of the first byte of this chunk. */
  readonly startOffset: number;
  /** Index (in `seg`) of the first record of this chunk. */
  readonly firstIndex: number;
  /** First chunk of a new segment: it starts with the file header and creates the file. */
  readonly isNew: boolean;
  bytes: number;
  /** Records in this chunk (they are `seg` indices firstIndex … firstIndex+records-1). */
  records: number;
  readonly bufs: Buffer[];
  /** Offset of each buffer relative to `startOffset`. */
  readonly bufStarts: number[];
  readonly tokens: unknown[];
}

export interface AckWrite {
  readonly seg: Segment;
  readonly offsets: number[];
}

export interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export interface WriteBatch {
  readonly chunks: WriteChunk[];
  acks: AckWrite[];
  readonly ackSegs: Segment[];
  readonly deletes: Segment[];
  /** Segments to cut back to `seg.size` (left half-written by a failed batch). */
  readonly truncates: Segment[];
  readonly waiters: Waiter[];
}

function newBatch(): WriteBatch {
  return { chunks: [], acks: [], ackSegs: [], deletes: [], truncates: [], waiters: [] };
}

export function batchIsEmpty(b: WriteBatch): boolean {
  return (
    b.chunks.length === 0 && b.ackSegs.length === 0 && b.acks.length === 0 && b.deletes.length === 0 && b.truncates.length === 0
  );
}

export class BatchBuilder {
  /** The batch being filled (taken by the next flush). */
  current: WriteBatch = newBatch();
  private slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  private used = 0;
  /** Open slab region: bytes [regionStart, used) belong to `regionChunk` at `regionRel`. */
  private regionStart = 0;
  private regionRel = 0;
  private regionChunk: WriteChunk | null = null;

  /** Starts a new segment: its first chunk begins with the file header. */
  addSegmentHeader(seg: Segment): void {
    const chunk = this.chunkFor(seg, true);
    const at = this.reserve(chunk, SEGMENT_HEADER_SIZE);
    writeSegmentHeader(this.slab, at);
    this.used += SEGMENT_HEADER_SIZE;
    chunk.bytes += SEGMENT_HEADER_SIZE;
  }

  /** Encodes one record at the end of `seg`'s chunk. The caller has advanced nothing yet. */
  addRecord(seg: Segment, payload: Buffer, token: unknown): void {
    const chunk = this.chunkFor(seg, false);
    const recLen = RECORD_HEADER_SIZE + payload.length;
    if (recLen <= COPY_LIMIT) {
      const at = this.reserve(chunk, recLen);
      writeRecordHeader(this.slab, at, payload);
      payload.copy(this.slab, at + RECORD_HEADER_SIZE);
      this.used += recLen;
    } else {
      const at = this.reserve(chunk, RECORD_HEADER_SIZE);
      writeRecordHeader(this.slab, at, payload);
      this.used += RECORD_HEADER_SIZE;
      this.closeRegion();
      chunk.bufStarts.push(chunk.bytes + RECORD_HEADER_SIZE);
      chunk.bufs.push(payload);
    }
    chunk.bytes += recLen;
    chunk.records++;
    if (token !== undefined) chunk.tokens.push(token);
  }

  /** Hands the filled batch to a flush and starts a new one. */
  take(): WriteBatch {
    this.closeRegion();
    const b = this.current;
    this.current = newBatch();
    for (const seg of b.ackSegs) {
      if (seg.pendingAcks.length > 0 && !seg.deleting) b.acks.push({ seg, offsets: seg.pendingAcks });
      seg.pendingAcks = [];
    }
    b.ackSegs.length = 0;
    return b;
  }

  /** Drops the chunks of `seg` from the batch being filled; returns their tokens. */
  dropSegment(seg: Segment): unknown[] {
    if (this.regionChunk?.seg === seg) this.closeRegion();
    const dropped: unknown[] = [];
    const keep = this.current.chunks.filter((c) => {
      if (c.seg !== seg) return true;
      for (const t of c.tokens) dropped.push(t);
      return false;
    });
    this.current.chunks.length = 0;
    this.current.chunks.push(...keep);
    return dropped;
  }

  /** Payload of a not-yet-durable record, looked up in `batches`, or undefined. */
  findPayload(batches: readonly (WriteBatch | null)[], seg: Segment, offset: number, size: number): Buffer | undefined {
    for (const b of batches) {
      if (!b) continue;
      for (const c of b.chunks) {
        if (c.seg !== seg) continue;
        const rel = offset - c.startOffset;
        if (rel < 0 || rel + RECORD_HEADER_SIZE + size > c.bytes) continue;
        const payloadRel = rel + RECORD_HEADER_SIZE;
        if (this.regionChunk === c && payloadRel >= this.regionRel) {
          const at = this.regionStart + payloadRel - this.regionRel;
          return this.slab.subarray(at, at + size);
        }
        const i = lastAtOrBefore(c.bufStarts, payloadRel);
        if (i < 0) return undefined;
        const within = payloadRel - c.bufStarts[i]!;
        return c.bufs[i]!.subarray(within, within + size);
      }
    }
    return undefined;
  }

  private chunkFor(seg: Segment, isNew: boolean): WriteChunk {
    const chunks = this.current.chunks;
    const last = chunks[chunks.length - 1];
    if (last && last.seg === seg && !isNew) return last;
    const chunk: WriteChunk = {
      seg,
      startOffset: seg.size,
      firstIndex: seg.count,
      isNew,
      bytes: 0,
      records: 0,
      bufs: [],
      bufStarts: [],
      tokens: [],
    };
    chunks.push(chunk);
    return chunk;
  }

  /** Makes room for `len` bytes in the slab region of `chunk`; returns the slab offset. */
  private reserve(chunk: WriteChunk, len: number): number {
    if (this.regionChunk !== chunk || this.slab.length - this.used < len) {
      this.closeRegion();
      if (this.slab.length - this.used < len) {
        this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, len));
        this.used = 0;
      }
      this.regionStart = this.used;
      this.regionRel = chunk.bytes;
      this.regionChunk = chunk;
    }
    return this.used;
  }

  private closeRegion(): void {
    const c = this.regionChunk;
    if (c && this.used > this.regionStart) {
      c.bufStarts.push(this.regionRel);
      c.bufs.push(this.slab.subarray(this.regionStart, this.used));
    }
    this.regionChunk = null;
    this.regionStart = this.used;
  }
}

function lastAtOrBefore(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
