/**
 * Topology and routing end to end through amqplib: every exchange type,
 * exchange-to-exchange bindings, alternate exchanges, CC/BCC, and the soft
 * errors of exchange/queue methods (403/404/405/406 close only the channel).
 */
import { describe, expect, it } from 'vitest';
import type { Channel } from 'amqplib';
import { useAmqpServer, collect, eventually, rejects, sleep } from './util.js';

const { srv, clients } = useAmqpServer();

async function queues(ch: Channel, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await ch.assertQueue('', { exclusive: true })).queue);
  return out;
}

async function count(ch: Channel, q: string): Promise<number> {
  return (await ch.checkQueue(q)).messageCount;
}

describe('exchange types', () => {
  it('direct', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.direct', 'direct', { autoDelete: true });
    const [a, b] = await queues(ch, 2);
    await ch.bindQueue(a!, 't.direct', 'red');
    await ch.bindQueue(b!, 't.direct', 'blue');
    ch.publish('t.direct', 'red', Buffer.from('r'));
    ch.publish('t.direct', 'blue', Buffer.from('b'));
    ch.publish('t.direct', 'green', Buffer.from('g'));
    await eventually(async () => (await count(ch, a!)) === 1 && (await count(ch, b!)) === 1);
    const m = await ch.get(a!, { noAck: true });
    expect(m && m.content.toString()).toBe('r');
    expect(m && m.fields.exchange).toBe('t.direct');
    expect(m && m.fields.routingKey).toBe('red');
  });

  it('default exchange routes by queue name', async () => {
    const { ch } = await clients.channel(srv.url);
    const [a] = await queues(ch, 1);
    ch.sendToQueue(a!, Buffer.from('x'));
    await eventually(async () => (await count(ch, a!)) === 1);
  });

  it('fanout', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.fanout', 'fanout', { autoDelete: true });
    const qs = await queues(ch, 3);
    for (const q of qs) await ch.bindQueue(q, 't.fanout', 'ignored');
    ch.publish('t.fanout', 'whatever', Buffer.from('f'));
    await eventually(async () => (await Promise.all(qs.map((q) => count(ch, q)))).every((n) => n === 1));
  });

  it('topic with * and #', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.topic', 'topic', { autoDelete: true });
    const [star, hash, exact] = await queues(ch, 3);
    await ch.bindQueue(star!, 't.topic', 'a.*.c');
    await ch.bindQueue(hash!, 't.topic', 'a.#');
    await ch.bindQueue(exact!, 't.topic', 'a.b.c');
    for (const k of ['a.b.c', 'a.x.c', 'a', 'a.b.c.d', 'b.b.c']) ch.publish('t.topic', k, Buffer.from(k));
    await eventually(async () => (await count(ch, hash!)) === 4);
    expect(await count(ch, star!)).toBe(2);
    expect(await count(ch, exact!)).toBe(1);
  });

  it('headers x-match all / any', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.headers', 'headers', { autoDelete: true });
    const [all, any] = await queues(ch, 2);
    await ch.bindQueue(all!, 't.headers', '', { 'x-match': 'all', a: 1, b: 'two' });
    await ch.bindQueue(any!, 't.headers', '', { 'x-match': 'any', a: 1, b: 'two' });
    ch.publish('t.headers', '', Buffer.from('1'), { headers: { a: 1, b: 'two' } });
    ch.publish('t.headers', '', Buffer.from('2'), { headers: { a: 1 } });
    ch.publish('t.headers', '', Buffer.from('3'), { headers: { c: 3 } });
    await eventually(async () => (await count(ch, any!)) === 2);
    expect(await count(ch, all!)).toBe(1);
  });

  it('exchange-to-exchange bindings and unbind', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.e2e.src', 'topic', { autoDelete: false });
    await ch.assertExchange('t.e2e.dst', 'fanout', { autoDelete: false });
    const [q] = await queues(ch, 1);
    await ch.bindQueue(q!, 't.e2e.dst', '');
    await ch.bindExchange('t.e2e.dst', 't.e2e.src', 'k.#');
    ch.publish('t.e2e.src', 'k.1', Buffer.from('1'));
    ch.publish('t.e2e.src', 'x.1', Buffer.from('2'));
    await eventually(async () => (await count(ch, q!)) === 1);
    await ch.unbindExchange('t.e2e.dst', 't.e2e.src', 'k.#');
    ch.publish('t.e2e.src', 'k.2', Buffer.from('3'));
    await sleep(50);
    expect(await count(ch, q!)).toBe(1);
    await ch.deleteExchange('t.e2e.src');
    await ch.deleteExchange('t.e2e.dst');
  });

  it('alternate exchange takes unroutable messages', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.ae', 'fanout', { autoDelete: true });
    await ch.assertExchange('t.main', 'direct', { autoDelete: true, alternateExchange: 't.ae' });
    const [main, ae] = await queues(ch, 2);
    await ch.bindQueue(main!, 't.main', 'k');
    await ch.bindQueue(ae!, 't.ae', '');
    ch.publish('t.main', 'k', Buffer.from('routed'));
    ch.publish('t.main', 'nope', Buffer.from('unroutable'));
    await eventually(async () => (await count(ch, ae!)) === 1);
    expect(await count(ch, main!)).toBe(1);
    const m = await ch.get(ae!, { noAck: true });
    expect(m && m.content.toString()).toBe('unroutable');
  });

  it('CC and BCC add routing keys; BCC is stripped', async () => {
    const { ch } = await clients.channel(srv.url);
    await ch.assertExchange('t.cc', 'direct', { autoDelete: true });
    const [a, b, c] = await queues(ch, 3);
    await ch.bindQueue(a!, 't.cc', 'a');
    await ch.bindQueue(b!, 't.cc', 'b');
    await ch.bindQueue(c!, 't.cc', 'c');
    ch.publish('t.cc', 'a', Buffer.from('m'), { CC: ['b'], BCC: ['c'] });
    await eventually(async () => (await count(ch, c!)) === 1);
    for (const q of [a!, b!, c!]) {
      const m = await ch.get(q, { noAck: true });
      expect(m).toBeTruthy();
      if (!m) continue;
      expect(m.fields.routingKey).toBe('a');
      expect(m.properties.headers?.['BCC']).toBeUndefined();
      expect(m.properties.headers?.['CC']).toEqual(['b']);
    }
  });
});

