/**
 * basic.* semantics through amqplib: publish/return/confirm ordering,
 * confirms, get, ack/nack/reject, prefetch (per consumer and global),
 * consumer priorities, cancel notification, recover, direct reply-to,
 * content framing (large, empty), header types, size limits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumeMessage } from 'amqplib';
import { F } from '../../../core/index.js';
import { decodeProperties, encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import type { Method } from '../../../protocols/amqp091/codec/index.js';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer } from '../../helpers/amqp-server.js';
import { RawClient, rawFrame } from './raw-client.js';
import { Clients, collect, defs, eventually, rejects, sleep } from './util.js';
import type { RpcChannel } from './util.js';

let srv: AmqpTestServer;
const clients = new Clients();
const raws: RawClient[] = [];
beforeAll(async () => {
  srv = await startAmqpServer({ maxMessageSize: 4 * 1024 * 1024 });
});
afterEach(async () => {
  await clients.closeAll();
  for (const r of raws.splice(0)) r.destroy();
});
afterAll(async () => {
  await srv.close();
});

type CloseM = Extract<Method, { name: 'connection.close' }>;

describe('publish, return, confirm', () => {
  it('mandatory unroutable: basic.return (312 NO_ROUTE) arrives before the confirm', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const order: string[] = [];
    ch.on('return', (m: ConsumeMessage) => order.push(`return:${m.fields.routingKey}:${(m.fields as unknown as { replyCode: number }).replyCode}:${(m.fields as unknown as { replyText: string }).replyText}`));
    await new Promise<void>((resolve, reject) => {
      ch.publish('', 'no-such-queue', Buffer.from('x'), { mandatory: true }, (err) => {
        order.push('ack');
        if (err) reject(err);
        else resolve();
      });
    });
    expect(order).toEqual(['return:no-such-queue:312:NO_ROUTE', 'ack']);
  });

  it('confirms many publishes; waitForConfirms resolves; acks may be multiple', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    const acks: { deliveryTag: number; multiple: boolean }[] = [];
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => acks.push(f));
    for (let i = 0; i < 200; i++) ch.sendToQueue(q.queue, Buffer.from(String(i)));
    await ch.waitForConfirms();
    expect(acks.at(-1)?.deliveryTag).toBe(200);
    expect(acks.length).toBeLessThan(200);
    expect(acks.some((a) => a.multiple)).toBe(true);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(200);
  });

  it('publisher confirms nack messages refused by x-overflow reject-publish', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true, maxLength: 1, arguments: { 'x-overflow': 'reject-publish' } })).queue;
    const outcomes: string[] = [];
    for (const s of ['1', '2']) {
      ch.sendToQueue(q, Buffer.from(s), {}, (err) => outcomes.push(err ? `nack:${s}` : `ack:${s}`));
    }
    await eventually(() => outcomes.length === 2);
    expect(outcomes).toEqual(['ack:1', 'nack:2']);
  });

  it('basic.get returns message-count of the messages left, then get-empty', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    for (const s of ['a', 'b', 'c']) ch.sendToQueue(q.queue, Buffer.from(s));
    await eventually(async () => (await ch.checkQueue(q.queue)).messageCount === 3);
    const m = await ch.get(q.queue);
    expect(m && m.content.toString()).toBe('a');
    expect(m && m.fields.messageCount).toBe(2);
    expect(m && m.fields.deliveryTag).toBe(1);
    if (m) ch.ack(m);
    await ch.get(q.queue, { noAck: true });
    await ch.get(q.queue, { noAck: true });
    expect(await ch.get(q.queue)).toBe(false);
  });

  it('a 1 MiB body crosses many 8 KiB frames both ways; an empty body works', async () => {
    const conn = await clients.connect(`${srv.url}?frameMax=8192`);
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    const big = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const c = await collect(ch, q.queue, { noAck: true });
    ch.sendToQueue(q.queue, big);
    ch.sendToQueue(q.queue, Buffer.alloc(0), { contentType: 'empty' });
    await eventually(() => c.msgs.length === 2);
    expect(c.msgs[0]!.content.equals(big)).toBe(true);
    expect(c.msgs[1]!.content.length).toBe(0);
    expect(c.msgs[1]!.properties.contentType).toBe('empty');
  });

  it('a body above max_message_size closes the channel with 406', async () => {
    const s = await startAmqpServer({ maxMessageSize: 1000 });
    try {
      const { ch } = await clients.channel(s.url);
      const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
      ch.sendToQueue('q', Buffer.alloc(2000));
      expect(String(await closed)).toMatch(/406 \(PRECONDITION-FAILED\).*PRECONDITION_FAILED - message size 2000 is larger than configured max size 1000/);
    } finally {
      await clients.closeAll();
      await s.close();
    }
  });

  it('header field tables round-trip with their wire types (AMQP → AMQP)', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('t.headers.types', { autoDelete: false });
    const headers = {
      str: 'text',
      i8: { '!': 'byte', value: -5 },
      i16: { '!': 'short', value: 300 },
      i32: { '!': 'int', value: 70000 },
      i64: { '!': 'long', value: 2 ** 40 },
      f32: { '!': 'float', value: 1.5 },
      f64: { '!': 'double', value: 2.25 },
      bool: true,
      ts: { '!': 'timestamp', value: 1700000000 },
      dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      arr: [1, 'two', false],
      tbl: { nested: 'yes', n: 7 },
      nil: null,
      bin: Buffer.from([0, 1, 2, 255]),
    };
    ch.sendToQueue(q.queue, Buffer.from('h'), {
      headers, contentType: 'text/plain', contentEncoding: 'utf8', deliveryMode: 2, priority: 3,
      correlationId: 'corr', replyTo: 'rt', expiration: '60000', messageId: 'mid', timestamp: 1700000001,
      type: 'kind', appId: 'app', userId: 'guest',
    });
    await eventually(async () => (await ch.checkQueue(q.queue)).messageCount === 1);

    // raw consumer: the header bytes the server forwards decode to the same wire types
    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    r.write(encodeMethod(1, 'basic.get', { queue: q.queue, noAck: true }));
    await r.method('basic.get-ok', 1);
    await eventually(() => r.frames.some((f) => f.type === 2));
    const header = r.frames.find((f) => f.type === 2)!;
    const props = decodeProperties(header.payload.subarray(12));
    const h = props.headers!;
    expect(h['str']).toEqual({ type: 'string', value: 'text' });
    expect(h['i8']?.type).toBe('int8');
    expect(h['i16']).toEqual({ type: 'int16', value: 300 });
    expect(h['i32']).toEqual({ type: 'int32', value: 70000 });
    expect(h['i64']).toEqual({ type: 'int64', value: 2n ** 40n });
    expect(h['f32']).toEqual({ type: 'float', value: 1.5 });
    expect(h['f64']).toEqual({ type: 'double', value: 2.25 });
    expect(h['bool']).toEqual({ type: 'boolean', value: true });
    expect(h['ts']).toEqual({ type: 'timestamp', value: 1700000000n });
    expect(h['dec']).toEqual({ type: 'decimal', value: { scale: 2, digits: 12345 } });
    expect(h['arr']?.type).toBe('array');
    expect(h['tbl']?.type).toBe('table');
    expect(h['nil']?.type).toBe('void');
    expect(h['bin']).toEqual({ type: 'bytes', value: Buffer.from([0, 1, 2, 255]) });
    await ch.deleteQueue(q.queue);
    expect(props).toMatchObject({
      contentType: 'text/plain', contentEncoding: 'utf8', deliveryMode: 2, priority: 3, correlationId: 'corr',
      replyTo: 'rt', expiration: '60000', messageId: 'mid', timestamp: 1700000001n, type: 'kind', appId: 'app', userId: 'guest',
    });
  });

  it('headers keep their types when the core rewrites properties (BCC stripped → re-encoded)', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('t.reencode', { autoDelete: false })).queue;
    ch.sendToQueue(q, Buffer.from('d'), {
      BCC: ['nobody'],
      priority: 4,
      headers: { s: { '!': 'short', value: 9 }, t: { '!': 'timestamp', value: 5 }, a: [{ '!': 'byte', value: 1 }] },
    });
    await eventually(async () => (await ch.checkQueue(q)).messageCount === 1);
    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    r.write(encodeMethod(1, 'basic.get', { queue: q, noAck: true }));
    await r.method('basic.get-ok', 1);
    await eventually(() => r.frames.some((f) => f.type === 2));
    const props = decodeProperties(r.frames.find((f) => f.type === 2)!.payload.subarray(12));
    expect(props.priority).toBe(4);
    expect(props.headers?.['BCC']).toBeUndefined();
    expect(props.headers?.['s']).toEqual({ type: 'int16', value: 9 });
    expect(props.headers?.['t']).toEqual({ type: 'timestamp', value: 5n });
    expect(props.headers?.['a']).toEqual({ type: 'array', value: [{ type: 'int8', value: 1 }] });
    await ch.deleteQueue(q);
  });

  it('user_id must match the authenticated user: 406', async () => {
    const { ch } = await clients.channel(srv.url);
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.sendToQueue('x', Buffer.from('x'), { userId: 'mallory' });
    expect(String(await closed)).toMatch(/406.*user_id property set to 'mallory' but authenticated user was 'guest'/);
  });
});

describe('acknowledgements', () => {
  it('nack/reject with requeue redeliver with redelivered=true; requeue=false drops', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    const c = await collect(ch, q.queue);
    ch.sendToQueue(q.queue, Buffer.from('1'));
    await eventually(() => c.msgs.length === 1);
    expect(c.msgs[0]!.fields.redelivered).toBe(false);
    ch.nack(c.msgs[0]!, false, true);
    await eventually(() => c.msgs.length === 2);
    expect(c.msgs[1]!.fields.redelivered).toBe(true);
    ch.reject(c.msgs[1]!, true);
    await eventually(() => c.msgs.length === 3);
    expect(c.msgs[2]!.fields.redelivered).toBe(true);
    ch.reject(c.msgs[2]!, false);
    await sleep(50);
    expect(c.msgs.length).toBe(3);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(0);
  });

  it('ack multiple and nack multiple', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    const c = await collect(ch, q.queue);
    for (let i = 0; i < 6; i++) ch.sendToQueue(q.queue, Buffer.from(String(i)));
    await eventually(() => c.msgs.length === 6);
    ch.ack(c.msgs[2]!, true); // 1..3
    ch.nack(c.msgs[5]!, true, true); // 4..6 requeued
    await eventually(() => c.msgs.length === 9);
    expect(c.msgs.slice(6).every((m) => m.fields.redelivered)).toBe(true);
    expect(c.msgs.slice(6).map((m) => m.content.toString())).toEqual(['3', '4', '5']);
  });

  it('an unknown delivery tag closes the channel with 406', async () => {
    const { ch } = await clients.channel(srv.url);
    const closed = new Promise<Error>((resolve) => ch.once('error', resolve));
    ch.ack({ fields: { deliveryTag: 99 } } as unknown as ConsumeMessage);
    const err = await closed;
    expect(String(err)).toMatch(/406 \(PRECONDITION-FAILED\) with message "PRECONDITION_FAILED - unknown delivery tag 99"/);
    expect((err as unknown as { classId: number; methodId: number }).classId).toBe(60);
  });

  it('unacked deliveries are requeued when the channel closes', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    const ch2 = await conn.createChannel();
    const c = await collect(ch2, q.queue);
    ch.sendToQueue(q.queue, Buffer.from('keep'));
    await eventually(() => c.msgs.length === 1);
    await ch2.close();
    await eventually(async () => (await ch.checkQueue(q.queue)).messageCount === 1);
    const m = await ch.get(q.queue, { noAck: true });
    expect(m && m.fields.redelivered).toBe(true);
  });

  it('unacked deliveries are requeued when the socket drops without a close', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('t.drop', { autoDelete: false })).queue;
    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    r.write(encodeMethod(1, 'basic.consume', { queue: q, consumerTag: 'c' }));
    await r.method('basic.consume-ok', 1);
    ch.sendToQueue(q, Buffer.from('x'));
    await r.method('basic.deliver', 1);
    r.destroy();
    await eventually(async () => (await ch.checkQueue(q)).messageCount === 1);
    const m = await ch.get(q, { noAck: true });
    expect(m && m.fields.redelivered).toBe(true);
    await ch.deleteQueue(q);
  });

  it('basic.recover requeues unacked deliveries as redelivered', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    const c = await collect(ch, q.queue);
    ch.sendToQueue(q.queue, Buffer.from('r'));
    await eventually(() => c.msgs.length === 1);
    await ch.recover();
    await eventually(() => c.msgs.length === 2);
    expect(c.msgs[1]!.fields.redelivered).toBe(true);
  });
});

describe('consumers and flow', () => {
  it('prefetch 1 (per consumer): the second message waits for the ack', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.prefetch(1);
    const c = await collect(ch, q.queue);
    ch.sendToQueue(q.queue, Buffer.from('1'));
    ch.sendToQueue(q.queue, Buffer.from('2'));
    await eventually(() => c.msgs.length === 1);
    await sleep(100);
    expect(c.msgs.length).toBe(1);
    ch.ack(c.msgs[0]!);
    await eventually(() => c.msgs.length === 2);
  });

  it('per_consumer_qos: basic.qos(global=false) only affects consumers created afterwards', async () => {
    const { ch } = await clients.channel(srv.url);
    const [a, b] = [(await ch.assertQueue('', { exclusive: true })).queue, (await ch.assertQueue('', { exclusive: true })).queue];
    const unlimited = await collect(ch, a);
    await ch.prefetch(1);
    const limited = await collect(ch, b);
    for (let i = 0; i < 3; i++) {
      ch.sendToQueue(a, Buffer.from('a'));
      ch.sendToQueue(b, Buffer.from('b'));
    }
    await eventually(() => unlimited.msgs.length === 3 && limited.msgs.length === 1);
    await sleep(50);
    expect(limited.msgs.length).toBe(1);
  });

  it('global prefetch is shared by the channel\'s consumers', async () => {
    const { ch } = await clients.channel(srv.url);
    const a = (await ch.assertQueue('', { exclusive: true })).queue;
    const b = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.prefetch(3, true);
    const ca = await collect(ch, a);
    const cb = await collect(ch, b);
    for (let i = 0; i < 4; i++) {
      ch.sendToQueue(a, Buffer.from('a'));
      ch.sendToQueue(b, Buffer.from('b'));
    }
    await eventually(() => ca.msgs.length + cb.msgs.length === 3);
    await sleep(100);
    expect(ca.msgs.length + cb.msgs.length).toBe(3);
    ch.ackAll();
    await eventually(() => ca.msgs.length + cb.msgs.length === 6);
  });

  it('consumer priorities: the higher x-priority consumer gets the messages while it has capacity', async () => {
    const { ch } = await clients.channel(srv.url);
    const { ch: ch2 } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('t.prio', { autoDelete: true })).queue;
    const low = await collect(ch, q, { priority: 1, noAck: true });
    const high = await collect(ch2, q, { priority: 10, noAck: true });
    for (let i = 0; i < 10; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await eventually(() => high.msgs.length + low.msgs.length === 10);
    expect(high.msgs.length).toBe(10);
  });

  it('consumer cancel notification when the queue is deleted (amqplib gets null)', async () => {
    const { ch } = await clients.channel(srv.url);
    const { ch: admin } = await clients.channel(srv.url);
    await ch.assertQueue('t.cancelled', { autoDelete: false });
    const c = await collect(ch, 't.cancelled', { noAck: true });
    await admin.deleteQueue('t.cancelled');
    await eventually(() => c.nulls === 1);
    // the channel is still usable
    await ch.assertQueue('', { exclusive: true });
  });

  it('basic.cancel stops deliveries; cancel of an unknown tag is answered', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const c = await collect(ch, q, { noAck: true });
    await ch.cancel(c.tag);
    ch.sendToQueue(q, Buffer.from('x'));
    await sleep(50);
    expect(c.msgs.length).toBe(0);
    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    r.write(encodeMethod(1, 'basic.cancel', { consumerTag: 'nope' }));
    const ok = (await r.method('basic.cancel-ok', 1)) as Extract<Method, { name: 'basic.cancel-ok' }>;
    expect(ok.consumerTag).toBe('nope');
  });

  it('reusing a consumer tag on a channel is a hard 530 NOT_ALLOWED', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.consume(q, () => {}, { consumerTag: 'dup' });
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    await ch.consume(q, () => {}, { consumerTag: 'dup' }).catch(() => undefined);
    expect(String(await closed)).toMatch(/530 \(NOT-ALLOWED\).*NOT_ALLOWED - attempt to reuse consumer tag 'dup'/);
  });

  it('direct reply-to RPC', async () => {
    const { ch: server } = await clients.channel(srv.url);
    const { ch: client } = await clients.channel(srv.url);
    const rpcQ = (await server.assertQueue('', { exclusive: true })).queue;
    await server.consume(rpcQ, (m) => {
      if (!m) return;
      server.sendToQueue(m.properties.replyTo as string, Buffer.from(`re:${m.content.toString()}`), {
        correlationId: m.properties.correlationId as string,
      });
      server.ack(m);
    });
    const replies: ConsumeMessage[] = [];
    await client.consume('amq.rabbitmq.reply-to', (m) => m && replies.push(m), { noAck: true });
    client.sendToQueue(rpcQ, Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    await eventually(() => replies.length === 1);
    expect(replies[0]!.content.toString()).toBe('re:ping');
    expect(replies[0]!.properties.correlationId).toBe('c1');
  });

  it('channel.flow active=true → flow-ok; active=false → 540 NOT_IMPLEMENTED', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const ok = await (ch as unknown as RpcChannel).rpc(defs['ChannelFlow']!, { active: true }, defs['ChannelFlowOk']!);
    expect(ok['active']).toBe(true);
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    void (ch as unknown as RpcChannel).rpc(defs['ChannelFlow']!, { active: false }, defs['ChannelFlowOk']!).catch(() => undefined);
    expect(String(await closed)).toMatch(/540 \(NOT-IMPLEMENTED\).*NOT_IMPLEMENTED - active=false/);
  });
});

describe('not implemented as in RabbitMQ (hard 540)', () => {
  async function channel1(): Promise<RawClient> {
    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    return r;
  }

  it.each([
    ['immediate=true', () => encodeMethod(1, 'basic.publish', { routingKey: 'q', immediate: true }), 'NOT_IMPLEMENTED - immediate=true', [60, 40]],
    ['prefetch_size', () => encodeMethod(1, 'basic.qos', { prefetchSize: 10 }), 'NOT_IMPLEMENTED - prefetch_size!=0 (10)', [60, 10]],
    ['recover requeue=false', () => encodeMethod(1, 'basic.recover', { requeue: false }), 'NOT_IMPLEMENTED - requeue=false', [60, 110]],
  ] as const)('%s', async (_name, frame, text, ids) => {
    const r = await channel1();
    r.write(frame());
    const close = (await r.method('connection.close', 0)) as CloseM;
    expect(close.replyCode).toBe(540);
    expect(close.replyText).toBe(text);
    expect([close.failingClassId, close.failingMethodId]).toEqual(ids);
  });

  it('access.request → request-ok ticket 1', async () => {
    const r = await channel1();
    r.write(encodeMethod(1, 'access.request', { realm: '/data' }));
    const ok = (await r.method('access.request-ok', 1)) as Extract<Method, { name: 'access.request-ok' }>;
    expect(ok.ticket).toBe(1);
  });

  it('after channel.close from the server, other frames on that channel are ignored until close-ok', async () => {
    const r = await channel1();
    r.write(encodeMethod(1, 'queue.declare', { queue: 'nope', passive: true }));
    const close = (await r.method('channel.close', 1)) as Extract<Method, { name: 'channel.close' }>;
    expect(close.replyCode).toBe(404);
    expect(close.replyText).toBe("NOT_FOUND - no queue 'nope' in vhost '/'");
    expect([close.failingClassId, close.failingMethodId]).toEqual([50, 10]);
    r.write(encodeMethod(1, 'queue.declare', { queue: 'ignored' }));
    r.write(rawFrame(3, 1, Buffer.from('junk body')));
    r.write(encodeMethod(1, 'channel.close-ok'));
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    expect(r.frames.some((f) => f.method?.name === 'queue.declare-ok')).toBe(false);
  });

  it("'' as queue name means the last declared queue; without one it is 404", async () => {
    const r = await channel1();
    r.write(encodeMethod(1, 'basic.get', { queue: '' }));
    const close = (await r.method('channel.close', 1)) as Extract<Method, { name: 'channel.close' }>;
    expect(close.replyText).toBe('NOT_FOUND - no previously declared queue');
    r.write(encodeMethod(1, 'channel.close-ok'));
    r.write(encodeMethod(2, 'channel.open'));
    await r.method('channel.open-ok', 2);
    r.write(encodeMethod(2, 'queue.declare', { queue: '', exclusive: true }));
    const ok = (await r.method('queue.declare-ok', 2)) as Extract<Method, { name: 'queue.declare-ok' }>;
    expect(ok.queue).toMatch(/^amq\.gen-/);
    r.write(encodeMethod(2, 'exchange.declare', { exchange: 't.last', type: 'direct', autoDelete: true }));
    await r.method('exchange.declare-ok', 2);
    r.write(encodeMethod(2, 'queue.bind', { queue: '', exchange: 't.last', routingKey: '' })); // key = queue name
    await r.method('queue.bind-ok', 2);
    r.write(encodeMethod(2, 'basic.get', { queue: '' }));
    await r.method('basic.get-empty', 2);
  });

  it('nowait variants send no reply', async () => {
    const r = await channel1();
    r.write(encodeMethod(1, 'queue.declare', { queue: 't.nowait', nowait: true, autoDelete: true, arguments: { 'x-max-length': F.int(5) } }));
    r.write(encodeMethod(1, 'exchange.declare', { exchange: 't.nowait.x', type: 'fanout', nowait: true }));
    r.write(encodeMethod(1, 'queue.bind', { queue: 't.nowait', exchange: 't.nowait.x', nowait: true }));
    r.write(encodeMethod(1, 'basic.consume', { queue: 't.nowait', consumerTag: 'ct', nowait: true, noAck: true }));
    r.write(encodeMethod(1, 'confirm.select', { nowait: true }));
    r.write(encodeMethod(1, 'basic.qos', { prefetchCount: 5 }));
    await r.method('basic.qos-ok', 1);
    expect(r.frames.filter((f) => f.method !== undefined).map((f) => f.method!.name)).toEqual([]);
  });
});
