/**
 * Persistence: the one object the broker wires in for durability.
 *
 * - `definitions`: the definitions.json saver (definitions-saver.ts); the
 *   broker registers `() => exportDefinitions(core)` once and calls
 *   `scheduleSave()` on every durable topology/user/policy change.
 * - `queueStore(vhost, name, onRecovered?)`: the QueueStore of a durable queue
 *   (created, opened and recovered on first use — `onRecovered` gets the
 *   messages then, synchronously — cached afterwards). Its listener settles
 *   ConfirmTokens (queue-store.ts confirmListener). For a queue created after
 *   boot, "stored" is held back until the definitions snapshot naming the
 *   queue is on disk, so that a confirmed message never sits in a directory
 *   the next boot would treat as an orphan.
 * - `dropQueue` / `dropVhost`: the queue/vhost was deleted. The queue's
 *   directory is renamed away synchronously (a redeclare at once gets a fresh
 *   directory) and removed in the background.
 * - `finishRecovery()`: after the boot import; removes orphaned queue data
 *   (a directory no durable queue claimed and definitions.json does not list —
 *   RabbitMQ deletes such data too; kept instead, and logged, when the queue
 *   is listed but failed to import, or when definitions.json was damaged),
 *   leftovers of interrupted drops, and logs one structured line
 *   `message store recovered` with the counts.
 * - `stateMap(name)`: the StateMap (core/api.ts) an adapter keeps its own
 *   state in, a KvLog at `<dataDir>/state/<name>.kv` (core/store/kv-log.ts);
 *   opened once per name and cached. The owner calls `load()` on it.
 * - disk alarm: `onDiskAlarm(true)` when any queue store's or state map's
 *   last commit failed, `onDiskAlarm(false)` when all succeed again.
 * - `close()`: flushes and closes everything — definitions, delayed stores,
 *   queue stores, then the state maps (the gateway calls it after the adapters
 *   are closed, so their last state writes are flushed too); later drops are
 *   no-ops (so the core's shutdown, which destroys its queues, cannot delete
 *   durable data) and later state-map writes reject.
 * - `delayed`: the stores of durable x-delayed-message exchanges
 *   (delayed-store.ts; same confirm gate, disk alarm, orphan pass and close).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger, StateMap } from '../api.js';
import { KvLog, storeError } from '../store/index.js';
import type { FileSystem, StoreLogEvent } from '../store/index.js';
import { DefinitionsSaver } from './definitions-saver.js';
import { DelayedStores } from './delayed-store.js';
import { DELETED_DIR_MARK, QueueStore, confirmListener } from './queue-store.js';
import type { QueueRecoveryStats, QueueStoreListener, RecoveredMessage, RecoverySink } from './queue-store.js';
import { ensureQueueDir, ensureStateDir, listQueueDirs, msgsDir, queueDir, readQueueMeta, stateFile, vhostDir } from './paths.js';

export interface PersistenceOptions {
  logger?: Logger;
  /** the disk alarm: wire to `core.flow.setAlarm('disk', on)` */
  onDiskAlarm?(on: boolean): void;
  /** definitions snapshot delay after a change (default 0: next event-loop turn) */
  saveDelayMs?: number;
  /** segment size of the queue logs (default 8 MiB) */
  maxSegmentSize?: number;
  /** file system under the queue logs and state maps (tests inject disk faults here) */
  fs?: FileSystem;
}

export interface RecoverySummary {
  queues: number;
  messages: number;
  bytes: number;
  /** damaged records dropped */
  dropped: number;
  undecodable: number;
  orphansRemoved: number;
  orphansKept: number;
  ms: number;
}

export class Persistence {
  readonly dataDir: string;
  readonly definitions: DefinitionsSaver;
  private readonly log: Logger | undefined;
  private readonly opts: PersistenceOptions;
  private readonly stores = new Map<string, QueueStore>();
  private readonly stateMaps = new Map<string, KvLog>();
  private readonly failing = new Set<object>();
  private readonly drops = new Set<Promise<void>>();
  private readonly started = performance.now();
  private booting = true;
  private closed = false;
  readonly delayed: DelayedStores;
  private readonly boot: RecoverySummary = {
    queues: 0, messages: 0, bytes: 0, dropped: 0, undecodable: 0, orphansRemoved: 0, orphansKept: 0, ms: 0,
  };

  constructor(dataDir: string, o: PersistenceOptions = {}) {
    this.dataDir = dataDir;
    this.opts = o;
    this.log = o.logger?.child({ component: 'store' });
    this.definitions = new DefinitionsSaver(dataDir, {
      ...(o.saveDelayMs !== undefined ? { delayMs: o.saveDelayMs } : {}),
      ...(this.log ? { logger: this.log } : {}),
    });
    this.delayed = new DelayedStores(dataDir, this.log, (store) => this.listenerFor(store));
  }

