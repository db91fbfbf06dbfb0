/**
 * A raw AMQP 0-9-1 client for protocol-violation tests: speaks the handshake
 * with the codec and lets a test send arbitrary bytes/frames and wait for
 * decoded methods or the socket close.
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { F } from '../../../core/index.js';
import { FrameParser, PROTOCOL_HEADER, decodeMethod, encodeMethod } from '../../../protocols/amqp091/codec/index.js';
import type { Method } from '../../../protocols/amqp091/codec/index.js';

export interface RawFrame {
  type: number;
  channel: number;
  payload: Buffer;
  method?: Method;
}

export class RawClient {
  readonly socket: net.Socket;
  readonly frames: RawFrame[] = [];
  /** received bytes, joined on demand (joining per chunk is quadratic for large transfers) */
  private chunks: Buffer[] = [];
  get raw(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
  closed = false;
  private readonly parser: FrameParser;
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.parser = new FrameParser({
      frameMax: 0,
      onFrame: (type, channel, payload) => {
        const f: RawFrame = { type, channel, payload: Buffer.from(payload) };
        if (type === 1) f.method = decodeMethod(payload);
        this.frames.push(f);
      },
    });
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      try {
        this.parser.feed(c);
      } catch {
        /* not AMQP frames (e.g. a protocol header) */
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const s = net.connect(port, host);
    await once(s, 'connect');
    return new RawClient(s);
  }

  /** Full handshake as guest; returns the tune method the server sent. */
  static async open(port: number, o: { heartbeat?: number; frameMax?: number; channelMax?: number; vhost?: string; capabilities?: boolean } = {}): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.write(PROTOCOL_HEADER);
    await c.method('connection.start');
    c.write(
      encodeMethod(0, 'connection.start-ok', {
        clientProperties:
          o.capabilities === false
            ? {}
            : { capabilities: F.table({ 'connection.blocked': F.bool(true), consumer_cancel_notify: F.bool(true), authentication_failure_close: F.bool(true) }) },
        mechanism: 'PLAIN',
        response: Buffer.from('\0guest\0guest'),
        locale: 'en_US',
      }),
    );
    const tune = (await c.method('connection.tune')) as Extract<Method, { name: 'connection.tune' }>;
    c.write(
      encodeMethod(0, 'connection.tune-ok', {
        channelMax: o.channelMax ?? tune.channelMax,
        frameMax: o.frameMax ?? tune.frameMax,
        heartbeat: o.heartbeat ?? 0,
      }),
    );
    c.write(encodeMethod(0, 'connection.open', { virtualHost: o.vhost ?? '/' }));
    await c.method('connection.open-ok');
    return c;
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  /** Wait for the next method with this name (searching frames not yet consumed). */
  async method(name: string, channel?: number, timeoutMs = 5000): Promise<Method> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => f.method?.name === name && (channel === undefined || f.channel === channel));
      if (i >= 0) return this.frames.splice(i, 1)[0]!.method!;
      if (this.closed) throw new Error(`socket closed while waiting for ${name}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${name}`);
      await this.next(deadline - Date.now());
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await this.next(deadline - Date.now());
    }
  }

  private next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A frame with arbitrary type/channel/payload. */
export function rawFrame(type: number, channel: number, payload: Buffer, end = 0xce): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = type;
  b.writeUInt16BE(channel, 1);
  b.writeUInt32BE(payload.length, 3);
  payload.copy(b, 7);
  b[7 + payload.length] = end;
  return b;
}
