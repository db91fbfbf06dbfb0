/**
 * Flow control: connection.blocked/unblocked from resource alarms (and the
 * publisher socket is no longer read after a publish while blocked), and
 * output backpressure (a consumer that does not read is paused by the core
 * at the transport high-water mark, and resumed on drain).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer } from '../../helpers/amqp-server.js';
import { RawClient, rawFrame } from './raw-client.js';
import { Clients, collect, eventually, sleep } from './util.js';

let srv: AmqpTestServer;
const clients = new Clients();
const raws: RawClient[] = [];
beforeAll(async () => {
  srv = await startAmqpServer({ highWaterMark: 64 * 1024 });
});
afterEach(async () => {
  srv.core.flow.setAlarm('memory', false);
  await clients.closeAll();
  for (const r of raws.splice(0)) r.destroy();
});
afterAll(async () => {
  await srv.close();
});

function ready(q: string): number {
  return srv.core.inspect.listQueues('/').find((x) => x.name === q)?.messagesReady ?? -1;
}

describe('connection.blocked (rabbit_reader throttle)', () => {
  it('blocks a connection at its next publish: blocked sent, socket no longer read, unblocked when the alarm clears', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const events: string[] = [];
    conn.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    conn.on('unblocked', () => events.push('unblocked'));
    srv.core.flow.setAlarm('memory', true);
    await sleep(50);
    expect(events).toEqual([]); // not a publisher yet: not blocked
    await ch.assertQueue(q, { exclusive: true }); // still read and answered
    ch.sendToQueue(q, Buffer.from('first')); // processed, then the connection blocks
    await eventually(() => events.length === 1);
    expect(events).toEqual(['blocked:low on memory']);
    expect(ready(q)).toBe(1);
    ch.sendToQueue(q, Buffer.from('second'));
    await sleep(100);
    expect(ready(q)).toBe(1);
    srv.core.flow.setAlarm('memory', false);
    await eventually(() => events.length === 2);
    expect(events[1]).toBe('unblocked');
    await eventually(() => ready(q) === 2);
  });

  it('a connection that already published is blocked as soon as the alarm goes on', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from('earlier'));
    await eventually(() => ready(q) === 1);
    const events: string[] = [];
    conn.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    conn.on('unblocked', () => events.push('unblocked'));
    srv.core.flow.setAlarm('disk', true);
    await eventually(() => events.length === 1);
    expect(events).toEqual(['blocked:low on disk']);
    srv.core.flow.setAlarm('disk', false);
    await eventually(() => events.length === 2);
  });

  it('a consumer-only connection is never blocked', async () => {
    const { conn, ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    let blocked = 0;
    conn.on('blocked', () => blocked++);
    srv.core.flow.setAlarm('memory', true);
    const c = await collect(ch, q, { noAck: true });
    const { ch: producer } = await clients.channel(srv.url);
    producer.sendToQueue(q, Buffer.from('still delivered'));
    await eventually(() => c.msgs.length === 1);
    expect(blocked).toBe(0);
  });

  it('does not send connection.blocked to a client without the capability (but still blocks it)', async () => {
    const r = await RawClient.open(srv.port, { capabilities: false });
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    srv.core.flow.setAlarm('memory', true);
    await sleep(20);
    r.write(encodeMethod(1, 'basic.publish', { routingKey: 'nowhere' }));
    r.write(rawFrame(2, 1, Buffer.from([0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])));
    await sleep(50);
    r.write(encodeMethod(1, 'basic.qos', { prefetchCount: 1 }));
    await sleep(100);
    expect(r.frames.some((f) => f.method?.name === 'basic.qos-ok')).toBe(false); // not read while blocked
    srv.core.flow.setAlarm('memory', false);
    await r.method('basic.qos-ok', 1);
    expect(r.frames.some((f) => f.method?.name.startsWith('connection.'))).toBe(false);
  });
});

describe('output backpressure', () => {
  it('pauses a consumer whose socket is not read and resumes it on drain', async () => {
    const { ch } = await clients.channel(srv.url);
    const q = (await ch.assertQueue('t.bp', { autoDelete: false })).queue;
    // 64 MB: loopback's socket buffers autotune up to tcp_rmem 32 MB + tcp_wmem 4 MB
    // (seen here), so at least a quarter must still be in the queue
    const body = Buffer.alloc(32 * 1024, 1);
    const total = 2000;
    for (let i = 0; i < total; i++) ch.sendToQueue(q, body);
    await eventually(() => ready(q) === total, 10_000);

    const r = await RawClient.open(srv.port);
    raws.push(r);
    r.write(encodeMethod(1, 'channel.open'));
    await r.method('channel.open-ok', 1);
    r.socket.pause();
    r.write(encodeMethod(1, 'basic.consume', { queue: q, noAck: true, consumerTag: 'slow' }));
    await sleep(300);
    // kernel buffers + 64 KiB HWM hold at most ~36 MB of the 64 MB: the core kept the rest
    expect(ready(q)).toBeGreaterThan(total / 4);
    r.socket.resume();
    await eventually(() => ready(q) === 0, 10_000);
    await eventually(() => r.frames.filter((f) => f.method?.name === 'basic.deliver').length === total, 10_000);
    await ch.deleteQueue(q);
  });
});
