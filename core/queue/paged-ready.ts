/**
 * PagedReadyList: the ready messages of a durable queue that may be larger
 * than RAM (issue 4 "queues larger than RAM"; LavinMQ keeps only positions).
 *
 * Layout, in delivery order:
 *
 *   mem (ReadyList: requeued first, then hydrated/in-memory entries)
 *   index (PagedIndex: positions only, ~4 B per message, no object)
 *
 * - paging starts when `mem` reaches the budget (messages or body bytes) and
 *   lasts while the index is not empty: every push then goes to the index
 *   tail (FIFO order). A persistent message is kept as its store position
 *   (the QueueEntry and Message become garbage); a transient message, or one
 *   the columns cannot describe, is *held* in memory in `held` (same order);
 * - hydration: while `mem` is below the window (≤ 1024 messages, within the
 *   byte budget), the next entries of the index are read back with ONE
 *   `QueueStore.readMany` per batch (≤ 256 messages, ≤ 1 MiB; adjacent
 *   records share one file read), one callback, no Promise per message; the
 *   rebuilt entries are appended to `mem` and the host dispatches them. The
 *   index stays the source of truth during a read: anything that removes its
 *   head meanwhile (purge, basic.get, expiry, drop-head) bumps `gen` and the
 *   read's result is dropped;
 * - basic.get / drop-head with an empty `mem`: the head is read synchronously
 *   (`QueueStore.readSync`, a rare path);
 * - TTL: deadlines are kept in the index; an expired paged head is acked
 *   without reading it when the queue has no dead-letter exchange, else it is
 *   hydrated first and dead-lettered like any entry;
 * - requeued entries go back to `mem` (they are older than anything paged);
 * - `length`/`bytes` count the index too (message counts, x-max-length/-bytes);
 * - purge acks every paged position; recovery appends positions directly
 *   (`restorePaged`, no decode) once the budget is reached.
 * Priority queues (x-max-priority) keep everything in memory (PriorityReadyList).
 *
 * Sequence numbers: entries are created on hydration; the head of the index
 * gets `headSeq`, which starts at the seq of the entry that started paging
 * and grows by one per entry (never above the real seq, always above what is
 * in `mem`), so requeue ordering (by seq) is kept.
 */
import type { QueueStore } from '../durable/queue-store.js';
import type { MessageRecord } from '../durable/message-record.js';
import type { StorePosition } from '../store/position.js';
import type { QueueEntry } from './entry.js';
import { F_HELD, F_REDELIVERED, PagedIndex } from './paged-index.js';
import type { IndexEntry } from './paged-index.js';
import type { Queue } from './queue.js';
import type { ReadyQueue } from './ready-list.js';
import { ReadyList } from './ready-list.js';

/** How much of a queue's ready messages stays in memory as full messages (see hooks.ts). */
export interface PagingBudget {
  /** ready messages kept in memory (default 10 000) */
  readonly maxMessages: number;
  /** body bytes of the ready messages kept in memory (default 16 MiB; a few large messages page sooner) */
  readonly maxBytes: number;
}

export const DEFAULT_PAGING_BUDGET: PagingBudget = Object.freeze({ maxMessages: 10_000, maxBytes: 16 * 1024 * 1024 });

const WINDOW = 1024;
const BATCH = 256;
const BATCH_BYTES = 1 << 20;

export interface PagingHost {
  readonly queue: Queue;
  store(): QueueStore | null;
  /** entries were appended to memory by a read: dispatch, re-arm the TTL timer */
  hydrated(): void;
  /** dropped messages are dead-lettered (their bodies are needed) */
  keepsDropped(): boolean;
}

export class PagedReadyList implements ReadyQueue {
  private readonly mem = new ReadyList();
  private readonly index = new PagedIndex();
  private held: QueueEntry[] = [];
  private heldHead = 0;
  private readonly host: PagingHost;
  private readonly budget: PagingBudget;
  private readonly window: number;
  private headSeq = 0;
  private reading = false;
  private gen = 0;
  /** reused for acks of paged positions (store.ack copies what it keeps) */
  private readonly scratch = { segment: 0, offset: 0, size: 0 };

  constructor(host: PagingHost, budget: PagingBudget) {
    this.host = host;
    this.budget = budget;
    this.window = Math.max(1, Math.min(WINDOW, budget.maxMessages));
  }

