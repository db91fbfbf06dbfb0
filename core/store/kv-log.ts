/**
 * KvLog: the durable key → value map protocol adapters keep their state in
 * (`StateMap` of core/api.ts, whose doc comment is the contract), as ONE
 * append-only file of set/delete records (format: kv-record.ts).
 *
 * Usage:
 *
 *   const map = KvLog.open(file, { logger, onCommit });
 *   const state = map.load();          // once, sync: the live map
 *   await map.set('k', value);         // durable once resolved
 *   await map.delete('k');
 *   await map.close();                 // flushes pending writes
 *
 * - load(): deletes a leftover `<file>.compact`, creates the file if missing,
 *   replays it (kv-record.ts); a torn or bad record ends replay and the file is
 *   truncated there (logged as a warning with the offset). Throws if the file
 *   cannot be read. Only each live key's record offset/length is kept, plus the
 *   live/dead byte counts; values are the caller's.
 * - set/delete: encoded at once (bad key → RangeError, thrown) into the pending
 *   batch. One writer, started with setImmediate, takes the whole pending batch:
 *   ONE gather write at the end of the file + ONE fdatasync, then every promise of
 *   the batch resolves; on failure all of them reject with the error and the file
 *   is cut back (ftruncate + fdatasync) before the next batch is written at the
 *   same offset — if that cut fails, that batch fails too (stale records must never
 *   follow newer ones). Writes issued while a batch is in flight form the next one.
 *   Values over 64 KiB are referenced, not copied: don't mutate them until settled.
 * - `size` counts the writes issued so far (a failed batch's writes are taken back).
 * - compaction: when dead bytes exceed max(live bytes, compactMinBytes = 4 MiB), the
 *   writer — between batches, so new writes just wait in the pending batch — copies
 *   the live records to `<file>.compact` and renames it over the file
 *   (kv-compact.ts). Also checked right after load(). A failed compaction is logged
 *   and retried only once as much garbage again has piled up.
 * - onCommit(err): after every batch, null or its error (the disk alarm).
 * - close(): waits for pending writes (and a running compaction), closes the file;
 *   set/delete reject with STORE_CLOSED from the moment close() is called.
 */
import * as path from 'node:path';
import type { StateMap } from '../api.js';
import type { FileSystem } from './fs.js';
import { O_RDWR_CREATE, fsCallVoid, nodeFileSystem, writevAll } from './fs.js';
import { compactKvLog, compactPath, syncDir } from './kv-compact.js';
import { KV_DELETE, KV_SET, encodeKey, encodeKvRecord, replayKvLog } from './kv-record.js';
import type { KvSlot, KvType, ReadAt, ReplayResult } from './kv-record.js';
import { storeError } from './segment-log.js';
import type { StoreLogger } from './types.js';

export const DEFAULT_COMPACT_MIN_BYTES = 4 * 1024 * 1024;
const COALESCE_LIMIT = 64 * 1024;
const COALESCE_RUN = 1 << 20;

export interface KvLogOptions {
  /** Injected file system (tests: fault injection, sync counting). */
  fs?: FileSystem;
  logger?: StoreLogger;
  /** Compaction needs at least this much garbage (bytes, default 4 MiB). */
  compactMinBytes?: number;
  /** Called after every batch: null once it is durable, else its error. */
  onCommit?(err: Error | null): void;
}

export interface KvLogStats {
  /** bytes of records in the file */
  readonly fileBytes: number;
  readonly liveBytes: number;
  readonly deadBytes: number;
  readonly compactions: number;
}

interface Op {
  readonly key: string;
  readonly type: KvType;
  readonly bufs: Buffer[];
  readonly len: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

type State = 'new' | 'open' | 'closing' | 'closed';

export class KvLog implements StateMap {
  readonly file: string;
  private readonly fs: FileSystem;
  private readonly log: StoreLogger;
  private readonly compactMin: number;
  private readonly onCommit: ((err: Error | null) => void) | undefined;
  private state: State = 'new';
  private fd = -1;
  /** live key → its record in the file */
  private index = new Map<string, KvSlot>();
  private live = 0;
  private dead = 0;
  /** end of the last durable record: where the next batch is written */
  private end = 0;
  private pending: Op[] = [];
  /** latest not-yet-durable write per key (and how many are outstanding): for `size` */
  private readonly overlay = new Map<string, { live: boolean; refs: number }>();
  private logicalSize = 0;
  private writer: Promise<void> | null = null;
  private needTruncate = false;
  private needDirSync = false;
  /** after a failed compaction: dead bytes must exceed this before the next try */
  private compactRetryDead = 0;
  private compactions = 0;
  private closing: Promise<void> | null = null;

