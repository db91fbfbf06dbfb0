/**
 * QueueStore: the on-disk side of ONE durable queue — a SegmentLog of
 * message records (message-record.ts) plus the delivered marks
 * (delivered-log.ts) that give recovered messages their `redelivered` flag.
 *
 * Use (the queue integration):
 *
 *   const store = QueueStore.open(dir, listener);
 *   store.recover((r) => queue.restore(r));      // once, sync, un-acked messages in order
 *   confirms.hold(id);
 *   entry.storePos = store.persist(message, confirmToken(confirms, id), expiresAt);
 *   // … listener.stored([token…]) after the fdatasync covering it → confirms.release(id)
 *   //     or listener.failed([token…], err) → confirms.reject(id, 'STORE_FAILED')
 *   store.markDelivered(entry.storePos);          // first delivery to an ack-mode consumer
 *   store.ack(entry.storePos);                    // acked, rejected, expired, dropped, purged
 *   store.readMany(positions, (records) => …);    // paging: bodies read back in batches
 *   store.recover(sink);                          // paging: a RecoverySink takes positions only past its budget
 *   await store.close();  /  await store.destroy();  // shutdown / queue deleted
 *
 * Guarantees:
 * - `persist` never throws for I/O or state reasons (a closed store reports the
 *   token as failed asynchronously and returns a position nothing will match);
 * - a token is reported exactly once (stored or failed). After `destroy()`
 *   pending tokens are reported as stored: the queue is gone, so the publish
 *   is settled like one routed to a queue deleted afterwards (RabbitMQ acks it);
 * - recovered messages that were delivered before the crash (and not acked)
 *   come back with `redelivered: true`.
 */
import type { ErrorCode } from '../errors.js';
import type { Message } from '../message.js';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { SegmentLog, nodeFileSystem, storeError } from '../store/index.js';
import type { FileSystem, StoreLogger, StorePosition } from '../store/index.js';
import { DeliveredLog, positionKey } from './delivered-log.js';
import { decodeMessage, encodeMessage, recordMeta } from './message-record.js';
import type { MessageRecord, RecordMeta } from './message-record.js';

export interface QueueStoreListener {
  /** these persists are on disk (one call per group commit) */
  stored(tokens: readonly unknown[]): void;
  /** these persists could not be written (ENOSPC, EIO…) */
  failed(tokens: readonly unknown[], err: Error): void;
  /** the store's last commit failed (err) or succeeded again (null): the disk alarm */
  failureChanged?(err: Error | null): void;
}

export interface RecoveredMessage {
  readonly message: Message;
  readonly position: StorePosition;
  /** delivered to a consumer before the restart and never acked */
  readonly redelivered: boolean;
  /** the TTL deadline given to `persist` (ms since the epoch); absent = never expires */
  readonly expiresAt?: number;
}

/**
 * Where recovery hands a queue's records when the queue pages (core/queue/paged-ready.ts):
 * while `wantsMessage()` is true a record is decoded and given to `restore`;
 * after that only its position, body size and deadline go to `restorePaged`
 * (no decode, no object kept). `restorePaged` returns false when it cannot
 * index that record; the record is then decoded and given to `restore`.
 */
export interface RecoverySink {
  wantsMessage(): boolean;
  restore(r: RecoveredMessage): void;
  restorePaged(segment: number, offset: number, size: number, bodySize: number, expiresAt: number, redelivered: boolean): boolean;
}

export interface QueueRecoveryStats {
  messages: number;
  /** body bytes of the recovered messages */
  bytes: number;
  /** damaged records dropped by the log (torn tail, bad CRC) */
  dropped: number;
  /** records that passed the CRC but could not be decoded (kept on disk, not delivered) */
  undecodable: number;
  segments: number;
  durationMs: number;
}

export interface QueueStoreOptions {
  logger?: StoreLogger;
  maxSegmentSize?: number;
  /** injected file system for the segment log (tests) */
  fs?: FileSystem;
}

/** The part of a session's confirm tracker a store token settles (core/queue/types.ts ConfirmSink). */
export interface ConfirmTarget {
  release(id: number): void;
  reject(id: number, code: ErrorCode): void;
}

export interface ConfirmToken {
  readonly confirms: ConfirmTarget;
  readonly id: number;
}

export function confirmToken(confirms: ConfirmTarget, id: number): ConfirmToken {
  return { confirms, id };
}

/**
 * The standard listener: releases a ConfirmToken when stored, rejects it with
 * STORE_FAILED when the write failed. Other tokens are ignored.
 */
export function confirmListener(failureChanged?: (err: Error | null) => void): QueueStoreListener {
  return {
    stored(tokens) {
      for (const t of tokens) (t as ConfirmToken).confirms?.release((t as ConfirmToken).id);
    },
    failed(tokens) {
      for (const t of tokens) (t as ConfirmToken).confirms?.reject((t as ConfirmToken).id, 'STORE_FAILED');
    },
    ...(failureChanged ? { failureChanged } : {}),
  };
}

