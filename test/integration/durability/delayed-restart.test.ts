/**
 * Issue 5, delayed messages after a restart: a child-process broker with a
 * data_dir kept across restarts (as crash.test.ts); amqplib declares a durable
 * x-delayed-message exchange and a durable queue, publishes persistent messages
 * with x-delay 1500 ms under confirms; the broker is killed (SIGKILL, and
 * SIGTERM) before they are due and restarted; every confirmed message reaches
 * the queue once, none before its due time, and a later restart brings
 * nothing back (the releases were acked).
 *
 * Needs `npm run build` (npm test does it).
 */
import amqp from 'amqplib';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnBroker } from '../../helpers/broker.js';
import type { SpawnedBroker } from '../../helpers/broker.js';

const DELAY = 1500;
const COUNT = 40;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function start(dataDir: string): Promise<SpawnedBroker> {
  return spawnBroker([`data_dir = ${dataDir}`, 'mqtt.listeners.tcp.default = 0', 'stomp.listeners.tcp.1 = 0', 'web_stomp.tcp.port = 0', 'web_mqtt.tcp.port = 0', 'log.console.level = info']);
}

async function connect(port: number): Promise<ChannelModel> {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  c.on('error', () => {});
  return c;
}

/** Declares the topology and publishes COUNT persistent delayed messages with confirms; returns the time before the first publish. */
async function publishDelayed(b: SpawnedBroker, exchange: string, queue: string): Promise<number> {
  const conn = await connect(b.port);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange(exchange, 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
  await ch.assertQueue(queue, { durable: true });
  await ch.bindQueue(queue, exchange, 'k');
  const t0 = Date.now();
  for (let i = 0; i < COUNT; i++) {
    ch.publish(exchange, 'k', Buffer.from(`m${i}`), { persistent: true, messageId: `m${i}`, headers: { 'x-delay': DELAY } });
  }
  await ch.waitForConfirms();
  await conn.close().catch(() => {});
  return t0;
}

interface Arrival {
  id: string;
  at: number;
  delayHeader: unknown;
}

/** Consumes `queue` (auto-ack) until `n` messages arrived (or the timeout), then `settleMs` more to catch duplicates. */
async function consume(b: SpawnedBroker, queue: string, n: number, timeoutMs: number, settleMs: number): Promise<Arrival[]> {
  const conn = await connect(b.port);
  const ch = await conn.createChannel();
  const got: Arrival[] = [];
  await ch.consume(queue, (m: ConsumeMessage | null) => {
    if (m) got.push({ id: m.properties.messageId as string, at: Date.now(), delayHeader: m.properties.headers?.['x-delay'] });
  }, { noAck: true });
  const end = Date.now() + timeoutMs;
  while (got.length < n && Date.now() < end) await sleep(20);
  await sleep(settleMs);
  await conn.close().catch(() => {});
  return got;
}

const ids = Array.from({ length: COUNT }, (_, i) => `m${i}`);

describe('durable delayed exchange across restarts (child process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyport-delayed-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('confirmed persistent delayed messages survive kill -9 and arrive after their delay: none lost, none early, no duplicates', { timeout: 60_000 }, async () => {
    let b = await start(dataDir);
    try {
      const t0 = await publishDelayed(b, 'delayed-x', 'delayed-q');
      expect(Date.now() - t0).toBeLessThan(DELAY); // killed while everything is still held
      await b.kill('SIGKILL');
      b = await start(dataDir);
      const got = await consume(b, 'delayed-q', COUNT, 10_000, 300);
      expect(got.map((g) => g.id)).toEqual(ids); // all, once, in publish order
      for (const g of got) {
        expect(g.at).toBeGreaterThanOrEqual(t0 + DELAY);
        expect(g.delayHeader).toBe(-DELAY);
      }

      // a graceful restart while held works too
      const t1 = await publishDelayed(b, 'delayed-x', 'delayed-q');
      await b.kill('SIGTERM');
      b = await start(dataDir);
      const again = await consume(b, 'delayed-q', COUNT, 10_000, 300);
      expect(again.map((g) => g.id)).toEqual(ids);
      for (const g of again) expect(g.at).toBeGreaterThanOrEqual(t1 + DELAY);
      await sleep(600); // the released records' acks are written (batched, 250 ms)

      // released messages are not held any more: another crash brings nothing back
      await b.kill('SIGKILL');
      b = await start(dataDir);
      const none = await consume(b, 'delayed-q', 1, 2500, 0);
      expect(none).toEqual([]);
    } finally {
      await b.kill('SIGKILL');
    }
  });
});
