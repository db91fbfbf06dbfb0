import { describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { DISPATCH_BYTE_BUDGET } from '../../../core/queue/queue.js';
import { expectCode, fixture, flush, msg, recordingSink } from './helpers.js';

function withQueue(n = 0) {
  const f = fixture();
  f.session.declareQueue({ name: 'q' });
  for (let i = 0; i < n; i++) f.session.publish(msg('', 'q', `m${i}`));
  return f;
}

describe('dispatch', () => {
  it('is asynchronous and scheduled once per tick', async () => {
    const f = withQueue(3);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    expect(sink.deliveries).toHaveLength(0); // nothing synchronous
    await flush(1);
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm2']);
  });

  it('round-robins between consumers with capacity', async () => {
    const f = withQueue(6);
    const a = recordingSink();
    const b = recordingSink();
    const c = recordingSink();
    f.session.consume('q', a, { tag: 'a', noAck: true, credit: 0 });
    f.session.consume('q', b, { tag: 'b', noAck: true, credit: 0 });
    f.session.consume('q', c, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    expect(a.bodies()).toEqual(['m0', 'm3']);
    expect(b.bodies()).toEqual(['m1', 'm4']);
    expect(c.bodies()).toEqual(['m2', 'm5']);
  });

  it('honours per-consumer credit (prefetch) and continues after acks', async () => {
    const f = withQueue(5);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 2 });
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1']);
    f.session.ack(sink.deliveries[0]!.tag, false);
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm2']);
    f.session.ack(0, true);
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('setCredit raises the limit while consuming', async () => {
    const f = withQueue(4);
    const sink = recordingSink();
    const h = f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 1 });
    await flush();
    expect(sink.deliveries).toHaveLength(1);
    h.setCredit(3);
    await flush();
    expect(sink.deliveries).toHaveLength(3);
  });

  it('no-ack consumers ignore credit', async () => {
    const f = withQueue(4);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 1 });
    f.session.setSessionCredit(1);
    await flush();
    expect(sink.deliveries).toHaveLength(4);
    expect(f.session.unackedCount).toBe(0);
  });

  it('session credit (qos global) is shared by the session consumers', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q1' });
    f.session.declareQueue({ name: 'q2' });
    for (let i = 0; i < 3; i++) {
      f.session.publish(msg('', 'q1', `a${i}`));
      f.session.publish(msg('', 'q2', `b${i}`));
    }
    f.session.setSessionCredit(3);
    const s1 = recordingSink();
    const s2 = recordingSink();
    f.session.consume('q1', s1, { tag: 'c1', noAck: false, credit: 0 });
    f.session.consume('q2', s2, { tag: 'c2', noAck: false, credit: 0 });
    await flush();
    expect(s1.deliveries.length + s2.deliveries.length).toBe(3);
    expect(f.session.unackedCount).toBe(3);
    // a basic.get does not use session credit
    f.session.declareQueue({ name: 'g' });
    f.session.publish(msg('', 'g'));
    expect(f.session.get('g', false)).not.toBeNull();
    // acking one consumer delivery lets exactly one more through
    const first = (s1.deliveries[0] ?? s2.deliveries[0])!;
    f.session.ack(first.tag, false);
    await flush();
    expect(s1.deliveries.length + s2.deliveries.length).toBe(4);
    f.session.setSessionCredit(0);
    await flush();
    expect(s1.deliveries.length + s2.deliveries.length).toBe(6);
  });

  it('prefers higher-priority consumers while they have capacity', async () => {
    const f = withQueue(6);
    const low = recordingSink();
    const high = recordingSink();
    const high2 = recordingSink();
    f.session.consume('q', low, { tag: 'low', noAck: false, credit: 0 });
    f.session.consume('q', high, { tag: 'high', noAck: false, credit: 2, priority: 10 });
    f.session.consume('q', high2, { tag: 'high2', noAck: false, credit: 1, args: { 'x-priority': F.int(10) } });
    await flush();
    expect(high.bodies()).toEqual(['m0', 'm2']);
    expect(high2.bodies()).toEqual(['m1']);
    expect(low.bodies()).toEqual(['m3', 'm4', 'm5']);
  });

  it('negative priorities come after the default', async () => {
    const f = withQueue(2);
    const neg = recordingSink();
    const def = recordingSink();
    f.session.consume('q', neg, { tag: 'n', noAck: false, credit: 0, priority: -1 });
    f.session.consume('q', def, { tag: 'd', noAck: false, credit: 1 });
    await flush();
    expect(def.bodies()).toEqual(['m0']);
    expect(neg.bodies()).toEqual(['m1']);
  });

  it('pauses a consumer whose sink returns false until resume()', async () => {
    const f = withQueue(4);
    const sink = recordingSink();
    sink.accept = false;
    const h = f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    expect(sink.bodies()).toEqual(['m0']); // the refused delivery still counts
    sink.accept = true;
    h.resume();
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('a paused consumer lets others take the messages', async () => {
    const f = withQueue(3);
    const a = recordingSink();
    a.accept = false;
    const b = recordingSink();
    f.session.consume('q', a, { tag: 'a', noAck: true, credit: 0 });
    f.session.consume('q', b, { tag: 'b', noAck: true, credit: 0 });
    await flush();
    expect(a.bodies()).toEqual(['m0']);
    expect(b.bodies()).toEqual(['m1', 'm2']);
  });

  it('yields after the byte budget and carries on in the next run', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    const big = 'x'.repeat(64 * 1024);
    const n = Math.ceil(DISPATCH_BYTE_BUDGET / big.length) + 4;
    for (let i = 0; i < n; i++) f.session.publish(msg('', 'q', big));
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush(1);
    expect(sink.deliveries.length).toBeGreaterThan(0);
    expect(sink.deliveries.length).toBeLessThan(n);
    await flush(5);
    expect(sink.deliveries).toHaveLength(n);
  });

  it('delivers messages published while consuming', async () => {
    const f = withQueue();
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    f.session.publish(msg('', 'q', 'later'));
    await flush();
    expect(sink.bodies()).toEqual(['later']);
  });
});

