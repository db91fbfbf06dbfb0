/**
 * A `ws` WebSocket → Transport. No protocol logic: bytes of each received
 * message go to `onData` (a protocol frame may span messages and a message may
 * hold several frames), bytes written go out as WebSocket messages.
 *
 * Responsibilities
 * - text (default for STOMP) or binary messages for what the adapter writes;
 *   writes are coalesced per tick by the shared WriteCoalescer, and pending
 *   bytes count ws.bufferedAmount, so `write()` reports the high-water mark;
 * - pull-mode reading: pauseReading/resumeReading → ws.pause()/resume();
 *   messages that arrive before `start()` are held;
 * - keepalive: a ping every `pingIntervalMs`; no pong by the next ping →
 *   terminate (clients' pings are answered by ws itself);
 * - clean close: end() → close frame 1000 after the queued data; destroy()
 *   terminates; `onClose` exactly once.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Transport, TransportHandlers, TransportInfo } from '../shared/transport.js';
import { DEFAULT_HIGH_WATER_MARK, WriteCoalescer } from '../shared/writer.js';

export interface WsTransportOptions {
  /** message type for writes; default 'text' */
  frame?: 'text' | 'binary';
  /** 'ws' or 'wss' */
  kind?: string;
  highWaterMark?: number;
  /** server pings; 0 = off; default 30000 */
  pingIntervalMs?: number;
}

export function wsTransport(ws: WebSocket, req: IncomingMessage, o: WsTransportOptions = {}): Transport {
  return new WsTransport(ws, req, o);
}

class WsTransport implements Transport {
  readonly info: TransportInfo;
  private readonly ws: WebSocket;
  private readonly writer: WriteCoalescer;
  private handlers: TransportHandlers | undefined;
  private early: Buffer[] = [];
  private closed = false;
  private ending = false;
  private error: Error | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private alive = true;

  constructor(ws: WebSocket, req: IncomingMessage, o: WsTransportOptions) {
    this.ws = ws;
    const sock = req.socket;
    this.info = {
      kind: o.kind ?? 'ws',
      remoteAddress: sock.remoteAddress ?? '',
      remotePort: sock.remotePort ?? 0,
      localPort: sock.localPort ?? 0,
    };
    const binary = o.frame === 'binary';
    this.writer = new WriteCoalescer(
      {
        write: (buf, done) => {
          if (ws.readyState === ws.OPEN) ws.send(buf, { binary }, done);
          else done();
        },
        get bufferedBytes() {
          return ws.bufferedAmount;
        },
      },
      { highWaterMark: o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, onDrain: () => this.handlers?.onDrain() },
    );
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (this.handlers) this.handlers.onData(buf);
      else this.early.push(buf);
    });
    ws.on('error', (err: Error) => {
      this.error ??= err;
    });
    ws.on('close', () => this.closedNow());
    ws.on('pong', () => {
      this.alive = true;
    });
    const every = o.pingIntervalMs ?? 30_000;
    if (every > 0) {
      this.pingTimer = setInterval(() => {
        if (!this.alive) {
          ws.terminate();
          return;
        }
        this.alive = false;
        if (ws.readyState === ws.OPEN) ws.ping();
      }, every);
      this.pingTimer.unref();
    }
  }

  start(h: TransportHandlers): void {
    this.handlers = h;
    const early = this.early;
    this.early = [];
    for (const b of early) h.onData(b);
    if (this.closed) h.onClose(this.error);
  }

  write(buf: Buffer): boolean {
    if (this.closed || this.ending) return false;
    return this.writer.push(buf);
  }

  get pendingBytes(): number {
    return this.writer.pendingBytes;
  }

  get writable(): boolean {
    return !this.closed && !this.ending && this.ws.readyState === this.ws.OPEN;
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.ws.resume();
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.writer.flush();
    this.ending = true;
    this.ws.close(1000);
    const t = setTimeout(() => this.ws.terminate(), 5000);
    t.unref();
  }

  destroy(): void {
    this.writer.close();
    this.ws.terminate();
  }

  private closedNow(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.writer.close();
    this.handlers?.onClose(this.error);
  }
}
