/**
 * Issue 5 over a real socket with amqplib: TTL (x-message-ttl, per-message
 * expiration, TTL 0, expiry at the head only, x-expires) and dead-lettering
 * (reasons rejected / expired / maxlen, the x-death header exactly as amqplib
 * decodes it, x-first/last-death-*, routing-key override with CC, a retry
 * loop through a TTL'd wait queue, the cycle rule).
 * Observed only over AMQP (checkQueue, get, consume, mandatory returns).
 */
import { describe, expect, it } from 'vitest';
import type { Channel, ConsumeMessage, GetMessage } from 'amqplib';
import { useAmqpServer, collect, eventually, rejects, sleep } from './util.js';

const { srv, clients } = useAmqpServer();

let seq = 0;
const uniq = (p: string): string => `${p}.${process.pid}.${++seq}`;

const count = async (ch: Channel, q: string): Promise<number> => (await ch.checkQueue(q)).messageCount;

/** A fresh direct exchange bound to a fresh queue per routing key; returns the queue names. */
async function dlxWithQueue(ch: Channel, key = 'dead'): Promise<{ dlx: string; dead: string }> {
  const dlx = uniq('dlx');
  await ch.assertExchange(dlx, 'direct', { durable: false, autoDelete: false });
  const dead = (await ch.assertQueue(uniq('dead'), { durable: false })).queue;
  await ch.bindQueue(dead, dlx, key);
  return { dlx, dead };
}

async function getOne(ch: Channel, q: string): Promise<GetMessage> {
  let m: GetMessage | false = false;
  await eventually(async () => (m = await ch.get(q, { noAck: true })) !== false);
  return m as unknown as GetMessage;
}

type XDeath = Record<string, unknown>;
const deaths = (m: { properties: { headers?: Record<string, unknown> } }): XDeath[] =>
  (m.properties.headers?.['x-death'] ?? []) as XDeath[];

/** amqplib decodes an AMQP timestamp as { '!': 'timestamp', value: seconds } */
function expectTimestampNear(v: unknown, from: number, to: number): void {
  expect(v).toEqual({ '!': 'timestamp', value: expect.any(Number) });
  const s = (v as { value: number }).value;
  expect(s).toBeGreaterThanOrEqual(Math.floor(from / 1000));
  expect(s).toBeLessThanOrEqual(Math.ceil(to / 1000));
}

describe('message TTL', () => {
  it('x-message-ttl on a consumer-less queue: the messages expire and the count drops to 0', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ttl'), { messageTtl: 300 })).queue;
    for (const s of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(async () => (await count(ch, q)) === 3, 1000); // first they are there…
    const t0 = Date.now();
    await eventually(async () => (await count(ch, q)) === 0, 2000); // …then they expire
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await ch.get(q)).toBe(false);
  });

  it('TTL 0: delivered to a waiting consumer, dropped (or dead-lettered) when nobody waits', async () => {
    const { ch } = await clients.channel(srv.url);
    const live = (await ch.assertQueue(uniq('ttl0-live'), { messageTtl: 0 })).queue;
    const got = await collect(ch, live, { noAck: true });
    ch.sendToQueue(live, Buffer.from('now'));
    await eventually(() => got.msgs.length === 1, 1000);
    expect(got.msgs[0]!.content.toString()).toBe('now');

    const { dlx, dead } = await dlxWithQueue(ch);
    const idle = (await ch.assertQueue(uniq('ttl0-idle'), {
      messageTtl: 0,
      deadLetterExchange: dlx,
      deadLetterRoutingKey: 'dead',
    })).queue;
    ch.sendToQueue(idle, Buffer.from('nobody'));
    const m = await getOne(ch, dead);
    expect(m.content.toString()).toBe('nobody');
    expect(deaths(m)[0]).toMatchObject({ reason: 'expired', queue: idle, count: 1 });
    expect(await count(ch, idle)).toBe(0);
  });

  it('per-message expiration and queue TTL: the lower one applies, in both directions', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ttl-both'), { messageTtl: 700 })).queue;
    ch.sendToQueue(q, Buffer.from('short'), { expiration: '50' }); // message TTL lower than the queue's
    ch.sendToQueue(q, Buffer.from('long'), { expiration: '60000' }); // queue TTL lower than the message's
    await sleep(300);
    expect(await count(ch, q)).toBe(1); // 'short' expired after ~50 ms, well before the queue TTL
    await eventually(async () => (await count(ch, q)) === 0, 2000); // 'long' is capped at 700 ms, not 60 s
    expect(await ch.get(q)).toBe(false);
  });

  it('only the head expires: a short-TTL message behind a long-TTL one stays until it reaches the head', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ttl-head'))).queue;
    ch.sendToQueue(q, Buffer.from('head'), { expiration: '800' });
    ch.sendToQueue(q, Buffer.from('behind'), { expiration: '30' });
    await eventually(async () => (await count(ch, q)) === 2, 1000);
    await sleep(300);
    // 'behind' is long past its 30 ms but is not the head: classic queues keep counting it
    expect(await count(ch, q)).toBe(2);
    // when 'head' expires (800 ms), 'behind' reaches the head and goes with it at once
    await eventually(async () => (await count(ch, q)) === 0, 2000);
  });

  it('an expired message is never delivered, even when it sits behind the head (basic.get skips it)', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ttl-get'))).queue;
    ch.sendToQueue(q, Buffer.from('keep'), { expiration: '5000' });
    ch.sendToQueue(q, Buffer.from('gone'), { expiration: '20' });
    ch.sendToQueue(q, Buffer.from('last'));
    await eventually(async () => (await count(ch, q)) === 3, 1000);
    await sleep(80);
    const got: string[] = [];
    for (;;) {
      const m = await ch.get(q, { noAck: true });
      if (m === false) break;
      got.push(m.content.toString());
    }
    expect(got).toEqual(['keep', 'last']);
  });

  it('an invalid expiration is a channel error 406', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ttl-bad'))).queue;
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.sendToQueue(q, Buffer.from('x'), { expiration: 'soon' });
    const err = await closed;
    expect(err.message).toMatch(/406 \(PRECONDITION-FAILED\).*invalid expiration 'soon': no_integer/);
  });
});

