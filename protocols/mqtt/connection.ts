/**
 * One MQTT network connection: owns the Transport and the reader, and runs
 * the timers.
 *
 * - feeds bytes to the MqttReader (max packet size before buffering) and
 *   packets to the Processor; a read error closes the connection (the
 *   processor sends a v5 DISCONNECT first where the spec asks for one);
 * - login timeout: CONNECT must arrive within `loginTimeoutMs` (RabbitMQ
 *   mqtt.login_timeout);
 * - keepalive: the connection is closed when nothing arrived for
 *   factor × Keep Alive (1.5 by default) [MQTT-3.1.2-24]; checked every
 *   by one sweep timer shared by all connections (every 250 ms), not a
 *   timer per connection (memory per idle connection);
 * - throttle: reading pauses while any reason holds (core resource alarm,
 *   too many unconfirmed publishes), and the keepalive check is suspended
 *   meanwhile (RabbitMQ control_throttle);
 * - write(): to the transport; onDrain resumes paused consumers.
 */
import type { Transport, TransportHandlers } from '../shared/transport.js';
import { MqttReader } from './codec/parser.js';
import type { ReadErrorKind, ReaderHandlers } from './codec/parser.js';
import type { Packet } from 'mqtt-packet';

const SWEEP_MS = 250;
/** connections with a keepalive, checked by one shared timer */
const watched = new Set<MqttConnection>();
let sweeper: NodeJS.Timeout | undefined;

function watch(c: MqttConnection, on: boolean): void {
  if (on) watched.add(c);
  else watched.delete(c);
  if (watched.size > 0 && !sweeper) {
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();
  } else if (watched.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

function sweep(): void {
  const now = Date.now();
  for (const c of [...watched]) c.checkKeepalive(now);
}

export interface ConnectionHandler {
  packet(p: Packet): void;
  readError(kind: ReadErrorKind, message: string, cmd: string | undefined): void;
  keepaliveTimeout(): void;
  loginTimeout(): void;
  drained(): void;
  /** the transport closed (peer, error, or our own close) */
  closed(err?: Error): void;
}

export class MqttConnection implements TransportHandlers, ReaderHandlers {
  readonly transport: Transport;
  readonly reader: MqttReader;
  private handler: ConnectionHandler | undefined;
  private lastRead = Date.now();
  private loginTimer: NodeJS.Timeout | undefined;
  /** reasons reading is paused for; undefined = none */
  private throttles: Set<string> | undefined;
  private closing = false;
  private keepaliveMs = 0;

  constructor(t: Transport, maxPacketSize: number) {
    this.transport = t;
    this.reader = new MqttReader(maxPacketSize, this);
  }

  start(h: ConnectionHandler, loginTimeoutMs: number): void {
    this.handler = h;
    if (loginTimeoutMs > 0) {
      this.loginTimer = setTimeout(() => h.loginTimeout(), loginTimeoutMs);
      this.loginTimer.unref();
    }
    this.transport.start(this);
  }

  // ---- TransportHandlers and ReaderHandlers (methods, not per-connection closures)

  onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    this.reader.push(chunk);
  }

  onDrain(): void {
    this.handler?.drained();
  }

  onClose(err?: Error): void {
    this.stopTimers();
    this.reader.stop();
    this.handler?.closed(err);
  }

  packet(p: Packet): void {
    this.handler?.packet(p);
  }

  error(kind: ReadErrorKind, message: string, cmd: string | undefined): void {
    this.handler?.readError(kind, message, cmd);
  }

  /** called by the shared sweep */
  checkKeepalive(now: number): void {
    if (this.throttles) {
      this.lastRead = now; // suspended while we are not reading
      return;
    }
    if (now - this.lastRead >= this.keepaliveMs) {
      watch(this, false);
      this.handler?.keepaliveTimeout();
    }
  }

  connected(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
  }

  /** Enforce keepalive: close after factor × seconds without any packet. 0 disables [MQTT-3.1.2-10]. */
  setKeepalive(seconds: number, factor: number): void {
    this.keepaliveMs = seconds * 1000 * factor;
    this.lastRead = Date.now();
    watch(this, seconds > 0 && !this.closing);
  }

  throttle(reason: string, on: boolean): void {
    const before = this.throttles?.size ?? 0;
    if (on) (this.throttles ??= new Set()).add(reason);
    else this.throttles?.delete(reason);
    const after = this.throttles?.size ?? 0;
    if (after === 0) this.throttles = undefined;
    if (before === 0 && after > 0) this.transport.pauseReading();
    else if (before > 0 && after === 0) {
      this.lastRead = Date.now();
      if (!this.closing) this.transport.resumeReading();
    }
  }

  isThrottled(reason: string): boolean {
    return this.throttles?.has(reason) ?? false;
  }

  write(buf: Buffer): boolean {
    return this.transport.write(buf);
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Flush and close; nothing is read any more. */
  end(): void {
    if (this.closing) return;
    this.closing = true;
    this.reader.stop();
    this.stopTimers();
    this.transport.end();
  }

  destroy(): void {
    this.closing = true;
    this.reader.stop();
    this.stopTimers();
    this.transport.destroy();
  }

  private stopTimers(): void {
    watch(this, false);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
  }
}
