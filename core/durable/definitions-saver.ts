/**
 * DefinitionsSaver: keeps `definitions.json` (store/definitions-store.ts, an
 * atomic temp + fsync + rename snapshot) in step with the durable topology.
 *
 * - `load()` at boot: the last snapshot, or null. A corrupt or unreadable file
 *   never stops the start: it is renamed `definitions.json.corrupt-<ts>` (kept
 *   for the operator), an error is logged, and null is returned; `loadedCleanly`
 *   is then false (the orphan pass keeps message data it cannot attribute).
 * - `scheduleSave(snapshot?)`: marks the topology dirty. Bursts coalesce: the
 *   snapshot function runs at most once per write (a declare storm of N queues
 *   costs a handful of exports and fsyncs, not N), first after one event-loop
 *   turn (`delayMs` 0) or after `delayMs`.
 * - The async window: RabbitMQ replies declare-ok after its metadata store
 *   write; here declare-ok goes out first and the change is on disk one turn +
 *   one write/fdatasync/rename/fsync later (typically 1–5 ms). A crash inside
 *   that window forgets the change; `flush()` closes the window for callers that
 *   must wait (tests, definitions import, shutdown).
 * - A failed write is logged and retried (after `retryMs`) with a fresh snapshot.
 */
import * as fs from 'node:fs';
import type { Logger } from '../api.js';
import { DefinitionsStore } from '../store/index.js';

export interface DefinitionsSaverOptions {
  /** wait before snapshotting after the first change (default 0 = next event-loop turn) */
  delayMs?: number;
  /** wait before retrying a failed write (default 1000) */
  retryMs?: number;
  logger?: Logger;
}

export class DefinitionsSaver {
  readonly store: DefinitionsStore;
  private readonly log: Logger | undefined;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private snapshot: (() => unknown) | undefined;
  private dirty = false;
  private writing = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private waiters: { resolve(): void; reject(err: Error): void }[] = [];
  private closed = false;
  private clean = true;
  /** snapshots written (tests, stats) */
  writes = 0;

  constructor(dataDir: string, o: DefinitionsSaverOptions = {}) {
    this.store = new DefinitionsStore(dataDir);
    this.log = o.logger;
    this.delayMs = o.delayMs ?? 0;
    this.retryMs = o.retryMs ?? 1000;
  }

  /** False when load() found a damaged file (and set it aside). */
  get loadedCleanly(): boolean {
    return this.clean;
  }

  /** What the last load() returned (the orphan pass checks which queues it lists). */
  loaded: object | null = null;

  /** The last snapshot, or null (missing, or damaged and set aside). */
  load(): object | null {
    try {
      return (this.loaded = this.store.load());
    } catch (err) {
      this.clean = false;
      const aside = `${this.store.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        fs.renameSync(this.store.file, aside);
        this.log?.error({ err, file: this.store.file, keptAs: aside }, 'definitions file unreadable; starting without it');
      } catch (renameErr) {
        this.log?.error({ err, renameErr, file: this.store.file }, 'definitions file unreadable and could not be set aside; starting without it');
      }
      return null;
    }
  }

  /** Sets the snapshot function (once) and/or marks the topology changed. */
  scheduleSave(snapshot?: () => unknown): void {
    if (snapshot) this.snapshot = snapshot;
    if (this.closed || !this.snapshot) return;
    this.dirty = true;
    if (!this.writing && !this.timer) this.arm(this.delayMs);
  }

  /** Resolves when every change scheduled so far is on disk; rejects if that write failed. */
  flush(): Promise<void> {
    if (!this.dirty && !this.writing) return Promise.resolve();
    if (this.timer && this.dirty && !this.writing) {
      this.cancelTimer();
      this.arm(0);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes what is pending, then ignores further changes. */
  async close(): Promise<void> {
    await this.flush().catch(() => {});
    this.closed = true;
    this.cancelTimer();
  }

  private arm(ms: number): void {
    const run = (): void => {
      this.timer = null;
      void this.run();
    };
    this.timer = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (!this.dirty || this.writing || !this.snapshot) return this.settle(null);
    this.dirty = false;
    this.writing = true;
    const waiters = this.waiters.splice(0);
    let error: Error | null = null;
    try {
      await this.store.save(this.snapshot());
      this.writes++;
    } catch (e) {
      error = e as Error;
      this.dirty = true; // retry with a fresh snapshot
      this.log?.error({ err: error, file: this.store.file }, 'saving definitions failed; will retry');
    }
    this.writing = false;
    if (error) {
      for (const w of waiters) w.reject(error);
      if (!this.closed) this.arm(this.retryMs);
      return;
    }
    this.waiters.unshift(...waiters);
    if (this.dirty) this.arm(this.delayMs);
    else this.settle(null);
  }

  private settle(error: Error | null): void {
    if (this.dirty || this.writing) return;
    for (const w of this.waiters.splice(0)) (error ? w.reject(error) : w.resolve());
  }
}
