/**
 * SegmentLog: the durable, append-only message log of ONE queue (a directory per queue).
 *
 * Responsibilities: positions, group commit, durability notification, acks and
 * deletion of fully-acked segments, reads, recovery, failure state, close/destroy.
 * Byte layout lives in record-format.ts, the write buffer in write-batch.ts, the
 * I/O of one commit in group-commit.ts, startup scanning in recovery.ts.
 *
 * Usage (the queue integration):
 *
 *   const log = SegmentLog.open(dir, { listener, logger });
 *   log.recover((pos, payload) => queue.restore(pos, payload));   // once, sync
 *   const pos = log.append(body, confirmToken);   // position known at once
 *   // … later, once per group commit:  listener.durable([token, token, …])
 *   //                         or:      listener.rejected([token, …], err)
 *   log.read(pos, (err, payload) => …);          // or await log.readAsync(pos)
 *   log.ack(pos);                                // consumer acked: idempotent
 *   await log.close();                           // or destroy() when the queue is deleted
 *
 * Durability contract:
 * - `append` encodes the record into the write buffer and returns its position
 *   synchronously. A flush is scheduled with `setImmediate` when none is in flight
 *   (a lone append is durable after one write + fdatasync, ~1 ms); while one is in
 *   flight, appends accumulate and go into the next one (one fdatasync per batch).
 * - Each append's `token` (any value but `undefined`) is reported exactly once,
 *   batched: `listener.durable(tokens)` after the data is fdatasynced (and the
 *   directory fsynced if the segment is new), or `listener.rejected(tokens, err)`
 *   if the write/fdatasync failed. A failed batch rejects its own appends plus any
 *   queued behind them in the same segment (they were positioned after the failed
 *   bytes); the segment is cut back to its durable size and sealed, later appends
 *   go to a new segment, and earlier durable data is untouched. A rejected record
 *   may still reappear after a crash if the cut-back itself failed (at-least-once).
 * - `failure` is the last commit error (null again after a successful commit);
 *   `listener.failureChanged` reports transitions (for the core's disk alarm).
 * - `flush()` resolves once everything appended/acked before the call is durable
 *   (rejects if some of it was rejected). One Promise per call, not per message.
 * - Acks are written to the segment's `.ack` file in the same group-commit style;
 *   they carry no notification (a lost ack means a redelivery after a crash).
 *   When every record of a non-current segment is acked, its `.seg` then `.ack`
 *   file are deleted and the directory fsynced.
 *
 * Buffers: `append` copies payloads up to 64 KiB; larger ones are referenced until
 * durable (don't mutate them). Payloads returned by reads must not be mutated.
 */
import type { Callback, FileSystem } from './fs.js';
import { nodeFileSystem, O_RDWR_CREATE } from './fs.js';
import { FdCache } from './fd-cache.js';
import { ackPath, commitBatch, segmentPath } from './group-commit.js';
import type { CommitEnv, CommitOutcome } from './group-commit.js';
import type { StorePosition } from './position.js';
import { MAX_PAYLOAD_SIZE, RECORD_HEADER_SIZE, SEGMENT_HEADER_SIZE, recordChecksum } from './record-format.js';
import { readMany, readRecordSync } from './batch-read.js';
import { recoverDirectory } from './recovery.js';
import type { RecordVisitor, RecoveryReport } from './recovery.js';
import { Segment } from './segment.js';
import type { DurabilityListener, StoreLogger } from './types.js';
import { BatchBuilder, batchIsEmpty } from './write-batch.js';
import type { WriteBatch } from './write-batch.js';

export const DEFAULT_MAX_SEGMENT_SIZE = 8 * 1024 * 1024;

export interface SegmentLogOptions {
  /** Segment files roll over at this size (bytes, default 8 MiB). A larger record gets a segment of its own. */
  maxSegmentSize?: number;
  listener?: DurabilityListener & { failureChanged?(error: Error | null): void };
  logger?: StoreLogger;
  /** Injected file system (tests: fault injection, sync counting). */
  fs?: FileSystem;
  /** Open segment fds kept for reads (default 16); ack fds (default 8). */
  maxOpenSegments?: number;
  maxOpenAckFiles?: number;
}

/** Error codes on `Error.code` from reads and state checks. */
export type StoreErrorCode = 'STORE_NOT_FOUND' | 'STORE_CORRUPT' | 'STORE_CLOSED' | 'STORE_NOT_RECOVERED';

export function storeError(code: StoreErrorCode, message: string): Error & { code: StoreErrorCode } {
  return Object.assign(new Error(message), { code });
}

type State = 'new' | 'open' | 'closing' | 'closed';

