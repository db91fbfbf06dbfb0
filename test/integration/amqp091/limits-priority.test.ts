/**
 * Issue 5 over a real socket with amqplib: length limits (x-max-length,
 * x-max-length-bytes, x-overflow drop-head / reject-publish /
 * reject-publish-dlx), priority queues, consumer priorities and single active
 * consumer (handover on cancel and on an abruptly closed connection).
 */
import { describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage, GetMessage } from 'amqplib';
import { useAmqpServer, collect, eventually, rejects, sleep } from './util.js';

const { srv, clients } = useAmqpServer();

let seq = 0;
const uniq = (p: string): string => `${p}.${process.pid}.${++seq}`;
const count = async (ch: Channel, q: string): Promise<number> => (await ch.checkQueue(q)).messageCount;
const bodies = (ms: { content: Buffer }[]): string[] => ms.map((m) => m.content.toString());

async function drain(ch: Channel, q: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(q, { noAck: true });
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

/** Publishes on a confirm channel and reports ack/nack per message, in publish order. */
async function publishConfirmed(ch: import('amqplib').ConfirmChannel, q: string, msgs: string[]): Promise<string[]> {
  const outcomes = msgs.map(
    (s) => new Promise<string>((resolve) => ch.sendToQueue(q, Buffer.from(s), {}, (err) => resolve(err ? `nack:${s}` : `ack:${s}`))),
  );
  return Promise.all(outcomes);
}

describe('length limits', () => {
  it('drop-head (default) without a DLX: the oldest messages are dropped', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('drop-head'), { maxLength: 2 })).queue;
    for (const s of ['1', '2', '3', '4']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(async () => (await count(ch, q)) === 2);
    await sleep(20);
    expect(await drain(ch, q)).toEqual(['3', '4']);
  });

  it('x-max-length-bytes counts body bytes of ready messages', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('bytes'), { arguments: { 'x-max-length-bytes': 10 } })).queue;
    for (const s of ['aaaa', 'bbbb', 'cccc']) ch.sendToQueue(q, Buffer.from(s)); // 12 bytes > 10: 'aaaa' goes
    await eventually(async () => (await count(ch, q)) === 2);
    expect(await drain(ch, q)).toEqual(['bbbb', 'cccc']);
    ch.sendToQueue(q, Buffer.from('x'.repeat(11))); // alone larger than the limit: dropped too
    ch.sendToQueue(q, Buffer.from('ok'));
    await eventually(async () => (await count(ch, q)) === 1);
    expect(await drain(ch, q)).toEqual(['ok']);
  });

  it('only ready messages count: an unacked delivery does not take room in the queue', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('ready-only'), { maxLength: 1 })).queue;
    await ch.prefetch(1);
    const got = await collect(ch, q);
    ch.sendToQueue(q, Buffer.from('a')); // delivered, unacked
    await eventually(() => got.msgs.length === 1);
    ch.sendToQueue(q, Buffer.from('b'));
    ch.sendToQueue(q, Buffer.from('c')); // ready would be 2 > 1: 'b' is dropped, 'a' (unacked) is not counted
    await eventually(async () => (await count(ch, q)) === 1);
    ch.ack(got.msgs[0]!);
    await eventually(() => got.msgs.length === 2);
    expect(bodies(got.msgs)).toEqual(['a', 'c']);
  });

  it('reject-publish: basic.nack to a confirming publisher, the queue keeps its messages', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const q = (await ch.assertQueue(uniq('reject-publish'), { maxLength: 2, arguments: { 'x-overflow': 'reject-publish' } })).queue;
    expect(await publishConfirmed(ch, q, ['1', '2', '3', '4'])).toEqual(['ack:1', 'ack:2', 'nack:3', 'nack:4']);
    expect(await drain(ch, q)).toEqual(['1', '2']);
    // room again: the next publish is accepted
    expect(await publishConfirmed(ch, q, ['5'])).toEqual(['ack:5']);
  });

  it('reject-publish without confirms drops the refused message silently', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('reject-silent'), { maxLength: 1, arguments: { 'x-overflow': 'reject-publish' } })).queue;
    for (const s of ['1', '2']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(async () => (await count(ch, q)) === 1);
    await sleep(20);
    expect(await drain(ch, q)).toEqual(['1']);
  });

  it('reject-publish-dlx: nacked and dead-lettered with reason maxlen', async () => {
    const { ch } = await clients.confirmChannel(srv.url);
    const dead = (await ch.assertQueue(uniq('rpdlx-dead'))).queue;
    const q = (await ch.assertQueue(uniq('rpdlx'), {
      maxLength: 1,
      deadLetterExchange: '',
      deadLetterRoutingKey: dead,
      arguments: { 'x-overflow': 'reject-publish-dlx' },
    })).queue;
    expect(await publishConfirmed(ch, q, ['kept', 'refused'])).toEqual(['ack:kept', 'nack:refused']);
    let m: GetMessage | false = false;
    await eventually(async () => (m = await ch.get(dead, { noAck: true })) !== false);
    const d = m as unknown as GetMessage;
    expect(d.content.toString()).toBe('refused');
    const xd = d.properties.headers!['x-death'] as unknown as Record<string, unknown>[];
    expect(xd).toHaveLength(1);
    expect(xd[0]).toMatchObject({ reason: 'maxlen', queue: q, count: 1, exchange: '', 'routing-keys': [q] });
    expect(await drain(ch, q)).toEqual(['kept']);
  });

  it('invalid x-overflow and x-max-length values are refused with 406', async () => {
    const { ch } = await clients.channel(srv.url);
    await rejects(
      ch.assertQueue(uniq('bad-overflow'), { arguments: { 'x-overflow': 'drop-tail' } }),
      /406 \(PRECONDITION-FAILED\).*invalid arg 'x-overflow' for queue '.*' in vhost '\/': invalid_overflow/,
    );
    const { ch: ch2 } = await clients.channel(srv.url);
    await rejects(
      ch2.assertQueue(uniq('bad-maxlen'), { arguments: { 'x-max-length': -1 } }),
      /406 \(PRECONDITION-FAILED\).*invalid arg 'x-max-length'.*\{value_negative,-1\}/,
    );
  });
});

