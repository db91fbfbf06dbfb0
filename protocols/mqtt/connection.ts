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
 *   half keepalive (RabbitMQ checks at 0.75×);
 * - throttle: reading pauses while any reason holds (core resource alarm,
 *   too many unconfirmed publishes), and the keepalive check is suspended
 *   meanwhile (RabbitMQ control_throttle);
 * - write(): to the transport; onDrain resumes paused consumers.
 */
import type { Transport } from '../shared/transport.js';
import { MqttReader } from './codec/parser.js';
import type { ReadErrorKind } from './codec/parser.js';
import type { Packet } from 'mqtt-packet';

export interface ConnectionHandler {
  packet(p: Packet): void;
  readError(kind: ReadErrorKind, message: string, cmd: string | undefined): void;
  keepaliveTimeout(): void;
  loginTimeout(): void;
  drained(): void;
  /** the transport closed (peer, error, or our own close) */
  closed(err?: Error): void;
}

export class MqttConnection {
  readonly transport: Transport;
  readonly reader: MqttReader;
  private handler: ConnectionHandler | undefined;
  private lastRead = Date.now();
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private loginTimer: NodeJS.Timeout | undefined;
  private readonly throttles = new Set<string>();
  private closing = false;
  private keepaliveMs = 0;

  constructor(t: Transport, maxPacketSize: number) {
    this.transport = t;
    this.reader = new MqttReader(maxPacketSize, {
      packet: (p) => this.handler?.packet(p),
      error: (kind, message, cmd) => this.handler?.readError(kind, message, cmd),
    });
  }

  start(h: ConnectionHandler, loginTimeoutMs: number): void {
    this.handler = h;
    if (loginTimeoutMs > 0) {
      this.loginTimer = setTimeout(() => h.loginTimeout(), loginTimeoutMs);
      this.loginTimer.unref();
    }
    this.transport.start({
      onData: (chunk) => {
        this.lastRead = Date.now();
        this.reader.push(chunk);
      },
      onDrain: () => h.drained(),
      onClose: (err) => {
        this.stopTimers();
        this.reader.stop();
        h.closed(err);
      },
    });
  }

  connected(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
  }

  /** Enforce keepalive: close after factor × seconds without any packet. 0 disables [MQTT-3.1.2-10]. */
  setKeepalive(seconds: number, factor: number): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.keepaliveMs = seconds * 1000 * factor;
    if (seconds <= 0) return;
    this.lastRead = Date.now();
    this.keepaliveTimer = setInterval(() => {
      if (this.throttles.size > 0) {
        this.lastRead = Date.now(); // suspended while we are not reading
        return;
      }
      if (Date.now() - this.lastRead >= this.keepaliveMs) this.handler?.keepaliveTimeout();
    }, Math.max(100, Math.floor((seconds * 1000) / 2)));
    this.keepaliveTimer.unref();
  }

  throttle(reason: string, on: boolean): void {
    const before = this.throttles.size;
    if (on) this.throttles.add(reason);
    else this.throttles.delete(reason);
    if (before === 0 && this.throttles.size > 0) this.transport.pauseReading();
    else if (before > 0 && this.throttles.size === 0) {
      this.lastRead = Date.now();
      if (!this.closing) this.transport.resumeReading();
    }
  }

  isThrottled(reason: string): boolean {
    return this.throttles.has(reason);
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
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.keepaliveTimer = undefined;
    this.loginTimer = undefined;
  }
}
