/**
 * Time-based queue features (RabbitMQ docs/ttl.md):
 *
 * - per-message TTL: the `expiration` property is a string of milliseconds,
 *   checked at publish like `rabbit_basic:parse_expiration/1`; an invalid one
 *   is PRECONDITION_FAILED "invalid expiration 'abc': no_integer";
 * - a message's expiry is fixed at enqueue: now + min(queue TTL, message
 *   TTL), and kept across requeues (RabbitMQ stores it with the message);
 * - `HeadTimer`: the ONE timer per queue that fires when the head of the
 *   ready list is due. Classic queues only look at the head, so a message
 *   behind the head expires when it reaches it. The timer is only re-armed
 *   when a sooner deadline appears; a timer that fires early re-arms itself;
 * - `IdleTimer`: `x-expires` — the queue is deleted after being unused (no
 *   consumers, no basic.get, no redeclare) for that long.
 * Node timers cannot exceed 2^31-1 ms; longer delays fire early and re-arm.
 */
import { BrokerError } from '../errors.js';
import type { Message } from '../message.js';
import { MAX_EXPIRY } from './args.js';

/** Longest delay Node's setTimeout accepts */
export const MAX_TIMER_DELAY = 0x7fffffff;

/** Per-message TTL in ms, or undefined; the publish path has already validated it. */
export function messageTtl(m: Message): number | undefined {
  const e = m.properties.expiration;
  if (e === undefined) return undefined;
  const n = parseExpiration(e);
  return typeof n === 'number' ? n : undefined;
}

/** rabbit_basic:parse_expiration/1: a number or the Erlang error term. */
export function parseExpiration(e: string): number | string {
  const m = /^[+-]?\d+/.exec(e); // Erlang string:to_integer/1
  if (!m) return 'no_integer';
  if (m[0].length !== e.length) return `{leftover_string,${JSON.stringify(e.slice(m[0].length))}}`;
  const n = Number(m[0]);
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY) return `{value_too_large,${n}}`;
  return n;
}

/** rabbit_channel check_expiration_header: throws PRECONDITION_FAILED for an invalid expiration. */
export function checkExpiration(m: Message): void {
  const e = m.properties.expiration;
  if (e === undefined) return;
  const r = parseExpiration(e);
  if (typeof r === 'string') throw new BrokerError('PRECONDITION_FAILED', `invalid expiration '${e}': ${r}`);
}

/** The TTL that applies to a message in a queue: the lower of the two; undefined = never expires. */
export function effectiveTtl(queueTtl: number | undefined, m: Message): number | undefined {
  const own = messageTtl(m);
  if (own === undefined) return queueTtl;
  if (queueTtl === undefined) return own;
  return Math.min(own, queueTtl);
}

/** One timer, armed for the earliest requested deadline (ms since the epoch). */
export class HeadTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;
  private readonly onDue: () => void;

  constructor(onDue: () => void) {
    this.onDue = onDue;
  }

  /** Makes sure the timer fires no later than `at`. No-op when already armed as soon or sooner. */
  arm(at: number, now: number): void {
    if (at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_DELAY, Math.max(0, at - now)));
    this.timer.unref?.();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.at = Infinity;
    this.onDue();
  };
}

/**
 * x-expires: `touch()` on use; `start()` when the queue becomes unused; the
 * timer checks on firing whether the queue stayed unused long enough (so a
 * basic.get costs one assignment, not a timer reset).
 */
export class IdleTimer {
  private readonly head: HeadTimer;
  private lastUsed = Date.now();
  private ttl: number | undefined;
  private readonly inUse: () => boolean;

  constructor(inUse: () => boolean, expired: () => void) {
    this.inUse = inUse;
    this.head = new HeadTimer(() => {
      if (this.ttl === undefined || this.inUse()) return;
      const now = Date.now();
      if (now - this.lastUsed >= this.ttl) expired();
      else this.head.arm(this.lastUsed + this.ttl, now);
    });
  }

  /** New x-expires value (from arguments or policy); the clock restarts (RabbitMQ init_exp). undefined disables it. */
  configure(ttl: number | undefined): void {
    this.ttl = ttl;
    this.lastUsed = Date.now();
    this.head.cancel();
    this.start();
  }

  touch(): void {
    this.lastUsed = Date.now();
  }

  /** The queue may be unused from now on (created, last consumer gone, touched): arm if needed. */
  start(): void {
    if (this.ttl === undefined || this.inUse()) return;
    this.head.arm(this.lastUsed + this.ttl, Date.now());
  }

  cancel(): void {
    this.head.cancel();
  }
}