  static open(file: string, opts: KvLogOptions = {}): KvLog {
    return new KvLog(file, opts);
  }

  private constructor(file: string, o: KvLogOptions) {
    this.file = file;
    this.fs = o.fs ?? nodeFileSystem;
    this.log = o.logger ?? (() => {});
    this.compactMin = o.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    if (!(this.compactMin >= 0)) throw new RangeError(`compactMinBytes out of range: ${this.compactMin}`);
    this.onCommit = o.onCommit;
  }

  /** live keys, counting writes issued but not yet durable */
  get size(): number {
    return this.logicalSize;
  }

  get stats(): KvLogStats {
    return { fileBytes: this.end, liveBytes: this.live, deadBytes: this.dead, compactions: this.compactions };
  }

  load(): Map<string, Buffer> {
    if (this.state !== 'new') throw storeError('STORE_CLOSED', 'load() must be called once, first');
    this.state = 'closed'; // until the replay succeeded
    const fsys = this.fs;
    try {
      fsys.unlinkSync(compactPath(this.file));
      this.log({ level: 'warn', msg: 'leftover state map compaction file deleted (compaction was interrupted)' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log({ level: 'warn', msg: 'could not delete leftover state map compaction file', err: e as Error });
      }
    }
    try {
      this.fd = fsys.openSync(this.file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fsys.mkdirSync(path.dirname(this.file));
      this.fd = fsys.openSync(this.file, O_RDWR_CREATE);
      this.needDirSync = true; // the first batch makes the new directory entry durable
    }
    const fd = this.fd;
    let read: ReadAt;
    let r: ReplayResult;
    try {
      if (fsys.readSync) {
        const readSync = fsys.readSync.bind(fsys);
        read = (buf, off, len, pos) => readSync(fd, buf, off, len, pos);
      } else {
        const whole = fsys.readFileSync(this.file); // test doubles without readSync
        read = (buf, off, len, pos) => (pos >= whole.length ? 0 : whole.copy(buf, off, pos, Math.min(whole.length, pos + len)));
      }
      r = replayKvLog(read);
    } catch (e) {
      fsys.closeSync(fd);
      this.fd = -1;
      throw e;
    }
    if (r.damage !== null) {
      this.log({ level: 'warn', msg: `state map: ${r.damage}; replay stopped, file truncated at offset ${r.end}`, offset: r.end });
      try {
        fsys.ftruncateSync(fd, r.end);
        fsys.fsyncSync(fd);
      } catch (e) {
        this.needTruncate = true; // the first batch cuts it back (and fails if it cannot)
        this.log({ level: 'error', msg: 'could not truncate state map file', offset: r.end, err: e as Error });
      }
    }
    this.index = r.index;
    this.live = r.liveBytes;
    this.dead = r.deadBytes;
    this.end = r.end;
    this.logicalSize = r.index.size;
    this.state = 'open';
    if (this.compactDue()) this.schedule();
    return r.values;
  }

  set(key: string, value: Buffer): Promise<void> {
    return this.write(KV_SET, key, value);
  }

  delete(key: string): Promise<void> {
    return this.write(KV_DELETE, key, null);
  }

  /** Waits for pending writes (and a running compaction), then closes the file. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  // ---- internals -------------------------------------------------------------

  private write(type: KvType, key: string, value: Buffer | null): Promise<void> {
    if (this.state === 'new') throw storeError('STORE_NOT_RECOVERED', 'call load() before set/delete');
    const kb = encodeKey(key);
    if (this.state !== 'open') return Promise.reject(storeError('STORE_CLOSED', `state map ${this.file} is closed`));
    const { bufs, len } = encodeKvRecord(type, kb, value);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ key, type, bufs, len, resolve, reject });
      const before = this.isLive(key);
      const o = this.overlay.get(key);
      if (o) {
        o.live = type === KV_SET;
        o.refs++;
      } else this.overlay.set(key, { live: type === KV_SET, refs: 1 });
      this.logicalSize += (type === KV_SET ? 1 : 0) - (before ? 1 : 0);
      this.schedule();
    });
  }

  private isLive(key: string): boolean {
    const o = this.overlay.get(key);
    return o ? o.live : this.index.has(key);
  }

  /** One outstanding write of `key` is settled (the index is already updated if it succeeded). */
  private settled(key: string): void {
    const o = this.overlay.get(key)!;
    if (--o.refs > 0) return;
    this.overlay.delete(key);
    this.logicalSize += (this.index.has(key) ? 1 : 0) - (o.live ? 1 : 0);
  }

  private compactDue(): boolean {
    return this.state === 'open' && this.dead > Math.max(this.live, this.compactMin) && this.dead > this.compactRetryDead;
  }

  private schedule(): void {
    if (this.writer) return;
    this.writer = new Promise<void>((r) => setImmediate(r))
      .then(() => this.drain())
      .catch((err: unknown) => this.log({ level: 'error', msg: 'state map writer failed', err: err as Error }))
      .finally(() => {
        this.writer = null;
        if (this.pending.length > 0 || this.compactDue()) this.schedule();
      });
  }

  /** The writer: batches and compactions, one at a time, until nothing is left. */
  private async drain(): Promise<void> {
    while (this.state === 'open' || this.state === 'closing') {
      if (this.compactDue()) await this.compact();
      else if (this.pending.length > 0) await this.commit(this.pending.splice(0));
      else return;
    }
  }

  private async commit(ops: Op[]): Promise<void> {
    const fsys = this.fs;
    const fd = this.fd;
    const at = this.end;
    let err: Error | null = null;
    try {
      if (this.needTruncate) {
        await fsCallVoid((cb) => fsys.ftruncate(fd, at, cb));
        await fsCallVoid((cb) => fsys.fdatasync(fd, cb));
        this.needTruncate = false;
      }
      if (this.needDirSync) {
        await syncDir(fsys, path.dirname(this.file));
        this.needDirSync = false;
      }
      await writevAll(fsys, fd, gather(ops), at);
      await fsCallVoid((cb) => fsys.fdatasync(fd, cb));
    } catch (e) {
      err = e as Error;
    }
    if (err) {
      this.needTruncate = true;
      this.log({ level: 'error', msg: `state map write failed, ${ops.length} write(s) rejected`, offset: at, err });
      for (const op of ops) this.settled(op.key);
      for (const op of ops) op.reject(err);
    } else {
      let off = at;
      for (const op of ops) {
        this.apply(op, off);
        off += op.len;
        this.settled(op.key);
      }
      this.end = off;
      for (const op of ops) op.resolve();
    }
    this.onCommit?.(err);
  }

  private apply(op: Op, off: number): void {
    const old = this.index.get(op.key);
    if (old) {
      this.live -= old.len;
      this.dead += old.len;
    }
    if (op.type === KV_SET) {
      this.index.set(op.key, { off, len: op.len });
      this.live += op.len;
    } else {
      this.index.delete(op.key);
      this.dead += op.len;
    }
  }

  private async compact(): Promise<void> {
    const t0 = performance.now();
    const before = this.end;
    try {
      const r = await compactKvLog(this.fs, this.fd, this.file, this.index);
      const old = this.fd;
      this.fd = r.fd;
      this.index = r.index;
      this.end = this.live = r.size;
      this.dead = 0;
      this.needTruncate = false;
      this.compactions++;
      // the old file is unlinked now: its fd is only closed
      this.fs.close(old, () => {});
      this.needDirSync = r.dirSyncError !== null; // if so, the next batch retries it before acknowledging anything
      if (r.dirSyncError) {
        this.log({ level: 'error', msg: 'could not fsync directory after state map compaction', err: r.dirSyncError });
      }
      const ms = Math.round((performance.now() - t0) * 10) / 10;
      this.log({ level: 'info', msg: `state map compacted from ${before} to ${r.size} bytes (${this.index.size} keys, ${ms} ms)` });
    } catch (e) {
      this.compactRetryDead = this.dead + Math.max(this.live, this.compactMin);
      this.log({ level: 'error', msg: 'state map compaction failed; the file is kept as it is', err: e as Error });
    }
  }

  private async doClose(): Promise<void> {
    if (this.state === 'new' || this.state === 'closed') {
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    while (this.writer) await this.writer;
    this.state = 'closed';
    const fd = this.fd;
    this.fd = -1;
    await fsCallVoid((cb) => this.fs.close(fd, cb)).catch((err: unknown) =>
      this.log({ level: 'warn', msg: 'closing state map file failed', err: err as Error }),
    );
  }
}

/** The batch's buffers for one writev: small records coalesced into runs of up to 1 MiB. */
function gather(ops: readonly Op[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const endRun = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const op of ops) {
    for (const b of op.bufs) {
      if (b.length >= COALESCE_LIMIT) {
        endRun();
        out.push(b);
        continue;
      }
      run.push(b);
      runBytes += b.length;
      if (runBytes >= COALESCE_RUN) endRun();
    }
  }
  endRun();
  return out;
}
