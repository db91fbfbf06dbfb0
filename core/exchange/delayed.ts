/**
 * The `x-delayed-message` exchange type (semantics of RabbitMQ's
 * rabbitmq-delayed-message-exchange plugin, not its code):
 *
 * - declared with argument `x-delayed-type` naming an existing type; it
 *   routes exactly like that type (this router wraps the inner one);
 * - a message published with an integer header `x-delay` > 0 is held for
 *   that many ms and then routed; no header, a non-integer or a value <= 0
 *   routes at once;
 * - when a held message is routed, its `x-delay` header becomes -delay (the
 *   plugin's marker that a message was delayed, which also keeps it from
 *   being delayed again when dead-lettered or re-routed);
 * - the publish is confirmed as soon as the exchange holds the message, and
 *   a mandatory publish counts as routed (the queues are unknown until due);
 * - ONE timer per exchange over a binary heap ordered by (due time, arrival),
 *   so messages with the same due time keep their publish order;
 * - deleting the exchange drops what it holds.
 * Persistence: a durable exchange of a broker with a data_dir gets a
 * `DelayedPersistence` (core/durable/delayed-store.ts) that logs persistent
 * held messages (delivery mode 2, as the plugin, which keeps them in Mnesia);
 * the confirm of such a publish waits for the fsync. When the exchange is
 * declared again after a restart, `restore` puts them back in the heap with
 * their original due times (already-due ones are released on the next turn,
 * in due order, after the rest of the definitions import).
 */
import { F, fieldNumber, fieldString, isIntegerField } from '../field-table.js';
import type { FieldTable } from '../field-table.js';
import type { Message } from '../message.js';
import type { ConfirmSink } from '../queue/types.js';
import { withProperties } from '../message.js';
import { MAX_TIMER_DELAY } from '../queue/expiry.js';
import type { Binding, ExchangeRouter, RouteSink } from './exchange.js';

export const DELAYED_TYPE = 'x-delayed-message';

export interface HeldMessage {
  readonly due: number;
  readonly seq: number;
  readonly delay: number;
  readonly message: Message;
}

/**
 * Where held messages are persisted. `held` may take a hold on the publish's
 * confirm id (released once the message is on disk); `released` is called
 * when a message leaves the heap (routed); `dispose` (if present) replaces the
 * per-message `released` calls when the exchange is deleted.
 */
export interface DelayedPersistence {
  held(exchange: string, m: HeldMessage, confirms?: ConfirmSink, confirmId?: number): void;
  released(exchange: string, m: HeldMessage): void;
  dispose?(exchange: string): void;
}

export const NO_PERSISTENCE: DelayedPersistence = { held() {}, released() {} };

/** The delay requested by a message's `x-delay` header; 0 = route now. */
export function delayOf(m: Message): number {
  const v = m.properties.headers?.['x-delay'];
  if (v === undefined) return 0;
  let n: number | undefined;
  if (isIntegerField(v)) n = fieldNumber(v);
  else if (v.type === 'float' || v.type === 'double' || v.type === 'decimal') n = Math.trunc(fieldNumber(v)!);
  else {
    // the plugin converts string values (binary_to_integer) so that STOMP
    // headers and MQTT 5 user properties, which are always strings, work too
    const s = fieldString(v);
    if (s !== undefined && /^[+-]?\d+$/.test(s.trim())) n = Number(s.trim());
  }
  return n !== undefined && n > 0 ? n : 0;
}

function before(a: HeldMessage, b: HeldMessage): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class DelayedRouter implements ExchangeRouter {
  readonly inner: ExchangeRouter;
  readonly innerType: string;
  private readonly heap: HeldMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private seq = 0;
  private name = '';
  private release: (m: Message) => void = () => {};
  private persistence: DelayedPersistence = NO_PERSISTENCE;

  constructor(innerType: string, inner: ExchangeRouter) {
    this.innerType = innerType;
    this.inner = inner;
  }

  /** Wires the exchange name and the function that routes a due message (set by the vhost). */
  attach(name: string, release: (m: Message) => void, persistence: DelayedPersistence = NO_PERSISTENCE): void {
    this.name = name;
    this.release = release;
    this.persistence = persistence;
  }

  validate(b: Binding): void {
    this.inner.validate(b);
  }

  bind(b: Binding): void {
    this.inner.bind(b);
  }

  unbind(b: Binding): void {
    this.inner.unbind(b);
  }

  route(routingKey: string, headers: FieldTable | undefined, out: RouteSink): void {
    this.inner.route(routingKey, headers, out);
  }

  /** messages held */
  get size(): number {
    return this.heap.length;
  }

  hold(message: Message, delay: number, now = Date.now(), confirms?: ConfirmSink, confirmId?: number): void {
    const m: HeldMessage = { due: now + delay, seq: this.seq++, delay, message };
    this.push(m);
    this.persistence.held(this.name, m, confirms, confirmId);
    this.arm(now);
  }

  /**
   * A message recovered from the store (already persisted: `held` is not
   * called). Call in the original publish order so equal due times keep it.
   */
  restore(message: Message, due: number, delay: number): HeldMessage {
    const m: HeldMessage = { due, seq: this.seq++, delay, message };
    this.push(m);
    this.arm(Date.now());
    return m;
  }

  /** Exchange deleted: drop everything, stop the timer. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.persistence.dispose) this.persistence.dispose(this.name);
    else for (const m of this.heap) this.persistence.released(this.name, m);
    this.heap.length = 0;
  }

  private arm(now: number): void {
    const top = this.heap[0];
    if (!top || top.due >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.due;
    this.timer = setTimeout(this.fire, Math.min(MAX_TIMER_DELAY, Math.max(0, top.due - now)));
    this.timer.unref?.();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const m = this.pop();
      this.persistence.released(this.name, m);
      const headers = { ...(m.message.properties.headers ?? {}), 'x-delay': F.long(-m.delay) };
      try {
        this.release(withProperties(m.message, { ...m.message.properties, headers }));
      } catch {
        // a message that cannot be routed any more (e.g. its CC header) is dropped, as an unroutable one
      }
    }
    this.arm(now);
  };

  // ---------------------------------------------------------------- binary heap

  private push(m: HeldMessage): void {
    const h = this.heap;
    h.push(m);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): HeldMessage {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
