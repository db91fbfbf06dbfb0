// Fills one durable queue with N persistent messages over the raw client, with
// publisher confirms and a bounded confirm window (no consumer), and reports
// progress at the milestones asked for. Used by bench/durability.ts.
import { RawAmqpConnection } from '../amqp-raw-client.js';
import { RawPublisher } from './raw-publisher.js';
import { DEFAULT_PARAMS, type Counters, type ScenarioParams } from './types.js';

export interface FillOptions {
  host: string;
  port: number;
  queue: string;
  messages: number;
  size: number;
  /** unconfirmed messages allowed in flight */
  window: number;
  /** stop early after this long (ms); the result says how many were confirmed */
  deadlineMs: number;
  /** called once when `confirmed` first reaches each milestone */
  milestones?: number[];
  onMilestone?: (confirmed: number, elapsedMs: number) => void;
}

export interface FillResult {
  published: number;
  confirmed: number;
  ms: number;
  timedOut: boolean;
}

export async function declareDurableQueue(host: string, port: number, queue: string): Promise<void> {
  const admin = await RawAmqpConnection.connect({ host, port, name: 'durability-admin' });
  await admin.openChannel(1);
  await admin.declareQueue(1, queue, { durable: true });
  await admin.close();
}

export async function fillQueue(o: FillOptions): Promise<FillResult> {
  const p: ScenarioParams = { ...DEFAULT_PARAMS, host: o.host, port: o.port, size: o.size, persistent: true, window: o.window };
  const pub = await RawPublisher.open(p, 'durability-fill', true);
  const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
  const milestones = [...(o.milestones ?? [])].sort((a, b) => a - b);
  const t0 = Date.now();
  let timedOut = false;
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      while (milestones.length > 0 && counters.confirmed >= milestones[0]!) o.onMilestone?.(milestones.shift()!, Date.now() - t0);
      if (counters.confirmed >= o.messages) {
        clearInterval(check);
        resolve();
      } else if (Date.now() - t0 > o.deadlineMs || pub.conn.failure) {
        timedOut = true;
        clearInterval(check);
        resolve();
      }
    }, 20);
    pub.startFlood(p, counters, {
      exchange: '',
      routingKey: o.queue,
      credit: () => Math.min(o.messages - counters.published, o.window - (counters.published - counters.confirmed)),
      confirms: true,
    });
  });
  pub.halt();
  const ms = Date.now() - t0;
  await pub.conn.close(5000);
  if (pub.conn.failure) throw pub.conn.failure;
  return { published: counters.published, confirmed: counters.confirmed, ms, timedOut };
}
