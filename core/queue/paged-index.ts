/**
 * PagedIndex: the ready messages of a paging queue that are NOT in memory,
 * as a FIFO of typed-array columns — no JS object per message.
 *
 * A queue's paged messages are almost always consecutive records of its own
 * log, so a position is stored only when it does NOT follow the previous
 * positioned entry (a new segment, a gap left by acked records at recovery):
 *
 *   per entry, 4 bytes: flags (u8), record size (u16), record overhead =
 *   record size − body size (u8); sizes that do not fit are escaped (0xFFFF /
 *   0xFF) and kept in a Map keyed by the entry's absolute number;
 *   per explicit position, in a side FIFO: segment and offset;
 *   the TTL deadline (f64) column is allocated per 4096-entry chunk only once
 *   an entry of that chunk has one.
 *
 * A *held* entry (flag HELD) has no position: its message stays in memory in
 * the owner's held FIFO, in the same order. Entries are appended at the tail
 * and removed at the head; reads walk forward from the head (`scan`).
 */
import { RECORD_HEADER_SIZE } from '../store/record-format.js';

export const F_REDELIVERED = 1;
export const F_HELD = 2;
/** the position is the next one of the explicit FIFO (else: right after the previous positioned entry) */
const F_EXPLICIT = 4;

const SHIFT = 12;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;
const SIZE_ESC = 0xffff;
const OVER_ESC = 0xff;

interface Chunk {
  readonly flags: Uint8Array;
  readonly size: Uint16Array;
  readonly over: Uint8Array;
  exp: Float64Array | null;
}

function newChunk(): Chunk {
  return { flags: new Uint8Array(CHUNK), size: new Uint16Array(CHUNK), over: new Uint8Array(CHUNK), exp: null };
}

/** What `scan` and the head accessors describe (one reused object). */
export interface IndexEntry {
  flags: number;
  /** position (meaningless for a held entry) */
  segment: number;
  offset: number;
  /** record payload size (body + overhead) */
  recordSize: number;
  bodySize: number;
  expiresAt: number;
}

export class PagedIndex {
  /** bytes per entry in the columns (without the TTL column and explicit positions) */
  static readonly BYTES_PER_ENTRY = 4;

  private chunks: (Chunk | null)[] = [];
  private hc = 0;
  private hs = 0;
  private ts = 0;
  private n = 0;
  /** absolute number of the head entry (escapes are keyed by absolute number) */
  private headAbs = 0;
  private readonly bigSize = new Map<number, number>();
  private readonly bigOver = new Map<number, number>();
  /** explicit positions FIFO */
  private xSeg: number[] = [];
  private xOff: number[] = [];
  private xh = 0;
  /** end of the last positioned entry pushed (tail) and dropped (head cursor) */
  private tailSeg = -1;
  private tailEnd = -1;
  private curSeg = -1;
  private curEnd = -1;
  /** body bytes of all entries */
  bytes = 0;
  private readonly head: IndexEntry = { flags: 0, segment: 0, offset: 0, recordSize: 0, bodySize: 0, expiresAt: Infinity };

  get length(): number {
    return this.n;
  }

  /** Appends an entry; held entries (flags & F_HELD) pass segment 0, offset 0, overhead 0. */
  push(segment: number, offset: number, bodySize: number, overhead: number, expiresAt: number, flags: number): void {
    if (this.n === 0) {
      this.chunks = [newChunk()];
      this.hc = this.hs = this.ts = 0;
    } else if (this.ts === CHUNK) {
      this.chunks.push(newChunk());
      this.ts = 0;
    }
    const c = this.chunks[this.chunks.length - 1]!;
    const i = this.ts++;
    const abs = this.headAbs + this.n;
    const recordSize = bodySize + overhead;
    let f = flags & (F_REDELIVERED | F_HELD);
    if ((f & F_HELD) === 0) {
      if (segment !== this.tailSeg || offset !== this.tailEnd) {
        f |= F_EXPLICIT;
        this.xSeg.push(segment);
        this.xOff.push(offset);
      }
      this.tailSeg = segment;
      this.tailEnd = offset + RECORD_HEADER_SIZE + recordSize;
    }
    c.flags[i] = f;
    if (recordSize < SIZE_ESC) c.size[i] = recordSize;
    else {
      c.size[i] = SIZE_ESC;
      this.bigSize.set(abs, recordSize);
    }
    if (overhead < OVER_ESC) c.over[i] = overhead;
    else {
      c.over[i] = OVER_ESC;
      this.bigOver.set(abs, overhead);
    }
    if (expiresAt !== Infinity) (c.exp ??= new Float64Array(CHUNK).fill(Infinity))[i] = expiresAt;
    else if (c.exp) c.exp[i] = Infinity;
    this.n++;
    this.bytes += bodySize;
  }

