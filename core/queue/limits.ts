/**
 * Queue length limits (RabbitMQ docs/maxlength, rabbit_amqqueue_process):
 *
 * - `x-max-length` (messages) and `x-max-length-bytes` (body bytes) count
 *   READY messages only; unacked deliveries do not count;
 * - `reject-publish` / `reject-publish-dlx`: a publish that would take the
 *   queue over a limit is refused (`will_overflow`: ready+1 > max-length or
 *   bytes+size > max-length-bytes). A confirming publisher gets a nack; the
 *   -dlx variant also dead-letters the refused message with reason `maxlen`;
 * - `drop-head` (default): the message is enqueued, then heads are dropped
 *   (dead-lettered with reason `maxlen` when a DLX is set) while the queue
 *   is over a limit (`over_max_length`: ready > max or bytes > max).
 */
import type { QueueSettings } from './args.js';

export function hasLimit(s: QueueSettings): boolean {
  return s.maxLength !== undefined || s.maxLengthBytes !== undefined;
}

/** rabbit_amqqueue_process:will_overflow/2 — would one more message of `size` bytes exceed a limit? */
export function wouldOverflow(s: QueueSettings, ready: number, bytes: number, size: number): boolean {
  return (s.maxLength !== undefined && ready + 1 > s.maxLength) || (s.maxLengthBytes !== undefined && bytes + size > s.maxLengthBytes);
}

/** rabbit_amqqueue_process:over_max_length/1 — is the queue over a limit now? */
export function isOverLimit(s: QueueSettings, ready: number, bytes: number): boolean {
  return (s.maxLength !== undefined && ready > s.maxLength) || (s.maxLengthBytes !== undefined && bytes > s.maxLengthBytes);
}
