/**
 * ConnectionFlow: inbound and outbound flow control of one connection.
 *
 * Responsibilities
 * - Resource alarms, modelled on rabbit_reader's throttle: the core tells
 *   every session; an alarm is on for this connection while any of its
 *   channels reported `blocked`. A connection that published since it was
 *   last unblocked (`should_block`) is blocked as soon as an alarm is on; one
 *   that did not is blocked by its next publish. Blocked = the socket is no
 *   longer read (after the current chunk) and heartbeat monitoring pauses;
 *   consumers-only connections are never blocked. connection.blocked is sent
 *   when the connection becomes blocked and connection.unblocked when the
 *   alarms clear, only if the client advertised the `connection.blocked`
 *   capability, and at most once per episode.
 * - Output backpressure: a write over the transport's high-water mark marks
 *   the connection; consumers whose delivery hit it are resumed on drain,
 *   and reading pauses at the end of the inbound chunk until drain.
 * - Heartbeat monitoring is paused while reading is paused (pause_monitor).
 */
import type { AmqpConsumer } from './consumer.js';

export interface FlowHost {
  pauseReading(): void;
  resumeReading(): void;
  /** the connection is open and the client advertised connection.blocked */
  canNotifyBlocked(): boolean;
  sendBlocked(reason: string): void;
  sendUnblocked(): void;
  /** heartbeat monitor on/off */
  monitorPaused(paused: boolean): void;
}

export class ConnectionFlow {
  /** an alarm is on for this connection (some channel reported blocked) */
  private isBlocked = false;
  private reason = '';
  private readonly host: FlowHost;
  private blockedChannels = 0;
  private blockNotified = false;
  /** rabbit_reader `should_block`: a publish was seen since the last unblock */
  private published = false;
  private throttled = false;
  private overHwm = false;
  private hwmPaused = false;
  private readingPaused = false;
  private disabled = false;
  private pausedConsumers: AmqpConsumer[] = [];

  constructor(host: FlowHost) {
    this.host = host;
  }

  /** a write returned false */
  overHighWaterMark(): void {
    this.overHwm = true;
  }

  /** end of an inbound chunk: stop reading while the output is over the HWM */
  afterInbound(): void {
    if (this.overHwm && !this.hwmPaused) {
      this.hwmPaused = true;
      this.update();
    }
  }

  consumerPaused(c: AmqpConsumer): void {
    if (c.paused) return;
    c.paused = true;
    this.pausedConsumers.push(c);
  }

  drained(): void {
    this.overHwm = false;
    const list = this.pausedConsumers;
    if (list.length > 0) {
      this.pausedConsumers = [];
      for (const c of list) c.resume();
    }
    if (this.hwmPaused && !this.overHwm) {
      this.hwmPaused = false;
      this.update();
    }
  }

  channelBlocked(reason: string): void {
    if (this.blockedChannels++ > 0) return;
    this.isBlocked = true;
    this.reason = reason;
    this.maybeBlock();
  }

  /** the last channel that reported the alarm saw it clear (or closed) */
  channelUnblocked(): void {
    if (this.blockedChannels === 0 || --this.blockedChannels > 0) return;
    this.isBlocked = false;
    if (!this.throttled) return;
    this.throttled = false;
    this.published = false;
    if (this.blockNotified) {
      this.blockNotified = false;
      this.host.sendUnblocked();
    }
    this.update();
  }

  /** a publish was processed (cheap: one boolean unless an alarm is on) */
  publishSeen(): void {
    this.published = true;
    if (this.isBlocked) this.maybeBlock();
  }

  private maybeBlock(): void {
    if (this.throttled || !this.published || !this.isBlocked) return;
    this.throttled = true;
    if (!this.blockNotified && this.host.canNotifyBlocked()) {
      this.blockNotified = true;
      this.host.sendBlocked(this.reason);
    }
    this.update();
  }

  /** closing: read everything again (close-ok must get through), forget consumers */
  release(): void {
    this.throttled = false;
    this.hwmPaused = false;
    this.pausedConsumers = [];
    this.update();
  }

  /** the socket is gone */
  disable(): void {
    this.disabled = true;
    this.pausedConsumers = [];
  }

  private update(): void {
    const pause = this.throttled || this.hwmPaused;
    if (pause === this.readingPaused || this.disabled) return;
    this.readingPaused = pause;
    this.host.monitorPaused(pause);
    if (pause) this.host.pauseReading();
    else this.host.resumeReading();
  }
}
