/**
 * DeliveredLog: which stored messages of one queue have been handed to a
 * consumer (so that, after a crash, they come back with `redelivered` set, as
 * RabbitMQ does).
 *
 * File `delivered` in the queue's directory: a flat list of 8-byte entries
 * (u32 segment, u32 offset, little-endian). Cheap by design:
 * - `mark(pos)` is called on a message's FIRST delivery only; marks are
 *   batched and appended with one `write` per event-loop turn, WITHOUT fsync:
 *   a process crash (kill -9) keeps what was written (page cache); only an OS
 *   crash can lose the last marks, which only costs a missing redelivered flag;
 * - `unmark(pos)` (ack) only drops the in-memory key; the file is compacted
 *   (rewritten with the live keys, temp file + rename) when it holds more than
 *   4x the live entries and at least 64 KiB, and once at recovery.
 * Memory: one number per delivered-but-unacked (or requeued) message.
 * A torn trailing entry is ignored; entries naming acked messages are harmless.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StorePosition } from '../store/index.js';

export const DELIVERED_FILE = 'delivered';
const ENTRY = 8;
const COMPACT_MIN_BYTES = 64 * 1024;

/** segment * 2^32 + offset: exact while segment < 2^21 (16 TiB of 8 MiB segments). */
export function positionKey(pos: { segment: number; offset: number }): number {
  return pos.segment * 0x1_0000_0000 + pos.offset;
}

export class DeliveredLog {
  readonly file: string;
  private readonly live = new Set<number>();
  private pending: number[] = [];
  private fileBytes = 0;
  private fd = -1;
  private writing = false;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];
  private readonly onError: (err: Error) => void;

  constructor(dir: string, onError: (err: Error) => void) {
    this.file = path.join(dir, DELIVERED_FILE);
    this.onError = onError;
  }

  /** Reads the marks left by the previous run (sync, at recovery). Missing file → empty. */
  load(): Set<number> {
    const keys = new Set<number>();
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(e as Error);
      return keys;
    }
    for (let o = 0; o + ENTRY <= buf.length; o += ENTRY) {
      keys.add(positionKey({ segment: buf.readUInt32LE(o), offset: buf.readUInt32LE(o + 4) }));
    }
    return keys;
  }

  /**
   * After recovery: keeps the marks of the recovered messages that had one,
   * rewrites the file with exactly those (sync, temp file + rename), opens it for appends.
   */
  start(kept: Iterable<number>): void {
    for (const k of kept) this.live.add(k);
    try {
      this.rewriteSync();
    } catch (e) {
      this.onError(e as Error); // marks are then kept in memory only
    }
  }

  /** True when `pos` is marked (delivered at least once and not acked). */
  has(pos: StorePosition): boolean {
    return this.live.has(positionKey(pos));
  }

  get size(): number {
    return this.live.size;
  }

  mark(pos: StorePosition): void {
    if (this.closed) return;
    const k = positionKey(pos);
    if (this.live.has(k)) return;
    this.live.add(k);
    this.pending.push(pos.segment, pos.offset);
    this.schedule();
  }

  unmark(pos: StorePosition): void {
    this.live.delete(positionKey(pos));
  }

  /** Resolves once every mark made so far has been written. */
  drain(): Promise<void> {
    if (!this.writing && !this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    this.closeFd();
  }

  /** The queue is gone: stop writing (the directory is removed by the caller). */
  abandon(): void {
    this.closed = true;
    this.pending = [];
    this.live.clear();
    if (!this.writing) this.closeFd();
  }

  // ---- internals

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => this.writeBatch());
  }

  private writeBatch(): void {
    this.scheduled = false;
    if (this.closed || this.fd < 0) this.pending = []; // nothing to write to (logged when it failed)
    if (this.pending.length === 0) return this.settle();
    if (this.fileBytes >= COMPACT_MIN_BYTES && this.fileBytes > 4 * ENTRY * this.live.size) {
      this.pending = [];
      try {
        this.rewriteSync(); // includes every live key, pending ones too
      } catch (e) {
        this.onError(e as Error);
      }
      return this.settle();
    }
    const marks = this.pending;
    this.pending = [];
    const buf = Buffer.allocUnsafe((marks.length / 2) * ENTRY);
    for (let i = 0, o = 0; i < marks.length; i += 2, o += ENTRY) {
      buf.writeUInt32LE(marks[i]!, o);
      buf.writeUInt32LE(marks[i + 1]!, o + 4);
    }
    this.writing = true;
    fs.write(this.fd, buf, 0, buf.length, this.fileBytes, (err, n) => {
      this.writing = false;
      if (err) this.onError(err);
      else this.fileBytes += n;
      if (this.closed) this.closeFd();
      if (this.pending.length > 0 && !this.closed) this.schedule();
      else this.settle();
    });
  }

  private settle(): void {
    if (this.writing || this.scheduled || this.pending.length > 0) return;
    for (const r of this.idle.splice(0)) r();
  }

  private rewriteSync(): void {
    this.closeFd();
    const buf = Buffer.allocUnsafe(this.live.size * ENTRY);
    let o = 0;
    for (const k of this.live) {
      buf.writeUInt32LE(Math.floor(k / 0x1_0000_0000), o);
      buf.writeUInt32LE(k % 0x1_0000_0000, o + 4);
      o += ENTRY;
    }
    const tmp = this.file + '.tmp';
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, this.file);
    this.fd = fs.openSync(this.file, 'r+');
    this.fileBytes = buf.length;
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }
}
