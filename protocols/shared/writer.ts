/**
 * WriteCoalescer: per-tick write coalescing with high-water-mark accounting,
 * shared by every byte-stream transport (TCP, TLS, later WebSocket).
 *
 * Responsibilities
 * - Collect the small buffers an adapter writes during one tick (frames,
 *   deliveries, confirms) and hand them to the lower layer in ONE write on a
 *   microtask (nats.js flushes the same way), or at once when the queued bytes
 *   cross a flush threshold so a burst never builds an unbounded batch.
 * - Count pending bytes = queued here + buffered in the lower layer (NATS
 *   counts a client's pending bytes the same way) and report "over the
 *   high-water mark" from `push()`; call `onDrain` once pending bytes fall
 *   back under it.
 *
 * Small batches are joined with one Buffer.concat (one syscall, one
 * allocation); batches at or above the flush threshold go out as a
 * scatter/gather write when the sink supports it, so large message bodies are
 * not copied again. No per-write allocation happens besides the queue slot:
 * the flush function and the write-completion callback are bound once.
 */

/** What the coalescer writes into (a net.Socket, a WebSocket…). */
export interface WriteSink {
  /** hand bytes to the lower layer; `done` runs once they were passed to the kernel (or failed) */
  write(buf: Buffer, done: (err?: Error | null) => void): void;
  /** optional scatter/gather write (socket cork/uncork → writev) used for large batches to avoid a copy */
  writeMany?(bufs: Buffer[], done: (err?: Error | null) => void): void;
  /** bytes the lower layer holds but did not yet pass to the kernel */
  readonly bufferedBytes: number;
}

export interface WriteCoalescerOptions {
  /** pending bytes above which `push()` returns false; default 1 MiB */
  highWaterMark?: number;
  /** queued bytes that force an immediate flush; default 64 KiB */
  flushThreshold?: number;
  /** pending bytes fell back under the high-water mark after `push()` returned false */
  onDrain: () => void;
}

export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;
export const DEFAULT_FLUSH_THRESHOLD = 64 * 1024;

export class WriteCoalescer {
  private readonly sink: WriteSink;
  private readonly hwm: number;
  private readonly threshold: number;
  private readonly onDrain: () => void;
  private chunks: Buffer[] = [];
  private queued = 0;
  private scheduled = false;
  private over = false;
  private closed = false;
  private readonly flushBound: () => void;
  private readonly writtenBound: (err?: Error | null) => void;

  constructor(sink: WriteSink, o: WriteCoalescerOptions) {
    this.sink = sink;
    this.hwm = o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.threshold = o.flushThreshold ?? DEFAULT_FLUSH_THRESHOLD;
    this.onDrain = o.onDrain;
    this.flushBound = () => {
      this.scheduled = false;
      this.flush();
    };
    this.writtenBound = () => this.checkDrain();
  }

  /** bytes queued here plus bytes buffered by the sink */
  get pendingBytes(): number {
    return this.queued + this.sink.bufferedBytes;
  }

  get highWaterMark(): number {
    return this.hwm;
  }

  /** Queue bytes. Returns false while pending bytes are at or above the high-water mark. */
  push(buf: Buffer): boolean {
    if (this.closed) return false;
    if (buf.length === 0) return !this.over;
    this.chunks.push(buf);
    this.queued += buf.length;
    if (this.queued >= this.threshold) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushBound);
    }
    if (this.pendingBytes >= this.hwm) {
      this.over = true;
      return false;
    }
    return true;
  }

  /** Hand everything queued to the sink now. */
  flush(): void {
    const n = this.chunks.length;
    if (n === 0 || this.closed) return;
    const chunks = this.chunks;
    const size = this.queued;
    this.chunks = [];
    this.queued = 0;
    if (n === 1) this.sink.write(chunks[0]!, this.writtenBound);
    else if (size >= this.threshold && this.sink.writeMany !== undefined) this.sink.writeMany(chunks, this.writtenBound);
    else this.sink.write(Buffer.concat(chunks, size), this.writtenBound);
  }

  /** The sink reported progress (e.g. a socket 'drain'): maybe signal drain. */
  checkDrain(): void {
    if (this.over && !this.closed && this.pendingBytes < this.hwm) {
      this.over = false;
      this.onDrain();
    }
  }

  /** Drop what is queued and refuse further writes. */
  close(): void {
    this.closed = true;
    this.chunks = [];
    this.queued = 0;
  }
}