/** Suffix of a deleted queue's directory while it is being removed (boot removes leftovers). */
export const DELETED_DIR_MARK = '.deleted-';

/** Returned by `persist` on a closed store: segment 0 is never used by a log. */
const NO_POSITION: StorePosition = Object.freeze({ segment: 0, offset: 0, size: 0 });

type State = 'new' | 'open' | 'closed' | 'destroyed';

export class QueueStore {
  readonly dir: string;
  private readonly log: SegmentLog;
  private readonly delivered: DeliveredLog;
  private readonly listener: QueueStoreListener;
  private readonly logger: StoreLogger;
  private state: State = 'new';

  static open(dir: string, listener: QueueStoreListener, o: QueueStoreOptions = {}): QueueStore {
    return new QueueStore(dir, listener, o);
  }

  private constructor(dir: string, listener: QueueStoreListener, o: QueueStoreOptions) {
    this.dir = dir;
    this.listener = listener;
    this.logger = o.logger ?? (() => {});
    this.log = SegmentLog.open(dir, {
      ...(o.maxSegmentSize !== undefined ? { maxSegmentSize: o.maxSegmentSize } : {}),
      fs: this.guardedFs(o.fs ?? nodeFileSystem),
      logger: this.logger,
      listener: {
        durable: (tokens) => this.listener.stored(tokens),
        rejected: (tokens, err) => {
          if (this.state === 'destroyed') this.listener.stored(tokens);
          else this.listener.failed(tokens, err);
        },
        failureChanged: (err) => this.listener.failureChanged?.(err),
      },
    });
    this.delivered = new DeliveredLog(dir, (err) =>
      this.logger({ level: 'warn', msg: 'delivered marks file: I/O error (redelivered flags may be missing after a crash)', err }),
    );
  }

  /**
   * Reads the queue back (sync, once, before anything else): calls `onMessage`
   * for every un-acked message in log order. Damaged records are dropped and
   * logged by the log; undecodable ones are logged and left on disk.
   */
  recover(onMessage: ((r: RecoveredMessage) => void) | RecoverySink = () => {}): QueueRecoveryStats {
    if (this.state !== 'new') throw storeError('STORE_CLOSED', 'recover() must be called once, first');
    const sink = typeof onMessage === 'function' ? null : onMessage;
    const marks = this.delivered.load();
    const kept: number[] = [];
    let bytes = 0;
    let undecodable = 0;
    const meta: RecordMeta = { bodySize: 0, expiresAt: Infinity };
    const bad = (position: StorePosition, e: unknown): void => {
      undecodable++;
      this.logger({ level: 'error', msg: `undecodable message record kept on disk: ${(e as Error).message}`, segment: position.segment, offset: position.offset });
    };
    const report = this.log.recover((position, payload) => {
      const key = positionKey(position);
      const redelivered = marks.has(key);
      if (sink !== null && !sink.wantsMessage()) {
        try {
          recordMeta(payload, meta);
        } catch (e) {
          return bad(position, e);
        }
        if (sink.restorePaged(position.segment, position.offset, position.size, meta.bodySize, meta.expiresAt, redelivered)) {
          if (redelivered) kept.push(key);
          bytes += meta.bodySize;
          return;
        }
      }
      let rec: MessageRecord;
      try {
        rec = decodeMessage(payload); // copies the body: payload is a view of a whole segment
      } catch (e) {
        return bad(position, e);
      }
      if (redelivered) kept.push(key);
      bytes += rec.message.body.length;
      const r: RecoveredMessage = rec.expiresAt === undefined
        ? { message: rec.message, position, redelivered }
        : { message: rec.message, position, redelivered, expiresAt: rec.expiresAt };
      if (sink !== null) sink.restore(r);
      else (onMessage as (r: RecoveredMessage) => void)(r);
    });
    this.delivered.start(kept);
    this.state = 'open';
    return {
      messages: report.records - undecodable,
      bytes,
      dropped: report.dropped,
      undecodable,
      segments: report.segments,
      durationMs: report.durationMs,
    };
  }

  /** `recover()` into an array. */
  recoverAll(): { messages: RecoveredMessage[]; stats: QueueRecoveryStats } {
    const messages: RecoveredMessage[] = [];
    const stats = this.recover((r) => messages.push(r));
    return { messages, stats };
  }

  /** Last commit error, or null (see QueueStoreListener.failureChanged). */
  get failure(): Error | null {
    return this.log.failure;
  }

