// Raw-client consumer: prefetch, noAck=false, basic.ack multiple=true every N
// deliveries; optional latency recording from a timestamp in the body.
import { performance } from 'node:perf_hooks';
import { RawAmqpConnection } from '../amqp-raw-client.js';
import type { Histogram } from '../lib/histogram.js';
import type { Counters, ScenarioParams } from './types.js';

const CH = 1;

export class RawConsumer {
  readonly conn: RawAmqpConnection;

  private constructor(conn: RawAmqpConnection) {
    this.conn = conn;
  }

  static async open(p: ScenarioParams, name: string): Promise<RawConsumer> {
    const conn = await RawAmqpConnection.connect({ host: p.host, port: p.port, name });
    await conn.openChannel(CH);
    await conn.qos(CH, p.prefetch);
    return new RawConsumer(conn);
  }

  /**
   * Start consuming `queue`. `onProgress` runs once per received chunk (used to
   * give the publisher credit back). With `latency`, the first 8 body bytes are
   * read as a performance.now() timestamp.
   */
  async consume(p: ScenarioParams, queue: string, counters: Counters, onProgress: () => void,
    latency?: Histogram): Promise<void> {
    // acking less often than the prefetch window would stall the consumer
    const ackEvery = Math.max(1, Math.min(p.ackEvery, p.prefetch > 0 ? p.prefetch : p.ackEvery));
    let lastAcked = 0;
    const conn = this.conn;
    if (latency) {
      conn.onDeliver = (ch, tag, body, off, len) => {
        counters.delivered++;
        if (len >= 8) latency.record((performance.now() - body.readDoubleLE(off)) * 1000);
        if (tag - lastAcked >= ackEvery) {
          conn.ack(ch, tag, true);
          lastAcked = tag;
        }
      };
    } else {
      conn.onDeliver = (ch, tag) => {
        counters.delivered++;
        if (tag - lastAcked >= ackEvery) {
          conn.ack(ch, tag, true);
          lastAcked = tag;
        }
      };
    }
    conn.onDataEnd = onProgress;
    await conn.consume(CH, queue, `bench-${queue}`, false);
  }
}
