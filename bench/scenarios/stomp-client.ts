// A raw STOMP 1.2 client for load generation, over TCP or WebSocket (ws):
// CONNECT/CONNECTED, pre-encoded frames written as whole buffers, and an
// in-place frame reader that hands each frame's byte offsets to a callback
// (no per-frame objects, no header maps; callers read only what they need).
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export type StompTransport = 'tcp' | 'ws';

export interface StompClientOptions {
  host: string;
  port: number;
  transport: StompTransport;
  /** offer permessage-deflate on WebSocket (browsers do); default false */
  deflate?: boolean;
  login?: string;
  passcode?: string;
  vhost?: string;
}

/** Offsets of one frame inside `buf`: command line from `start`, headers end at `headerEnd` ("\n\n"), body [bodyStart, bodyEnd). */
export type FrameHandler = (buf: Buffer, start: number, headerEnd: number, bodyStart: number, bodyEnd: number) => void;

const NL = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);
const DOUBLE_NL = Buffer.from('\n\n');
const CONTENT_LENGTH = Buffer.from('content-length:');

/** Incremental STOMP frame reader; frames may span chunks and chunks may hold many frames. */
export class FrameReader {
  private rest: Buffer = EMPTY;
  onFrame: FrameHandler = () => {};

  push(chunk: Buffer): void {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    const len = buf.length;
    for (;;) {
      while (pos < len && (buf[pos] === NL || buf[pos] === CR)) pos++; // heart-beats, EOLs after NUL
      if (pos >= len) break;
      const he = buf.indexOf(DOUBLE_NL, pos);
      if (he < 0) break;
      const bodyStart = he + 2;
      const cl = contentLength(buf, pos, he);
      let bodyEnd: number;
      if (cl >= 0) {
        bodyEnd = bodyStart + cl;
        if (bodyEnd >= len) break;
      } else {
        bodyEnd = buf.indexOf(0, bodyStart);
        if (bodyEnd < 0) break;
      }
      this.onFrame(buf, pos, he, bodyStart, bodyEnd);
      pos = bodyEnd + 1;
    }
    this.rest = pos >= len ? EMPTY : Buffer.from(buf.subarray(pos));
  }
}

/** content-length header value, or -1; scans header lines [start, headerEnd) only. */
function contentLength(buf: Buffer, start: number, headerEnd: number): number {
  let line = buf.indexOf(NL, start) + 1; // skip the command line
  while (line > 0 && line < headerEnd) {
    const eol = buf.indexOf(NL, line);
    if (buf[line] === 0x63 /* c */ && buf.compare(CONTENT_LENGTH, 0, CONTENT_LENGTH.length, line, line + CONTENT_LENGTH.length) === 0) {
      let n = 0;
      for (let i = line + CONTENT_LENGTH.length; i < eol; i++) {
        const d = (buf[i] as number) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      return n;
    }
    line = eol + 1;
  }
  return -1;
}

/** Value of header `name:` (with the colon) in [start, headerEnd), latin1, or undefined. */
export function headerValue(buf: Buffer, start: number, headerEnd: number, name: Buffer): string | undefined {
  let line = buf.indexOf(NL, start) + 1;
  while (line > 0 && line < headerEnd) {
    const eol = buf.indexOf(NL, line);
    const end = eol < 0 || eol > headerEnd ? headerEnd : eol;
    if (buf[line] === name[0] && buf.compare(name, 0, name.length, line, line + name.length) === 0) {
      return buf.toString('latin1', line + name.length, end);
    }
    line = end + 1;
  }
  return undefined;
}

export function encodeFrame(command: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  let head = `${command}\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}:${v}\n`;
  return Buffer.concat([Buffer.from(`${head}\n`), Buffer.isBuffer(body) ? body : Buffer.from(body), Buffer.from([0])]);
}

export class StompClient {
  readonly reader = new FrameReader();
  private readonly socket: Socket | undefined;
  private readonly ws: WebSocket | undefined;
  private closed = false;
  private failure: Error | undefined;
  /** called when the socket can take more (TCP 'drain'; WS polled by the caller) */
  onDrain: () => void = () => {};
  onError: (err: Error) => void = () => {};
  /** after each received chunk was parsed (flush batched ACKs here) */
  afterRead: () => void = () => {};

  private constructor(socket: Socket | undefined, ws: WebSocket | undefined) {
    this.socket = socket;
    this.ws = ws;
    const fail = (err: Error): void => {
      this.failure ??= err;
      if (!this.closed) this.onError(err);
    };
    if (socket) {
      socket.on('data', (d: Buffer) => {
        this.reader.push(d);
        this.afterRead();
      });
      socket.on('drain', () => this.onDrain());
      socket.on('error', fail);
      socket.on('close', () => fail(new Error('STOMP connection closed by the broker')));
    } else if (ws) {
      ws.on('message', (d: Buffer) => {
        this.reader.push(d);
        this.afterRead();
      });
      ws.on('error', fail);
      ws.on('close', (code, reason) => fail(new Error(`WebSocket closed by the broker: ${code} ${reason.toString()}`)));
    }
  }

  static async connect(o: StompClientOptions): Promise<StompClient> {
    let c: StompClient;
    if (o.transport === 'tcp') {
      const s = netConnect({ host: o.host, port: o.port, noDelay: true });
      await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
      c = new StompClient(s, undefined);
    } else {
      const ws = new WebSocket(`ws://${o.host}:${o.port}/ws`, ['v12.stomp'], { perMessageDeflate: o.deflate ?? false });
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      c = new StompClient(undefined, ws);
    }
    const connected = new Promise<void>((resolve, reject) => {
      c.reader.onFrame = (buf, start, he, bs, be) => {
        const cmd = buf.toString('latin1', start, buf.indexOf(NL, start));
        if (cmd === 'CONNECTED') resolve();
        else reject(new Error(`expected CONNECTED, got ${cmd}: ${buf.toString('utf8', start, he)} ${buf.toString('utf8', bs, be)}`));
      };
      c.onError = reject;
    });
    c.write(encodeFrame('CONNECT', {
      'accept-version': '1.2', host: o.vhost ?? '/', login: o.login ?? 'guest', passcode: o.passcode ?? 'guest', 'heart-beat': '0,0',
    }));
    await connected;
    c.onError = () => {};
    return c;
  }

  write(buf: Buffer): void {
    if (this.closed) return;
    if (this.socket) this.socket.write(buf);
    else this.ws?.send(buf, { binary: false });
  }

  /** bytes queued in the client, not yet in the kernel */
  get buffered(): number {
    return this.socket ? this.socket.writableLength : (this.ws?.bufferedAmount ?? 0);
  }

  get isWs(): boolean {
    return this.ws !== undefined;
  }

  error(): Error | undefined {
    return this.closed ? undefined : this.failure;
  }

  /** DISCONNECT with a receipt (bounded wait), then close. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === undefined) {
      let timer: NodeJS.Timeout | undefined;
      const bye = new Promise<void>((resolve) => {
        this.reader.onFrame = (buf, start) => {
          if (buf.toString('latin1', start, start + 7) === 'RECEIPT') resolve();
        };
        this.onError = () => resolve();
        timer = setTimeout(resolve, 2000);
      });
      this.write(encodeFrame('DISCONNECT', { receipt: 'bye' }));
      await bye;
      clearTimeout(timer);
    }
    this.closed = true;
    this.socket?.destroy();
    this.ws?.terminate();
  }
}
