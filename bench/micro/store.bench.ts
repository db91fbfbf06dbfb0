/**
 * Micro benchmark of core/store's SegmentLog (one queue, random incompressible payloads).
 *
 *   npx tsx bench/micro/store.bench.ts [--n100 1000000] [--n4k 100000] [--dir /tmp/x]
 *
 * Prints: durable appends/s for 100 B and 4 KiB records (publisher with a window of
 * 10k unconfirmed, 1000 appends per event-loop turn), fdatasyncs and records per
 * sync, append→durable latency p50/p99, event-loop delay p99/max, lone-append
 * latency (batch of 1), acks/s (FIFO, 1000 per turn, until all segments are
 * deleted), recovery time of the 1M × 100 B log (warm page cache), disk reads/s.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { nodeFileSystem } from '../../core/store/fs.js';
import type { FileSystem } from '../../core/store/fs.js';
import type { StorePosition } from '../../core/store/position.js';
import { SegmentLog } from '../../core/store/segment-log.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const baseDir = (() => {
  const i = args.indexOf('--dir');
  return mkdtempSync(path.join(i >= 0 ? args[i + 1]! : tmpdir(), 'pp-store-bench-'));
})();

const syncs = { fdatasync: 0 };
const countingFs: FileSystem = {
  ...nodeFileSystem,
  fdatasync: (fd, cb) => {
    syncs.fdatasync++;
    nodeFileSystem.fdatasync(fd, cb);
  },
};

const tick = () => new Promise<void>((r) => setImmediate(r));
const pct = (xs: Float64Array | number[], p: number) => {
  const a = Float64Array.from(xs).sort();
  return a[Math.min(a.length - 1, Math.floor(a.length * p))]!;
};
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const dirBytes = (d: string) => readdirSync(d).reduce((s, n) => s + statSync(path.join(d, n)).size, 0);

function openLog(dir: string, durable: (tokens: readonly unknown[]) => void): SegmentLog {
  const log = SegmentLog.open(dir, {
    fs: countingFs,
    listener: { durable, rejected: (t, e) => console.error('rejected', t.length, e) },
  });
  log.recover();
  return log;
}

async function appendRun(label: string, dir: string, n: number, size: number): Promise<{ log: SegmentLog; positions: StorePosition[] }> {
  const pool = randomBytes(size * 64);
  const sentAt = new Float64Array(n);
  const latency = new Float64Array(n);
  let confirmed = 0;
  const log = openLog(dir, (tokens) => {
    const now = performance.now();
    for (const t of tokens) latency[t as number] = now - sentAt[t as number]!;
    confirmed += tokens.length;
  });
  const positions: StorePosition[] = new Array(n);
  const WINDOW = 10_000;
  const PER_TURN = 1000;
  const eld = monitorEventLoopDelay({ resolution: 1 });
  syncs.fdatasync = 0;
  eld.enable();
  const t0 = performance.now();
  let i = 0;
  while (i < n) {
    const limit = Math.min(n, i + PER_TURN, confirmed + WINDOW);
    for (; i < limit; i++) {
      const off = (i % 64) * size;
      sentAt[i] = performance.now();
      positions[i] = log.append(pool.subarray(off, off + size), i);
    }
    await tick();
  }
  while (confirmed < n) await tick();
  const secs = (performance.now() - t0) / 1000;
  eld.disable();
  console.log(
    `${label}: ${Math.round(n / secs).toLocaleString()} msg/s durable (${mb((n * size) / secs)} MiB/s), ` +
      `${syncs.fdatasync} fdatasync (${Math.round(n / syncs.fdatasync)} rec/sync), ` +
      `append→durable p50 ${pct(latency, 0.5).toFixed(2)} ms p99 ${pct(latency, 0.99).toFixed(2)} ms, ` +
      `loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms max ${(eld.max / 1e6).toFixed(1)} ms, disk ${mb(dirBytes(dir))} MiB`,
  );
  return { log, positions };
}

async function ackRun(label: string, log: SegmentLog, positions: StorePosition[], dir: string): Promise<void> {
  syncs.fdatasync = 0;
  const t0 = performance.now();
  for (let i = 0; i < positions.length; i++) {
    log.ack(positions[i]!);
    if (i % 1000 === 999) await tick();
  }
  await log.flush();
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${label}: ${Math.round(positions.length / secs).toLocaleString()} acks/s durable, ${syncs.fdatasync} fdatasync, ` +
      `segments left ${log.segmentCount}, files left ${readdirSync(dir).length}`,
  );
}

async function loneAppends(dir: string, n: number): Promise<void> {
  let done = -1;
  const log = openLog(dir, (tokens) => (done = tokens[tokens.length - 1] as number));
  const payload = randomBytes(100);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    log.append(payload, i);
    while (done < i) await tick();
    lat.push(performance.now() - t0);
  }
  console.log(`lone append (batch of 1, 100 B): p50 ${pct(lat, 0.5).toFixed(2)} ms p99 ${pct(lat, 0.99).toFixed(2)} ms (${Math.round(1000 / (lat.reduce((a, b) => a + b) / n))}/s)`);
  await log.close();
}

async function readRun(log: SegmentLog, positions: StorePosition[], n: number): Promise<void> {
  const t0 = performance.now();
  let inFlight = 0;
  let done = 0;
  for (let i = 0; i < n; i++) {
    const p = positions[Math.floor(Math.random() * positions.length)]!;
    inFlight++;
    log.read(p, (err) => {
      if (err) throw err;
      inFlight--;
      done++;
    });
    if (inFlight >= 64) while (inFlight >= 64) await tick();
  }
  while (done < n) await tick();
  const secs = (performance.now() - t0) / 1000;
  console.log(`random disk reads (100 B, 64 in flight, warm cache): ${Math.round(n / secs).toLocaleString()} reads/s`);
}

async function main(): Promise<void> {
  const n100 = arg('n100', 1_000_000);
  const n4k = arg('n4k', 100_000);
  console.log(`SegmentLog bench, node ${process.version}, dir ${baseDir}`);

  const d100 = path.join(baseDir, 'q100');
  const run100 = await appendRun(`append 100 B × ${n100.toLocaleString()}`, d100, n100, 100);
  await run100.log.close();

  const rlog = SegmentLog.open(d100, { fs: countingFs });
  let recovered = 0;
  const report = rlog.recover(() => recovered++);
  console.log(
    `recovery 100 B × ${recovered.toLocaleString()}: ${report.durationMs.toFixed(0)} ms ` +
      `(${report.segments} segments, ${mb(dirBytes(d100))} MiB read and CRC-checked, warm page cache)`,
  );
  await readRun(rlog, run100.positions, 200_000);
  await ackRun(`ack 100 B × ${n100.toLocaleString()} (FIFO, 1000/turn)`, rlog, run100.positions, d100);
  await rlog.close();

  const d4k = path.join(baseDir, 'q4k');
  const run4k = await appendRun(`append 4 KiB × ${n4k.toLocaleString()}`, d4k, n4k, 4096);
  await ackRun(`ack 4 KiB × ${n4k.toLocaleString()}`, run4k.log, run4k.positions, d4k);
  await run4k.log.close();

  await loneAppends(path.join(baseDir, 'lone'), 2000);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(baseDir, { recursive: true, force: true }));
