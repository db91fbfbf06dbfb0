/**
 * ChannelTable: the channel multiplexer of one connection.
 *
 * Responsibilities
 * - Channel number → Channel lookup (a dense array: numbers are small and
 *   allocated sequentially by clients).
 * - channel_max accounting: opening one more channel than negotiated is
 *   530 NOT_ALLOWED "number of channels opened (N) has reached the negotiated
 *   channel_max (M)" (rabbit_reader).
 * - Tear-down of every channel when the connection goes.
 */
import type { Channel } from './channel.js';
import { notAllowed } from './errors.js';

export class ChannelTable {
  private slots: (Channel | undefined)[] = [];
  private max = 0;
  private count = 0;

  /** after tune-ok; 0 = no limit */
  setMax(channelMax: number): void {
    this.max = channelMax;
    this.slots = new Array<Channel | undefined>((channelMax || 65535) + 1);
  }

  get(id: number): Channel | undefined {
    return this.slots[id];
  }

  /**
   * Throws 530 when the negotiated channel_max is reached. Like rabbit_reader
   * it counts open channels (not channel numbers) and names no method
   * ("operation none"), so class/method ids are 0.
   */
  checkCanOpen(): void {
    if (this.max !== 0 && this.count >= this.max) {
      throw notAllowed(`number of channels opened (${this.count}) has reached the negotiated channel_max (${this.max})`);
    }
  }

  add(ch: Channel): void {
    this.slots[ch.id] = ch;
    this.count++;
  }

  free(id: number): void {
    if (this.slots[id] !== undefined) {
      this.slots[id] = undefined;
      this.count--;
    }
  }

  /** teardown() every channel and forget them */
  teardownAll(): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const ch = slots[i];
      if (ch !== undefined) {
        slots[i] = undefined;
        ch.teardown();
      }
    }
    this.count = 0;
  }
}
