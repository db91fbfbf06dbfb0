/**
 * In-memory state of one segment of a queue's log (no I/O here).
 *
 * Responsibilities:
 * - the byte budget of the segment file: `size` (bytes handed out, including records
 *   not yet written) and `durableSize` (bytes known to be on disk after fdatasync);
 * - the ascending list of record offsets (`Uint32Array`, 4 bytes per record) and an
 *   ack bitmap (1 bit per record), so `ack` is exact and idempotent: acking an
 *   unknown or already-acked offset is a no-op;
 * - the ack-file bookkeeping (offsets waiting to be written, file size);
 * - rollback of records that a failed flush could not persist.
 *
 * A segment is *sealed* once nothing more will be appended (rolled over, recovered
 * from disk, or rolled back after a write failure). A sealed segment whose records
 * are all acked can be deleted (`.seg` first, then `.ack`).
 */
export class Segment {
  readonly id: number;
  /** Bytes handed out: header + every appended record, durable or not. */
  size: number;
  /** Bytes known to be on disk (advanced after a successful fdatasync). */
  durableSize: number;
  /** Records whose bytes are durable (a prefix of the record list). */
  durableCount: number;
  sealed: boolean;
  /** The file has been created (and its directory entry fsynced). */
  created: boolean;
  /** Deletion has been scheduled or done; the segment takes no more acks. */
  deleting = false;

  /** Offsets of acks not yet handed to a flush. */
  pendingAcks: number[] = [];
  /** Bytes of the ack file known written; the next ack write goes here. */
  ackFileSize: number;
  ackFileCreated: boolean;

  private offsets: Uint32Array;
  private bitmap: Uint8Array;
  private n = 0;
  private nAcked = 0;

  constructor(id: number, size: number, opts: { created: boolean; ackFileSize?: number; capacity?: number }) {
    this.id = id;
    this.size = size;
    this.durableSize = opts.created ? size : 0;
    this.durableCount = 0;
    this.sealed = false;
    this.created = opts.created;
    this.ackFileSize = opts.ackFileSize ?? 0;
    this.ackFileCreated = opts.ackFileSize !== undefined;
    const cap = Math.max(16, opts.capacity ?? 256);
    this.offsets = new Uint32Array(cap);
    this.bitmap = new Uint8Array(cap >>> 3);
  }

  /** Number of records (acked or not) that exist in this segment. */
  get count(): number {
    return this.n;
  }
  get ackedCount(): number {
    return this.nAcked;
  }
  /** True when every record is acked (vacuously true for an empty segment). */
  get fullyAcked(): boolean {
    return this.nAcked === this.n;
  }

  /** Registers a record at `offset` (must be larger than every previous one). */
  addRecord(offset: number): void {
    if (this.n === this.offsets.length) this.grow();
    this.offsets[this.n++] = offset;
  }

  /** Index of the record at `offset`, or -1. */
  indexOf(offset: number): number {
    const o = this.offsets;
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = o[mid]!;
      if (v === offset) return mid;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Marks the record at `offset` acked. False if unknown or already acked. */
  ack(offset: number): boolean {
    const i = this.indexOf(offset);
    if (i < 0) return false;
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    if (this.bitmap[byte]! & bit) return false;
    this.bitmap[byte] = this.bitmap[byte]! | bit;
    this.nAcked++;
    return true;
  }

  isAcked(offset: number): boolean {
    const i = this.indexOf(offset);
    return i >= 0 && (this.bitmap[i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** Offset of the record at index `i` (0 ≤ i < count). */
  offsetAt(i: number): number {
    return this.offsets[i]!;
  }

  /**
   * Forgets records `[toCount, count)` (a failed flush) and seals the segment:
   * their positions become invalid, acks for them become no-ops, and the segment
   * number/offsets are never reused.
   */
  rollback(toCount: number, toSize: number): void {
    for (let i = toCount; i < this.n; i++) {
      const byte = i >>> 3;
      const bit = 1 << (i & 7);
      if (this.bitmap[byte]! & bit) {
        this.bitmap[byte] = this.bitmap[byte]! & ~bit;
        this.nAcked--;
      }
    }
    this.n = Math.min(this.n, toCount);
    this.durableCount = Math.min(this.durableCount, toCount);
    this.size = toSize;
    this.durableSize = Math.min(this.durableSize, toSize);
    this.sealed = true;
  }

  /** Sealed: gives back the unused capacity (up to half of the arrays after the last doubling). */
  compact(): void {
    if (this.offsets.length - this.n < 64) return;
    const cap = Math.max(16, (this.n + 7) & ~7);
    this.offsets = this.offsets.slice(0, cap);
    this.bitmap = this.bitmap.slice(0, cap >>> 3);
  }

  private grow(): void {
    const next = new Uint32Array(this.offsets.length * 2);
    next.set(this.offsets);
    this.offsets = next;
    const bm = new Uint8Array(next.length >>> 3);
    bm.set(this.bitmap);
    this.bitmap = bm;
  }
}
