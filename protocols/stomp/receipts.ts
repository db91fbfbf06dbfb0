/**
 * RECEIPT ordering. A RECEIPT for a SEND goes out only after the core
 * confirmed the message (SessionEvents.confirmed, i.e. after fsync for
 * persistent messages on durable queues); a RECEIPT for any other frame is
 * ready at once but waits behind earlier unconfirmed SEND receipts, so a
 * client never sees receipts out of frame order. DISCONNECT uses `whenIdle`.
 * A rejected confirm (overflow reject-publish, store failure) produces a
 * non-fatal ERROR carrying the receipt-id instead of a RECEIPT.
 */
import type { ErrorCode } from '../../core/index.js';
import { StompError } from './errors.js';
import type { FrameOut } from './types.js';

interface Entry {
  readonly id: string;
  ready: boolean;
  error: ErrorCode | undefined;
}

export class Receipts {
  private readonly out: FrameOut;
  private readonly queue: Entry[] = [];
  private readonly byConfirm = new Map<number, Entry>();
  private nextConfirm = 1;
  private idle: (() => void)[] = [];

  constructor(out: FrameOut) {
    this.out = out;
  }

  /** unconfirmed SEND receipts */
  get pending(): number {
    return this.byConfirm.size;
  }

  /** a receipt that is ready now */
  ready(id: string): void {
    if (this.queue.length === 0) this.out.send('RECEIPT', [['receipt-id', id]]);
    else this.queue.push({ id, ready: true, error: undefined });
  }

  /** a receipt that waits for a confirm; returns the confirm id to publish with */
  awaitConfirm(id: string): number {
    const confirmId = this.nextConfirm++;
    const e: Entry = { id, ready: false, error: undefined };
    this.queue.push(e);
    this.byConfirm.set(confirmId, e);
    return confirmId;
  }

  confirmed(ids: readonly number[]): void {
    for (const c of ids) {
      const e = this.byConfirm.get(c);
      if (e === undefined) continue;
      this.byConfirm.delete(c);
      e.ready = true;
    }
    this.flush();
  }

  rejected(ids: readonly number[], code: ErrorCode): void {
    for (const c of ids) {
      const e = this.byConfirm.get(c);
      if (e === undefined) continue;
      this.byConfirm.delete(c);
      e.ready = true;
      e.error = code;
    }
    this.flush();
  }

  /** run fn once every receipt before now was sent */
  whenIdle(fn: () => void): void {
    if (this.queue.length === 0) fn();
    else this.idle.push(fn);
  }

  private flush(): void {
    let i = 0;
    while (i < this.queue.length && this.queue[i]!.ready) {
      const e = this.queue[i++]!;
      if (e.error === undefined) this.out.send('RECEIPT', [['receipt-id', e.id]]);
      else this.out.error(new StompError('Message rejected', `The broker did not accept the message: ${e.error}`, false), e.id);
    }
    if (i > 0) this.queue.splice(0, i);
    if (this.queue.length === 0 && this.idle.length > 0) {
      const fns = this.idle;
      this.idle = [];
      for (const f of fns) f();
    }
  }
}
