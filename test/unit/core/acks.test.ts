import { describe, expect, it } from 'vitest';
import { expectCode, fixture, flush, msg, recordingSink } from './helpers.js';

function withQueue(n: number) {
  const f = fixture();
  f.session.declareQueue({ name: 'q' });
  for (let i = 0; i < n; i++) f.session.publish(msg('', 'q', `m${i}`));
  const summary = () => f.core.inspect.listQueues('/').find((q) => q.name === 'q')!;
  return { ...f, summary };
}

describe('delivery tags and acks', () => {
  it('tags are per session, shared by consumers and basic.get', async () => {
    const f = withQueue(2);
    f.session.declareQueue({ name: 'q2' });
    f.session.publish(msg('', 'q2', 'x'));
    const g = f.session.get('q2', false)!;
    expect(g.tag).toBe(1);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    expect(sink.deliveries.map((d) => d.tag)).toEqual([2, 3]);
    const other = f.open().session;
    other.declareQueue({ name: 'q3' });
    other.publish(msg('', 'q3'));
    expect(other.get('q3', false)!.tag).toBe(1);
  });

  it('ack single and multiple; tag 0 multiple acks everything', async () => {
    const f = withQueue(5);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    expect(f.summary()).toMatchObject({ messages: 5, messagesReady: 0, messagesUnacked: 5 });
    f.session.ack(2, false);
    expect(f.session.unackedCount).toBe(4);
    f.session.ack(3, true); // acks 1 and 3
    expect(f.session.unackedCount).toBe(2);
    f.session.ack(0, true);
    expect(f.session.unackedCount).toBe(0);
    expect(f.summary()).toMatchObject({ messages: 0, messagesUnacked: 0 });
  });

  it('unknown tags are PRECONDITION_FAILED, including double acks', async () => {
    const f = withQueue(2);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    expectCode(() => f.session.ack(5, false), 'PRECONDITION_FAILED', 'unknown delivery tag 5');
    f.session.ack(1, false);
    expectCode(() => f.session.ack(1, false), 'PRECONDITION_FAILED', 'unknown delivery tag 1');
    expectCode(() => f.session.ack(1, true), 'PRECONDITION_FAILED', 'unknown delivery tag 1');
    expectCode(() => f.session.reject(9, false, true), 'PRECONDITION_FAILED', 'unknown delivery tag 9');
    expectCode(() => f.session.ack(0, false), 'PRECONDITION_FAILED', 'unknown delivery tag 0');
    expect(f.session.unackedCount).toBe(1); // the failed calls changed nothing
  });

  it('requeue puts messages back at their original position, redelivered', async () => {
    const f = withQueue(4);
    const sink = recordingSink();
    const h = f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 2 });
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1']);
    f.session.reject(2, false, true); // m1 back
    f.session.reject(1, false, true); // m0 back
    h.cancel();
    const order: string[] = [];
    const flags: boolean[] = [];
    for (;;) {
      const d = f.session.get('q', true);
      if (!d) break;
      order.push(d.message.body.toString());
      flags.push(d.redelivered);
    }
    expect(order).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(flags).toEqual([true, true, false, false]);
  });

  it('nack multiple requeue and reject without requeue', async () => {
    const f = withQueue(4);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 4 });
    await flush();
    f.session.reject(1, false, false); // m0 dropped (dead-letter hook)
    f.session.reject(3, true, true); // m1, m2 requeued
    expect(f.summary()).toMatchObject({ messagesReady: 2, messagesUnacked: 1 });
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm2', 'm3', 'm1', 'm2']);
    expect(sink.deliveries.slice(4).every((d) => d.redelivered)).toBe(true);
    expect(sink.deliveries.slice(4).map((d) => d.tag)).toEqual([5, 6]);
  });

  it('basic.get reports remaining, tracks unacked unless noAck', () => {
    const f = withQueue(3);
    const d1 = f.session.get('q', false)!;
    expect(d1).toMatchObject({ tag: 1, remaining: 2, redelivered: false, queue: 'q', consumerTag: '' });
    expect(f.session.unackedCount).toBe(1);
    const d2 = f.session.get('q', true)!;
    expect(d2.remaining).toBe(1);
    expect(f.session.unackedCount).toBe(1);
    f.session.reject(d1.tag, false, true);
    const again = f.session.get('q', true)!;
    expect(again.message.body.toString()).toBe('m0');
    expect(again.redelivered).toBe(true);
    expect(again.remaining).toBe(1);
    f.session.get('q', true);
    expect(f.session.get('q', true)).toBeNull();
  });

  it('session close requeues unacked in original order and cancels its consumers', async () => {
    const f = withQueue(3);
    const s2 = f.conn.openSession(f.events);
    const sink = recordingSink();
    s2.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    expect(sink.deliveries).toHaveLength(3);
    s2.ack(2, false);
    s2.close();
    expect(f.summary()).toMatchObject({ messagesReady: 2, messagesUnacked: 0, consumers: 0 });
    expect(f.session.get('q', true)!.message.body.toString()).toBe('m0');
    expect(f.session.get('q', true)!.message.body.toString()).toBe('m2');
    expect(sink.cancelledWith).toEqual([]); // client-initiated: no cancel notification
  });

  it('recover requeues all unacked of the session', async () => {
    const f = withQueue(2);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    f.session.recover();
    expect(f.session.unackedCount).toBe(0);
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm1', 'm0', 'm1']);
    expect(sink.deliveries.map((d) => d.redelivered)).toEqual([false, false, true, true]);
  });

  it('cancel keeps unacked deliveries ackable on the session', async () => {
    const f = withQueue(2);
    const sink = recordingSink();
    const h = f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    h.cancel();
    h.cancel(); // idempotent
    expect(f.session.unackedCount).toBe(2);
    f.session.ack(2, true);
    expect(f.summary()).toMatchObject({ messages: 0, consumers: 0 });
    // the tag can be reused after cancel
    f.session.consume('q', recordingSink(), { tag: 'c', noAck: true, credit: 0 });
  });

  it('acks after the queue was deleted are harmless; requeues are dropped', async () => {
    const f = withQueue(2);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 0 });
    await flush();
    f.session.deleteQueue('q');
    f.session.ack(1, false);
    f.session.reject(2, false, true);
    expect(f.session.unackedCount).toBe(0);
    f.session.declareQueue({ name: 'q' });
    expect(f.session.get('q', true)).toBeNull();
  });

  it('a sink may ack synchronously inside deliver', async () => {
    const f = withQueue(5);
    const sink = recordingSink((d) => f.session.ack(d.tag, false));
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 1 });
    await flush();
    expect(sink.deliveries).toHaveLength(5);
    expect(f.session.unackedCount).toBe(0);
  });

  it('credit freed by an ack (consumer or session) is used in a microtask, before the check phase', async () => {
    for (const session of [false, true]) {
      const f = withQueue(4);
      const sink = recordingSink();
      if (session) f.session.setSessionCredit(1);
      f.session.consume('q', sink, { tag: 'c', noAck: false, credit: session ? 0 : 1 });
      await flush();
      expect(sink.deliveries).toHaveLength(1);
      let checkPhase = false;
      setImmediate(() => (checkPhase = true));
      f.session.ack(sink.deliveries[0]!.tag, false);
      f.session.ack(0, true); // nothing more to ack: still one dispatch
      expect(sink.deliveries).toHaveLength(1); // not inside ack()
      await Promise.resolve();
      expect(sink.deliveries).toHaveLength(2);
      expect(checkPhase).toBe(false);
    }
  });
});