  private key(vhost: string, name: string): string {
    return `${vhost.length}:${vhost}/${name}`;
  }

  hasQueueStore(vhost: string, name: string): boolean {
    return this.stores.has(this.key(vhost, name));
  }

  /** See the module comment. Never throws for damaged data (logged); throws only if the directory cannot be created. */
  queueStore(vhost: string, name: string, onRecovered?: ((r: RecoveredMessage) => void) | RecoverySink): QueueStore {
    const k = this.key(vhost, name);
    const cached = this.stores.get(k);
    if (cached) return cached;
    const dir = queueDir(this.dataDir, vhost, name);
    const bindings = { vhost, queue: name };
    let store!: QueueStore;
    const listener = this.listenerFor(() => store);
    if (this.closed) return QueueStore.open(dir, listener); // never recovered: persists fail, nothing touches disk
    ensureQueueDir(dir, { vhost, name });
    store = QueueStore.open(dir, listener, {
      logger: (e) => this.storeLog(e, bindings),
      ...(this.opts.maxSegmentSize !== undefined ? { maxSegmentSize: this.opts.maxSegmentSize } : {}),
      ...(this.opts.fs !== undefined ? { fs: this.opts.fs } : {}),
    });
    this.stores.set(k, store);
    const stats = store.recover(onRecovered);
    if (this.booting) this.addBootStats(stats);
    if (stats.messages > 0 || stats.dropped > 0 || stats.undecodable > 0) {
      this.log?.info({ ...bindings, messages: stats.messages, bytes: stats.bytes, dropped: stats.dropped, ms: round(stats.durationMs) }, 'queue recovered');
    }
    return store;
  }

  /**
   * The state map `name` (see the module comment): the same object for the same
   * name. RangeError for a name that is not letters, digits, `.`, `_`, `-`
   * (at most 100); STORE_CLOSED for a new name after close().
   */
  stateMap(name: string): StateMap {
    const cached = this.stateMaps.get(name);
    if (cached) return cached;
    const file = stateFile(this.dataDir, name);
    if (this.closed) throw storeError('STORE_CLOSED', 'persistence is closed');
    ensureStateDir(this.dataDir);
    const map: KvLog = KvLog.open(file, {
      logger: (e) => this.storeLog(e, { state: name }),
      onCommit: (err) => this.setFailing(map, err !== null),
      ...(this.opts.fs !== undefined ? { fs: this.opts.fs } : {}),
    });
    this.stateMaps.set(name, map);
    return map;
  }

  /** The queue was deleted: its messages go with it. No-op after close(). */
  dropQueue(vhost: string, name: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const k = this.key(vhost, name);
    const store = this.stores.get(k);
    this.stores.delete(k);
    if (!store) return Promise.resolve();
    this.setFailing(store, false);
    const p: Promise<void> = store // the directory is renamed away synchronously (queue-store.ts destroy)
      .destroy()
      .catch((err: unknown) => this.log?.warn({ err, vhost, queue: name }, 'removing queue data failed'))
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
    return p;
  }

  /** The vhost was deleted (after its queues were dropped): removes its directory. No-op after close(). */
  dropVhost(vhost: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const prefix = `${vhost.length}:${vhost}/`;
    const drops = [...this.stores.keys()].filter((k) => k.startsWith(prefix)).map((k) => this.dropQueue(vhost, k.slice(prefix.length)));
    const dir = vhostDir(this.dataDir, vhost);
    // rmdir only removes an empty directory: a vhost recreated meanwhile keeps its new queues
    return Promise.all(drops).then(() => fs.promises.rmdir(dir).catch(() => undefined));
  }

