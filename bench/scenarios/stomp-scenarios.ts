// STOMP scenarios: /queue 1:1 with ack auto and client-individual (flood,
// bounded in-flight), the same over WebSocket, and a fixed-rate latency run.
// One producer connection (pre-encoded SEND frames, 64 KiB batched writes) and
// one consumer connection (SUBSCRIBE prefetch-count, ACK frames batched per
// read). The queue is deleted afterwards over AMQP (both brokers serve it).
import { performance } from 'node:perf_hooks';
import { RawAmqpConnection } from '../amqp-raw-client.js';
import { Histogram } from '../lib/histogram.js';
import { sleep } from '../lib/ports.js';
import { encodeFrame, headerValue, StompClient, type StompTransport } from './stomp-client.js';
import { resourceName, type Counters, type RunningLoad, type ScenarioParams } from './types.js';

export interface StompParams extends ScenarioParams {
  /** AMQP port of the same broker, to delete the queue afterwards */
  amqpPort: number;
  /** WebSocket clients offer permessage-deflate */
  deflate: boolean;
}

export interface StompScenario {
  name: string;
  description: string;
  transport: StompTransport;
  start(p: StompParams): Promise<RunningLoad>;
}

type AckMode = 'auto' | 'client-individual';

const BATCH_BYTES = 64 * 1024;
const TICK_BYTES = 512 * 1024;
const ACK_HEADER = Buffer.from('ack:');
const TS_DIGITS = 16;

function flood(c: StompClient, p: ScenarioParams, counters: Counters, destination: string): { kick(): void; stop(): void } {
  const unit = encodeFrame('SEND', { destination, 'content-length': String(p.size) }, Buffer.alloc(p.size, 0x61));
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / unit.length));
  const batch = Buffer.concat(Array.from({ length: perBatch }, () => unit));
  let running = true;
  let scheduled = false;
  let waitingCredit = false;
  const schedule = (): void => {
    if (scheduled || !running) return;
    scheduled = true;
    setImmediate(pump);
  };
  function pump(): void {
    scheduled = false;
    let bytes = 0;
    while (running && bytes < TICK_BYTES) {
      if (c.buffered >= p.maxBuffered) {
        if (c.isWs) setTimeout(schedule, 1); // ws has no 'drain'
        return; // TCP: onDrain reschedules
      }
      const n = Math.min(perBatch, p.maxInflight - (counters.published - counters.delivered));
      if (n <= 0) {
        waitingCredit = true;
        return;
      }
      c.write(n === perBatch ? batch : batch.subarray(0, n * unit.length));
      counters.published += n;
      bytes += n * unit.length;
    }
    schedule();
  }
  c.onDrain = schedule;
  schedule();
  return {
    kick() {
      if (waitingCredit) {
        waitingCredit = false;
        schedule();
      }
    },
    stop() {
      running = false;
    },
  };
}

/** Fixed rate, every ~1 ms; the body starts with performance.now() in ASCII (text WebSocket frames stay valid UTF-8). */
function fixedRate(c: StompClient, p: ScenarioParams, counters: Counters, destination: string): { stop(): void } {
  const size = Math.max(TS_DIGITS, p.size);
  const unit = encodeFrame('SEND', { destination, 'content-length': String(size) }, Buffer.alloc(size, 0x61));
  const bodyOff = unit.length - 1 - size;
  const maxPerTick = Math.max(1, Math.ceil(p.rate / 50));
  const t0 = performance.now();
  let sent = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    const now = performance.now();
    const due = Math.min(maxPerTick, Math.floor(((now - t0) / 1000) * p.rate) - sent);
    if (due > 0 && c.buffered < p.maxBuffered) {
      const stamp = now.toFixed(3).padStart(TS_DIGITS, '0');
      const buf = Buffer.concat(Array.from({ length: due }, () => unit));
      for (let i = 0; i < due; i++) buf.write(stamp, i * unit.length + bodyOff, 'latin1');
      c.write(buf);
      sent += due;
      counters.published += due;
    }
    setTimeout(tick, 1);
  };
  tick();
  return {
    stop() {
      running = false;
    },
  };
}

