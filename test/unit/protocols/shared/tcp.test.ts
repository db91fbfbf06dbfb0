/**
 * socketTransport over real loopback sockets: per-tick coalescing, HWM
 * accounting and drain, pull-style reading, close-once, end() flushing.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { socketTransport } from '../../../../protocols/shared/tcp.js';
import type { Transport } from '../../../../protocols/shared/transport.js';

interface Pair {
  server: net.Server;
  serverSocket: net.Socket;
  client: net.Socket;
}

const open: Pair[] = [];

async function pair(): Promise<Pair> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const accepted = once(server, 'connection');
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [serverSocket] = (await accepted) as [net.Socket];
  const p = { server, serverSocket, client };
  open.push(p);
  return p;
}

function noop(): void {}

function until(cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() - start > ms) reject(new Error('timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

afterEach(async () => {
  for (const p of open.splice(0)) {
    p.client.destroy();
    p.serverSocket.destroy();
    await new Promise<void>((r) => p.server.close(() => r()));
  }
});

describe('socketTransport', () => {
  it('exposes remote info and does not read before start()', async () => {
    const { serverSocket, client } = await pair();
    const t = socketTransport(serverSocket, 'tcp');
    expect(t.info.kind).toBe('tcp');
    expect(t.info.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(t.info.remotePort).toBe(client.localPort);
    client.write('hello');
    await new Promise((r) => setTimeout(r, 30));
    const got: Buffer[] = [];
    t.start({ onData: (c) => got.push(c), onDrain: noop, onClose: noop });
    await until(() => Buffer.concat(got).toString() === 'hello');
  });

  it('coalesces writes of one tick into a single socket.write', async () => {
    const { serverSocket, client } = await pair();
    let calls = 0;
    const orig = serverSocket.write.bind(serverSocket);
    (serverSocket as unknown as { write: typeof orig }).write = ((...a: Parameters<typeof orig>) => {
      calls++;
      return orig(...a);
    }) as typeof orig;
    const t = socketTransport(serverSocket, 'tcp');
    t.start({ onData: noop, onDrain: noop, onClose: noop });
    const received: Buffer[] = [];
    client.on('data', (c: Buffer) => received.push(c));
    for (let i = 0; i < 100; i++) expect(t.write(Buffer.from([i]))).toBe(true);
    expect(calls).toBe(0);
    expect(t.pendingBytes).toBe(100);
    await until(() => Buffer.concat(received).length === 100);
    expect(calls).toBe(1);
    expect([...Buffer.concat(received)]).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('flushes at the threshold without waiting for the tick', async () => {
    const { serverSocket } = await pair();
    let calls = 0;
    const orig = serverSocket.write.bind(serverSocket);
    (serverSocket as unknown as { write: typeof orig }).write = ((...a: Parameters<typeof orig>) => {
      calls++;
      return orig(...a);
    }) as typeof orig;
    const t = socketTransport(serverSocket, 'tcp');
    t.start({ onData: noop, onDrain: noop, onClose: noop });
    t.write(Buffer.alloc(70 * 1024));
    expect(calls).toBe(1);
  });

  it('returns false above the high-water mark and fires onDrain when the peer reads', async () => {
    const { serverSocket, client } = await pair();
    client.pause();
    let drains = 0;
    const t = socketTransport(serverSocket, 'tcp', { highWaterMark: 256 * 1024 });
    t.start({ onData: noop, onDrain: () => drains++, onClose: noop });
    let writes = 0;
    const chunk = Buffer.alloc(16 * 1024, 1);
    // keep writing (across ticks) until the kernel buffers are full and we are over the HWM
    while (t.write(chunk)) {
      writes++;
      if (writes % 16 === 0) await new Promise((r) => setImmediate(r));
      if (writes > 100_000) throw new Error('never reached HWM');
    }
    expect(t.pendingBytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(drains).toBe(0);
    let total = 0;
    client.on('data', (c: Buffer) => (total += c.length));
    client.resume();
    await until(() => drains === 1);
    expect(t.pendingBytes).toBeLessThan(256 * 1024);
    await until(() => total === (writes + 1) * chunk.length);
  });

  it('pauseReading stops onData until resumeReading', async () => {
    const { serverSocket, client } = await pair();
    const t = socketTransport(serverSocket, 'tcp');
    const got: string[] = [];
    t.start({ onData: (c) => got.push(c.toString()), onDrain: noop, onClose: noop });
    client.write('a');
    await until(() => got.join('') === 'a');
    t.pauseReading();
    client.write('b');
    await new Promise((r) => setTimeout(r, 50));
    expect(got.join('')).toBe('a');
    t.resumeReading();
    await until(() => got.join('') === 'ab');
  });

  it('calls onClose exactly once and refuses writes afterwards', async () => {
    const { serverSocket, client } = await pair();
    const t: Transport = socketTransport(serverSocket, 'tcp');
    let closes = 0;
    t.start({ onData: noop, onDrain: noop, onClose: () => closes++ });
    client.destroy();
    await until(() => closes === 1);
    t.destroy();
    t.end();
    await new Promise((r) => setTimeout(r, 20));
    expect(closes).toBe(1);
    expect(t.writable).toBe(false);
    expect(t.write(Buffer.from('x'))).toBe(false);
  });

  it('end() flushes queued bytes before closing', async () => {
    const { serverSocket, client } = await pair();
    const t = socketTransport(serverSocket, 'tcp');
    t.start({ onData: noop, onDrain: noop, onClose: noop });
    const got: Buffer[] = [];
    client.on('data', (c: Buffer) => got.push(c));
    t.write(Buffer.from('bye'));
    t.end();
    await once(client, 'end');
    expect(Buffer.concat(got).toString()).toBe('bye');
  });

  it('destroy() drops queued bytes', async () => {
    const { serverSocket, client } = await pair();
    const t = socketTransport(serverSocket, 'tcp');
    let closed = false;
    t.start({ onData: noop, onDrain: noop, onClose: () => (closed = true) });
    const got: Buffer[] = [];
    client.on('data', (c: Buffer) => got.push(c));
    t.write(Buffer.from('lost'));
    t.destroy();
    await until(() => closed);
    await new Promise((r) => setTimeout(r, 20));
    expect(Buffer.concat(got).length).toBe(0);
  });
});
