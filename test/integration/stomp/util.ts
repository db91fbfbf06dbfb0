/**
 * STOMP test clients: promise wrappers around stompit (TCP), a raw socket
 * client whose frames are parsed by @stomp/stompjs's Parser (so server output
 * is checked by an independent parser), and core-side helpers.
 */
import * as net from 'node:net';
import { Client, FrameImpl, Parser } from '@stomp/stompjs';
import type { StompConfig } from '@stomp/stompjs';
import stompit from 'stompit';
import type { Core, CoreConnection, CoreSession, Delivery } from '../../../core/index.js';

export interface ParsedFrame {
  command: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A raw STOMP client over TCP. */
export class RawClient {
  readonly socket: net.Socket;
  private readonly frames: ParsedFrame[] = [];
  private waiters: ((f: ParsedFrame | null) => void)[] = [];
  private readonly parser: Parser;
  beats = 0;
  closed = false;
  readonly closedP: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.parser = new Parser(
      (raw) => {
        const f = FrameImpl.fromRawFrame({ ...raw, headers: [...raw.headers] }, raw.command !== 'CONNECTED');
        this.push({ command: f.command, headers: { ...f.headers } as Record<string, string>, body: Buffer.from(f.binaryBody) });
      },
      () => this.beats++,
    );
    socket.on('data', (d: Buffer) => this.parser.parseChunk(d.buffer.slice(d.byteOffset, d.byteOffset + d.length) as ArrayBuffer));
    socket.on('error', () => {});
    this.closedP = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        for (const w of this.waiters) w(null);
        this.waiters = [];
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    return new RawClient(s);
  }

  /** open and CONNECT (1.2 unless headers say otherwise); returns the CONNECTED frame */
  static async connected(port: number, headers: Record<string, string> = {}): Promise<{ c: RawClient; connected: ParsedFrame }> {
    const c = await RawClient.open(port);
    c.send('CONNECT', { 'accept-version': '1.2', host: '/', login: 'guest', passcode: 'guest', ...headers });
    const connected = await c.next();
    if (connected.command !== 'CONNECTED') throw new Error(`expected CONNECTED, got ${connected.command}: ${connected.body.toString()}`);
    return { c, connected };
  }

  private push(f: ParsedFrame): void {
    const w = this.waiters.shift();
    if (w) w(f);
    else this.frames.push(f);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** write a frame; headers are written raw (callers escape when needed) */
  send(command: string, headers: Record<string, string> = {}, body: string | Buffer = ''): void {
    let s = command + '\n';
    for (const [k, v] of Object.entries(headers)) s += `${k}:${v}\n`;
    this.write(Buffer.concat([Buffer.from(s + '\n'), Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from([0])]));
  }

  /** the next frame; rejects on timeout or close */
  next(timeoutMs = 3000): Promise<ParsedFrame> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('timeout waiting for a frame'));
      }, timeoutMs);
      const waiter = (fr: ParsedFrame | null): void => {
        clearTimeout(t);
        if (fr) resolve(fr);
        else reject(new Error('connection closed'));
      };
      this.waiters.push(waiter);
    });
  }

  /** resolves true when nothing arrives within ms */
  async quiet(ms: number): Promise<boolean> {
    try {
      const f = await this.next(ms);
      this.frames.unshift(f);
      return false;
    } catch {
      return true;
    }
  }

  /** expect an ERROR frame followed by the server closing the connection */
  async expectErrorAndClose(message?: string | RegExp): Promise<ParsedFrame> {
    const f = await this.next();
    if (f.command !== 'ERROR') throw new Error(`expected ERROR, got ${f.command}`);
    if (message !== undefined) {
      const ok = typeof message === 'string' ? f.headers['message'] === message : message.test(f.headers['message'] ?? '');
      if (!ok) throw new Error(`unexpected ERROR message ${f.headers['message']}: ${f.body.toString()}`);
    }
    await withTimeout(this.closedP, 3000, 'server did not close after ERROR');
    return f;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(what)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

// ------------------------------------------------------------------ stompit

/* eslint-disable @typescript-eslint/no-explicit-any */
export type StompitClient = any;
export type StompitMessage = any;

export function stompitConnect(port: number, headers: Record<string, string> = {}): Promise<StompitClient> {
  return new Promise((resolve, reject) => {
    stompit.connect(
      { host: '127.0.0.1', port, connectHeaders: { host: '/', login: 'guest', passcode: 'guest', 'heart-beat': '0,0', ...headers } },
      (err: Error | null, client: StompitClient) => {
        if (err) reject(err);
        else {
          client.on('error', () => {});
          resolve(client);
        }
      },
    );
  });
}

export function stompitSend(client: StompitClient, headers: Record<string, string>, body: string | Buffer, receipt = false): Promise<void> {
  return new Promise((resolve) => {
    const frame = client.send(headers, receipt ? { onReceipt: () => resolve() } : undefined);
    frame.write(body);
    frame.end();
    if (!receipt) resolve();
  });
}

export function readBody(m: StompitMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    m.on('data', (d: Buffer | string) => parts.push(Buffer.isBuffer(d) ? d : Buffer.from(d)));
    m.on('end', () => resolve(Buffer.concat(parts)));
    m.on('error', reject);
  });
}