  /** The head entry (a reused object: copy what you keep). */
  peekHead(): IndexEntry {
    if (this.n === 0) throw new RangeError('PagedIndex is empty');
    return this.describe(this.chunks[this.hc]!, this.hs, this.headAbs, this.curSeg, this.curEnd, this.xh, this.head);
  }

  /**
   * Visits the first `limit` entries from the head in order (stops early when
   * `visit` returns false). The entry object is reused.
   */
  scan(limit: number, visit: (e: IndexEntry, i: number) => boolean): void {
    const e: IndexEntry = { flags: 0, segment: 0, offset: 0, recordSize: 0, bodySize: 0, expiresAt: Infinity };
    let seg = this.curSeg;
    let end = this.curEnd;
    let xh = this.xh;
    const n = Math.min(limit, this.n);
    for (let i = 0; i < n; i++) {
      const abs = this.hs + i;
      this.describe(this.chunks[this.hc + (abs >>> SHIFT)]!, abs & MASK, this.headAbs + i, seg, end, xh, e);
      if ((e.flags & F_HELD) === 0) {
        if ((e.flags & F_EXPLICIT) !== 0) xh++;
        seg = e.segment;
        end = e.offset + RECORD_HEADER_SIZE + e.recordSize;
      }
      if (!visit(e, i)) return;
    }
  }

  /** Removes the head entry. */
  drop(): void {
    const h = this.peekHead();
    this.bytes -= h.bodySize;
    if ((h.flags & F_HELD) === 0) {
      if ((h.flags & F_EXPLICIT) !== 0) this.advanceExplicit();
      this.curSeg = h.segment;
      this.curEnd = h.offset + RECORD_HEADER_SIZE + h.recordSize;
    }
    if (h.recordSize >= SIZE_ESC) this.bigSize.delete(this.headAbs);
    if (this.bigOver.size > 0) this.bigOver.delete(this.headAbs);
    this.headAbs++;
    this.n--;
    if (this.n === 0) {
      this.clear();
      return;
    }
    if (++this.hs === CHUNK) {
      this.hs = 0;
      this.chunks[this.hc++] = null; // release the emptied chunk
      if (this.hc >= 64 && this.hc * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.hc);
        this.hc = 0;
      }
    }
  }

  clear(): void {
    this.chunks = [];
    this.hc = this.hs = this.ts = this.n = 0;
    this.headAbs = 0;
    this.bigSize.clear();
    this.bigOver.clear();
    this.xSeg = [];
    this.xOff = [];
    this.xh = 0;
    this.tailSeg = this.tailEnd = this.curSeg = this.curEnd = -1;
    this.bytes = 0;
  }

  private advanceExplicit(): void {
    this.xh++;
    if (this.xh >= 1024 && this.xh * 2 >= this.xSeg.length) {
      this.xSeg = this.xSeg.slice(this.xh);
      this.xOff = this.xOff.slice(this.xh);
      this.xh = 0;
    }
  }

  private describe(c: Chunk, s: number, abs: number, seg: number, end: number, xh: number, out: IndexEntry): IndexEntry {
    const f = c.flags[s]!;
    const size = c.size[s]!;
    const over = c.over[s]!;
    out.flags = f;
    out.recordSize = size === SIZE_ESC ? this.bigSize.get(abs)! : size;
    out.bodySize = out.recordSize - (over === OVER_ESC ? this.bigOver.get(abs)! : over);
    out.expiresAt = c.exp === null ? Infinity : c.exp[s]!;
    if ((f & F_HELD) !== 0) {
      out.segment = 0;
      out.offset = 0;
    } else if ((f & F_EXPLICIT) !== 0) {
      out.segment = this.xSeg[xh]!;
      out.offset = this.xOff[xh]!;
    } else {
      out.segment = seg;
      out.offset = end;
    }
    return out;
  }
}