  get length(): number {
    return this.mem.length + this.index.length;
  }

  get bytes(): number {
    return this.mem.bytes + this.index.bytes;
  }

  /** messages kept as positions only (or held behind them) */
  get pagedCount(): number {
    return this.index.length;
  }

  /** the next push goes to the index */
  private get paging(): boolean {
    return this.index.length > 0 || this.mem.length >= this.budget.maxMessages || this.mem.bytes >= this.budget.maxBytes;
  }

  /** Recovery: should the next record be decoded (kept in memory)? */
  wantsMessage(): boolean {
    return !this.paging;
  }

  push(e: QueueEntry): void {
    if (!this.paging || (this.index.length === 0 && this.host.store() === null)) {
      this.mem.push(e);
      return;
    }
    if (this.index.length === 0) this.headSeq = e.seq;
    const pos = e.storePos;
    const overhead = pos === null ? -1 : pos.size - e.size;
    if (pos !== null && pos.segment !== 0 && overhead >= 0) {
      this.index.push(pos.segment, pos.offset, e.size, overhead, e.expiresAt, e.redelivered ? F_REDELIVERED : 0);
    } else {
      this.index.push(0, 0, e.size, 0, e.expiresAt, F_HELD | (e.redelivered ? F_REDELIVERED : 0));
      this.held.push(e);
    }
    this.refill();
  }

  /** Recovery: appends a position (no message); false when the columns cannot hold it. */
  restorePaged(seq: number, segment: number, offset: number, size: number, bodySize: number, expiresAt: number, redelivered: boolean): boolean {
    const overhead = size - bodySize;
    if (overhead < 0) return false;
    if (this.index.length === 0) this.headSeq = seq;
    this.index.push(segment, offset, bodySize, overhead, expiresAt, redelivered ? F_REDELIVERED : 0);
    return true;
  }

  insertRequeued(e: QueueEntry): void {
    this.mem.insertRequeued(e);
  }

  /** The in-memory head; undefined while the head is still being read back (a read is started). */
  peek(): QueueEntry | undefined {
    const e = this.mem.peek();
    if (e === undefined && this.index.length > 0) this.refill();
    return e;
  }

  /** Takes the head, reading a paged head synchronously when nothing is in memory (basic.get, drop-head). */
  shift(): QueueEntry | undefined {
    if (this.mem.length === 0 && this.index.length > 0) {
      // basic.get / drop-head: no read-ahead here, a run of gets would only start reads the next get cancels
      this.hydrateHeadSync();
      return this.mem.shift();
    }
    const e = this.mem.shift();
    this.refill();
    return e;
  }

  /**
   * Drop-head overflow without a DLX: removes a paged head without reading it
   * (acked). False when the head is in memory or held (use `shift`).
   */
  dropHeadUnread(): boolean {
    if (this.mem.length > 0 || this.index.length === 0 || (this.index.peekHead().flags & F_HELD) !== 0) return false;
    this.invalidate();
    this.ackIndexHead();
    this.dropIndexHead();
    return true;
  }

  dropExpired(now: number, expire: (e: QueueEntry) => void): void {
    this.mem.dropExpired(now, expire);
    if (this.mem.length > 0 || this.index.length === 0 || this.index.peekHead().expiresAt > now) return;
    if (!this.host.keepsDropped()) {
      this.invalidate();
      while (this.index.length > 0 && this.index.peekHead().expiresAt <= now) {
        if ((this.index.peekHead().flags & F_HELD) !== 0) {
          const e = this.takeHeld();
          this.dropIndexHead();
          expire(e);
        } else {
          this.ackIndexHead();
          this.dropIndexHead();
        }
      }
      return; // a consumer's dispatch reads the rest when it needs it
    }
    this.refill(); // with a DLX: hydrate, then the host's timer expires them from memory
  }

  headExpiry(): number {
    if (this.mem.length > 0) return this.mem.headExpiry();
    return this.index.length > 0 ? this.index.peekHead().expiresAt : Infinity;
  }