describe('priority queues', () => {
  it('higher priority first, FIFO within a priority, no priority = 0, above x-max-priority = the max', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('prio'), { maxPriority: 10 })).queue;
    const pubs: [string, number | undefined][] = [
      ['low-1', 1],
      ['high-1', 9],
      ['medium', 5],
      ['high-2', 9],
      ['low-2', 1],
      ['none', undefined],
      ['capped', 200], // treated as 10
    ];
    for (const [s, p] of pubs) ch.sendToQueue(q, Buffer.from(s), p === undefined ? {} : { priority: p });
    await eventually(async () => (await count(ch, q)) === pubs.length);
    await ch.prefetch(1);
    const seen: ConsumeMessage[] = [];
    await ch.consume(q, (m) => {
      if (!m) return;
      seen.push(m);
      ch.ack(m);
    });
    await eventually(() => seen.length === pubs.length);
    expect(bodies(seen)).toEqual(['capped', 'high-1', 'high-2', 'medium', 'low-1', 'low-2', 'none']);
    expect(seen[0]!.properties.priority).toBe(200); // the property itself is untouched
  });

  it('a requeued message goes back to the front of its priority', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('prio-requeue'), { maxPriority: 5 })).queue;
    ch.sendToQueue(q, Buffer.from('p2-a'), { priority: 2 });
    ch.sendToQueue(q, Buffer.from('p2-b'), { priority: 2 });
    ch.sendToQueue(q, Buffer.from('p1'), { priority: 1 });
    await eventually(async () => (await count(ch, q)) === 3);
    const first = (await ch.get(q)) as GetMessage;
    expect(first.content.toString()).toBe('p2-a');
    ch.sendToQueue(q, Buffer.from('p5'), { priority: 5 });
    await eventually(async () => (await count(ch, q)) === 3);
    ch.nack(first, false, true);
    await eventually(async () => (await count(ch, q)) === 4);
    expect(await drain(ch, q)).toEqual(['p5', 'p2-a', 'p2-b', 'p1']);
  });

  it('x-max-priority above 255 is refused with 406', async () => {
    const { ch } = await clients.channel(srv.url);
    await rejects(
      ch.assertQueue(uniq('prio-bad'), { maxPriority: 256 }),
      /406 \(PRECONDITION-FAILED\).*invalid arg 'x-max-priority'.*\{max_value_exceeded,256\}/,
    );
  });
});

