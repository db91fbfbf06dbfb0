/**
 * ConfirmTracker: publisher confirms for one channel (RabbitMQ confirms.md).
 *
 * Responsibilities
 * - Sequence numbers per channel, starting at 1 after confirm.select.
 * - Turn the core's batched `confirmed`/`rejected` ids into basic.ack /
 *   basic.nack frames, coalescing with `multiple=true` whenever every id up to
 *   the tag is settled (as RabbitMQ does), single frames otherwise.
 *
 * Per publish this costs one Set insertion; per settled batch one pass.
 */
import type { Channel } from './channel.js';
import { encodeMethod } from './codec/index.js';

export class ConfirmTracker {
  private nextSeq = 1;
  /** lowest id that may still be unsettled */
  private low = 1;
  private readonly pending = new Set<number>();

  /** the id of the next publish */
  next(): number {
    const id = this.nextSeq++;
    this.pending.add(id);
    return id;
  }

  get unconfirmed(): number {
    return this.pending.size;
  }

  /** ids ascending; nack=true → basic.nack(requeue=false) */
  settle(ids: readonly number[], nack: boolean, ch: Channel): void {
    const settled: number[] = [];
    for (const id of ids) if (this.pending.delete(id)) settled.push(id);
    if (settled.length === 0) return;
    while (this.low < this.nextSeq && !this.pending.has(this.low)) this.low++;
    // every id below `low` is settled now, so one multiple=true frame covers the run
    let i = 0;
    while (i < settled.length && settled[i]! < this.low) i++;
    if (i > 0) ch.write(frame(ch.id, settled[i - 1]!, i > 1, nack));
    for (; i < settled.length; i++) ch.write(frame(ch.id, settled[i]!, false, nack));
  }
}

function frame(channel: number, tag: number, multiple: boolean, nack: boolean): Buffer {
  return nack
    ? encodeMethod(channel, 'basic.nack', { deliveryTag: tag, multiple, requeue: false })
    : encodeMethod(channel, 'basic.ack', { deliveryTag: tag, multiple });
}