async function subscribe(c: StompClient, destination: string, ack: AckMode, prefetch: number): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    c.reader.onFrame = (buf, start, he) => {
      const cmd = buf.toString('latin1', start, buf.indexOf(10, start));
      if (cmd === 'RECEIPT') resolve();
      else reject(new Error(`SUBSCRIBE: expected RECEIPT, got ${cmd} ${buf.toString('utf8', start, he)}`));
    };
    c.onError = reject;
  });
  c.write(encodeFrame('SUBSCRIBE', { id: '0', destination, ack, 'prefetch-count': String(prefetch), receipt: 'sub-0' }));
  await ready;
}

function scenario(name: string, description: string, transport: StompTransport, ack: AckMode, latency: boolean): StompScenario {
  return {
    name,
    description,
    transport,
    async start(p: StompParams): Promise<RunningLoad> {
      const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
      const histogram = latency ? new Histogram() : undefined;
      const queue = resourceName(name, 'q');
      const destination = `/queue/${queue}`;
      const opts = { host: p.host, port: p.port, transport, deflate: p.deflate };
      let failure: Error | undefined;
      const fail = (err: Error): void => {
        failure ??= err;
      };
      const consumer = await StompClient.connect(opts);
      const producer = await StompClient.connect(opts);
      await subscribe(consumer, destination, ack, p.prefetch);
      consumer.onError = fail;
      producer.onError = fail;
      let load: { kick?(): void; stop(): void } | undefined;
      const acks: string[] = [];
      consumer.reader.onFrame = (buf, start, he, bs) => {
        if (buf[start] !== 0x4d /* M */) {
          fail(new Error(`consumer got ${buf.toString('utf8', start, he)}`));
          return;
        }
        counters.delivered++;
        if (ack === 'client-individual') acks.push(`ACK\nid:${headerValue(buf, start, he, ACK_HEADER)}\n\n\0`);
        if (histogram) histogram.record((performance.now() - Number(buf.toString('latin1', bs, bs + TS_DIGITS))) * 1000);
      };
      consumer.afterRead = () => {
        if (acks.length > 0) {
          consumer.write(Buffer.from(acks.join(''), 'latin1'));
          acks.length = 0;
        }
        load?.kick?.();
      };
      load = latency ? fixedRate(producer, p, counters, destination) : flood(producer, p, counters, destination);
      return {
        counters,
        ...(histogram ? { histogram } : {}),
        failure: () => failure,
        async stop() {
          load?.stop();
          await sleep(100);
          await Promise.all([producer.close(), consumer.close()]);
          await deleteQueue(p, queue);
        },
      };
    },
  };
}

async function deleteQueue(p: StompParams, queue: string): Promise<void> {
  const admin = await RawAmqpConnection.connect({ host: p.host, port: p.amqpPort, name: 'stomp-bench-admin' });
  try {
    await admin.openChannel(1);
    await admin.deleteQueue(1, queue);
  } finally {
    await admin.close();
  }
}

export const stompScenarios: StompScenario[] = [
  scenario('stomp-queue-auto', '/queue 1:1 over TCP, SUBSCRIBE ack:auto, flood (bounded in-flight)', 'tcp', 'auto', false),
  scenario('stomp-queue-ci', '/queue 1:1 over TCP, ack:client-individual prefetch-count, one ACK per MESSAGE', 'tcp', 'client-individual', false),
  scenario('stomp-ws-queue-auto', '/queue 1:1 over Web STOMP (ws, text frames), ack:auto', 'ws', 'auto', false),
  scenario('stomp-ws-queue-ci', '/queue 1:1 over Web STOMP, ack:client-individual prefetch-count', 'ws', 'client-individual', false),
  scenario('stomp-latency', '/queue 1:1 over TCP at a fixed --rate, client-individual: p50/p99 end-to-end', 'tcp', 'client-individual', true),
];