export class SegmentLog {
  readonly dir: string;
  private readonly fs: FileSystem;
  private readonly maxSize: number;
  private readonly log: StoreLogger;
  private listener: SegmentLogOptions['listener'];
  private readonly segFds: FdCache;
  private readonly ackFds: FdCache;
  private readonly env: CommitEnv;
  private readonly segments = new Map<number, Segment>();
  private readonly builder = new BatchBuilder();
  private current: Segment | null = null;
  private nextId = 1;
  private inflight: WriteBatch | null = null;
  private inflightDone: Promise<void> | null = null;
  private scheduled = false;
  private state: State = 'new';
  private lastFailure: Error | null = null;

  static open(dir: string, options: SegmentLogOptions = {}): SegmentLog {
    return new SegmentLog(dir, options);
  }

  private constructor(dir: string, o: SegmentLogOptions) {
    this.dir = dir;
    this.fs = o.fs ?? nodeFileSystem;
    this.maxSize = o.maxSegmentSize ?? DEFAULT_MAX_SEGMENT_SIZE;
    if (!(this.maxSize > SEGMENT_HEADER_SIZE + RECORD_HEADER_SIZE && this.maxSize <= 0xffffffff)) {
      throw new RangeError(`maxSegmentSize out of range: ${this.maxSize}`);
    }
    this.log = o.logger ?? (() => {});
    this.listener = o.listener;
    this.segFds = new FdCache(this.fs, (id) => segmentPath(dir, id), 'r+', o.maxOpenSegments ?? 16);
    this.ackFds = new FdCache(this.fs, (id) => ackPath(dir, id), O_RDWR_CREATE, o.maxOpenAckFiles ?? 8);
    this.env = {
      fs: this.fs,
      dir,
      segFds: this.segFds,
      ackFds: this.ackFds,
      log: this.log,
      requeueAcks: (seg, offsets) => this.requeueAcks(seg, offsets),
    };
  }

  /**
   * Scans the directory (synchronously, once, before any other call): delivers live
   * records in log order, drops damaged ones (reported to the logger, never thrown).
   */
  recover(onRecord: RecordVisitor = () => {}): RecoveryReport {
    if (this.state !== 'new') throw storeError('STORE_CLOSED', 'recover() must be called once, first');
    const r = recoverDirectory(this.fs, this.dir, this.log, onRecord);
    for (const seg of r.segments) this.segments.set(seg.id, seg);
    this.nextId = r.nextSegmentId;
    this.state = 'open';
    return r.report;
  }

  setListener(listener: SegmentLogOptions['listener']): void {
    this.listener = listener;
  }

  /** Last commit error, or null when the last commit succeeded. */
  get failure(): Error | null {
    return this.lastFailure;
  }

  /** Segments currently holding records (including the one being written). */
  get segmentCount(): number {
    return this.segments.size;
  }

  /** Bytes appended but not yet durable (write buffer + in-flight batch): for publisher flow control. */
  get bufferedBytes(): number {
    let n = 0;
    for (const b of [this.inflight, this.builder.current]) if (b) for (const c of b.chunks) n += c.bytes;
    return n;
  }

  /** Appends a record; see the module comment for when `token` is reported. */
  append(payload: Buffer, token?: unknown): StorePosition {
    if (this.state !== 'open') throw this.notOpen();
    const len = payload.length;
    if (len > MAX_PAYLOAD_SIZE) throw new RangeError(`record too large: ${len} bytes`);
    const recLen = RECORD_HEADER_SIZE + len;
    let seg = this.current;
    if (!seg || seg.sealed || (seg.size + recLen > this.maxSize && seg.count > 0)) seg = this.roll();
    const offset = seg.size;
    this.builder.addRecord(seg, payload, token);
    seg.size += recLen;
    seg.addRecord(offset);
    if (seg.size >= this.maxSize) this.seal(seg);
    this.schedule();
    return { segment: seg.id, offset, size: len };
  }

  /**
   * Acks the record at `pos`. Idempotent: false (and nothing written) when the
   * position is unknown, already acked, or was rejected.
   */
  ack(pos: StorePosition): boolean {
    if (this.state !== 'open' && this.state !== 'closing') return false;
    const seg = this.segments.get(pos.segment);
    if (!seg || seg.deleting || !seg.ack(pos.offset)) return false;
    if (seg.sealed && seg.fullyAcked) {
      this.scheduleDelete(seg);
    } else {
      if (seg.pendingAcks.length === 0) this.builder.current.ackSegs.push(seg);
      seg.pendingAcks.push(pos.offset);
    }
    this.schedule();
    return true;
  }