describe('consumer priorities', () => {
  it('the x-priority consumer gets messages while it has capacity; the lower one only the overflow', async () => {
    const { conn } = await clients.channel(srv.url);
    const setup = await conn.createChannel();
    const q = (await setup.assertQueue(uniq('cprio'))).queue;
    const hi = await conn.createChannel();
    const lo = await conn.createChannel();
    await hi.prefetch(2);
    await lo.prefetch(2);
    const low = await collect(lo, q, { arguments: { 'x-priority': 0 } });
    const high = await collect(hi, q, { arguments: { 'x-priority': 10 } });
    for (const s of ['1', '2', '3']) setup.sendToQueue(q, Buffer.from(s));
    await eventually(() => high.msgs.length + low.msgs.length === 3);
    expect(bodies(high.msgs)).toEqual(['1', '2']);
    expect(bodies(low.msgs)).toEqual(['3']);
    for (const m of high.msgs) hi.ack(m);
    for (const s of ['4', '5']) setup.sendToQueue(q, Buffer.from(s));
    await eventually(() => high.msgs.length === 4);
    await sleep(30);
    expect(bodies(high.msgs)).toEqual(['1', '2', '4', '5']);
    expect(bodies(low.msgs)).toEqual(['3']); // low still had room for one more, but high was preferred
  });
});

describe('single active consumer', () => {
  async function sacQueue(): Promise<{ ch: Channel; q: string }> {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue(uniq('sac'), { arguments: { 'x-single-active-consumer': true } })).queue;
    return { ch, q };
  }

  /** `untracked`: a connection the test ends itself (amqplib's close() never settles after the socket is destroyed) */
  async function consumer(q: string, prefetch: number, autoAck: boolean, untracked = false) {
    let conn: ChannelModel;
    let ch: Channel;
    if (untracked) {
      conn = await amqp.connect(srv.url);
      conn.on('error', () => {});
      ch = await conn.createChannel();
      ch.on('error', () => {});
    } else {
      ({ conn, ch } = await clients.channel(srv.url));
    }
    await ch.prefetch(prefetch);
    const got = await collect(ch, q, { ack: autoAck });
    return { conn, ch, got };
  }

  it('one consumer at a time: the second waits even while the first is full; it takes over on cancel', async () => {
    const { ch, q } = await sacQueue();
    const a = await consumer(q, 1, false);
    const b = await consumer(q, 10, true);
    expect((await ch.checkQueue(q)).consumerCount).toBe(2);
    for (const s of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(() => a.got.msgs.length === 1);
    await sleep(50);
    expect(b.got.msgs).toHaveLength(0); // a has no capacity left, yet b gets nothing
    expect(await count(ch, q)).toBe(2);
    a.ch.ack(a.got.msgs[0]!);
    await eventually(() => a.got.msgs.length === 2);
    a.ch.ack(a.got.msgs[1]!);
    await eventually(() => a.got.msgs.length === 3);
    a.ch.ack(a.got.msgs[2]!);
    await a.ch.cancel(a.got.tag);
    for (const s of ['4', '5']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(() => b.got.msgs.length === 2);
    expect(bodies(a.got.msgs)).toEqual(['1', '2', '3']);
    expect(bodies(b.got.msgs)).toEqual(['4', '5']);
  });

  async function crashHandover(kill: (conn: ChannelModel) => void): Promise<void> {
    const { ch, q } = await sacQueue();
    const a = await consumer(q, 10, false, true);
    const b = await consumer(q, 10, true);
    for (const s of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(s));
    await eventually(() => a.got.msgs.length === 3);
    a.ch.ack(a.got.msgs[0]!); // '1' settled; '2' and '3' stay unacked
    await sleep(30);
    expect(b.got.msgs).toHaveLength(0);
    kill(a.conn);
    await eventually(() => b.got.msgs.length === 2, 3000);
    expect(bodies(b.got.msgs)).toEqual(['2', '3']);
    expect(b.got.msgs.every((m) => m.fields.redelivered)).toBe(true);
    ch.sendToQueue(q, Buffer.from('4'));
    await eventually(() => b.got.msgs.length === 3);
    expect(b.got.msgs[2]!.fields.redelivered).toBe(false);
    expect((await ch.checkQueue(q)).consumerCount).toBe(1);
  }

  it('active consumer connection closed: the next one takes over and gets the unacked messages redelivered', async () => {
    await crashHandover((conn) => void conn.close().catch(() => {}));
  });

  it('active consumer socket destroyed (crash, no close handshake): same handover', async () => {
    await crashHandover((conn) => {
      const stream = (conn as unknown as { connection: { stream: { destroy(): void } } }).connection.stream;
      stream.destroy();
    });
  });
});