  /**
   * Removes everything: returns the in-memory entries (the caller unstores
   * them); paged positions are acked here unless `discard` (queue deleted:
   * its store goes with it).
   */
  drain(discard = false): QueueEntry[] {
    this.invalidate();
    const out = this.mem.drain();
    const store = this.host.store();
    this.index.scan(Infinity, (e) => {
      if ((e.flags & F_HELD) !== 0) out.push(this.takeHeld());
      else if (!discard && store !== null) store.ack(this.position(e, this.scratch));
      return true;
    });
    this.index.clear();
    this.held = [];
    this.heldHead = 0;
    return out;
  }

  // ------------------------------------------------------------ hydration

  private refill(): void {
    if (this.reading || this.index.length === 0) return;
    if (this.mem.length >= this.window || this.mem.bytes >= this.budget.maxBytes) return;
    const store = this.host.store();
    if (store === null || !store.isOpen) return;
    const room = Math.min(this.index.length, this.window - this.mem.length, BATCH);
    const byteRoom = Math.min(BATCH_BYTES, this.budget.maxBytes - this.mem.bytes);
    const ps: StorePosition[] = [];
    let n = 0;
    let bytes = 0;
    this.index.scan(room, (e, i) => {
      if (i > 0 && bytes >= byteRoom) return false;
      bytes += e.bodySize;
      if ((e.flags & F_HELD) === 0) ps.push(this.position(e, { segment: 0, offset: 0, size: 0 }));
      n++;
      return true;
    });
    if (ps.length === 0) {
      this.take(n, ps, []);
      this.host.hydrated();
      return;
    }
    this.reading = true;
    const g = this.gen;
    store.readMany(ps, (recs) => {
      if (g !== this.gen) return; // the head moved meanwhile (purge, get, expiry): read again
      this.reading = false;
      this.take(n, ps, recs);
      this.host.hydrated();
      this.refill();
    });
  }

  /** Moves the first `n` index entries to memory; `recs[k]` is the record at `ps[k]`. */
  private take(n: number, ps: StorePosition[], recs: (MessageRecord | null)[]): void {
    let k = 0;
    for (let i = 0; i < n; i++) {
      const head = this.index.peekHead();
      const flags = head.flags;
      if ((flags & F_HELD) !== 0) {
        const e = this.takeHeld();
        if (e.seq >= this.headSeq) this.headSeq = e.seq + 1;
        this.dropIndexHead(false);
        this.mem.push(e);
        continue;
      }
      const pos = ps[k]!;
      const rec = recs[k++];
      if (!rec) {
        // unreadable (logged by the store): skipped, not acked — it stays on disk, and a
        // restart's recovery either brings it back or drops it as damaged
        this.dropIndexHead();
        continue;
      }
      const entry: QueueEntry = {
        seq: this.headSeq,
        message: rec.message,
        size: head.bodySize,
        expiresAt: head.expiresAt,
        priority: 0,
        queue: this.host.queue,
        redelivered: (flags & F_REDELIVERED) !== 0,
        consumer: null,
        storePos: pos,
      };
      this.dropIndexHead();
      this.mem.push(entry);
    }
  }

  private hydrateHeadSync(): void {
    this.invalidate();
    if ((this.index.peekHead().flags & F_HELD) !== 0) {
      this.take(1, [], []);
      return;
    }
    const store = this.host.store();
    if (store === null) return;
    const pos = this.position(this.index.peekHead(), { segment: 0, offset: 0, size: 0 });
    this.take(1, [pos], [store.readSync(pos)]);
  }

  // ------------------------------------------------------------ helpers

  private invalidate(): void {
    this.gen++;
    this.reading = false;
  }

  private position<T extends { segment: number; offset: number; size: number }>(e: IndexEntry, out: T): T {
    out.segment = e.segment;
    out.offset = e.offset;
    out.size = e.recordSize;
    return out;
  }

  private ackIndexHead(): void {
    this.host.store()?.ack(this.position(this.index.peekHead(), this.scratch));
  }

  private dropIndexHead(advance = true): void {
    this.index.drop();
    if (advance) this.headSeq++;
  }

  private takeHeld(): QueueEntry {
    const e = this.held[this.heldHead]!;
    this.held[this.heldHead++] = undefined as unknown as QueueEntry;
    if (this.heldHead >= 1024 && this.heldHead * 2 >= this.held.length) {
      this.held = this.held.slice(this.heldHead);
      this.heldHead = 0;
    }
    return e;
  }
}
