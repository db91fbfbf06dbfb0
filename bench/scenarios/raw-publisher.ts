// Raw-client publishers: an unthrottled-but-bounded flood (optionally with a
// confirm window) and a fixed-rate, timestamped publisher for latency runs.
import { performance } from 'node:perf_hooks';
import { RawAmqpConnection } from '../amqp-raw-client.js';
import { bodyOffsetInPublish, encodePublish, repeatBuffer } from '../amqp-raw/wire.js';
import type { Counters, ScenarioParams } from './types.js';

const CH = 1;
/** Bytes per coalesced write. */
const BATCH_BYTES = 64 * 1024;
/** Bytes written per event-loop turn before yielding to the consumers. */
const TICK_BYTES = 512 * 1024;

export interface FloodOptions {
  exchange: string;
  routingKey: string;
  /** Messages the publisher may still send right now (in-flight bound); Infinity = unbounded. */
  credit: () => number;
  confirms: boolean;
}

export class RawPublisher {
  readonly conn: RawAmqpConnection;
  private running = false;
  private waitingCredit = false;
  private waitingDrain = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(conn: RawAmqpConnection) {
    this.conn = conn;
  }

  static async open(p: ScenarioParams, name: string, confirms: boolean): Promise<RawPublisher> {
    const conn = await RawAmqpConnection.connect({ host: p.host, port: p.port, name });
    await conn.openChannel(CH);
    if (confirms) await conn.confirmSelect(CH);
    return new RawPublisher(conn);
  }

  /** Publish as fast as the credit and socket buffer allow until stop(). */
  startFlood(p: ScenarioParams, counters: Counters, o: FloodOptions): void {
    const body = Buffer.alloc(p.size, 0x61);
    const unit = encodePublish(CH, o.exchange, o.routingKey, body, { persistent: p.persistent, frameMax: this.conn.frameMax });
    const perBatch = Math.max(1, Math.floor(BATCH_BYTES / unit.length));
    const batch = repeatBuffer(unit, perBatch); // never mutated: safe to write many times
    if (o.confirms) {
      this.conn.onConfirm = (_ch, tag, multiple) => {
        // broker tags are 1..published; with multiple=true everything up to tag is settled
        if (multiple) {
          if (tag > counters.confirmed) counters.confirmed = tag;
        } else counters.confirmed++;
        this.kick();
      };
    }
    this.running = true;
    this.conn.socket.on('drain', () => {
      this.waitingDrain = false;
      this.schedule();
    });
    const pump = (): void => {
      this.scheduled = false;
      let bytes = 0;
      while (this.running && bytes < TICK_BYTES) {
        if (this.conn.writableLength >= p.maxBuffered) {
          this.waitingDrain = true;
          return;
        }
        const n = Math.min(perBatch, o.credit());
        if (n <= 0) {
          this.waitingCredit = true;
          return;
        }
        const len = n * unit.length;
        this.conn.write(n === perBatch ? batch : batch.subarray(0, len));
        counters.published += n;
        bytes += len;
      }
      if (this.running) this.schedule();
    };
    this.pumpFn = pump;
    this.schedule();
  }

  private pumpFn: () => void = () => {};

  private schedule(): void {
    if (this.scheduled || !this.running || this.waitingDrain) return;
    this.scheduled = true;
    setImmediate(this.pumpFn);
  }

  /** Consumers/confirms call this when credit may have come back. */
  kick(): void {
    if (this.waitingCredit) {
      this.waitingCredit = false;
      this.schedule();
    }
  }

  /**
   * Fixed-rate publishing: every ~1 ms, send the messages that are due, each
   * body stamped with performance.now() (float64 ms) in its first 8 bytes.
   */
  startFixedRate(p: ScenarioParams, counters: Counters, exchange: string, routingKey: string): void {
    const size = Math.max(8, p.size);
    const unit = encodePublish(CH, exchange, routingKey, Buffer.alloc(size, 0x61),
      { persistent: p.persistent, frameMax: this.conn.frameMax });
    const bodyOff = bodyOffsetInPublish(unit, size);
    const maxPerTick = Math.max(1, Math.ceil(p.rate / 50)); // catch up at most 20 ms per tick
    const t0 = performance.now();
    let sent = 0;
    this.running = true;
    const tick = (): void => {
      if (!this.running) return;
      const now = performance.now();
      const due = Math.min(maxPerTick, Math.floor(((now - t0) / 1000) * p.rate) - sent);
      if (due > 0 && this.conn.writableLength < p.maxBuffered * 8) {
        const buf = repeatBuffer(unit, due); // fresh buffer: stamped bytes must not change after write()
        for (let i = 0; i < due; i++) buf.writeDoubleLE(now, i * unit.length + bodyOff);
        this.conn.write(buf);
        sent += due;
        counters.published += due;
      } else if (due > 0) {
        sent += due; // broker not reading: skip rather than queue unboundedly in the client
      }
      this.timer = setTimeout(tick, 1);
    };
    tick();
  }

  /** Stop writing (buffered bytes are still flushed). */
  halt(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }
}
