/**
 * A small reference-counted LRU cache of open file descriptors, keyed by segment number.
 *
 * Responsibilities:
 * - open a file at most once even when many reads ask for it concurrently;
 * - never close an fd while an I/O holds a reference (`acquire`/`release`),
 *   which would be a use-after-close or, worse, hit a reused fd number;
 * - keep at most `max` unreferenced fds open, closing the least recently used;
 * - `forget` (file deleted) and `closeAll` (log closed).
 *
 * Callback based so the read path allocates no Promise.
 */
import type { Callback, FileSystem } from './fs.js';

interface Entry {
  fd: number; // -1 while opening
  refs: number;
  waiters: Callback<number>[] | null;
  doomed: boolean;
}

export class FdCache {
  private readonly entries = new Map<number, Entry>();
  private readonly fs: FileSystem;
  private readonly pathOf: (id: number) => string;
  private readonly flags: string | number;
  private readonly max: number;

  constructor(fsys: FileSystem, pathOf: (id: number) => string, flags: string | number, max: number) {
    this.fs = fsys;
    this.pathOf = pathOf;
    this.flags = flags;
    this.max = Math.max(1, max);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Gets an fd for `id` (opening it if needed) and takes a reference. */
  acquire(id: number, cb: Callback<number>): void {
    let e = this.entries.get(id);
    if (e) {
      e.refs++;
      this.entries.delete(id); // move to the most-recently-used end
      this.entries.set(id, e);
      if (e.fd >= 0) cb(null, e.fd);
      else e.waiters!.push(cb);
      return;
    }
    e = { fd: -1, refs: 1, waiters: [cb], doomed: false };
    const entry = e;
    this.entries.set(id, entry);
    this.fs.open(this.pathOf(id), this.flags, (err, fd) => {
      const waiters = entry.waiters!;
      entry.waiters = null;
      if (err) {
        if (this.entries.get(id) === entry) this.entries.delete(id);
        for (const w of waiters) w(err, -1);
        return;
      }
      entry.fd = fd;
      if (entry.doomed) {
        // forgotten while opening: lives on as an orphan until released
        if (entry.refs === 0) this.closeFd(fd);
        else this.orphans.set(fd, entry);
      }
      for (const w of waiters) w(null, fd);
      this.evict();
    });
  }

  /** Registers an fd the caller just opened itself (e.g. a newly created file), with one reference. */
  adopt(id: number, fd: number): void {
    const old = this.entries.get(id);
    if (old) this.forget(id);
    this.entries.set(id, { fd, refs: 1, waiters: null, doomed: false });
  }

  release(id: number, fd: number): void {
    const e = this.entries.get(id);
    if (!e || e.fd !== fd) {
      // the entry was forgotten while referenced: it lives on only in `orphans`
      this.releaseOrphan(fd);
      return;
    }
    e.refs--;
    this.evict();
  }

  /** The file is gone (or must be reopened): close the fd once no I/O holds it. */
  forget(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    e.doomed = true;
    if (e.fd < 0) return; // closed (or orphaned) when its open completes
    if (e.refs === 0) this.closeFd(e.fd);
    else this.orphans.set(e.fd, e);
  }

  /** Closes every fd (waits for nothing: callers quiesce I/O first). */
  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }

  private readonly orphans = new Map<number, Entry>();

  private releaseOrphan(fd: number): void {
    const e = this.orphans.get(fd);
    if (!e) return;
    e.refs--;
    if (e.refs <= 0) {
      this.orphans.delete(fd);
      this.closeFd(fd);
    }
  }

  private evict(): void {
    if (this.entries.size <= this.max) return;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= this.max) break;
      if (e.refs === 0 && e.fd >= 0) {
        this.entries.delete(id);
        this.closeFd(e.fd);
      }
    }
  }

  private closeFd(fd: number): void {
    this.fs.close(fd, () => {});
  }
}