export interface ReceivedMessage {
  headers: Record<string, string>;
  body: Buffer;
  raw: StompitMessage;
}

/** A stompit subscription collecting messages into a queue. */
export class StompitSub {
  readonly sub: StompitClient;
  private readonly got: ReceivedMessage[] = [];
  private waiters: ((m: ReceivedMessage) => void)[] = [];

  constructor(client: StompitClient, headers: Record<string, string>) {
    this.sub = client.subscribe(headers, (err: Error | null, m: StompitMessage) => {
      if (err) return;
      void readBody(m).then((body) => {
        const rec = { headers: { ...m.headers } as Record<string, string>, body, raw: m };
        const w = this.waiters.shift();
        if (w) w(rec);
        else this.got.push(rec);
      });
    });
  }

  next(timeoutMs = 3000): Promise<ReceivedMessage> {
    const m = this.got.shift();
    if (m) return Promise.resolve(m);
    return withTimeout(new Promise<ReceivedMessage>((resolve) => this.waiters.push(resolve)), timeoutMs, 'timeout waiting for MESSAGE');
  }

  async take(n: number): Promise<ReceivedMessage[]> {
    const out: ReceivedMessage[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  get buffered(): number {
    return this.got.length;
  }

  unsubscribe(): void {
    this.sub.unsubscribe();
  }
}

export function stompitDisconnect(client: StompitClient): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => client.disconnect(() => resolve())), 3000, 'disconnect');
}

// ------------------------------------------------------------------ core side

export function coreSession(core: Core): { conn: CoreConnection; session: CoreSession; confirmed: number[] } {
  const user = core.users.authenticate('guest', 'guest');
  if (user === null) throw new Error('guest missing');
  const conn = core.openConnection({ vhost: '/', user, protocol: 'test', remoteAddress: '127.0.0.1' });
  const confirmed: number[] = [];
  const session = conn.openSession({
    confirmed: (ids) => confirmed.push(...ids),
    rejected: () => {},
    blocked: () => {},
    unblocked: () => {},
  });
  return { conn, session, confirmed };
}

/** Consume a queue from the core; returns the deliveries array (filled as they arrive). */
export function coreConsume(session: CoreSession, queue: string): Delivery[] {
  const got: Delivery[] = [];
  session.consume(queue, { deliver: (d) => (got.push(d), true), cancelled: () => {} }, { tag: '', noAck: true, credit: 0 });
  return got;
}

export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A connected @stomp/stompjs client (guest/guest, no heart-beats, no
 * reconnect) over the WebSocket `webSocketFactory` makes. `track` sees the
 * client before it connects, so a test can deactivate it even when the
 * connect fails. `extra` overrides any option.
 */
export function connectStompjs(
  webSocketFactory: NonNullable<StompConfig['webSocketFactory']>,
  track: (c: Client) => void,
  extra: StompConfig = {},
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client({
      webSocketFactory,
      connectHeaders: { login: 'guest', passcode: 'guest' },
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      onConnect: () => resolve(c),
      onStompError: (f) => reject(new Error(f.headers['message'])),
      onWebSocketError: () => reject(new Error('websocket error')),
      ...extra,
    });
    track(c);
    c.activate();
  });
}
