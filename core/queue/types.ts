/**
 * The types around a Queue: its declared properties, the hooks its owner
 * (the vhost) provides, the confirm sink of a publish, dead-letter reasons
 * (RabbitMQ's x-death `reason` values) and the applied-policy record.
 */
import type { ErrorCode } from '../errors.js';
import type { FieldTable } from '../field-table.js';
import type { Message } from '../message.js';
import type { PagingBudget } from './paged-ready.js';
import type { Queue } from './queue.js';

/** The part of confirms.ts a queue uses to defer a publisher confirm. */
export interface ConfirmSink {
  hold(id: number): void;
  release(id: number): void;
  reject(id: number, code: ErrorCode): void;
}

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

export interface QueueProps {
  name: string;
  vhost: string;
  durable: boolean;
  autoDelete: boolean;
  /** id of the owning connection for exclusive queues, else null */
  owner: string | null;
  args: FieldTable;
  /** paging budget of a durable queue (paged-ready.ts); absent = default; null = never page */
  paging?: PagingBudget | null;
}

export interface QueueHooks {
  /** auto-delete queue lost its last consumer, or x-expires elapsed: the owner deletes it */
  unused(q: Queue): void;
  /** route a dead-lettered message (the queue has a DLX; the owner builds and routes the copy) */
  deadLetter?(q: Queue, message: Message, reason: DeadLetterReason): void;
}

/** Which policies shaped a queue's settings (QueueSummary.policy…). */
export interface AppliedPolicies {
  readonly policy: string | undefined;
  readonly operatorPolicy: string | undefined;
  readonly definition: Readonly<Record<string, unknown>> | undefined;
}
