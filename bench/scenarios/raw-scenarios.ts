// The raw-client scenarios: one-to-one, fanout (N queues), fixed-rate latency
// and publisher confirms. Topology is declared and deleted over a separate
// admin connection so teardown never queues behind megabytes of publishes.
import { RawAmqpConnection } from '../amqp-raw-client.js';
import { Histogram } from '../lib/histogram.js';
import { RawConsumer } from './raw-consumer.js';
import { RawPublisher } from './raw-publisher.js';
import { resourceName, type Counters, type RunningLoad, type Scenario, type ScenarioParams } from './types.js';

const ADMIN_CH = 1;

interface Topology {
  admin: RawAmqpConnection;
  exchange: string; // '' = default exchange
  queues: string[];
}

async function declareTopology(p: ScenarioParams, scenario: string, queueCount: number, fanout: boolean):
  Promise<Topology> {
  const admin = await RawAmqpConnection.connect({ host: p.host, port: p.port, name: `${scenario}-admin` });
  await admin.openChannel(ADMIN_CH);
  const queues: string[] = [];
  for (let i = 0; i < queueCount; i++) {
    const q = resourceName(scenario, `q${i}`);
    await admin.declareQueue(ADMIN_CH, q, { durable: p.persistent });
    queues.push(q);
  }
  let exchange = '';
  if (fanout) {
    exchange = resourceName(scenario, 'fanout');
    await admin.declareExchange(ADMIN_CH, exchange, 'fanout', p.persistent);
    for (const q of queues) await admin.bindQueue(ADMIN_CH, q, exchange, '');
  }
  return { admin, exchange, queues };
}

async function deleteTopology(t: Topology): Promise<void> {
  try {
    for (const q of t.queues) await t.admin.deleteQueue(ADMIN_CH, q);
    if (t.exchange) await t.admin.deleteExchange(ADMIN_CH, t.exchange);
  } catch {
    // broker already gone or channel closed: nothing more to clean
  }
  await t.admin.close();
}

interface RawRunOptions {
  fanout: boolean;
  queueCount: number;
  confirms: boolean;
  latency: boolean;
}

async function startRaw(p: ScenarioParams, scenario: string, o: RawRunOptions): Promise<RunningLoad> {
  const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
  const histogram = o.latency ? new Histogram() : undefined;
  const topo = await declareTopology(p, scenario, o.queueCount, o.fanout);
  const consumers: RawConsumer[] = [];
  let publisher: RawPublisher | undefined;
  const stop = async (): Promise<void> => {
    publisher?.halt();
    await publisher?.conn.close(2000);
    await deleteTopology(topo);
    await Promise.all(consumers.map((c) => c.conn.close(2000)));
  };
  try {
    publisher = await RawPublisher.open(p, `${scenario}-publisher`, o.confirms);
    const pub = publisher;
    const kick = (): void => pub.kick();
    for (const q of topo.queues) {
      const c = await RawConsumer.open(p, `${scenario}-consumer`);
      consumers.push(c);
      await c.consume(p, q, counters, kick, histogram);
    }
    const routingKey = o.fanout ? '' : (topo.queues[0] as string);
    if (o.latency) {
      pub.startFixedRate(p, counters, topo.exchange, routingKey);
    } else {
      const perQueue = o.queueCount;
      const credit = o.confirms
        ? (): number => Math.min(p.window - (counters.published - counters.confirmed),
          p.maxInflight - (counters.published - counters.delivered / perQueue))
        : (): number => p.maxInflight - (counters.published - counters.delivered / perQueue);
      pub.startFlood(p, counters, { exchange: topo.exchange, routingKey, credit: () => Math.floor(credit()),
        confirms: o.confirms });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const all = (): RawAmqpConnection[] => [topo.admin, ...(publisher ? [publisher.conn] : []), ...consumers.map((c) => c.conn)];
  return {
    counters,
    histogram,
    failure: () => all().find((c) => c.failure)?.failure,
    stop,
  };
}

export const rawScenarios: Scenario[] = [
  {
    name: 'one-to-one',
    description: '1 publisher → 1 queue → 1 consumer, transient, prefetch + multi-ack, bounded in-flight',
    start: (p) => startRaw(p, 'one-to-one', { fanout: false, queueCount: 1, confirms: false, latency: false }),
  },
  {
    name: 'fanout10',
    description: '1 publisher → fanout exchange → --queues queues (default 10), one consumer connection each',
    start: (p) => startRaw(p, 'fanout10', { fanout: true, queueCount: p.queues, confirms: false, latency: false }),
  },
  {
    name: 'latency',
    description: 'fixed --rate msg/s, send timestamp in the body, end-to-end latency percentiles',
    start: (p) => startRaw(p, 'latency', { fanout: false, queueCount: 1, confirms: false, latency: true }),
  },
  {
    name: 'confirms',
    description: 'one-to-one with publisher confirms and a --window of unconfirmed messages',
    start: (p) => startRaw(p, 'confirms', { fanout: false, queueCount: 1, confirms: true, latency: false }),
  },
];
