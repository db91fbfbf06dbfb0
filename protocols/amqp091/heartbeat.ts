/**
 * AMQP 0-9-1 heartbeats for one connection (RabbitMQ rabbit_heartbeat).
 *
 * Responsibilities
 * - Send side: every heartbeat/2 seconds, if nothing at all was written since
 *   the previous tick, write a heartbeat frame.
 * - Receive side: a peer that has sent nothing for two whole heartbeat
 *   intervals is dead ("missed heartbeats from client, timeout: Ns"); RabbitMQ
 *   then closes the socket without a connection.close.
 * - Monitoring pauses while the connection stops reading the socket (blocked
 *   publisher, write backpressure), as RabbitMQ's pause_monitor does, so a
 *   throttled client is not declared dead.
 *
 * One timer per connection; the hot paths only flip booleans.
 */

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  /** half-intervals without any inbound byte */
  private silentTicks = 0;
  private wrote = false;
  private paused = false;
  private readonly sendBeat: () => void;
  private readonly onDead: () => void;

  constructor(sendBeat: () => void, onDead: () => void) {
    this.sendBeat = sendBeat;
    this.onDead = onDead;
  }

  /** Start with the negotiated interval in seconds (0 disables). */
  start(seconds: number): void {
    this.stop();
    if (seconds <= 0) return;
    const halfMs = Math.max(1, Math.floor((seconds * 1000) / 2));
    this.timer = setInterval(() => this.tick(), halfMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** inbound bytes arrived */
  markRead(): void {
    this.silentTicks = 0;
  }

  /** outbound bytes were queued */
  markWritten(): void {
    this.wrote = true;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.silentTicks = 0;
  }

  private tick(): void {
    if (!this.wrote) this.sendBeat();
    this.wrote = false;
    if (this.paused) return;
    // 4 half-intervals = 2 missed heartbeats
    if (++this.silentTicks >= 4) {
      this.stop();
      this.onDead();
    }
  }
}
