/**
 * Transactions (tx.select/commit/rollback) and confirm.select.
 *
 * Responsibilities
 * - tx.select puts the channel in transactional mode for good; publishes and
 *   acks/nacks/rejects are buffered in the adapter and applied in order on
 *   tx.commit (basic.return for unroutable mandatory messages goes out then),
 *   dropped on tx.rollback (RabbitMQ's rabbit_channel keeps the same buffer).
 * - tx and confirm mode exclude each other: 406 PRECONDITION_FAILED
 *   "cannot switch from tx to confirm mode" / "…from confirm to tx mode".
 * - tx.commit/rollback on a non-transactional channel: 406
 *   "channel is not transactional".
 *
 * Difference from RabbitMQ: an unknown delivery tag acked inside a
 * transaction is reported (406) at commit time rather than at ack time.
 */
import type { Message } from '../../core/index.js';
import type { Channel } from './channel.js';
import { publishNow } from './channel-publish.js';
import type { Method } from './codec/index.js';
import { encodeMethod } from './codec/index.js';
import { ConfirmTracker } from './confirms.js';
import { preconditionFailed } from './errors.js';

type TxOp =
  | { readonly kind: 'publish'; readonly msg: Message; readonly mandatory: boolean }
  | { readonly kind: 'ack'; readonly tag: number; readonly multiple: boolean }
  | { readonly kind: 'reject'; readonly tag: number; readonly multiple: boolean; readonly requeue: boolean };

export class TxBuffer {
  ops: TxOp[] = [];

  publish(msg: Message, mandatory: boolean): void {
    this.ops.push({ kind: 'publish', msg, mandatory });
  }

  ack(tag: number, multiple: boolean): void {
    this.ops.push({ kind: 'ack', tag, multiple });
  }

  reject(tag: number, multiple: boolean, requeue: boolean): void {
    this.ops.push({ kind: 'reject', tag, multiple, requeue });
  }
}

export function confirmSelect(ch: Channel, m: Extract<Method, { name: 'confirm.select' }>): void {
  if (ch.tx !== null) throw preconditionFailed('cannot switch from tx to confirm mode', 85, 10);
  ch.confirm ??= new ConfirmTracker();
  if (!m.nowait) ch.write(encodeMethod(ch.id, 'confirm.select-ok'));
}

export function txSelect(ch: Channel): void {
  if (ch.confirm !== null) throw preconditionFailed('cannot switch from confirm to tx mode', 90, 10);
  ch.tx ??= new TxBuffer();
  ch.write(encodeMethod(ch.id, 'tx.select-ok'));
}

export function txCommit(ch: Channel): void {
  const t = ch.tx;
  if (t === null) throw preconditionFailed('channel is not transactional', 90, 20);
  const ops = t.ops;
  t.ops = [];
  for (const op of ops) {
    if (op.kind === 'publish') publishNow(ch, op.msg, op.mandatory);
    else if (op.kind === 'ack') ch.session.ack(op.tag, op.multiple);
    else ch.session.reject(op.tag, op.multiple, op.requeue);
  }
  ch.write(encodeMethod(ch.id, 'tx.commit-ok'));
}

export function txRollback(ch: Channel): void {
  const t = ch.tx;
  if (t === null) throw preconditionFailed('channel is not transactional', 90, 30);
  t.ops = [];
  ch.write(encodeMethod(ch.id, 'tx.rollback-ok'));
}