  /** Reads a record back (from the write buffer if not yet durable), verifying its CRC on disk reads. */
  read(pos: StorePosition, cb: Callback<Buffer>): void {
    const seg = this.segments.get(pos.segment);
    const end = pos.offset + RECORD_HEADER_SIZE + pos.size;
    if (this.state === 'new' || this.state === 'closed' || !seg || end > seg.size || seg.indexOf(pos.offset) < 0) {
      const err = this.state === 'open' || this.state === 'closing'
        ? storeError('STORE_NOT_FOUND', `no record at ${pos.segment}:${pos.offset}`)
        : this.notOpen();
      queueMicrotask(() => cb(err, Buffer.alloc(0)));
      return;
    }
    if (end > seg.durableSize) {
      const mem = this.builder.findPayload([this.inflight, this.builder.current], seg, pos.offset, pos.size);
      if (mem) {
        queueMicrotask(() => cb(null, mem));
        return;
      }
    }
    this.readFromDisk(seg.id, pos, cb);
  }

  /**
   * Reads many records (queue paging): payloads in order, `null` for one that
   * could not be read (first error given). Durable records that follow each
   * other in one segment share ONE file read; `cb` is called once.
   */
  readMany(ps: readonly StorePosition[], cb: (payloads: (Buffer | null)[], err: Error | null) => void): void {
    readMany(ps, {
      segment: (id) => (this.state === 'open' || this.state === 'closing' ? this.segments.get(id) : undefined),
      readOne: (p, done) => this.read(p, done),
      segFds: this.segFds,
      fs: this.fs,
    }, cb);
  }

  /** Synchronous read of one record (rare path: basic.get of a paged head). Throws on failure. */
  readSync(pos: StorePosition): Buffer {
    const seg = this.segments.get(pos.segment);
    const end = pos.offset + RECORD_HEADER_SIZE + pos.size;
    if ((this.state !== 'open' && this.state !== 'closing') || !seg || end > seg.size || seg.indexOf(pos.offset) < 0) {
      throw storeError('STORE_NOT_FOUND', `no record at ${pos.segment}:${pos.offset}`);
    }
    if (end > seg.durableSize) {
      const mem = this.builder.findPayload([this.inflight, this.builder.current], seg, pos.offset, pos.size);
      if (mem) return mem;
    }
    return readRecordSync(this.fs, segmentPath(this.dir, seg.id), pos);
  }

  readAsync(pos: StorePosition): Promise<Buffer> {
    return new Promise((resolve, reject) => this.read(pos, (err, buf) => (err ? reject(err) : resolve(buf))));
  }

  /** Resolves when everything appended or acked before this call is on disk. */
  flush(): Promise<void> {
    const pendingWork = !batchIsEmpty(this.builder.current);
    if (!pendingWork && !this.inflight) return Promise.resolve();
    return new Promise((resolve, reject) => {
      (pendingWork ? this.builder.current : this.inflight!).waiters.push({ resolve, reject });
      if (pendingWork) this.schedule();
    });
  }

  /** Flushes everything, then closes all files. Appends are refused from now on. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'new') {
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    while (this.inflight || !batchIsEmpty(this.builder.current)) {
      await this.flush().catch(() => {}); // failures were reported through the listener
    }
    this.state = 'closed';
    this.segFds.closeAll();
    this.ackFds.closeAll();
  }

  /** The queue was deleted: rejects what is not durable yet, closes files, removes the directory. */
  async destroy(): Promise<void> {
    const wasOpen = this.state === 'open' || this.state === 'closing';
    this.state = 'closed';
    if (this.inflightDone) await this.inflightDone;
    if (wasOpen) {
      const b = this.builder.take();
      const tokens = b.chunks.flatMap((c) => c.tokens);
      const err = storeError('STORE_CLOSED', 'log destroyed');
      if (tokens.length > 0) this.listener?.rejected(tokens, err);
      for (const w of b.waiters) w.reject(err);
    }
    this.segFds.closeAll();
    this.ackFds.closeAll();
    this.segments.clear();
    await new Promise<void>((resolve, reject) => this.fs.rm(this.dir, (e) => (e ? reject(e) : resolve())));
  }

  // ---- internals -------------------------------------------------------------

  private notOpen(): Error {
    return this.state === 'new'
      ? storeError('STORE_NOT_RECOVERED', 'call recover() before using the log')
      : storeError('STORE_CLOSED', 'log is closed');
  }

  private roll(): Segment {
    if (this.current && !this.current.sealed) this.seal(this.current);
    const seg = new Segment(this.nextId++, 0, { created: false });
    this.builder.addSegmentHeader(seg);
    seg.size = SEGMENT_HEADER_SIZE;
    this.segments.set(seg.id, seg);
    this.current = seg;
    return seg;
  }

  private seal(seg: Segment): void {
    seg.sealed = true;
    seg.compact();
    if (this.current === seg) this.current = null;
    if (seg.fullyAcked) this.scheduleDelete(seg);
  }

