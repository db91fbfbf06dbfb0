/**
 * Connection handshake: header, start/start-ok (PLAIN, AMQPLAIN, failures),
 * tune/tune-ok negotiation, open (vhost, permissions), heartbeats,
 * handshake timeout, update-secret, forced close.
 */
import amqp from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { PROTOCOL_HEADER, encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import type { Method } from '../../../protocols/amqp091/codec/index.js';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer } from '../../helpers/amqp-server.js';
import { RawClient } from './raw-client.js';
import { Clients, eventually, rejects, sleep } from './util.js';

let srv: AmqpTestServer;
const clients = new Clients();
const raws: RawClient[] = [];

beforeAll(async () => {
  srv = await startAmqpServer({ version: '9.9.9' });
});
afterEach(async () => {
  await clients.closeAll();
  for (const r of raws.splice(0)) r.destroy();
});
afterAll(async () => {
  await srv.close();
});

async function raw(port = srv.port): Promise<RawClient> {
  const r = await RawClient.connect(port);
  raws.push(r);
  return r;
}

/** Handshake up to tune; returns the client waiting to send tune-ok. */
async function toTune(r: RawClient, mechanism = 'PLAIN', response = Buffer.from('\0guest\0guest')): Promise<void> {
  r.write(PROTOCOL_HEADER);
  await r.method('connection.start');
  r.write(
    encodeMethod(0, 'connection.start-ok', {
      clientProperties: { capabilities: F.table({ authentication_failure_close: F.bool(true) }) },
      mechanism,
      response,
      locale: 'en_US',
    }),
  );
}

type CloseM = Extract<Method, { name: 'connection.close' }>;

