/**
 * PositionIndex: a compact FIFO of store positions for queues larger than RAM.
 *
 * Responsibilities:
 * - hold a queue's ready messages as (segment, offset, size, flags) without a JS
 *   object per message: entries live in fixed-size chunks of typed arrays
 *   (one interleaved Uint32Array of segment/offset/size + one Uint8Array of flags),
 *   13 bytes per entry plus a few hundred bytes per 8192-entry chunk;
 * - push (tail), shift/peek (head), unshift (requeue at the head) and random
 *   access `get(i)`, all O(1) amortised; emptied chunks are recycled.
 *
 * `flags` is an opaque byte for the queue (e.g. bit 0 = redelivered).
 * The allocation-free API is `push`/`headSegment`/`headOffset`/`headSize`/`headFlags`/`drop`;
 * `shift()`/`peek()`/`get()` allocate one small object per call.
 */
import type { StorePosition } from './position.js';

export interface IndexedPosition extends StorePosition {
  readonly flags: number;
}

const CHUNK = 8192;

interface Chunk {
  /** [segment, offset, size] × CHUNK */
  readonly pos: Uint32Array;
  readonly flags: Uint8Array;
}

function newChunk(): Chunk {
  return { pos: new Uint32Array(CHUNK * 3), flags: new Uint8Array(CHUNK) };
}

export class PositionIndex {
  /** Upper bound of bytes per entry in the typed arrays (excluding per-chunk overhead). */
  static readonly BYTES_PER_ENTRY = 13;

  private chunks: (Chunk | null)[] = [];
  /** Head: chunk index and slot of the first entry. */
  private hc = 0;
  private hs = 0;
  /** Tail: slot after the last entry, in the last chunk. */
  private ts = 0;
  private n = 0;
  private spare: Chunk | null = null;

  get length(): number {
    return this.n;
  }

  push(segment: number, offset: number, size: number, flags = 0): void {
    if (this.n === 0) this.reset(0);
    else if (this.ts === CHUNK) {
      this.chunks.push(this.alloc());
      this.ts = 0;
    }
    const c = this.chunks[this.chunks.length - 1]!;
    const i = this.ts++;
    c.pos[i * 3] = segment;
    c.pos[i * 3 + 1] = offset;
    c.pos[i * 3 + 2] = size;
    c.flags[i] = flags;
    this.n++;
  }

  pushPosition(p: StorePosition, flags = 0): void {
    this.push(p.segment, p.offset, p.size, flags);
  }

  /** Inserts at the head (requeue): the entry becomes the next one shifted. */
  unshift(segment: number, offset: number, size: number, flags = 0): void {
    if (this.n === 0) this.reset(CHUNK);
    else if (this.hs === 0) {
      if (this.hc > 0) this.chunks[--this.hc] = this.alloc();
      else this.chunks.unshift(this.alloc()); // O(chunks), only when requeueing past the very first chunk
      this.hs = CHUNK;
    }
    const c = this.chunks[this.hc]!;
    const i = --this.hs;
    c.pos[i * 3] = segment;
    c.pos[i * 3 + 1] = offset;
    c.pos[i * 3 + 2] = size;
    c.flags[i] = flags;
    this.n++;
  }

  get headSegment(): number {
    return this.headChunk().pos[this.hs * 3]!;
  }
  get headOffset(): number {
    return this.headChunk().pos[this.hs * 3 + 1]!;
  }
  get headSize(): number {
    return this.headChunk().pos[this.hs * 3 + 2]!;
  }
  get headFlags(): number {
    return this.headChunk().flags[this.hs]!;
  }
  set headFlags(f: number) {
    this.headChunk().flags[this.hs] = f;
  }

  peek(): IndexedPosition | undefined {
    return this.n === 0 ? undefined : this.get(0);
  }

  shift(): IndexedPosition | undefined {
    if (this.n === 0) return undefined;
    const p = this.get(0);
    this.drop();
    return p;
  }

  /** Removes the head entry without returning it (no allocation). */
  drop(): void {
    if (this.n === 0) throw new RangeError('PositionIndex is empty');
    this.n--;
    this.hs++;
    if (this.n === 0) {
      this.reset(0);
      return;
    }
    if (this.hs === CHUNK) {
      this.spare = this.chunks[this.hc]!;
      this.chunks[this.hc] = null;
      this.hc++;
      this.hs = 0;
      if (this.hc >= 64 && this.hc * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.hc);
        this.hc = 0;
      }
    }
  }

  /** Entry `i` from the head (0 ≤ i < length). */
  get(i: number): IndexedPosition {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`index ${i} out of range`);
    const abs = this.hs + i;
    const c = this.chunks[this.hc + Math.floor(abs / CHUNK)]!;
    const s = abs % CHUNK;
    return { segment: c.pos[s * 3]!, offset: c.pos[s * 3 + 1]!, size: c.pos[s * 3 + 2]!, flags: c.flags[s]! };
  }

  clear(): void {
    this.chunks = [];
    this.hc = this.hs = this.ts = this.n = 0;
  }

  private headChunk(): Chunk {
    if (this.n === 0) throw new RangeError('PositionIndex is empty');
    return this.chunks[this.hc]!;
  }

  /** Empty: keep a single chunk, head and tail at `slot`. */
  private reset(slot: number): void {
    const keep = this.chunks[this.hc] ?? this.spare ?? newChunk();
    this.chunks = [keep];
    this.hc = 0;
    this.hs = this.ts = slot;
  }

  private alloc(): Chunk {
    const c = this.spare ?? newChunk();
    this.spare = null;
    return c;
  }
}
