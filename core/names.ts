/**
 * Server-generated names and the resource descriptions used in error texts.
 *
 * - `amq.gen-…` queue names and `amq.ctag-…` consumer tags: the prefix plus 22
 *   url-safe base64 characters (16 random bytes), the form RabbitMQ generates.
 * - `describe()` renders a resource as RabbitMQ's `rabbit_misc:rs/1` does:
 *   "queue 'q' in vhost '/'".
 */
import { randomBytes } from 'node:crypto';

export const SERVER_NAMED_QUEUE_PREFIX = 'amq.gen-';
export const CONSUMER_TAG_PREFIX = 'amq.ctag-';
export const RESERVED_PREFIX = 'amq.';

/** 16 random bytes as 22 url-safe base64 characters (no padding). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export function generateQueueName(): string {
  return SERVER_NAMED_QUEUE_PREFIX + randomId();
}

export function generateConsumerTag(): string {
  return CONSUMER_TAG_PREFIX + randomId();
}

export type ResourceKind = 'queue' | 'exchange';

/** "queue 'q' in vhost '/'" — RabbitMQ's resource rendering in error texts. */
export function describe(kind: ResourceKind, name: string, vhost: string): string {
  return `${kind} '${name}' in vhost '${vhost}'`;
}
