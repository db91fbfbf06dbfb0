/**
 * Priority queues (x-max-priority), consumer priorities and single active
 * consumer (x-single-active-consumer).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { F } from '../../../core/index.js';
import type { CoreSession } from '../../../core/index.js';
import { fixture, flush, msg, recordingSink } from './helpers.js';

function pq(max = 10) {
  const f = fixture();
  f.session.declareQueue({ name: 'q', args: { 'x-max-priority': F.int(max) } });
  return f;
}

function pub(s: CoreSession, body: string, priority?: number): void {
  s.publish(msg('', 'q', body, priority === undefined ? {} : { priority }));
}

function getAll(s: CoreSession, q = 'q'): string[] {
  const out: string[] = [];
  for (let d = s.get(q, true); d; d = s.get(q, true)) out.push(d.message.body.toString());
  return out;
}

describe('priority queues', () => {
  it('higher priority first, FIFO within a priority, missing = 0, capped at the maximum', () => {
    const f = pq(10);
    pub(f.session, 'p1', 1);
    pub(f.session, 'p5a', 5);
    pub(f.session, 'none');
    pub(f.session, 'p10', 10);
    pub(f.session, 'p5b', 5);
    pub(f.session, 'p200', 200); // capped to 10, after p10
    pub(f.session, 'p0', 0);
    expect(getAll(f.session)).toEqual(['p10', 'p200', 'p5a', 'p5b', 'p1', 'none', 'p0']);
  });

  it('a plain queue ignores the priority property', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    pub(f.session, 'a', 1);
    pub(f.session, 'b', 9);
    expect(getAll(f.session)).toEqual(['a', 'b']);
  });

  it('under prefetch, a higher-priority message published later overtakes waiting ones', async () => {
    const f = pq(10);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 1 });
    await flush();
    pub(f.session, 'low1', 1);
    pub(f.session, 'low2', 1);
    await flush();
    expect(sink.bodies()).toEqual(['low1']);
    pub(f.session, 'high', 9);
    f.session.ack(sink.deliveries[0]!.tag, false);
    await flush();
    expect(sink.bodies()).toEqual(['low1', 'high']);
    f.session.ack(sink.deliveries[1]!.tag, false);
    await flush();
    expect(sink.bodies()).toEqual(['low1', 'high', 'low2']);
  });

  it('prefetch 2 drains in priority order as acks arrive', async () => {
    const f = pq(5);
    for (const [b, p] of [['a', 1], ['b', 5], ['c', 3], ['d', 5], ['e', 0]] as const) pub(f.session, b, p);
    const sink = recordingSink((d) => queueMicrotask(() => f.session.ack(d.tag, false)));
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 2 });
    await flush(10);
    expect(sink.bodies()).toEqual(['b', 'd', 'c', 'a', 'e']);
  });

  it('requeued messages go back into their priority at their original position', async () => {
    const f = pq(10);
    for (const [b, p] of [['l1', 1], ['h1', 8], ['l2', 1], ['h2', 8]] as const) pub(f.session, b, p);
    const tags = [0, 1, 2, 3].map(() => f.session.get('q', false)!);
    expect(tags.map((d) => d.message.body.toString())).toEqual(['h1', 'h2', 'l1', 'l2']);
    pub(f.session, 'h3', 8);
    // requeue h2 and l1 (out of order); they regain their places
    f.session.reject(tags[2]!.tag, false, true);
    f.session.reject(tags[1]!.tag, false, true);
    const again = [f.session.get('q', true)!, f.session.get('q', true)!, f.session.get('q', true)!];
    expect(again.map((d) => [d.message.body.toString(), d.redelivered])).toEqual([
      ['h2', true],
      ['h3', false],
      ['l1', true],
    ]);
  });

  it('property: delivery order is a stable sort by capped priority, highest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.option(fc.integer({ min: 0, max: 20 })), { maxLength: 60 }), (max, prios) => {
        const f = pq(max);
        prios.forEach((p, i) => pub(f.session, String(i), p ?? undefined));
        const level = (p: number | null) => Math.min(p ?? 0, max);
        const expected = prios
          .map((p, i) => ({ i, l: level(p) }))
          .sort((a, b) => b.l - a.l || a.i - b.i)
          .map((e) => String(e.i));
        expect(getAll(f.session)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('TTL: the head of every priority level expires on time, not only the overall head', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const f = pq(5);
      pub(f.session, 'high', 5);
      f.session.publish(msg('', 'q', 'low-ttl', { priority: 1, expiration: '10' }));
      vi.advanceTimersByTime(10);
      expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(1);
      expect(getAll(f.session)).toEqual(['high']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drop-head on a priority queue drops the highest-priority head (RabbitMQ priority queue fetch)', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-priority': F.int(5), 'x-max-length': F.int(2) } });
    pub(f.session, 'low', 1);
    pub(f.session, 'high', 5);
    pub(f.session, 'mid', 3);
    expect(getAll(f.session)).toEqual(['mid', 'low']);
  });
});

describe('consumer priorities (x-priority)', () => {
  it('the higher-priority consumer gets messages while it has capacity', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    const low = recordingSink();
    const high = recordingSink();
    f.session.consume('q', low, { tag: 'low', noAck: false, credit: 0 });
    f.session.consume('q', high, { tag: 'high', noAck: false, credit: 2, args: { 'x-priority': F.int(10) } });
    for (const b of ['a', 'b', 'c', 'd']) f.session.publish(msg('', 'q', b));
    await flush();
    expect(high.bodies()).toEqual(['a', 'b']);
    expect(low.bodies()).toEqual(['c', 'd']);
  });
});

describe('single active consumer', () => {
  function sac() {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-single-active-consumer': F.bool(true) } });
    return f;
  }

  it('only the first registered consumer receives, even when it is full and another is idle', async () => {
    const f = sac();
    const a = recordingSink();
    const b = recordingSink();
    f.session.consume('q', a, { tag: 'a', noAck: false, credit: 2 });
    f.session.consume('q', b, { tag: 'b', noAck: false, credit: 0, args: { 'x-priority': F.int(100) } });
    for (const x of ['m0', 'm1', 'm2']) f.session.publish(msg('', 'q', x));
    await flush();
    expect(a.bodies()).toEqual(['m0', 'm1']);
    expect(b.bodies()).toEqual([]);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(1);
  });

  it('hands over to the next consumer in registration order on cancel', async () => {
    const f = sac();
    const sinks = [recordingSink(), recordingSink(), recordingSink()];
    const handles = sinks.map((s, i) => f.session.consume('q', s, { tag: `c${i}`, noAck: true, credit: 0 }));
    f.session.publish(msg('', 'q', 'one'));
    await flush();
    handles[0]!.cancel();
    f.session.publish(msg('', 'q', 'two'));
    await flush();
    expect(sinks.map((s) => s.bodies())).toEqual([['one'], ['two'], []]);
  });

  it('hands over when the active consumer session closes; its unacked messages are requeued to the next one', async () => {
    const f = sac();
    const other = f.open();
    const a = recordingSink();
    const b = recordingSink();
    other.session.consume('q', a, { tag: 'a', noAck: false, credit: 2 });
    f.session.consume('q', b, { tag: 'b', noAck: false, credit: 0 });
    for (const x of ['m0', 'm1', 'm2', 'm3']) f.session.publish(msg('', 'q', x));
    await flush();
    expect(a.bodies()).toEqual(['m0', 'm1']);
    other.conn.close(); // "consumer crash"
    await flush();
    expect(b.bodies()).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(b.deliveries.map((d) => d.redelivered)).toEqual([true, true, false, false]);
  });
});