  /** Bytes persisted but not yet durable: for publisher flow control. */
  get bufferedBytes(): number {
    return this.log.bufferedBytes;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Appends the message; `token` (if given) is reported once through the
   * listener. `expiresAt` (ms since the epoch, Infinity = never) is stored so
   * that a recovered message keeps its TTL deadline.
   */
  persist(message: Message, token?: unknown, expiresAt?: number): StorePosition {
    if (this.state !== 'open') {
      if (token !== undefined) {
        const err = storeError(this.state === 'new' ? 'STORE_NOT_RECOVERED' : 'STORE_CLOSED', `queue store ${this.dir} is ${this.state}`);
        queueMicrotask(() => this.listener.failed([token], err));
      }
      return NO_POSITION;
    }
    return this.log.append(encodeMessage(message, expiresAt), token);
  }

  /** The message at `pos` was handed to an ack-mode consumer (idempotent; cheap). */
  markDelivered(pos: StorePosition): void {
    if (this.state === 'open' && pos.segment !== 0) this.delivered.mark(pos);
  }

  /** The message at `pos` left the queue (acked, dropped, expired, purged). Idempotent. */
  ack(pos: StorePosition): void {
    if (pos.segment === 0 || (this.state !== 'open' && this.state !== 'closed')) return;
    this.delivered.unmark(pos);
    this.log.ack(pos);
  }

  /** Reads a message back (for queues that keep only positions in memory). */
  async read(pos: StorePosition): Promise<MessageRecord> {
    const payload = await this.log.readAsync(pos);
    return decodeMessage(payload, { shareBody: true });
  }

  /**
   * Reads many messages back (queue paging): one callback with a record or
   * null (unreadable: logged) per position, in order. Bodies are copies.
   */
  readMany(ps: readonly StorePosition[], cb: (records: (MessageRecord | null)[]) => void): void {
    this.log.readMany(ps, (payloads, err) => {
      const out: (MessageRecord | null)[] = new Array<MessageRecord | null>(payloads.length);
      for (let i = 0; i < payloads.length; i++) {
        const p = payloads[i];
        out[i] = p ? this.decodeRead(p, ps[i]!) : null;
      }
      if (err) this.logger({ level: 'error', msg: `reading paged messages back failed: ${err.message}`, err });
      cb(out);
    });
  }

  /** Synchronous read of one message (basic.get of a paged head); null when unreadable (logged). */
  readSync(pos: StorePosition): MessageRecord | null {
    try {
      return this.decodeRead(this.log.readSync(pos), pos);
    } catch (e) {
      this.logger({ level: 'error', msg: `reading a paged message back failed: ${(e as Error).message}`, segment: pos.segment, offset: pos.offset });
      return null;
    }
  }

  private decodeRead(payload: Buffer, pos: StorePosition): MessageRecord | null {
    try {
      return decodeMessage(payload);
    } catch (e) {
      this.logger({ level: 'error', msg: `undecodable message record: ${(e as Error).message}`, segment: pos.segment, offset: pos.offset });
      return null;
    }
  }

  /**
   * Resolves when everything persisted/acked so far is on disk (fdatasynced),
   * and the delivered marks made so far are written (not fsynced; see delivered-log.ts).
   */
  async flush(): Promise<void> {
    await Promise.all([this.log.flush(), this.delivered.drain()]);
  }

  /** Flushes and closes (broker shutdown). Later persists fail their tokens; acks are ignored. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'destroyed') return;
    this.state = 'closed';
    await this.log.close();
    await this.delivered.close();
  }

  /**
   * The queue was deleted: drops everything and removes the directory. The
   * directory is renamed away synchronously and the log can no longer touch any
   * path, so a queue of the same name declared at once gets a fresh directory
   * that nothing of this store will write to or delete.
   */
  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    this.state = 'destroyed';
    this.delivered.abandon();
    let gone: string | null = `${this.dir}${DELETED_DIR_MARK}${randomBytes(6).toString('hex')}`;
    try {
      fs.renameSync(this.dir, gone);
    } catch {
      gone = null; // never created, or already gone
    }
    await this.log.destroy(); // rejects what is pending (reported as stored, see above); its rm is a no-op now
    if (gone) await fs.promises.rm(gone, { recursive: true, force: true });
  }

  /** Path-based calls fail (rm does nothing) once the store is destroyed: fds keep working on the renamed files. */
  private guardedFs(base: FileSystem): FileSystem {
    const dead = (): boolean => this.state === 'destroyed';
    const gone = (p: string): NodeJS.ErrnoException =>
      Object.assign(new Error(`ENOENT: queue store destroyed, '${p}'`), { code: 'ENOENT' });
    return {
      ...base,
      open: (p, flags, cb) => (dead() ? queueMicrotask(() => cb(gone(p), -1)) : base.open(p, flags, cb)),
      unlink: (p, cb) => (dead() ? queueMicrotask(() => cb(gone(p))) : base.unlink(p, cb)),
      rename: (a, b, cb) => (dead() ? queueMicrotask(() => cb(gone(a))) : base.rename(a, b, cb)),
      rm: (p, cb) => (dead() ? queueMicrotask(() => cb(null)) : base.rm(p, cb)),
    };
  }
}
