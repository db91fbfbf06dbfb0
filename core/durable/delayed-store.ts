/**
 * DelayedStore: the on-disk side of ONE durable x-delayed-message exchange —
 * the persistent messages it holds (RabbitMQ's delayed-message plugin keeps
 * them in Mnesia for durable exchanges; non-persistent ones stay in memory).
 *
 *   <dataDir>/delayed/<vhost-dir>/<exchange-dir>/   a SegmentLog (paths.ts encodeName)
 *
 * A record is `encodeMessage(message, due)`: the record's deadline field holds
 * the absolute due time (ms since the epoch); the delay (for the -delay marker
 * put on release) is re-read from the message's own `x-delay` header.
 *
 * - `held`: appends a persistent message; when the publish has a confirm id,
 *   takes a hold on it, released by the listener once the record is fsynced
 *   (the standard confirmListener: STORE_FAILED nack when the write fails);
 * - `released`: the message was routed: its record is acked. Acks are batched
 *   and written ACK_DELAY_MS later, so that the queues the message went to
 *   have had time to make their own copy durable: a crash in between gives a
 *   duplicate (at-least-once), not a loss;
 * - `recover`: once, at open: hands every un-acked record back in log order;
 * - `dispose`: the exchange was deleted: the store is destroyed (its directory
 *   renamed away at once, removed in the background);
 * - `close`: pending acks written, log flushed and closed (broker shutdown).
 *
 * `DelayedStores` is the set of them owned by Persistence (persistence.ts).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../api.js';
import type { DelayedPersistence, HeldMessage } from '../exchange/delayed.js';
import { delayOf } from '../exchange/delayed.js';
import type { Message } from '../message.js';
import type { ConfirmSink } from '../queue/types.js';
import { SegmentLog } from '../store/index.js';
import type { StoreLogEvent, StorePosition } from '../store/index.js';
import { decodeMessage, encodeMessage } from './message-record.js';
import { decodeName, encodeName } from './paths.js';
import { DELETED_DIR_MARK, confirmToken } from './queue-store.js';
import type { QueueStoreListener } from './queue-store.js';

export const DELAYED_DIR = 'delayed';
/** how long a released message's ack waits (see the module comment) */
export const ACK_DELAY_MS = 250;

export interface RecoveredDelayed {
  readonly message: Message;
  /** absolute due time, ms since the epoch */
  readonly due: number;
  readonly delay: number;
}

/** Puts a recovered message back into the exchange; returns the heap entry that now stands for the record. */
export type DelayedRecoverySink = (r: RecoveredDelayed) => HeldMessage;

export function delayedDir(dataDir: string, vhost: string, exchange: string): string {
  return path.join(dataDir, DELAYED_DIR, encodeName(vhost), encodeName(exchange));
}

export class DelayedStore implements DelayedPersistence {
  readonly dir: string;
  private readonly log: SegmentLog;
  private readonly positions = new Map<HeldMessage, StorePosition>();
  private pendingAcks: StorePosition[] = [];
  private ackTimer: NodeJS.Timeout | undefined;
  private readonly onDispose: () => void;
  private state: 'open' | 'closed' | 'destroyed' = 'open';

  constructor(dir: string, listener: QueueStoreListener, onDispose: () => void, logger: (e: StoreLogEvent) => void) {
    this.dir = dir;
    this.onDispose = onDispose;
    fs.mkdirSync(dir, { recursive: true });
    this.log = SegmentLog.open(dir, {
      logger,
      listener: {
        durable: (tokens) => listener.stored(tokens),
        // a deleted exchange settles its pending publishes as routed-then-dropped
        rejected: (tokens, err) => (this.state === 'destroyed' ? listener.stored(tokens) : listener.failed(tokens, err)),
        failureChanged: (err) => listener.failureChanged?.(err),
      },
    });
  }

  /** Once, first: every un-acked record, in log order (damaged/undecodable ones are logged and skipped). */
  recover(sink: DelayedRecoverySink, logger: (e: StoreLogEvent) => void): number {
    let n = 0;
    this.log.recover((pos, payload) => {
      let message: Message;
      let due: number;
      try {
        const rec = decodeMessage(payload);
        message = rec.message;
        due = rec.expiresAt ?? Date.now();
      } catch (e) {
        logger({ level: 'error', msg: `undecodable delayed message record kept on disk: ${(e as Error).message}`, segment: pos.segment, offset: pos.offset });
        return;
      }
      this.positions.set(sink({ message, due, delay: delayOf(message) }), pos);
      n++;
    });
    return n;
  }

  held(_exchange: string, m: HeldMessage, confirms?: ConfirmSink, confirmId?: number): void {
    if (this.state !== 'open' || m.message.properties.deliveryMode !== 2) return;
    let token: unknown;
    if (confirms && confirmId !== undefined) {
      confirms.hold(confirmId);
      token = confirmToken(confirms, confirmId);
    }
    this.positions.set(m, this.log.append(encodeMessage(m.message, m.due), token));
  }