describe('consume rules', () => {
  it('generates amq.ctag- tags and refuses reused tags on the session', () => {
    const f = withQueue();
    const h = f.session.consume('q', recordingSink(), { tag: '', noAck: true, credit: 0 });
    expect(h.tag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    expect(h.queue).toBe('q');
    f.session.consume('q', recordingSink(), { tag: 'dup', noAck: true, credit: 0 });
    expectCode(
      () => f.session.consume('q', recordingSink(), { tag: 'dup', noAck: true, credit: 0 }),
      'NOT_ALLOWED',
      "attempt to reuse consumer tag 'dup'",
    );
    expectCode(() => f.session.consume('missing', recordingSink(), { tag: 'x', noAck: true, credit: 0 }), 'NOT_FOUND', "no queue 'missing' in vhost '/'");
  });

  it('exclusive consume: refused when others consume, and blocks later consumers', () => {
    const f = withQueue();
    const a = f.session.consume('q', recordingSink(), { tag: 'a', noAck: true, credit: 0 });
    expectCode(
      () => f.session.consume('q', recordingSink(), { tag: 'x', noAck: true, credit: 0, exclusive: true }),
      'ACCESS_REFUSED',
      "queue 'q' in vhost '/' in exclusive use",
    );
    a.cancel();
    f.session.consume('q', recordingSink(), { tag: 'x', noAck: true, credit: 0, exclusive: true });
    const other = f.open().session;
    expectCode(() => other.consume('q', recordingSink(), { tag: 'y', noAck: true, credit: 0 }), 'ACCESS_REFUSED', /in exclusive use/);
  });

  it('reports consumer counts in declare-ok', () => {
    const f = withQueue(2);
    f.session.consume('q', recordingSink(), { tag: 'a', noAck: false, credit: 0 });
    f.session.consume('q', recordingSink(), { tag: 'b', noAck: false, credit: 0 });
    expect(f.session.declareQueue({ name: 'q', passive: true })).toEqual({ name: 'q', messageCount: 2, consumerCount: 2 });
  });
});

describe('a sink that throws', () => {
  it('does not take the broker down: the delivery is rejected (dead-lettered), later ones still flow', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'dlq' });
    f.session.declareQueue({ name: 'q', args: { 'x-dead-letter-exchange': F.str(''), 'x-dead-letter-routing-key': F.str('dlq') } });
    f.session.publish(msg('', 'q', 'poison'));
    f.session.publish(msg('', 'q', 'fine'));
    const got: string[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      f.session.consume(
        'q',
        {
          deliver: (d) => {
            if (d.message.body.toString() === 'poison') throw new RangeError('cannot encode');
            got.push(d.message.body.toString());
            return true;
          },
          cancelled: () => undefined,
        },
        { tag: 'c', noAck: false, credit: 0 },
      );
      await flush();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(got).toEqual(['fine']);
    expect(f.session.unackedCount).toBe(1); // only 'fine' awaits its ack
    expect(warnings.some((w) => w.includes("consumer 'c' failed") && w.includes('cannot encode'))).toBe(true);
    const dl = f.session.get('dlq', true);
    expect(dl?.message.body.toString()).toBe('poison');
  });
});
