/**
 * StompConnection: one STOMP client over any Transport (TCP, TLS, WebSocket).
 *
 * Responsibilities
 * - feed transport bytes to the codec and frames to the processor; a codec
 *   error becomes an ERROR frame and the connection closes;
 * - encode outgoing frames with the negotiated version; ERROR then close;
 * - heart-beats ([STOMP 1.1 §Heart-beating], rabbit_stomp_reader): send an
 *   EOL when nothing else was written for half of `sendMs` (so the gap a
 *   client sees never exceeds `sendMs`); close when nothing was
 *   received for two receive periods (rabbit_heartbeat tolerance); receive
 *   checks pause while reading is paused (blocked publisher);
 * - a connect timeout: no CONNECT within `connectTimeoutMs` closes;
 * - pull-mode backpressure: pauseReading / resumeReading; transport drain
 *   resumes paused consumers (processor.drained()).
 */
import type { Core } from '../../core/index.js';
import type { Logger } from '../../core/index.js';
import type { Transport } from '../shared/transport.js';
import { encodeFrame, HEARTBEAT, StompParser } from './codec.js';
import type { HeaderList, StompVersion } from './codec.js';
import { StompError, toStompError } from './errors.js';
import { StompProcessor } from './processor.js';
import type { FrameOut, ResolvedStompOptions } from './types.js';

export class StompConnection implements FrameOut {
  private readonly transport: Transport;
  private readonly parser: StompParser;
  private readonly processor: StompProcessor;
  private readonly log: Logger;
  private readonly gone: (c: StompConnection) => void;
  private version: StompVersion = '1.2';
  private closing = false;
  private closed = false;
  private paused = false;
  private wrote = false;
  private received = false;
  private missed = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  private recvTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private closeWaiters: (() => void)[] = [];

  constructor(t: Transport, core: Core, opts: ResolvedStompOptions, gone: (c: StompConnection) => void) {
    this.transport = t;
    this.gone = gone;
    this.log = opts.logger.child({ remote: `${t.info.remoteAddress}:${t.info.remotePort}`, transport: t.info.kind });
    this.parser = new StompParser(
      {
        frame: (f) => {
          if (!this.closing) this.processor.handle(f);
        },
        heartbeat: () => {},
      },
      opts.limits,
    );
    this.processor = new StompProcessor(this, core, opts, this.log);
    this.connectTimer = setTimeout(() => {
      this.log.warn({}, 'no CONNECT frame in time: closing');
      this.transport.destroy();
    }, opts.connectTimeoutMs);
    this.connectTimer.unref();
  }

  get remoteAddress(): string {
    return this.transport.info.remoteAddress;
  }
  get remotePort(): number {
    return this.transport.info.remotePort;
  }
  get kind(): string {
    return this.transport.info.kind;
  }

  start(): void {
    this.transport.start({
      onData: (chunk) => this.onData(chunk),
      onDrain: () => this.processor.drained(),
      onClose: (err) => this.onClose(err),
    });
  }

  private onData(chunk: Buffer): void {
    this.received = true;
    if (this.closing) return;
    try {
      this.parser.push(chunk);
    } catch (e) {
      this.error(toStompError(e));
    }
  }

  send(command: string, headers: HeaderList, body?: Buffer): boolean {
    if (this.closing && command !== 'ERROR' && command !== 'RECEIPT') return false;
    this.wrote = true;
    return this.transport.write(encodeFrame(command, headers, body, this.version));
  }

  error(e: StompError, receiptId?: string): void {
    if (this.closing) return;
    const headers: [string, string][] = [['message', e.header]];
    if (receiptId !== undefined) headers.push(['receipt-id', receiptId]);
    const body = Buffer.from(e.details + '\n');
    headers.push(['content-type', 'text/plain'], ['content-length', String(body.length)]);
    (e.fatal ? this.log.warn : this.log.debug).call(this.log, { message: e.header, details: e.details }, 'STOMP error');
    this.wrote = true;
    this.transport.write(encodeFrame('ERROR', headers, body, this.version));
    if (e.fatal) this.end();
  }

  setVersion(v: StompVersion): void {
    this.version = v;
    this.parser.version = v;
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  startHeartbeats(sendMs: number, recvMs: number): void {
    if (sendMs > 0) {
      // checking every half period keeps the gap between writes ≤ sendMs
      this.sendTimer = setInterval(() => {
        if (this.wrote || this.closing) {
          this.wrote = false;
          return;
        }
        this.transport.write(HEARTBEAT);
        this.wrote = true; // the next half period only resets the flag
      }, Math.max(1, Math.floor(sendMs / 2)));
      this.sendTimer.unref();
    }
    if (recvMs > 0) {
      this.recvTimer = setInterval(() => {
        if (this.received || this.paused) {
          this.received = false;
          this.missed = 0;
          return;
        }
        if (++this.missed >= 2) {
          this.log.warn({ timeoutMs: recvMs }, 'missed heart-beats from client: closing');
          this.stopTimers();
          this.transport.destroy();
        }
      }, recvMs);
      this.recvTimer.unref();
    }
  }

  pauseReading(): void {
    this.paused = true;
    this.transport.pauseReading();
  }

  resumeReading(): void {
    this.paused = false;
    if (!this.closing) this.transport.resumeReading();
  }

  end(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopTimers();
    this.processor.close();
    this.transport.end();
  }

  /** Broker shutdown: ERROR and close; resolves once the transport closed (or after 1 s). */
  forceClose(reason: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.closeWaiters.push(resolve);
      setTimeout(() => {
        this.transport.destroy();
        resolve();
      }, 1000).unref();
    });
    if (!this.closing) {
      this.error(new StompError('connection_forced', reason));
      this.end();
    }
    return done;
  }

  private stopTimers(): void {
    clearInterval(this.sendTimer);
    clearInterval(this.recvTimer);
    clearTimeout(this.connectTimer);
    this.sendTimer = this.recvTimer = this.connectTimer = undefined;
  }

  private onClose(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.stopTimers();
    this.processor.close();
    if (err) this.log.debug({ err: err.message }, 'transport error');
    this.gone(this);
    for (const w of this.closeWaiters) w();
    this.closeWaiters = [];
  }
}