describe('AMQP handshake', () => {
  it('connects with PLAIN and advertises RabbitMQ server-properties and the nine capabilities', async () => {
    const conn = await clients.connect(srv.url);
    const props = (conn.connection as unknown as { serverProperties: Record<string, unknown> }).serverProperties;
    expect(props['product']).toBe('Polyport');
    expect(props['version']).toBe('9.9.9');
    expect(String(props['platform'])).toMatch(/^Node\.js/);
    for (const k of ['copyright', 'information', 'cluster_name']) expect(props[k]).toBeTypeOf('string');
    expect(props['capabilities']).toEqual({
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    });
  });

  it('sends mechanisms "PLAIN AMQPLAIN" and locales "en_US" in connection.start', async () => {
    const r = await raw();
    r.write(PROTOCOL_HEADER);
    const start = (await r.method('connection.start')) as Extract<Method, { name: 'connection.start' }>;
    expect(start.versionMajor).toBe(0);
    expect(start.versionMinor).toBe(9);
    expect(start.mechanisms).toBe('PLAIN AMQPLAIN');
    expect(start.locales).toBe('en_US');
  });

  it('connects with AMQPLAIN', async () => {
    const conn = await clients.connect(`amqp://127.0.0.1:${srv.port}`, {
      credentials: amqp.credentials.amqplain('guest', 'guest'),
    });
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
  });

  it('refuses a bad password with 403 ACCESS_REFUSED (authentication_failure_close)', async () => {
    await rejects(
      amqp.connect(`amqp://guest:wrong@127.0.0.1:${srv.port}`),
      /403 \(ACCESS-REFUSED\).*ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN\. For details see the broker logfile\./,
    );
    await rejects(
      amqp.connect(`amqp://127.0.0.1:${srv.port}`, { credentials: amqp.credentials.amqplain('nobody', 'x') }),
      /ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN/,
    );
  });

  it('closes the socket without connection.close when the client lacks authentication_failure_close', async () => {
    const r = await raw();
    r.write(PROTOCOL_HEADER);
    await r.method('connection.start');
    r.write(encodeMethod(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0bad'), locale: 'en_US' }));
    await r.waitClosed();
    expect(r.frames.some((f) => f.method?.name === 'connection.close')).toBe(false);
  });

  it('rejects an unknown mechanism with 503 COMMAND_INVALID', async () => {
    const r = await raw();
    await toTune(r, 'FOO', Buffer.from('x'));
    const close = (await r.method('connection.close')) as CloseM;
    expect(close.replyCode).toBe(503);
    expect(close.replyText).toBe("COMMAND_INVALID - unknown authentication mechanism 'FOO'");
    expect([close.failingClassId, close.failingMethodId]).toEqual([10, 11]);
  });

  it('refuses an unknown vhost with 530 NOT_ALLOWED and a vhost without permission with 403', async () => {
    // amqplib reports "Expected ConnectionOpenOk; got <ConnectionClose …>", so check the frame itself
    await rejects(amqp.connect(`${srv.url}/nope`), /ConnectionClose/);
    srv.core.vhosts.addVhost('private');
    for (const [vhost, code, text] of [
      ['nope', 530, 'NOT_ALLOWED - vhost nope not found'],
      ['private', 403, "ACCESS_REFUSED - access to vhost 'private' refused for user 'guest'"],
    ] as const) {
      const r = await raw();
      await toTune(r);
      await r.method('connection.tune');
      r.write(encodeMethod(0, 'connection.tune-ok', { frameMax: 131072, channelMax: 2047, heartbeat: 0 }));
      r.write(encodeMethod(0, 'connection.open', { virtualHost: vhost }));
      const close = (await r.method('connection.close')) as CloseM;
      expect(close.replyCode).toBe(code);
      expect(close.replyText).toBe(text);
      expect([close.failingClassId, close.failingMethodId]).toEqual([10, 40]);
      r.write(encodeMethod(0, 'connection.close-ok'));
      await r.waitClosed();
    }
  });

  it('tunes frame_max 131072, channel_max 2047, heartbeat 60', async () => {
    const conn = await clients.connect(srv.url);
    const c = conn.connection as unknown as { frameMax: number; channelMax: number; heartbeat: number };
    expect(c.frameMax).toBe(131072);
    expect(c.channelMax).toBe(2047);
    expect(c.heartbeat).toBe(60);
  });

  it('takes the client heartbeat and frame_max from tune-ok', async () => {
    const conn = await clients.connect(`${srv.url}?heartbeat=5&frameMax=8192`);
    const c = conn.connection as unknown as { frameMax: number; heartbeat: number };
    expect(c.heartbeat).toBe(5);
    expect(c.frameMax).toBe(8192);
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(q.queue, Buffer.alloc(20000, 7));
    await eventually(async () => (await ch.checkQueue(q.queue)).messageCount === 1);
    const m = await ch.get(q.queue, { noAck: true });
    expect(m && m.content.equals(Buffer.alloc(20000, 7))).toBe(true);
  });

  it.each([
    [{ frameMax: 4096 }, 'NOT_ALLOWED - negotiated frame_max = 4096 is lower than the minimum allowed value (8192)'],
    [{ frameMax: 200000 }, 'NOT_ALLOWED - negotiated frame_max = 200000 is higher than the maximum allowed value (131072)'],
    [{ frameMax: 0 }, 'NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)'],
    [{ channelMax: 4000 }, 'NOT_ALLOWED - negotiated channel_max = 4000 is higher than the maximum allowed value (2047)'],
    [{ channelMax: 0 }, 'NOT_ALLOWED - negotiated channel_max = 0 (no limit) is higher than the maximum allowed value (2047)'],
  ])('validates tune-ok %o as RabbitMQ', async (tuneOk, text) => {
    const r = await raw();
    await toTune(r);
    await r.method('connection.tune');
    r.write(encodeMethod(0, 'connection.tune-ok', { frameMax: 131072, channelMax: 2047, heartbeat: 0, ...tuneOk }));
    const close = (await r.method('connection.close')) as CloseM;
    expect(close.replyCode).toBe(530);
    expect(close.replyText).toBe(text);
    expect([close.failingClassId, close.failingMethodId]).toEqual([10, 31]);
    r.write(encodeMethod(0, 'connection.close-ok'));
    await r.waitClosed();
  });

  it('answers a wrong protocol header with AMQP 0-9-1 and closes', async () => {
    for (const hdr of [Buffer.from('AMQP\x00\x01\x00\x00'), Buffer.from('GET / HTTP/1.1\r\n\r\n')]) {
      const r = await raw();
      r.write(hdr);
      await r.waitClosed();
      expect(r.raw).toEqual(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    }
  });

  it('accepts a header split over several writes', async () => {
    const r = await raw();
    for (const b of PROTOCOL_HEADER) {
      r.write(Buffer.from([b]));
      await sleep(2);
    }
    await r.method('connection.start');
  });

  it('closes the connection from the client side cleanly', async () => {
    const conn = await amqp.connect(srv.url);
    await eventually(() => srv.adapter.connectionCount() >= 1);
    const before = srv.adapter.connectionCount();
    await conn.close();
    await eventually(() => srv.adapter.connectionCount() === before - 1);
  });

  it('answers connection.update-secret with update-secret-ok (internal users accept any secret, as RabbitMQ)', async () => {
    const conn = await clients.connect(srv.url);
    const ok = new Promise<void>((resolve) => conn.once('update-secret-ok', () => resolve()));
    await conn.updateSecret(Buffer.from('a new token'), 'refresh');
    await ok;
    // the connection keeps working afterwards
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
    await ch.close();
  });

  it('refuses guest from a non-loopback address', async () => {
    // the socket is on loopback; the adapter is told the peer is 192.0.2.7
    // (TEST-NET-1), so the check runs on every machine
    const s = await startAmqpServer({ remoteAddress: '192.0.2.7' });
    try {
      await rejects(
        amqp.connect(`amqp://guest:guest@127.0.0.1:${s.port}`),
        /403 \(ACCESS-REFUSED\).*user 'guest' can only connect via localhost/,
      );
      // a user that is not loopback-only is let in from the same address
      s.core.users.addUser('remote', 'pw', []);
      s.core.users.setPermissions('remote', '/', { configure: '.*', write: '.*', read: '.*' });
      const c = await amqp.connect(`amqp://remote:pw@127.0.0.1:${s.port}`);
      await c.close();
    } finally {
      await s.close();
    }
  });
});

describe('heartbeats and timeouts', () => {
  let fast: AmqpTestServer;
  beforeAll(async () => {
    fast = await startAmqpServer({ heartbeat: 1, handshakeTimeoutMs: 300 });
  });
  afterAll(async () => {
    await fast.close();
  });

  it('sends heartbeats when idle and drops a silent client after two missed intervals', async () => {
    const r = await RawClient.open(fast.port, { heartbeat: 1 });
    raws.push(r);
    const t0 = Date.now();
    await r.waitClosed(6000);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(4000);
    expect(r.frames.filter((f) => f.type === 8).length).toBeGreaterThanOrEqual(2);
    expect(r.frames.some((f) => f.method?.name === 'connection.close')).toBe(false);
  });

  it('keeps a client that sends heartbeats alive', async () => {
    const r = await RawClient.open(fast.port, { heartbeat: 1 });
    raws.push(r);
    const beat = setInterval(() => r.write(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce])), 300);
    await sleep(3000);
    clearInterval(beat);
    expect(r.closed).toBe(false);
  });

  it('amqplib with heartbeat negotiation stays connected', async () => {
    const conn = await clients.connect(`amqp://guest:guest@127.0.0.1:${fast.port}`);
    expect((conn.connection as unknown as { heartbeat: number }).heartbeat).toBe(1);
    await sleep(2500);
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
  });

  it('destroys a socket that never completes the handshake, without blocking others', async () => {
    const silent = await raw(fast.port);
    const half = await raw(fast.port);
    half.write(PROTOCOL_HEADER);
    await half.method('connection.start');
    const conn = await clients.connect(`amqp://guest:guest@127.0.0.1:${fast.port}`);
    await silent.waitClosed(2000);
    await half.waitClosed(2000);
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
  });
});

describe('server-initiated close', () => {
  it('closeAll sends 320 CONNECTION_FORCED and waits for the clients', async () => {
    const s = await startAmqpServer();
    const conn = await amqp.connect(s.url);
    const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
    conn.on('error', () => {});
    await s.adapter.closeAll(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    const err = await closed;
    expect(String(err)).toMatch(/320 \(CONNECTION-FORCED\).*CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'/);
    expect(s.adapter.connectionCount()).toBe(0);
    await s.close();
  });
});