  private scheduleDelete(seg: Segment): void {
    if (seg.deleting) return;
    seg.deleting = true;
    seg.pendingAcks = [];
    this.segments.delete(seg.id);
    this.builder.current.deletes.push(seg);
    this.schedule();
  }

  private requeueAcks(seg: Segment, offsets: number[]): void {
    if (seg.deleting) return;
    if (seg.pendingAcks.length === 0) this.builder.current.ackSegs.push(seg);
    seg.pendingAcks = offsets.concat(seg.pendingAcks);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.inflight) return;
    this.scheduled = true;
    setImmediate(() => this.runFlush());
  }

  private runFlush(): void {
    this.scheduled = false;
    if (this.state === 'closed') return; // destroyed meanwhile
    if (this.inflight || batchIsEmpty(this.builder.current)) {
      // nothing to write: resolve flush() waiters of an empty batch
      if (!this.inflight) for (const w of this.builder.take().waiters) w.resolve();
      return;
    }
    const batch = this.builder.take();
    this.inflight = batch;
    this.inflightDone = commitBatch(this.env, batch).then(
      (outcome) => this.complete(batch, outcome),
      (err: unknown) => this.complete(batch, { dataError: err as Error, ackError: null }),
    );
  }

  private complete(batch: WriteBatch, outcome: CommitOutcome): void {
    this.inflight = null;
    this.inflightDone = null;
    if (outcome.dataError) this.failBatch(batch, outcome.dataError);
    else this.succeedBatch(batch);
    const err = outcome.dataError ?? outcome.ackError;
    const didIo = batch.chunks.length > 0 || batch.acks.length > 0;
    if (err || didIo) this.setFailure(err);
    if (!batchIsEmpty(this.builder.current) || this.builder.current.waiters.length > 0) this.schedule();
  }

  private succeedBatch(batch: WriteBatch): void {
    let tokens: unknown[] = [];
    for (const c of batch.chunks) {
      const seg = c.seg;
      seg.created = true;
      seg.durableSize = Math.max(seg.durableSize, c.startOffset + c.bytes);
      seg.durableCount = Math.max(seg.durableCount, c.firstIndex + c.records);
      tokens = tokens.length === 0 ? c.tokens : tokens.concat(c.tokens);
    }
    if (tokens.length > 0) this.listener?.durable(tokens);
    for (const w of batch.waiters) w.resolve();
  }

  private failBatch(batch: WriteBatch, err: Error): void {
    this.log({ level: 'error', msg: `group commit failed, ${batch.chunks.length} segment chunk(s) rejected`, err });
    const tokens: unknown[] = [];
    let pendingDropped = false;
    for (const c of batch.chunks) {
      const seg = c.seg;
      for (const t of c.tokens) tokens.push(t);
      const dropped = this.builder.dropSegment(seg);
      if (dropped.length > 0 || seg.count > c.firstIndex + c.records) pendingDropped = true;
      for (const t of dropped) tokens.push(t);
      if (this.current === seg) this.current = null;
      seg.rollback(c.firstIndex, c.isNew ? 0 : c.startOffset);
      if (seg.count === 0 || seg.fullyAcked) this.scheduleDelete(seg);
      else if (!c.isNew) this.builder.current.truncates.push(seg);
    }
    if (tokens.length > 0) this.listener?.rejected(tokens, err);
    for (const w of batch.waiters) w.reject(err);
    if (pendingDropped) {
      const waiters = this.builder.current.waiters.splice(0);
      for (const w of waiters) w.reject(err);
    }
  }

  private setFailure(err: Error | null): void {
    const changed = (err === null) !== (this.lastFailure === null);
    this.lastFailure = err;
    if (changed) this.listener?.failureChanged?.(err);
  }

  private readFromDisk(segId: number, pos: StorePosition, cb: Callback<Buffer>): void {
    this.segFds.acquire(segId, (err, fd) => {
      if (err) return cb(err, Buffer.alloc(0));
      const len = RECORD_HEADER_SIZE + pos.size;
      const buf = Buffer.allocUnsafe(len);
      this.fs.read(fd, buf, 0, len, pos.offset, (rerr, n) => {
        this.segFds.release(segId, fd);
        if (rerr) return cb(rerr, Buffer.alloc(0));
        const payload = buf.subarray(RECORD_HEADER_SIZE);
        if (n !== len || buf.readUInt32LE(0) !== pos.size || buf.readUInt32LE(4) !== recordChecksum(payload)) {
          return cb(storeError('STORE_CORRUPT', `record at ${segId}:${pos.offset} failed its check`), Buffer.alloc(0));
        }
        cb(null, payload);
      });
    });
  }
}
