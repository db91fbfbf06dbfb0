/**
 * STOMP transactions, buffered in the adapter as RabbitMQ's STOMP plugin does
 * (rabbit_stomp_processor transactional_action): BEGIN opens a buffer, SEND /
 * ACK / NACK frames carrying `transaction` are kept in order, COMMIT replays
 * them, ABORT drops them. Unknown transaction → ERROR "Bad transaction".
 * Limits: `maxTransactions` open at once, `maxTxActions` frames per
 * transaction (RabbitMQ main: 16 and 1024).
 */
import type { StompFrame } from './codec.js';
import { Errors, StompError } from './errors.js';

export class Transactions {
  private readonly open = new Map<string, StompFrame[]>();
  private readonly maxTx: number;
  private readonly maxActions: number;

  constructor(maxTx: number, maxActions: number) {
    this.maxTx = maxTx;
    this.maxActions = maxActions;
  }

  begin(tx: string): void {
    if (this.open.has(tx)) throw new StompError('Bad transaction', `Transaction ${tx} is already active`);
    if (this.open.size >= this.maxTx) {
      throw new StompError('Too many transactions', `A session may have at most ${this.maxTx} open transactions`);
    }
    this.open.set(tx, []);
  }

  /** buffer a SEND/ACK/NACK frame of transaction tx */
  add(tx: string, f: StompFrame): void {
    const frames = this.open.get(tx);
    if (frames === undefined) throw Errors.badTransaction(tx);
    if (frames.length >= this.maxActions) {
      throw new StompError('Transaction too large', `A transaction may hold at most ${this.maxActions} frames`);
    }
    frames.push(f);
  }

  /** the frames to replay, in order; the transaction is closed */
  commit(tx: string): StompFrame[] {
    const frames = this.open.get(tx);
    if (frames === undefined) throw Errors.badTransaction(tx);
    this.open.delete(tx);
    return frames;
  }

  abort(tx: string): void {
    if (!this.open.delete(tx)) throw Errors.badTransaction(tx);
  }

  clear(): void {
    this.open.clear();
  }
}
