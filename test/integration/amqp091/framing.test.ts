/**
 * Framing and channel-multiplexing errors (all hard: connection.close):
 * 501 FRAME_ERROR garbage/oversize/bad frame-end, 503 COMMAND_INVALID,
 * 504 CHANNEL_ERROR, 505 UNEXPECTED_FRAME, 530 channel_max — and other
 * connections keep working.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import type { Method } from '../../../protocols/amqp091/codec/index.js';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer } from '../../helpers/amqp-server.js';
import { RawClient, rawFrame } from './raw-client.js';
import { Clients } from './util.js';

type CloseM = Extract<Method, { name: 'connection.close' }>;

let srv: AmqpTestServer;
const clients = new Clients();
const raws: RawClient[] = [];

beforeAll(async () => {
  srv = await startAmqpServer({ channelMax: 3 });
});
afterEach(async () => {
  await clients.closeAll();
  for (const r of raws.splice(0)) r.destroy();
});
afterAll(async () => {
  await srv.close();
});

async function opened(): Promise<RawClient> {
  const r = await RawClient.open(srv.port);
  raws.push(r);
  return r;
}

async function expectClose(r: RawClient, code: number, text: RegExp | string, ids?: [number, number]): Promise<void> {
  const close = (await r.method('connection.close', 0)) as CloseM;
  expect(close.replyCode).toBe(code);
  if (typeof text === 'string') expect(close.replyText).toBe(text);
  else expect(close.replyText).toMatch(text);
  if (ids) expect([close.failingClassId, close.failingMethodId]).toEqual(ids);
}

async function openChannel(r: RawClient, ch: number): Promise<void> {
  r.write(encodeMethod(ch, 'channel.open'));
  await r.method('channel.open-ok', ch);
}

describe('framing errors', () => {
  it('garbage → 501 FRAME_ERROR; another connection is unaffected', async () => {
    const { ch: other } = await clients.channel(srv.url);
    const q = await other.assertQueue('', { exclusive: true });
    const r = await opened();
    r.write(Buffer.from('this is not an AMQP frame at all'));
    await expectClose(r, 501, /^FRAME_ERROR - /);
    await r.waitClosed(3000);
    other.sendToQueue(q.queue, Buffer.from('still fine'));
    const m = await new Promise<string>((resolve) => {
      void other.consume(q.queue, (msg) => msg && resolve(msg.content.toString()), { noAck: true });
    });
    expect(m).toBe('still fine');
  });

  it('bad frame-end octet → 501', async () => {
    const r = await opened();
    r.write(rawFrame(1, 1, encodeMethod(1, 'channel.open').subarray(7, -1), 0x00));
    await expectClose(r, 501, /^FRAME_ERROR - .*frame end/);
  });

  it('oversize frame → 501 before the payload arrives', async () => {
    const r = await opened();
    const hdr = Buffer.from([3, 0, 1, 0, 0, 0, 0]);
    hdr.writeUInt32BE(10_000_000, 3);
    r.write(hdr);
    await expectClose(r, 501, /^FRAME_ERROR - .*frame_max/);
  });

  it('heartbeat on a non-zero channel → 505 UNEXPECTED_FRAME', async () => {
    const r = await opened();
    r.write(rawFrame(8, 5, Buffer.alloc(0)));
    await expectClose(r, 505, /^UNEXPECTED_FRAME - /);
  });

  it('unknown method id → 503 COMMAND_INVALID', async () => {
    const r = await opened();
    await openChannel(r, 1);
    r.write(rawFrame(1, 1, Buffer.from([0, 60, 0, 99])));
    await expectClose(r, 503, /^COMMAND_INVALID - /);
  });

  it('non-connection method on channel 0 → 504 as rabbit_reader (handle_method0 fallback)', async () => {
    const r = await opened();
    r.write(encodeMethod(0, 'queue.declare', { queue: 'x' }));
    await expectClose(r, 504, 'CHANNEL_ERROR - unexpected method in connection state running', [50, 10]);
  });

  it('a connection method out of order → 504 unexpected method in connection state', async () => {
    const r = await opened();
    r.write(encodeMethod(0, 'connection.tune-ok', { frameMax: 131072, channelMax: 10 }));
    await expectClose(r, 504, 'CHANNEL_ERROR - unexpected method in connection state running', [10, 31]);
  });

  it('method on a channel that was never opened → 504 CHANNEL_ERROR', async () => {
    const r = await opened();
    r.write(encodeMethod(1, 'queue.declare', { queue: 'x' }));
    await expectClose(r, 504, "CHANNEL_ERROR - expected 'channel.open'", [50, 10]);
  });

  it('second channel.open → 504', async () => {
    const r = await opened();
    await openChannel(r, 1);
    r.write(encodeMethod(1, 'channel.open'));
    await expectClose(r, 504, "CHANNEL_ERROR - second 'channel.open' seen", [20, 10]);
  });

  it('content header without basic.publish → 505 UNEXPECTED_FRAME', async () => {
    const r = await opened();
    await openChannel(r, 1);
    const header = Buffer.alloc(14);
    header.writeUInt16BE(60, 0);
    r.write(rawFrame(2, 1, header));
    await expectClose(r, 505, /^UNEXPECTED_FRAME - expected method frame/);
  });

  it('method between basic.publish and its content header → 505', async () => {
    const r = await opened();
    await openChannel(r, 1);
    r.write(encodeMethod(1, 'basic.publish', { routingKey: 'q' }));
    r.write(encodeMethod(1, 'basic.qos', { prefetchCount: 1 }));
    await expectClose(r, 505, /^UNEXPECTED_FRAME - expected content header for class 60/, [60, 40]);
  });

  it('body frame without header → 505', async () => {
    const r = await opened();
    await openChannel(r, 1);
    r.write(encodeMethod(1, 'basic.publish', { routingKey: 'q' }));
    r.write(rawFrame(3, 1, Buffer.from('body')));
    await expectClose(r, 505, /^UNEXPECTED_FRAME - /);
  });

  it('channel_max exceeded → 530 NOT_ALLOWED', async () => {
    const r = await opened();
    for (const n of [1, 2, 3]) await openChannel(r, n);
    r.write(encodeMethod(4, 'channel.open'));
    await expectClose(r, 530, 'NOT_ALLOWED - number of channels opened (3) has reached the negotiated channel_max (3)', [0, 0]);
  });

  it('after a hard error only close-ok counts; the socket closes after it', async () => {
    const r = await opened();
    r.write(encodeMethod(7, 'basic.qos'));
    await expectClose(r, 504, /CHANNEL_ERROR/);
    r.write(encodeMethod(0, 'connection.open', { virtualHost: '/' })); // ignored
    r.write(encodeMethod(0, 'connection.close-ok'));
    await r.waitClosed(500);
    expect(r.frames.length).toBe(0);
  });

  it('a client that never sends close-ok is dropped after about a second', async () => {
    const r = await opened();
    r.write(encodeMethod(7, 'basic.qos'));
    await expectClose(r, 504, /CHANNEL_ERROR/);
    const t0 = Date.now();
    await r.waitClosed(3000);
    expect(Date.now() - t0).toBeGreaterThan(700);
  });

  it('channel.close from the client → close-ok and the channel number can be reused', async () => {
    const r = await opened();
    await openChannel(r, 1);
    r.write(encodeMethod(1, 'channel.close', { replyCode: 200, replyText: 'bye' }));
    await r.method('channel.close-ok', 1);
    await openChannel(r, 1);
  });
});
