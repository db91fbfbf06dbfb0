/**
 * Single active consumer (`x-single-active-consumer: true`, RabbitMQ
 * docs/consumers.md, classic queue semantics):
 *
 * - consumers are kept in registration order; only the first one (the
 *   active consumer) is ever selected for delivery, whatever its priority;
 *   the others wait;
 * - when the active consumer is cancelled or its session/connection closes,
 *   the next one in registration order becomes active. Messages the old one
 *   held unacked are requeued by the normal session rules (at channel close)
 *   and then go to the new active consumer.
 * Same shape as ConsumerSet so the queue picks one or the other at declare.
 */
import type { ConsumerPool } from './consumer-set.js';
import type { Consumer } from './consumer.js';

export class SingleActiveConsumers implements ConsumerPool {
  private readonly members: Consumer[] = [];

  get size(): number {
    return this.members.length;
  }

  /** The consumer that receives messages, if any. */
  get active(): Consumer | undefined {
    return this.members[0];
  }

  add(c: Consumer): void {
    this.members.push(c);
  }

  remove(c: Consumer): boolean {
    const i = this.members.indexOf(c);
    if (i < 0) return false;
    this.members.splice(i, 1);
    return true;
  }

  select(): Consumer | undefined {
    const c = this.members[0];
    return c !== undefined && c.hasCapacity() ? c : undefined;
  }

  hasExclusive(): boolean {
    return this.members.some((c) => c.exclusive);
  }

  all(): Consumer[] {
    return [...this.members];
  }
}
