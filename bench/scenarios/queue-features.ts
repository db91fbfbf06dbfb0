// The cost of queue features (issue 5): the one-to-one shape (1 publisher → default
// exchange → 1 queue → 1 consumer, transient, --prefetch, multi-ack every --ack-every,
// bounded in-flight) on three queues that differ only in their arguments:
//   plain-queue  no arguments (the baseline, declared the same way as the others)
//   ttl          x-message-ttl 60000 (every message gets an expiry; none expires in a run)
//   priority10   x-max-priority 10, messages published round-robin over priorities 0–9
// The queue is declared with amqplib (the raw client's declare has no arguments); the
// publisher and the consumer are the raw load generator. The publisher here is the
// raw flood publisher's loop over a pre-encoded batch that may mix priorities.
import amqplib from 'amqplib';
import { RawAmqpConnection } from '../amqp-raw-client.js';
import { DELIVERY_MODE_FLAG, FRAME_BODY, FRAME_HEADER, M, Writer, frame, methodFrame } from '../amqp-raw/wire.js';
import { RawConsumer } from './raw-consumer.js';
import { resourceName, type Counters, type RunningLoad, type Scenario, type ScenarioParams } from './types.js';

const CH = 1;
const BATCH_BYTES = 64 * 1024;
const TICK_BYTES = 512 * 1024;
const PRIORITY_FLAG = 0x0800;

/** basic.publish + header (delivery-mode, optional priority) + one body frame. */
function encodeUnit(routingKey: string, body: Buffer, persistent: boolean, priority: number | undefined): Buffer {
  const method = methodFrame(CH, M.basicPublish, (w) => w.short(0).shortstr('').shortstr(routingKey).bits(false, false));
  const w = new Writer().short(60).short(0).longlong(body.length)
    .short(DELIVERY_MODE_FLAG | (priority === undefined ? 0 : PRIORITY_FLAG)).octet(persistent ? 2 : 1);
  if (priority !== undefined) w.octet(priority);
  return Buffer.concat([method, frame(FRAME_HEADER, CH, w.done()), frame(FRAME_BODY, CH, body)]);
}

/** Flood publisher over a batch cycling through `units` (all the same length). */
class MixedFlood {
  readonly conn: RawAmqpConnection;
  private readonly p: ScenarioParams;
  private readonly counters: Counters;
  private readonly credit: () => number;
  private readonly batch: Buffer;
  private readonly unitLen: number;
  private readonly perBatch: number;
  private running = true;
  private waitingCredit = false;
  private waitingDrain = false;
  private scheduled = false;

  constructor(conn: RawAmqpConnection, p: ScenarioParams, counters: Counters, units: Buffer[], credit: () => number) {
    this.conn = conn;
    this.p = p;
    this.counters = counters;
    this.credit = credit;
    const unitLen = (units[0] as Buffer).length;
    const perBatch = Math.max(units.length, Math.floor(BATCH_BYTES / unitLen / units.length) * units.length);
    const batch = Buffer.allocUnsafe(perBatch * unitLen);
    for (let i = 0; i < perBatch; i++) (units[i % units.length] as Buffer).copy(batch, i * unitLen);
    this.batch = batch;
    this.unitLen = unitLen;
    this.perBatch = perBatch;
    conn.socket.on('drain', () => {
      this.waitingDrain = false;
      this.schedule();
    });
    this.schedule();
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    let bytes = 0;
    while (this.running && bytes < TICK_BYTES) {
      if (this.conn.writableLength >= this.p.maxBuffered) {
        this.waitingDrain = true;
        return;
      }
      const n = Math.min(this.perBatch, Math.floor(this.credit()));
      if (n <= 0) {
        this.waitingCredit = true;
        return;
      }
      const len = n * this.unitLen;
      this.conn.write(n === this.perBatch ? this.batch : this.batch.subarray(0, len));
      this.counters.published += n;
      bytes += len;
    }
    if (this.running) this.schedule();
  };

  private schedule(): void {
    if (this.scheduled || !this.running || this.waitingDrain) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  kick(): void {
    if (this.waitingCredit) {
      this.waitingCredit = false;
      this.schedule();
    }
  }

  halt(): void {
    this.running = false;
  }
}

interface FeatureOptions {
  args: Record<string, number>;
  /** priorities to cycle through; undefined = no priority property */
  priorities?: number[];
}

async function startFeature(p: ScenarioParams, scenario: string, o: FeatureOptions): Promise<RunningLoad> {
  const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
  const url = `amqp://guest:guest@${p.host}:${p.port}/`;
  const queue = resourceName(scenario, 'q0');
  const admin = await amqplib.connect(url);
  let adminFailure: Error | undefined;
  admin.on('error', (err: Error) => {
    adminFailure ??= err;
  });
  const adminCh = await admin.createChannel();
  await adminCh.assertQueue(queue, { durable: p.persistent, arguments: o.args });
  let consumer: RawConsumer | undefined;
  let flood: MixedFlood | undefined;
  let pubConn: RawAmqpConnection | undefined;
  const stop = async (): Promise<void> => {
    flood?.halt();
    await pubConn?.close(2000);
    try {
      await adminCh.deleteQueue(queue);
    } catch {
      // broker gone
    }
    await admin.close().catch(() => {});
    await consumer?.conn.close(2000);
  };
  try {
    pubConn = await RawAmqpConnection.connect({ host: p.host, port: p.port, name: `${scenario}-publisher` });
    await pubConn.openChannel(CH);
    const body = Buffer.alloc(p.size, 0x61);
    const units = (o.priorities ?? [undefined]).map((prio) => encodeUnit(queue, body, p.persistent, prio));
    if (units.some((u) => u.length !== (units[0] as Buffer).length)) throw new Error('units differ in length');
    consumer = await RawConsumer.open(p, `${scenario}-consumer`);
    let kick = (): void => {};
    await consumer.consume(p, queue, counters, () => kick());
    flood = new MixedFlood(pubConn, p, counters, units, () => p.maxInflight - (counters.published - counters.delivered));
    const f = flood;
    kick = () => f.kick();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    counters,
    failure: () => adminFailure ?? pubConn?.failure ?? consumer?.conn.failure,
    stop,
  };
}

export const queueFeatureScenarios: Scenario[] = [
  {
    name: 'plain-queue',
    description: 'one-to-one on a queue declared like the feature ones, no arguments (baseline for ttl/priority10)',
    start: (p) => startFeature(p, 'plain-queue', { args: {} }),
  },
  {
    name: 'ttl',
    description: 'one-to-one on a queue with x-message-ttl 60000 (nothing expires during the run)',
    start: (p) => startFeature(p, 'ttl', { args: { 'x-message-ttl': 60000 } }),
  },
  {
    name: 'priority10',
    description: 'one-to-one on an x-max-priority 10 queue, messages round-robin over priorities 0-9',
    start: (p) => startFeature(p, 'priority10', { args: { 'x-max-priority': 10 }, priorities: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }),
  },
];
