/**
 * Fault script (issue 4): N crash cycles (default 20) of "publish persistent
 * messages with confirms into a durable queue, SIGKILL the broker at a random
 * moment, restart it on the same data_dir, drain the queue", printing per cycle
 * how many confirmed messages were lost or duplicated, and totals. Exit code 1
 * when anything was lost or duplicated.
 *
 *   npx tsc -b && node dist/bench/fault/crash-loop.js [--cycles 20] [--seed N] [--max-kill-ms 800] [--keep]
 *   npx tsx bench/fault/crash-loop.ts --cycles 5
 *
 * Bounded: each cycle publishes for at most --max-kill-ms, a drain stops at an
 * empty queue, the whole run aborts after --deadline-s (default 300). 127.0.0.1
 * only; the temp directory is removed at the end (unless --keep), the broker
 * is killed on every exit path.
 */
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker } from './broker-process.js';
import { floodUntilKilled } from './confirmed-flood.js';
import type { BrokerProcess } from './broker-process.js';

const QUEUE = 'fault-crash-loop';
const WINDOW = 200;

const { values: args } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    seed: { type: 'string' },
    'max-kill-ms': { type: 'string', default: '800' },
    'deadline-s': { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});
const cycles = Number(args.cycles);
const seed = Number(args.seed ?? Date.now() % 1_000_000);
const maxKillMs = Number(args['max-kill-ms']);

let state = seed >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
}


async function connect(port: number): Promise<ChannelModel> {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  c.on('error', () => {});
  return c;
}

async function publishUntilKilled(b: BrokerProcess, cycle: number, killAfterMs: number): Promise<{ published: number; confirmed: Set<string> }> {
  const conn = await connect(b.port);
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => {});
  await ch.assertQueue(QUEUE, { durable: true });
  const r = await floodUntilKilled(ch, QUEUE, `c${cycle}`, WINDOW, killAfterMs, () => b.kill('SIGKILL'));
  conn.close().catch(() => {});
  return { published: r.published, confirmed: r.confirmed };
}

async function drain(b: BrokerProcess): Promise<string[]> {
  const conn = await connect(b.port);
  const ch = await conn.createChannel();
  await ch.assertQueue(QUEUE, { durable: true });
  const ids: string[] = [];
  for (;;) {
    const m = await ch.get(QUEUE, { noAck: false });
    if (!m) break;
    ids.push(m.properties.messageId as string);
  }
  ch.ackAll();
  await ch.close();
  await conn.close();
  return ids;
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'polyport-crash-loop-'));
  const dataDir = join(work, 'data');
  const deadline = Date.now() + Number(args['deadline-s']) * 1000;
  let broker: BrokerProcess | undefined;
  const onSignal = (): void => void broker?.kill('SIGKILL').finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  const totals = { published: 0, confirmed: 0, lost: 0, duplicated: 0, resurrected: 0, recoveryMs: [] as number[] };
  console.log(`crash-loop: ${cycles} cycles, seed ${seed}, data_dir ${dataDir}`);
  console.log('cycle  published  confirmed  found  lost  dup  resurrected  recovery');
  try {
    const acked = new Set<string>();
    broker = await startBroker(work, dataDir);
    for (let cycle = 1; cycle <= cycles; cycle++) {
      if (Date.now() > deadline) {
        console.log(`deadline reached after ${cycle - 1} cycles`);
        break;
      }
      const phase = await publishUntilKilled(broker, cycle, 100 + Math.floor(random() * maxKillMs));
      broker = await startBroker(work, dataDir);
      const rec = broker.logs.find((l) => l.msg === 'message store recovered');
      const ids = await drain(broker);
      const seen = new Map<string, number>();
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
      const lost = [...phase.confirmed].filter((id) => !seen.has(id)).length;
      const dup = [...seen.values()].filter((n) => n > 1).length;
      const resurrected = ids.filter((id) => acked.has(id)).length;
      for (const id of ids) acked.add(id);
      totals.published += phase.published;
      totals.confirmed += phase.confirmed.size;
      totals.lost += lost;
      totals.duplicated += dup;
      totals.resurrected += resurrected;
      if (rec && typeof rec['ms'] === 'number') totals.recoveryMs.push(rec['ms']);
      const recText = rec ? `${String(rec['messages'])} msgs in ${String(rec['ms'])} ms` : 'no log line';
      console.log(
        `${String(cycle).padStart(5)}  ${String(phase.published).padStart(9)}  ${String(phase.confirmed.size).padStart(9)}  ` +
          `${String(ids.length).padStart(5)}  ${String(lost).padStart(4)}  ${String(dup).padStart(3)}  ${String(resurrected).padStart(11)}  ${recText}`,
      );
    }
  } finally {
    await broker?.kill('SIGKILL');
    if (!args.keep) rmSync(work, { recursive: true, force: true });
  }
  const maxRec = totals.recoveryMs.length > 0 ? Math.max(...totals.recoveryMs) : NaN;
  console.log(
    `total: published ${totals.published}, confirmed ${totals.confirmed}, lost ${totals.lost}, duplicated ${totals.duplicated}, ` +
      `resurrected ${totals.resurrected}, max recovery ${Number.isNaN(maxRec) ? 'n/a' : `${maxRec} ms`}`,
  );
  return totals.lost + totals.duplicated > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
