/**
 * Queue paging (core/queue/paged-ready.ts) with a real data dir and a budget
 * of 10 messages: order and bodies, acks, requeue, basic.get, TTL (with and
 * without a DLX), purge, length limits, transient messages behind paged ones,
 * and restart recovery straight into the paged index.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueueStore } from '../../../../core/durable/queue-store.js';
import { F } from '../../../../core/field-table.js';
import { cleanupTempDirs, tempDir } from '../durable/helpers.js';
import { recordingSink } from '../helpers.js';
import { confirmedCount, pmsg, startBroker, until } from './helpers.js';
import type { Broker } from './helpers.js';

const brokers: Broker[] = [];
afterEach(async () => {
  for (const b of brokers.splice(0)) await b.stop();
  cleanupTempDirs();
  vi.restoreAllMocks();
});

function start(dir = tempDir(), budget = { maxMessages: 10 }, queues: Parameters<typeof startBroker>[2] = [{ name: 'q' }]): Broker {
  const b = startBroker(dir, budget, queues);
  brokers.push(b);
  return b;
}

const ids = new WeakMap<Broker, number>();
function publishN(b: Broker, n: number, q = 'q', prefix = 'm', props = {}): void {
  let id = ids.get(b) ?? 0;
  for (let i = 0; i < n; i++) b.session.publish(pmsg(q, `${prefix}${i}`, props), { confirmId: ++id });
  ids.set(b, id);
}

const count = (b: Broker, q = 'q') => b.core.inspect.listQueues('/').find((x) => x.name === q)!.messagesReady;
const names = (n: number, prefix = 'm', from = 0) => Array.from({ length: n }, (_, i) => `${prefix}${i + from}`);

describe('queue paging', () => {
  it('1000 persistent messages beyond a budget of 10 are consumed in order with their bodies', async () => {
    const reads = vi.spyOn(QueueStore.prototype, 'readMany');
    const b = start();
    publishN(b, 1000);
    expect(count(b)).toBe(1000);
    await until(() => confirmedCount(b.events) === 1000);
    const sink = recordingSink((d) => b.session.ack(d.tag, false));
    b.session.consume('q', sink, { tag: 'c', noAck: false, credit: 50 });
    await until(() => sink.deliveries.length === 1000);
    expect(sink.bodies()).toEqual(names(1000));
    expect(sink.deliveries.every((d) => !d.redelivered && d.message.properties.deliveryMode === 2)).toBe(true);
    expect(reads).toHaveBeenCalled();
    expect(count(b)).toBe(0);
  });

  it('a no-ack consumer arriving before the publishes gets everything in order', async () => {
    const b = start();
    const sink = recordingSink();
    b.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    sink.accept = false; // paused transport: messages pile up in the queue
    publishN(b, 300);
    await until(() => sink.deliveries.length === 1);
    sink.accept = true;
    b.core.inspect.listQueues('/'); // no-op
    // resume: a new consumer drains the rest
    const s2 = recordingSink();
    b.session.consume('q', s2, { tag: 'c2', noAck: true, credit: 0 });
    await until(() => sink.deliveries.length + s2.deliveries.length === 300);
    expect([...sink.bodies(), ...s2.bodies()].sort()).toEqual(names(300).sort());
    expect(s2.bodies()).toEqual(names(299, 'm', 1));
  });

  it('requeued messages come back first, redelivered, in their original order', async () => {
    const b = start();
    publishN(b, 200);
    const first = recordingSink();
    b.session.consume('q', first, { tag: 'a', noAck: false, credit: 30 });
    await until(() => first.deliveries.length === 30);
    b.session.close(); // requeues the 30
    const { session } = b.open();
    const sink = recordingSink((d) => session.ack(d.tag, false));
    session.consume('q', sink, { tag: 'b', noAck: false, credit: 25 });
    await until(() => sink.deliveries.length === 200);
    expect(sink.bodies()).toEqual(names(200));
    expect(sink.deliveries.map((d) => d.redelivered)).toEqual([...Array(30).fill(true), ...Array(170).fill(false)]);
  });

  it('basic.get reads a paged head synchronously', async () => {
    const b = start();
    publishN(b, 100);
    const got: string[] = [];
    for (let i = 0; i < 100; i++) {
      const d = b.session.get('q', i % 2 === 0)!;
      expect(d.remaining).toBe(99 - i);
      got.push(d.message.body.toString());
      if (i % 2 === 1) b.session.ack(d.tag, false);
    }
    expect(got).toEqual(names(100));
    expect(b.session.get('q', true)).toBeNull();
  });

  it('purge counts and acks paged messages; nothing comes back after a restart', async () => {
    const dir = tempDir();
    const b = start(dir);
    publishN(b, 500);
    await until(() => confirmedCount(b.events) === 500);
    expect(b.session.purgeQueue('q')).toBe(500);
    expect(count(b)).toBe(0);
    publishN(b, 3, 'q', 'after');
    await until(() => confirmedCount(b.events) === 503);
    await b.stop();
    brokers.pop();
    const b2 = start(dir);
    const sink = recordingSink();
    b2.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await until(() => sink.deliveries.length === 3);
    expect(sink.bodies()).toEqual(names(3, 'after'));
  });

  it('TTL: paged messages expire without being read (no DLX)', async () => {
    const reads = vi.spyOn(QueueStore.prototype, 'readMany');
    const b = start();
    publishN(b, 200, 'q', 'm', { expiration: '30' });
    expect(count(b)).toBe(200);
    await until(() => count(b) === 0);
    expect(reads).not.toHaveBeenCalled();
  });

  it('TTL: expired paged messages are hydrated and dead-lettered in order', async () => {
    const b = start(tempDir(), { maxMessages: 10 }, [
      { name: 'q', args: { 'x-message-ttl': F.long(30), 'x-dead-letter-exchange': F.str(''), 'x-dead-letter-routing-key': F.str('dlq') } },
      { name: 'dlq' },
    ]);
    publishN(b, 150);
    await until(() => count(b, 'dlq') === 150);
    expect(count(b)).toBe(0);
    const sink = recordingSink();
    b.session.consume('dlq', sink, { tag: 'c', noAck: true, credit: 0 });
    await until(() => sink.deliveries.length === 150);
    expect(sink.bodies()).toEqual(names(150));
    expect(sink.deliveries[0]!.message.properties.headers?.['x-first-death-reason']).toEqual(F.str('expired'));
  });

  it('x-max-length counts paged messages (drop-head reads paged heads)', async () => {
    const b = start(tempDir(), { maxMessages: 10 }, [{ name: 'q', args: { 'x-max-length': F.long(50) } }]);
    publishN(b, 400);
    expect(count(b)).toBe(50);
    const sink = recordingSink();
    b.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await until(() => sink.deliveries.length === 50);
    expect(sink.bodies()).toEqual(names(50, 'm', 350));
  });

  it('x-max-length with a DLX: dropped paged heads are read back and dead-lettered in order', async () => {
    const b = start(tempDir(), { maxMessages: 10 }, [
      { name: 'q', args: { 'x-max-length': F.long(20), 'x-dead-letter-exchange': F.str(''), 'x-dead-letter-routing-key': F.str('dlq') } },
      { name: 'dlq' },
    ]);
    publishN(b, 100);
    expect(count(b)).toBe(20);
    expect(count(b, 'dlq')).toBe(80);
    const dead = recordingSink();
    b.session.consume('dlq', dead, { tag: 'd', noAck: true, credit: 0 });
    const live = recordingSink();
    b.session.consume('q', live, { tag: 'c', noAck: true, credit: 0 });
    await until(() => dead.deliveries.length === 80 && live.deliveries.length === 20);
    expect(dead.bodies()).toEqual(names(80));
    expect(live.bodies()).toEqual(names(20, 'm', 80));
  });

  it('transient messages published while paging stay in order behind paged ones', async () => {
    const b = start();
    for (let i = 0; i < 100; i++) b.session.publish(pmsg('q', `m${i}`, i % 3 === 0 ? { deliveryMode: 1 } : {}));
    const sink = recordingSink();
    b.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await until(() => sink.deliveries.length === 100);
    expect(sink.bodies()).toEqual(names(100));
  });

  it('restart: recovery pages beyond the budget; order, bodies, TTL deadlines and redelivered flags survive', async () => {
    const dir = tempDir();
    const b = start(dir);
    publishN(b, 1000);
    publishN(b, 5, 'q', 'ttl', { expiration: '60000' });
    await until(() => confirmedCount(b.events) === 1005);
    const peek = recordingSink();
    b.session.consume('q', peek, { tag: 'p', noAck: false, credit: 3 });
    await until(() => peek.deliveries.length === 3); // delivered, never acked
    await b.stop();
    brokers.pop();

    const reads = vi.spyOn(QueueStore.prototype, 'readMany');
    const b2 = start(dir);
    expect(count(b2)).toBe(1005);
    const sink = recordingSink((d) => b2.session.ack(d.tag, false));
    b2.session.consume('q', sink, { tag: 'c', noAck: false, credit: 100 });
    await until(() => sink.deliveries.length === 1005).catch(() => {
      throw new Error(`got ${sink.deliveries.length}: ${sink.bodies().slice(0, 20).join(',')} count=${count(b2)}`);
    });
    expect(sink.bodies()).toEqual([...names(1000), ...names(5, 'ttl')]);
    expect(sink.deliveries.slice(0, 4).map((d) => d.redelivered)).toEqual([true, true, true, false]);
    expect(reads).toHaveBeenCalled();
    expect(count(b2)).toBe(0);
  });
});
