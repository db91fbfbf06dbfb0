/**
 * The crash test of issue 4: a child-process broker (dist/src/main.js) with a
 * data_dir kept across restarts; amqplib publishes persistent messages with
 * confirms (window 200) into a durable queue while a consumer holds some of them
 * unacked; the broker is killed with SIGKILL at a random moment; after the
 * restart every confirmed message must be in the queue exactly once (none lost,
 * no duplicates), messages delivered-but-unacked well before the kill must come
 * back redelivered, and nothing acked in an earlier cycle may come back.
 * 3 crash cycles (4 broker starts). Set CRASH_SEED to replay a run.
 *
 * Needs `npm run build` (npm test does it).
 */
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floodUntilKilled } from '../../../bench/fault/confirmed-flood.js';
import { spawnBroker } from '../../helpers/broker.js';
import type { SpawnedBroker } from '../../helpers/broker.js';

const QUEUE = 'durability-crash';
const WINDOW = 200;
const CYCLES = 3;
/** a delivery older than this when the broker dies must come back redelivered (its mark was surely written) */
const MARK_GRACE_MS = 100;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}


async function start(dataDir: string): Promise<SpawnedBroker> {
  return spawnBroker([`data_dir = ${dataDir}`, 'mqtt.listeners.tcp.default = 0', 'stomp.listeners.tcp.1 = 0', 'web_stomp.tcp.port = 0', 'web_mqtt.tcp.port = 0', 'log.console.level = info']);
}

async function connect(port: number): Promise<ChannelModel> {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  c.on('error', () => {});
  return c;
}

interface CrashPhase {
  confirmed: Set<string>;
  /** id → ms before the kill at which the consumer got it (unacked) */
  heldUnacked: Map<string, number>;
  published: number;
}

/** Publishes with confirms (and holds some deliveries unacked) until the broker is SIGKILLed after `killAfterMs`. */
async function publishUntilKilled(b: SpawnedBroker, cycle: number, killAfterMs: number): Promise<CrashPhase> {
  const conn = await connect(b.port);
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => {});
  await ch.assertQueue(QUEUE, { durable: true });
  const consumer = await conn.createChannel();
  consumer.on('error', () => {});
  await consumer.prefetch(25);
  const deliveredAt = new Map<string, number>();
  await consumer.consume(QUEUE, (m) => {
    if (m) deliveredAt.set(m.properties.messageId as string, performance.now()); // never acked
  });

  const { confirmed, killTime, published } = await floodUntilKilled(ch, QUEUE, `c${cycle}`, WINDOW, killAfterMs, () => b.kill('SIGKILL'));
  conn.close().catch(() => {});
  const heldUnacked = new Map<string, number>();
  for (const [id, at] of deliveredAt) heldUnacked.set(id, killTime - at);
  return { confirmed, heldUnacked, published };
}

interface Drained {
  ids: string[];
  redelivered: Set<string>;
}

/** Takes everything out of the queue (basic.get until empty), acks it all, closes the channel cleanly. */
async function drain(b: SpawnedBroker): Promise<Drained> {
  const conn = await connect(b.port);
  const ch = await conn.createChannel();
  await ch.assertQueue(QUEUE, { durable: true });
  const ids: string[] = [];
  const redelivered = new Set<string>();
  for (;;) {
    const m = await ch.get(QUEUE, { noAck: false });
    if (!m) break;
    const id = m.properties.messageId as string;
    ids.push(id);
    if (m.fields.redelivered) redelivered.add(id);
  }
  ch.ackAll();
  await ch.close();
  await conn.close();
  return { ids, redelivered };
}

describe('durability: kill -9 during confirmed publishing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'polyport-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`every confirmed message survives ${CYCLES} SIGKILLs exactly once`, { timeout: 90_000 }, async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 1_000_000);
    const random = rng(seed);
    const report: string[] = [`seed ${seed}`];
    const everAcked = new Set<string>();
    let b = await start(dataDir);
    try {
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const phase = await publishUntilKilled(b, cycle, 150 + Math.floor(random() * 600));
        b = await start(dataDir);
        const recovered = b.logs.find((l) => l.msg === 'message store recovered');
        const got = await drain(b);

        const seen = new Map<string, number>();
        for (const id of got.ids) seen.set(id, (seen.get(id) ?? 0) + 1);
        const lost = [...phase.confirmed].filter((id) => !seen.has(id));
        const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        const resurrected = got.ids.filter((id) => everAcked.has(id));
        const missingFlag = [...phase.heldUnacked]
          .filter(([id, age]) => age > MARK_GRACE_MS && phase.confirmed.has(id) && !got.redelivered.has(id))
          .map(([id]) => id);
        report.push(
          `cycle ${cycle}: published ${phase.published}, confirmed ${phase.confirmed.size}, found ${got.ids.length}, ` +
            `lost ${lost.length}, duplicated ${duplicated.length}, resurrected ${resurrected.length}, ` +
            `held unacked ${phase.heldUnacked.size} (redelivered flag missing on ${missingFlag.length}), ` +
            `recovery log ${recovered ? JSON.stringify({ queues: recovered['queues'], messages: recovered['messages'], ms: recovered['ms'] }) : 'absent'}`,
        );
        for (const id of got.ids) everAcked.add(id);

        expect(phase.confirmed.size, report.join('\n')).toBeGreaterThan(0);
        expect(lost, `confirmed messages lost after kill -9\n${report.join('\n')}`).toEqual([]);
        expect(duplicated, report.join('\n')).toEqual([]);
        expect(resurrected, report.join('\n')).toEqual([]);
        expect(missingFlag, report.join('\n')).toEqual([]);
        expect(recovered, `no 'message store recovered' log line\n${report.join('\n')}`).toBeDefined();
      }
      console.log(report.join('\n'));
    } finally {
      await b.kill('SIGKILL');
    }
  });
});
