/**
 * net.Socket / tls.TLSSocket → Transport.
 *
 * Responsibilities
 * - Pull-style reading: chunks flow to `onData` only after `start()`, and
 *   `pauseReading()`/`resumeReading()` map to socket.pause()/resume() so the
 *   adapter can stop a publisher (RabbitMQ's `control_throttle`).
 * - Writes go through a WriteCoalescer: one socket.write per tick (or per
 *   64 KiB), `write()` returns false above the high-water mark (default
 *   1 MiB, counting queued bytes + socket.writableLength) and `onDrain` fires
 *   when it falls back.
 * - `onClose` is called exactly once, with the socket error if there was one.
 * - Nagle is off (setNoDelay) since we coalesce ourselves.
 */
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Transport, TransportHandlers, TransportInfo } from './transport.js';
import { DEFAULT_HIGH_WATER_MARK, WriteCoalescer } from './writer.js';

export interface SocketTransportOptions {
  /** pending-bytes high-water mark; default 1 MiB */
  highWaterMark?: number;
}

export function socketTransport(
  socket: net.Socket | tls.TLSSocket,
  kind: 'tcp' | 'tls',
  o: SocketTransportOptions = {},
): Transport {
  return new SocketTransport(socket, kind, o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
}

function peerCN(socket: net.Socket | tls.TLSSocket): string | undefined {
  const s = socket as Partial<tls.TLSSocket>;
  if (typeof s.getPeerCertificate !== 'function') return undefined;
  try {
    const cert = s.getPeerCertificate();
    const cn = cert?.subject?.CN;
    return Array.isArray(cn) ? cn[0] : cn || undefined;
  } catch {
    return undefined;
  }
}

class SocketTransport implements Transport {
  readonly info: TransportInfo;
  private readonly socket: net.Socket | tls.TLSSocket;
  private readonly writer: WriteCoalescer;
  private handlers: TransportHandlers | undefined;
  private closed = false;
  private ending = false;
  private error: Error | undefined;

  constructor(socket: net.Socket | tls.TLSSocket, kind: 'tcp' | 'tls', hwm: number) {
    this.socket = socket;
    this.info = {
      kind,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localPort: socket.localPort ?? 0,
      peerCertCN: kind === 'tls' ? peerCN(socket) : undefined,
    };
    socket.setNoDelay(true);
    this.writer = new WriteCoalescer(
      {
        write: (buf, done) => {
          if (socket.writable) socket.write(buf, done);
        },
        writeMany: (bufs, done) => {
          if (!socket.writable) return;
          socket.cork();
          const last = bufs.length - 1;
          for (let i = 0; i < last; i++) socket.write(bufs[i]!);
          socket.write(bufs[last]!, done);
          socket.uncork();
        },
        get bufferedBytes() {
          return socket.writableLength;
        },
      },
      { highWaterMark: hwm, onDrain: () => this.handlers?.onDrain() },
    );
    // listen for errors from the start so an early reset never crashes the process
    socket.on('error', (err: Error) => {
      this.error ??= err;
    });
    socket.on('close', () => this.closedNow());
    socket.on('drain', () => this.writer.checkDrain());
  }

  start(h: TransportHandlers): void {
    this.handlers = h;
    if (this.closed) {
      h.onClose(this.error);
      return;
    }
    attachData(this.socket, h);
  }

  write(buf: Buffer): boolean {
    if (this.closed || this.ending) return false;
    return this.writer.push(buf);
  }

  get pendingBytes(): number {
    return this.writer.pendingBytes;
  }

  get writable(): boolean {
    return !this.closed && !this.ending && this.socket.writable;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.closed) this.socket.resume();
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.writer.flush();
    this.ending = true;
    this.socket.end();
    // a peer that never reads could keep a half-closed socket alive forever
    const t = setTimeout(() => this.socket.destroy(), 5000);
    t.unref();
  }

  destroy(): void {
    this.writer.close();
    this.socket.destroy();
  }

  private closedNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.writer.close();
    this.handlers?.onClose(this.error);
  }
}

/** Attach the data listener (kept outside the class so the hot path is one plain closure). */
function attachData(socket: net.Socket, h: TransportHandlers): void {
  socket.on('data', (chunk: Buffer) => h.onData(chunk));
}
