// one-to-one with amqplib for both publisher and consumer, so there is a
// "real client" figure next to the raw load generator's.
import amqplib from 'amqplib';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { resourceName, type Counters, type RunningLoad, type Scenario, type ScenarioParams } from './types.js';

/** Publishes per event-loop turn before yielding to the consumer. */
const PER_TURN = 2000;

async function startAmqplibOneToOne(p: ScenarioParams): Promise<RunningLoad> {
  const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
  const url = `amqp://guest:guest@${p.host}:${p.port}/`;
  const queue = resourceName('amqplib', 'q0');
  const conns: ChannelModel[] = [];
  let failure: Error | undefined;
  let running = true;
  const track = (c: ChannelModel): ChannelModel => {
    conns.push(c);
    c.on('error', (err: Error) => {
      failure ??= err;
    });
    c.on('close', () => {
      if (running) failure ??= new Error('amqplib connection closed');
    });
    return c;
  };
  const stop = async (): Promise<void> => {
    running = false;
    const [pubConn, subConn] = conns;
    await pubConn?.close().catch(() => {});
    if (subConn) {
      try {
        const ch = await subConn.createChannel();
        await ch.deleteQueue(queue);
      } catch {
        // broker gone or queue already deleted
      }
      await subConn.close().catch(() => {});
    }
  };

  try {
    const pubConn = track(await amqplib.connect(url));
    const subConn = track(await amqplib.connect(url));
    const sub: Channel = await subConn.createChannel();
    await sub.assertQueue(queue, { durable: p.persistent, autoDelete: false });
    await sub.prefetch(p.prefetch);
    const ackEvery = Math.max(1, Math.min(p.ackEvery, p.prefetch || p.ackEvery));
    let sinceAck = 0;
    let wake: (() => void) | undefined;
    await sub.consume(queue, (msg: ConsumeMessage | null) => {
      if (!msg) return;
      counters.delivered++;
      if (++sinceAck >= ackEvery) {
        sub.ack(msg, true);
        sinceAck = 0;
      }
      if (wake) {
        const w = wake;
        wake = undefined;
        w();
      }
    }, { noAck: false });

    const pub: Channel = await pubConn.createChannel();
    const body = Buffer.alloc(p.size, 0x61);
    const opts = { deliveryMode: p.persistent ? 2 : 1 };
    const loop = async (): Promise<void> => {
      while (running) {
        if (counters.published - counters.delivered >= p.maxInflight) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        let ok = true;
        for (let i = 0; i < PER_TURN && ok && running; i++) {
          ok = pub.sendToQueue(queue, body, opts);
          counters.published++;
        }
        if (!ok) await new Promise<void>((resolve) => pub.once('drain', () => resolve()));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    loop().catch((err: unknown) => {
      failure ??= err instanceof Error ? err : new Error(String(err));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { counters, failure: () => failure, stop };
}

export const amqplibScenarios: Scenario[] = [
  {
    name: 'amqplib-one-to-one',
    description: 'one-to-one with amqplib publisher and consumer (real-client figure)',
    start: startAmqplibOneToOne,
  },
];