  /** Ends boot recovery: orphan pass + the structured summary line. */
  finishRecovery(): RecoverySummary {
    const claimed = new Set([...this.stores.values()].map((s) => path.resolve(s.dir)));
    const listed = this.listedQueues();
    for (const dir of listQueueDirs(this.dataDir)) {
      if (claimed.has(path.resolve(dir))) continue;
      if (path.basename(dir).includes(DELETED_DIR_MARK)) {
        fs.rmSync(dir, { recursive: true, force: true }); // a drop interrupted by a crash
        continue;
      }
      const meta = readQueueMeta(dir);
      const where = { dir, vhost: meta?.vhost, queue: meta?.name };
      if (!this.definitions.loadedCleanly) {
        this.boot.orphansKept++;
        this.log?.warn(where, 'queue data without a durable queue kept (definitions were damaged)');
        continue;
      }
      if (meta === undefined || listed.has(this.key(meta.vhost, meta.name))) {
        this.boot.orphansKept++; // e.g. its declaration failed on import: never delete what might be wanted
        this.log?.error(where, 'queue data kept: the queue is in definitions.json but was not restored (or the directory is unidentifiable)');
        continue;
      }
      try {
        fs.rmSync(dir, { recursive: true, force: true });
        this.boot.orphansRemoved++;
        this.log?.warn(where, 'orphaned queue data removed (no durable queue of that name)');
      } catch (err) {
        this.log?.error({ ...where, err }, 'removing orphaned queue data failed');
      }
    }
    this.delayed.removeOrphans(this.definitions.loadedCleanly ? (v, x) => this.listedExchange(v, x) : undefined);
    this.booting = false;
    this.boot.ms = round(performance.now() - this.started);
    this.log?.info({ ...this.boot }, 'message store recovered');
    return { ...this.boot };
  }

  /** Flushes and closes every store, the definitions saver, then the state maps. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.definitions.close();
    await this.delayed.close();
    await Promise.all([...this.stores.values()].map((s) => s.close().catch((err: unknown) => this.log?.error({ err, dir: s.dir }, 'closing queue store failed'))));
    await Promise.all([...this.drops]);
    await Promise.all([...this.stateMaps].map(([name, m]) => m.close().catch((err: unknown) => this.log?.error({ err, state: name }, 'closing state map failed'))));
  }

  // ---- internals

  /** Confirm listener + disk alarm; for queues created after boot, "stored" waits for the definitions write. */
  private listenerFor(store: () => object): QueueStoreListener {
    const base = confirmListener((err) => this.setFailing(store(), err !== null));
    if (this.booting) return base;
    let gate: Promise<void> | null = new Promise<void>((r) => setImmediate(r)).then(() => this.definitions.flush());
    let held: (() => void)[] = [];
    let gateFailed = false;
    gate.then(
      () => undefined,
      () => void (gateFailed = true),
    ).finally(() => {
      gate = null;
      for (const f of held) f();
      held = [];
    });
    return {
      stored: (tokens) => {
        if (!gate) return base.stored(tokens);
        const copy = [...tokens];
        held.push(() => (gateFailed ? base.failed(copy, new Error('definitions not saved')) : base.stored(copy)));
      },
      failed: (tokens, err) => {
        if (!gate) return base.failed(tokens, err);
        const copy = [...tokens];
        held.push(() => base.failed(copy, err));
      },
      failureChanged: base.failureChanged!,
    };
  }

  private setFailing(store: object, failing: boolean): void {
    const before = this.failing.size > 0;
    if (failing) this.failing.add(store);
    else this.failing.delete(store);
    const after = this.failing.size > 0;
    if (before !== after) {
      if (after) this.log?.error({ stores: this.failing.size }, 'disk alarm: message store writes are failing');
      else this.log?.info({}, 'disk alarm cleared');
      this.opts.onDiskAlarm?.(after);
    }
  }

  /** Keys of the queues the loaded definitions.json lists. */
  private listedQueues(): Set<string> {
    const out = new Set<string>();
    const qs = (this.definitions.loaded as { queues?: unknown } | null)?.queues;
    if (!Array.isArray(qs)) return out;
    for (const q of qs as { vhost?: unknown; name?: unknown }[]) {
      if (typeof q?.vhost === 'string' && typeof q.name === 'string') out.add(this.key(q.vhost, q.name));
    }
    return out;
  }

  /** Whether the loaded definitions.json lists this exchange. */
  private listedExchange(vhost: string, name: string): boolean {
    const xs = (this.definitions.loaded as { exchanges?: unknown } | null)?.exchanges;
    return Array.isArray(xs) && (xs as { vhost?: unknown; name?: unknown }[]).some((x) => x?.vhost === vhost && x.name === name);
  }

  private addBootStats(s: QueueRecoveryStats): void {
    this.boot.queues++;
    this.boot.messages += s.messages;
    this.boot.bytes += s.bytes;
    this.boot.dropped += s.dropped;
    this.boot.undecodable += s.undecodable;
  }

  private storeLog(e: StoreLogEvent, where: Record<string, unknown>): void {
    if (!this.log) return;
    const o: Record<string, unknown> = { ...where };
    if (e.segment !== undefined) o['segment'] = e.segment;
    if (e.offset !== undefined) o['offset'] = e.offset;
    if (e.err) o['err'] = e.err;
    this.log[e.level](o, e.msg);
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function openPersistence(dataDir: string, o: PersistenceOptions = {}): Persistence {
  fs.mkdirSync(msgsDir(dataDir), { recursive: true });
  return new Persistence(dataDir, o);
}