describe('soft errors close the channel only', () => {
  it('amq.* names are reserved: 403', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    await rejects(ch.assertExchange('amq.custom', 'direct'), /403 \(ACCESS-REFUSED\).*ACCESS_REFUSED - .*amq\./);
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await rejects(ch2.assertQueue('amq.q'), /403 \(ACCESS-REFUSED\).*ACCESS_REFUSED - .*amq\./);
    const ch3 = await conn.createChannel();
    ch3.on('error', () => {});
    await rejects(ch3.deleteExchange('amq.direct'), /403 \(ACCESS-REFUSED\)/);
  });

  it('passive declare of a missing queue/exchange: 404 with RabbitMQ text', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    await rejects(ch.checkQueue('missing-q'), /404 \(NOT-FOUND\) with message "NOT_FOUND - no queue 'missing-q' in vhost '\/'"/);
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await rejects(ch2.checkExchange('missing-x'), /404 \(NOT-FOUND\) with message "NOT_FOUND - no exchange 'missing-x' in vhost '\/'"/);
    // the connection survives a channel error
    const ch3 = await conn.createChannel();
    await ch3.assertQueue('', { exclusive: true });
  });

  it('queue redeclare with different properties: 406 inequivalent arg', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    await ch.assertQueue('t.equiv', { durable: false, autoDelete: true });
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await rejects(ch2.assertQueue('t.equiv', { durable: true, autoDelete: true }), /406 \(PRECONDITION-FAILED\).*PRECONDITION_FAILED - inequivalent arg 'durable'/);
    await ch.deleteQueue('t.equiv');
  });

  it('exclusive queue of another connection: 405 RESOURCE_LOCKED', async () => {
    const { ch } = await clients.channel(srv.url);
    const { ch: other } = await clients.channel(srv.url);
    await ch.assertQueue('t.excl', { exclusive: true });
    await rejects(other.assertQueue('t.excl', { exclusive: true }), /405 \(RESOURCE-LOCKED\).*RESOURCE_LOCKED - /);
  });

  it('exclusive consumer: a second consumer gets 403', async () => {
    const { ch } = await clients.channel(srv.url);
    const { ch: other } = await clients.channel(srv.url);
    await ch.assertQueue('t.exclc', { autoDelete: false });
    await ch.consume('t.exclc', () => {}, { exclusive: true });
    await rejects(other.consume('t.exclc', () => {}), /403 \(ACCESS-REFUSED\).*in exclusive use/);
    await ch.deleteQueue('t.exclc');
  });

  it('queue.delete if-unused / if-empty: 406', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    await ch.assertQueue('t.del');
    ch.sendToQueue('t.del', Buffer.from('x'));
    await eventually(async () => (await count(ch, 't.del')) === 1);
    const ch2 = await conn.createChannel();
    ch2.on('error', () => {});
    await rejects(ch2.deleteQueue('t.del', { ifEmpty: true }), /406 \(PRECONDITION-FAILED\).*not empty/);
    await ch.consume('t.del', () => {});
    const ch3 = await conn.createChannel();
    ch3.on('error', () => {});
    await rejects(ch3.deleteQueue('t.del', { ifUnused: true }), /406 \(PRECONDITION-FAILED\).*in use/);
    const r = await ch.deleteQueue('t.del');
    expect(r.messageCount).toBe(0); // the consumer took it
  });

  it('purge returns the message count; delete returns the count', async () => {
    const { ch } = await clients.channel(srv.url);
    const [q] = await queues(ch, 1);
    for (let i = 0; i < 5; i++) ch.sendToQueue(q!, Buffer.from(String(i)));
    await eventually(async () => (await count(ch, q!)) === 5);
    expect((await ch.purgeQueue(q!)).messageCount).toBe(5);
    ch.sendToQueue(q!, Buffer.from('again'));
    await eventually(async () => (await count(ch, q!)) === 1);
    expect((await ch.deleteQueue(q!)).messageCount).toBe(1);
  });

  it('queue.declare-ok carries message and consumer counts', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('t.counts', { autoDelete: false });
    expect(q).toMatchObject({ queue: 't.counts', messageCount: 0, consumerCount: 0 });
    ch.sendToQueue('t.counts', Buffer.from('1'));
    ch.sendToQueue('t.counts', Buffer.from('2'));
    await eventually(async () => (await count(ch, 't.counts')) === 2);
    const { ch: other } = await clients.channel(srv.url);
    await other.consume('t.counts', () => {}, { noAck: false });
    await other.prefetch(1);
    const again = await ch.assertQueue('t.counts', { autoDelete: false });
    expect(again.consumerCount).toBe(1);
    await ch.deleteQueue('t.counts');
  });

  it('publishing to a missing exchange closes the channel with 404', async () => {
    const { ch } = await clients.channel(srv.url);
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.publish('no-such-exchange', 'k', Buffer.from('x'));
    expect(String(await closed)).toMatch(/404 \(NOT-FOUND\).*NOT_FOUND - no exchange 'no-such-exchange' in vhost '\/'/);
  });

  it('unknown exchange type is a hard 503 COMMAND_INVALID', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    await ch.assertExchange('t.weird', 'no-such-type').catch(() => undefined);
    expect(String(await closed)).toMatch(/503 \(COMMAND-INVALID\).*unknown exchange type 'no-such-type'/);
  });

  it('collects deliveries (sanity for helpers)', async () => {
    const { ch } = await clients.channel(srv.url);
    const [q] = await queues(ch, 1);
    const c = await collect(ch, q!, { noAck: true });
    ch.sendToQueue(q!, Buffer.from('x'));
    await eventually(() => c.msgs.length === 1);
  });
});
