/**
 * Transport: what an adapter's connection layer sees of a byte stream,
 * whether it is a TCP socket, a TLS socket or a WebSocket.
 *
 * Reading is pull-based: the transport delivers chunks to `onData` until the
 * adapter calls `pauseReading()`; nothing is read again until
 * `resumeReading()`. Writes are coalesced per tick by the implementation;
 * `write()` returns false once pending bytes exceed the high-water mark and
 * `onDrain` fires when they fall back under it.
 */
export interface TransportInfo {
  /** 'tcp' | 'tls' | 'ws' | 'wss' */
  readonly kind: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** TLS peer certificate subject CN, when a client certificate was given */
  readonly peerCertCN?: string | undefined;
}

export interface TransportHandlers {
  onData(chunk: Buffer): void;
  onDrain(): void;
  /** the peer closed or the socket failed; called once */
  onClose(err?: Error): void;
}

export interface Transport {
  readonly info: TransportInfo;
  /** install the handlers; data flows only after this */
  start(h: TransportHandlers): void;
  /** queue bytes; false = over the high-water mark (keep queueing is allowed, but slow down) */
  write(buf: Buffer): boolean;
  /** bytes queued but not yet handed to the kernel */
  readonly pendingBytes: number;
  readonly writable: boolean;
  pauseReading(): void;
  resumeReading(): void;
  /** flush what is queued, then close */
  end(): void;
  /** close now, dropping unsent data */
  destroy(): void;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  if (address === '::1') return true;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a.startsWith('127.');
}