  released(_exchange: string, m: HeldMessage): void {
    const pos = this.positions.get(m);
    if (pos === undefined) return;
    this.positions.delete(m);
    if (this.state !== 'open') return;
    this.pendingAcks.push(pos);
    if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => this.writeAcks(), ACK_DELAY_MS);
      this.ackTimer.unref?.();
    }
  }

  dispose(): void {
    this.onDispose();
  }

  /** held persistent messages (tests) */
  get size(): number {
    return this.positions.size;
  }

  flush(): Promise<void> {
    this.writeAcks();
    return this.log.flush();
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.writeAcks();
    this.state = 'closed';
    await this.log.close();
  }

  /** The exchange was deleted: the directory is renamed away synchronously, then removed. */
  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    const wasOpen = this.state === 'open';
    this.state = 'destroyed';
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.pendingAcks = [];
    this.positions.clear();
    let gone: string | null = `${this.dir}${DELETED_DIR_MARK}${randomBytes(6).toString('hex')}`;
    try {
      fs.renameSync(this.dir, gone);
    } catch {
      gone = null;
    }
    if (wasOpen) await this.log.destroy().catch(() => undefined); // its rm of the old path is a no-op now
    if (gone) await fs.promises.rm(gone, { recursive: true, force: true });
  }

  private writeAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    if (this.state === 'open') for (const p of acks) this.log.ack(p);
  }
}

/** The delayed stores of one Persistence (one per durable delayed exchange). */
export class DelayedStores {
  private readonly dataDir: string;
  private readonly stores = new Map<string, DelayedStore>();
  private readonly drops = new Set<Promise<void>>();
  private readonly log: Logger | undefined;
  private readonly listenerFor: (store: () => DelayedStore) => QueueStoreListener;
  private closed = false;

  constructor(dataDir: string, log: Logger | undefined, listenerFor: (store: () => DelayedStore) => QueueStoreListener) {
    this.dataDir = dataDir;
    this.log = log;
    this.listenerFor = listenerFor;
  }

  private key(vhost: string, exchange: string): string {
    return `${vhost.length}:${vhost}/${exchange}`;
  }

  /** The store of a durable delayed exchange (created and recovered on first use, cached). */
  open(vhost: string, exchange: string, sink: DelayedRecoverySink): DelayedPersistence {
    const k = this.key(vhost, exchange);
    const cached = this.stores.get(k);
    if (cached) return cached;
    if (this.closed) return { held() {}, released() {} };
    const where = { vhost, exchange };
    const logger = (e: StoreLogEvent): void => {
      if (!this.log) return;
      this.log[e.level]({ ...where, ...(e.segment !== undefined ? { segment: e.segment, offset: e.offset } : {}), ...(e.err ? { err: e.err } : {}) }, e.msg);
    };
    let store!: DelayedStore;
    store = new DelayedStore(delayedDir(this.dataDir, vhost, exchange), this.listenerFor(() => store), () => void this.drop(vhost, exchange), logger);
    this.stores.set(k, store);
    const n = store.recover(sink, logger);
    if (n > 0) this.log?.info({ ...where, messages: n }, 'delayed messages recovered');
    return store;
  }

  /** The exchange was deleted: its held messages go with it. No-op after close(). */
  drop(vhost: string, exchange: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const k = this.key(vhost, exchange);
    const store = this.stores.get(k);
    this.stores.delete(k);
    if (!store) return Promise.resolve();
    const p: Promise<void> = store
      .destroy()
      .catch((err: unknown) => this.log?.warn({ err, vhost, exchange }, 'removing delayed message data failed'))
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
    return p;
  }

  /**
   * After the boot import: removes leftovers of interrupted drops, and data of
   * exchanges that were not restored when `listed` says the definitions do not
   * name them (undefined = definitions damaged: keep everything).
   */
  removeOrphans(listed: ((vhost: string, exchange: string) => boolean) | undefined): void {
    const root = path.join(this.dataDir, DELAYED_DIR);
    const claimed = new Set([...this.stores.values()].map((s) => path.resolve(s.dir)));
    for (const vdir of subdirs(root)) {
      for (const dir of subdirs(vdir)) {
        if (claimed.has(path.resolve(dir))) continue;
        const vhost = decodeName(path.basename(vdir));
        const exchange = decodeName(path.basename(dir));
        const deleted = path.basename(dir).includes(DELETED_DIR_MARK);
        if (!deleted && (listed === undefined || vhost === undefined || exchange === undefined || listed(vhost, exchange))) {
          this.log?.warn({ dir, vhost, exchange }, 'delayed message data without a restored exchange kept');
          continue;
        }
        fs.rmSync(dir, { recursive: true, force: true });
        if (!deleted) this.log?.warn({ dir, vhost, exchange }, 'orphaned delayed message data removed (no durable exchange of that name)');
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.stores.values()].map((s) => s.close().catch((err: unknown) => this.log?.error({ err, dir: s.dir }, 'closing delayed store failed'))));
    await Promise.all([...this.drops]);
  }
}

function subdirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}