describe('queue expiry (x-expires)', () => {
  it('deletes a queue left unused for x-expires ms; checkQueue is 404 afterwards', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const q = (await ch.assertQueue(uniq('expires'), { expires: 150 })).queue;
    // probe without "using" the queue (a passive declare counts as use): a mandatory
    // publish to the default exchange comes back 312 NO_ROUTE once the queue is gone
    let returned = 0;
    ch.on('return', () => returned++);
    const t0 = Date.now();
    await eventually(async () => {
      ch.publish('', q, Buffer.from('probe'), { mandatory: true });
      await ch.waitForConfirms();
      return returned > 0;
    }, 3000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    const { ch: ch2 } = await clients.channel(srv.url);
    await rejects(ch2.checkQueue(q), /404 \(NOT-FOUND\) with message "NOT_FOUND - no queue/);
  });

  it('a queue with a consumer is in use and is not deleted', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('expires-used'), { expires: 100 })).queue;
    await ch.consume(q, () => {}, { noAck: true });
    await sleep(300);
    const { ch: ch2 } = await clients.channel(srv.url);
    expect((await ch2.checkQueue(q)).consumerCount).toBe(1);
  });
});

describe('dead-lettering', () => {
  it('nack requeue=false: x-death as RabbitMQ builds it, plus x-first-death-* / x-last-death-*', async () => {
    const { ch } = await clients.channel(srv.url);
    const { dlx, dead } = await dlxWithQueue(ch, 'rk1');
    const src = uniq('src-x');
    await ch.assertExchange(src, 'direct', { durable: false });
    const q = (await ch.assertQueue(uniq('work'), { deadLetterExchange: dlx })).queue;
    await ch.bindQueue(q, src, 'rk1');
    const before = Date.now();
    ch.publish(src, 'rk1', Buffer.from('bad'), { headers: { app: 'kept' }, messageId: 'm-1' });
    const got = await collect(ch, q);
    await eventually(() => got.msgs.length === 1, 1000);
    ch.nack(got.msgs[0]!, false, false);
    const m = await getOne(ch, dead);
    const after = Date.now();
    expect(m.content.toString()).toBe('bad');
    expect(m.fields.exchange).toBe(dlx);
    expect(m.fields.routingKey).toBe('rk1'); // no dead-letter routing key: the original one
    expect(m.properties.messageId).toBe('m-1');
    const h = m.properties.headers!;
    expect(h['app']).toBe('kept');
    const xd = deaths(m);
    expect(xd).toHaveLength(1);
    expect(xd[0]).toEqual({
      count: 1,
      reason: 'rejected',
      queue: q,
      time: expect.anything(),
      exchange: src,
      'routing-keys': ['rk1'],
    });
    expect(typeof xd[0]!['count']).toBe('number');
    expectTimestampNear(xd[0]!['time'], before, after);
    expect(h['x-first-death-queue']).toBe(q);
    expect(h['x-first-death-reason']).toBe('rejected');
    expect(h['x-first-death-exchange']).toBe(src);
    expect(h['x-last-death-queue']).toBe(q);
    expect(h['x-last-death-reason']).toBe('rejected');
    expect(h['x-last-death-exchange']).toBe(src);
    expect(await count(ch, q)).toBe(0);
  });

  it('basic.reject requeue=false dead-letters too; requeue=true does not', async () => {
    const { ch } = await clients.channel(srv.url);
    const { dlx, dead } = await dlxWithQueue(ch);
    const q = (await ch.assertQueue(uniq('work'), { deadLetterExchange: dlx, deadLetterRoutingKey: 'dead' })).queue;
    ch.sendToQueue(q, Buffer.from('y'));
    let m: GetMessage | false = false;
    await eventually(async () => (m = await ch.get(q)) !== false);
    ch.reject(m as unknown as GetMessage, true); // requeue: back in q, not dead-lettered
    await eventually(async () => (await count(ch, q)) === 1);
    expect(await count(ch, dead)).toBe(0);
    let again: GetMessage | false = false;
    await eventually(async () => (again = await ch.get(q)) !== false);
    expect((again as unknown as GetMessage).fields.redelivered).toBe(true);
    ch.reject(again as unknown as GetMessage, false);
    const d = await getOne(ch, dead);
    expect(d.content.toString()).toBe('y');
    expect(deaths(d)[0]).toMatchObject({ reason: 'rejected', count: 1 });
  });

  it('on expiry: reason expired, original-expiration recorded and the expiration property removed', async () => {
    const { ch } = await clients.channel(srv.url);
    const { dlx, dead } = await dlxWithQueue(ch);
    const q = (await ch.assertQueue(uniq('exp'), { deadLetterExchange: dlx, deadLetterRoutingKey: 'dead' })).queue;
    const before = Date.now();
    ch.sendToQueue(q, Buffer.from('late'), { expiration: '40' });
    const m = await getOne(ch, dead);
    expect(m.properties.expiration).toBeUndefined();
    const xd = deaths(m);
    expect(xd).toEqual([
      {
        count: 1,
        reason: 'expired',
        queue: q,
        time: expect.anything(),
        exchange: '',
        'routing-keys': [q],
        'original-expiration': '40',
      },
    ]);
    expectTimestampNear(xd[0]!['time'], before, Date.now());
    expect(m.fields.routingKey).toBe('dead');
    expect(m.properties.headers!['x-first-death-reason']).toBe('expired');
  });

  it('on x-max-length drop-head: the dropped head is dead-lettered with reason maxlen', async () => {
    const { ch } = await clients.channel(srv.url);
    const { dlx, dead } = await dlxWithQueue(ch);
    const q = (await ch.assertQueue(uniq('maxlen'), { maxLength: 1, deadLetterExchange: dlx, deadLetterRoutingKey: 'dead' })).queue;
    ch.sendToQueue(q, Buffer.from('first'));
    ch.sendToQueue(q, Buffer.from('second'));
    const m = await getOne(ch, dead);
    expect(m.content.toString()).toBe('first');
    expect(deaths(m)).toEqual([
      { count: 1, reason: 'maxlen', queue: q, time: expect.anything(), exchange: '', 'routing-keys': [q] },
    ]);
    expect(await count(ch, q)).toBe(1);
    expect((await ch.get(q, { noAck: true }) as GetMessage).content.toString()).toBe('second');
  });

  it('dead-letter routing key override: routed with it, routing-keys keep the originals, CC removed', async () => {
    const { ch } = await clients.channel(srv.url);
    const dlx = uniq('dlx');
    await ch.assertExchange(dlx, 'direct', { durable: false });
    const special = (await ch.assertQueue(uniq('special'))).queue;
    const byOrig = (await ch.assertQueue(uniq('by-orig'))).queue;
    await ch.bindQueue(special, dlx, 'special');
    await ch.bindQueue(byOrig, dlx, 'orig');
    const src = uniq('src');
    await ch.assertExchange(src, 'direct', { durable: false });
    const q = (await ch.assertQueue(uniq('work'), { deadLetterExchange: dlx, deadLetterRoutingKey: 'special' })).queue;
    await ch.bindQueue(q, src, 'orig');
    await ch.bindQueue(q, src, 'cc-key');
    ch.publish(src, 'orig', Buffer.from('m'), { CC: ['cc-key'] });
    await eventually(async () => (await count(ch, q)) === 1); // CC to the same queue: one copy
    const g = (await ch.get(q)) as GetMessage;
    ch.nack(g, false, false);
    const m = await getOne(ch, special);
    expect(m.fields.routingKey).toBe('special');
    expect(m.properties.headers!['CC']).toBeUndefined();
    expect(deaths(m)[0]!['routing-keys']).toEqual(['orig', 'cc-key']);
    await sleep(50);
    expect(await count(ch, byOrig)).toBe(0);
  });

  it('a missing dead-letter exchange drops the message silently', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('nodlx'), { deadLetterExchange: uniq('no-such-exchange') })).queue;
    ch.sendToQueue(q, Buffer.from('x'));
    let g: GetMessage | false = false;
    await eventually(async () => (g = await ch.get(q)) !== false);
    ch.nack(g as unknown as GetMessage, false, false);
    await sleep(30);
    expect(await count(ch, q)).toBe(0); // channel still open, message gone
  });

  it('retry loop: work → nack → DLX → wait queue (TTL) → back to work, x-death counts increment', async () => {
    const { ch } = await clients.channel(srv.url);
    const dlx = uniq('retry-dlx');
    await ch.assertExchange(dlx, 'direct', { durable: false });
    const work = uniq('retry-work');
    const wait = uniq('retry-wait');
    await ch.assertQueue(work, { deadLetterExchange: dlx, deadLetterRoutingKey: wait });
    await ch.assertQueue(wait, { messageTtl: 40, deadLetterExchange: dlx, deadLetterRoutingKey: work });
    await ch.bindQueue(work, dlx, work);
    await ch.bindQueue(wait, dlx, wait);
    const seen: ConsumeMessage[] = [];
    await ch.consume(work, (m) => {
      if (!m) return;
      seen.push(m);
      if (seen.length < 4) ch.nack(m, false, false);
      else ch.ack(m);
    });
    ch.sendToQueue(work, Buffer.from('job'), { headers: { attempt: 'x' } });
    await eventually(() => seen.length === 4, 3000);
    expect(seen.map((m) => m.content.toString())).toEqual(['job', 'job', 'job', 'job']);
    expect(deaths(seen[0]!)).toEqual([]);
    const countsOf = (m: ConsumeMessage): Record<string, number> =>
      Object.fromEntries(deaths(m).map((d) => [`${String(d['queue'])}/${String(d['reason'])}`, d['count'] as number]));
    expect(countsOf(seen[1]!)).toEqual({ [`${wait}/expired`]: 1, [`${work}/rejected`]: 1 });
    expect(countsOf(seen[2]!)).toEqual({ [`${wait}/expired`]: 2, [`${work}/rejected`]: 2 });
    const last = seen[3]!;
    const xd = deaths(last);
    // most recent first, one entry per {queue, reason}
    expect(xd.map((d) => [d['queue'], d['reason'], d['count']])).toEqual([
      [wait, 'expired', 3],
      [work, 'rejected', 3],
    ]);
    // the first-occurrence fields of an entry do not change when its count grows
    expect(xd[1]!['exchange']).toBe('');
    expect(xd[1]!['routing-keys']).toEqual([work]);
    expect(xd[0]!['exchange']).toBe(dlx);
    expect(xd[0]!['routing-keys']).toEqual([wait]);
    const h = last.properties.headers!;
    expect([h['x-first-death-queue'], h['x-first-death-reason']]).toEqual([work, 'rejected']);
    expect([h['x-last-death-queue'], h['x-last-death-reason']]).toEqual([wait, 'expired']);
    expect(h['attempt']).toBe('x');
  });

  it('a dead-letter cycle with no rejection in it is dropped instead of looping', async () => {
    const { ch } = await clients.channel(srv.url);
    const a = uniq('cycle-a');
    const b = uniq('cycle-b');
    await ch.assertQueue(a, { messageTtl: 20, deadLetterExchange: '', deadLetterRoutingKey: b });
    await ch.assertQueue(b, { messageTtl: 20, deadLetterExchange: '', deadLetterRoutingKey: a });
    ch.sendToQueue(a, Buffer.from('loop'));
    // a → (expired) → b → (expired) → a would be a cycle: RabbitMQ drops it there
    await eventually(async () => (await count(ch, a)) + (await count(ch, b)) === 0, 2000);
    for (let i = 0; i < 10; i++) {
      await sleep(15);
      expect((await count(ch, a)) + (await count(ch, b))).toBe(0); // a loop would keep it in one of them
    }
  });
});
