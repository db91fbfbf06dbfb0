/**
 * Consumer selection for one queue: consumer priorities plus round-robin.
 *
 * Consumers are grouped by priority (RabbitMQ `x-priority`, default 0, may be
 * negative), groups sorted highest first. `select()` returns a consumer with
 * capacity from the highest group that has one, rotating within the group
 * so equal-priority consumers take turns (RabbitMQ consumer-priority docs:
 * lower priorities get messages only while higher ones are blocked).
 */
import type { Consumer } from './consumer.js';

interface Group {
  readonly priority: number;
  readonly members: Consumer[];
  next: number;
}

/** What a queue needs from its consumers (ConsumerSet, or SingleActiveConsumers for x-single-active-consumer). */
export interface ConsumerPool {
  readonly size: number;
  add(c: Consumer): void;
  remove(c: Consumer): boolean;
  /** Next consumer with capacity, or undefined. */
  select(): Consumer | undefined;
  hasExclusive(): boolean;
  all(): Consumer[];
}

export class ConsumerSet implements ConsumerPool {
  private readonly groups: Group[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(c: Consumer): void {
    let i = 0;
    while (i < this.groups.length && this.groups[i]!.priority > c.priority) i++;
    let g = this.groups[i];
    if (!g || g.priority !== c.priority) {
      g = { priority: c.priority, members: [], next: 0 };
      this.groups.splice(i, 0, g);
    }
    g.members.push(c);
    this.count++;
  }

  remove(c: Consumer): boolean {
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi]!;
      const idx = g.members.indexOf(c);
      if (idx < 0) continue;
      g.members.splice(idx, 1);
      if (idx < g.next) g.next--;
      if (g.next >= g.members.length) g.next = 0;
      if (g.members.length === 0) this.groups.splice(gi, 1);
      this.count--;
      return true;
    }
    return false;
  }

  /** Next consumer with capacity, or undefined. Advances the round-robin pointer. */
  select(): Consumer | undefined {
    for (const g of this.groups) {
      const n = g.members.length;
      for (let k = 0; k < n; k++) {
        const idx = (g.next + k) % n;
        const c = g.members[idx]!;
        if (c.hasCapacity()) {
          g.next = (idx + 1) % n;
          return c;
        }
      }
    }
    return undefined;
  }

  hasExclusive(): boolean {
    for (const g of this.groups) for (const c of g.members) if (c.exclusive) return true;
    return false;
  }

  all(): Consumer[] {
    const out: Consumer[] = [];
    for (const g of this.groups) out.push(...g.members);
    return out;
  }
}
