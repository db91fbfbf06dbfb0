// Durability benchmarks (issue 4) on a private Polyport broker:
//
//   recovery: fill a durable queue with --messages (1M) persistent --size (100 B)
//             messages with confirms, stop the broker with SIGTERM, start it again
//             on the same data dir; time from spawn to the "message store
//             recovered" log line and to the AMQP "listener started" line; RSS after.
//   rss:      fill a durable queue with up to --rss-messages (10M) persistent
//             messages with confirms (bounded by --rss-minutes), broker RSS at
//             each million (1M, 5M, 10M printed), then drain a little to check
//             the queue delivers.
// The confirms 1:1 comparison with RabbitMQ is the amqp.ts `confirms --persistent`
// scenario (see README.md "Durability").
//
//   npx tsc -b && node dist/bench/durability.js --phase all
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRssKb } from './lib/proc-sampler.js';
import { freePort } from './lib/ports.js';
import { polyportMainPath } from './peers/polyport.js';
import { declareDurableQueue, fillQueue } from './scenarios/durability-fill.js';
import { RawConsumer } from './scenarios/raw-consumer.js';
import { DEFAULT_PARAMS, type Counters, type ScenarioParams } from './scenarios/types.js';

const { values: args } = parseArgs({
  options: {
    phase: { type: 'string', default: 'all' },
    messages: { type: 'string', default: '1000000' },
    'rss-messages': { type: 'string', default: '10000000' },
    'rss-minutes': { type: 'string', default: '4' },
    size: { type: 'string', default: '100' },
    window: { type: 'string', default: '10000' },
    'drain-seconds': { type: 'string', default: '5' },
    'rss-restart': { type: 'boolean', default: true },
    'keep-dirs': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
  allowNegative: true,
});

if (args.help) {
  console.log('usage: node dist/bench/durability.js [--phase recovery|rss|all] [--messages N] [--rss-messages N]\n'
    + '         [--rss-minutes M] [--size BYTES] [--window N] [--drain-seconds S] [--no-rss-restart] [--keep-dirs]');
  process.exit(0);
}

const size = Number(args.size);
const window = Number(args.window);
const clock = (): string => new Date().toISOString().slice(11, 19);
const mb = (kb: number | undefined): string => (kb === undefined ? '?' : (kb / 1024).toFixed(0));
const say = (s: string): void => console.log(`[${clock()}] ${s}`);

interface Broker {
  child: ChildProcess;
  pid: number;
  port: number;
  spawnedAt: number;
  /** ms from spawn to the first line containing each of these */
  lineAt: Map<string, number>;
  lines: string[];
  exited: Promise<void>;
}

const WATCH = ['message store recovered', 'listener started'];

class BrokerDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'polyport-bench-dur-'));
  readonly config = join(this.dir, 'polyport.conf');

  async write(): Promise<number> {
    const port = await freePort();
    const conf = [`listeners.tcp.default = ${port}`, 'mqtt.listeners.tcp.default = 127.0.0.1:0', 'stomp.listeners.tcp.1 = 127.0.0.1:0',
      'web_stomp.tcp.port = 0', 'web_mqtt.tcp.port = 0', `data_dir = ${join(this.dir, 'data')}`, 'log.console.level = info'];
    writeFileSync(this.config, `${conf.join('\n')}\n`);
    return port;
  }

  async start(): Promise<Broker> {
    const port = await this.write();
    const main = polyportMainPath();
    if (!existsSync(main)) throw new Error(`${main} missing: run npx tsc -b`);
    const spawnedAt = performance.now();
    const nodeArgs = process.env['PP_BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []; // diagnostics, e.g. --expose-gc -r preload.cjs
    const child = spawn(process.execPath, [...nodeArgs, main, '--config', this.config], { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
    const b: Broker = { child, pid: child.pid!, port, spawnedAt, lineAt: new Map(), lines: [], exited: new Promise((r) => child.once('exit', () => r())) };
    const feed = (s: NodeJS.ReadableStream): void => {
      let partial = '';
      s.setEncoding('utf8');
      s.on('data', (chunk: string) => {
        const now = performance.now();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          b.lines.push(line);
          if (b.lines.length > 200) b.lines.shift();
          if (line.startsWith('MEM ')) say(line);
          for (const w of WATCH) if (!b.lineAt.has(w) && line.includes(w) && (w !== 'listener started' || line.includes(String(port)))) b.lineAt.set(w, now - spawnedAt);
        }
      });
    };
    feed(child.stdout!);
    feed(child.stderr!);
    const deadline = Date.now() + 120_000;
    while (!b.lineAt.has('listener started')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`broker did not start:\n${b.lines.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return b;
  }

  async stop(b: Broker): Promise<number> {
    const t0 = performance.now();
    b.child.kill('SIGTERM');
    const killer = setTimeout(() => b.child.kill('SIGKILL'), 60_000);
    await b.exited;
    clearTimeout(killer);
    return performance.now() - t0;
  }

  remove(): void {
    if (!args['keep-dirs']) rmSync(this.dir, { recursive: true, force: true });
    else say(`kept ${this.dir}`);
  }
}

function recoveredLine(b: Broker): string {
  return b.lines.find((l) => l.includes('message store recovered')) ?? '(no "message store recovered" line)';
}

async function recoveryPhase(): Promise<void> {
  const n = Number(args.messages);
  const d = new BrokerDir();
  try {
    let b = await d.start();
    await declareDurableQueue('127.0.0.1', b.port, 'recovery');
    const f = await fillQueue({ host: '127.0.0.1', port: b.port, queue: 'recovery', messages: n, size, window, deadlineMs: 300_000 });
    say(`recovery: filled ${f.confirmed} confirmed persistent ${size} B messages in ${(f.ms / 1000).toFixed(1)} s `
      + `(${Math.round(f.confirmed / (f.ms / 1000))} msg/s, window ${window}); broker RSS ${mb(readRssKb(b.pid))} MB`);
    const stopMs = await d.stop(b);
    say(`recovery: SIGTERM → exit ${stopMs.toFixed(0)} ms`);
    b = await d.start();
    const rec = b.lineAt.get('message store recovered');
    const lis = b.lineAt.get('listener started')!;
    say(`recovery: restart with ${f.confirmed} messages: spawn → "message store recovered" ${rec?.toFixed(0) ?? '?'} ms, `
      + `spawn → "listener started" ${lis.toFixed(0)} ms; RSS ${mb(readRssKb(b.pid))} MB`);
    say(`recovery: ${recoveredLine(b)}`);
    // baseline: an empty data dir's start-up
    await d.stop(b);
  } finally {
    d.remove();
  }
  const empty = new BrokerDir();
  try {
    const b = await empty.start();
    say(`recovery: baseline (empty data dir): spawn → "listener started" ${b.lineAt.get('listener started')!.toFixed(0)} ms; RSS ${mb(readRssKb(b.pid))} MB`);
    await empty.stop(b);
  } finally {
    empty.remove();
  }
}

/** Consumes from a deep (paged) queue for `seconds`: prefetch 200, multi-ack every 100. */
async function drain(b: Broker, queue: string, seconds: number): Promise<void> {
  if (!(seconds > 0)) return;
  const p: ScenarioParams = { ...DEFAULT_PARAMS, host: '127.0.0.1', port: b.port, prefetch: 200, ackEvery: 100 };
  const c = await RawConsumer.open(p, 'durability-drain');
  const counters: Counters = { published: 0, delivered: 0, confirmed: 0 };
  const t0 = performance.now();
  await c.consume(p, queue, counters, () => {});
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const ms = performance.now() - t0;
  await c.conn.close(5000);
  say(`rss: drained ${counters.delivered} paged messages in ${(ms / 1000).toFixed(1)} s (${Math.round(counters.delivered / (ms / 1000))} msg/s, prefetch 200); RSS ${mb(readRssKb(b.pid))} MB`);
}

async function rssPhase(): Promise<void> {
  const n = Number(args['rss-messages']);
  const d = new BrokerDir();
  try {
    const b = await d.start();
    say(`rss: broker up, RSS ${mb(readRssKb(b.pid))} MB`);
    await declareDurableQueue('127.0.0.1', b.port, 'deep');
    const milestones: number[] = [];
    for (let m = 1_000_000; m <= n; m += 1_000_000) milestones.push(m);
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, readRssKb(b.pid) ?? 0)), 200);
    const f = await fillQueue({
      host: '127.0.0.1', port: b.port, queue: 'deep', messages: n, size, window,
      deadlineMs: Number(args['rss-minutes']) * 60_000,
      milestones,
      onMilestone: (c, ms) => say(`rss: ${c / 1e6}M queued after ${(ms / 1000).toFixed(1)} s: broker RSS ${mb(readRssKb(b.pid))} MB`),
    });
    clearInterval(sampler);
    say(`rss: ${f.confirmed} confirmed in ${(f.ms / 1000).toFixed(1)} s (${Math.round(f.confirmed / (f.ms / 1000))} msg/s)${f.timedOut ? ' — stopped by --rss-minutes' : ''}; `
      + `RSS now ${mb(readRssKb(b.pid))} MB, max during fill ${mb(maxRss)} MB`);
    await new Promise((r) => setTimeout(r, 3000));
    say(`rss: after 3 s idle: RSS ${mb(readRssKb(b.pid))} MB`);
    await drain(b, 'deep', Number(args['drain-seconds']));
    await d.stop(b);
    if (args['rss-restart']) {
      const b2 = await d.start();
      say(`rss: restart with ~${f.confirmed} queued: spawn → "message store recovered" ${b2.lineAt.get('message store recovered')?.toFixed(0) ?? '?'} ms, `
        + `→ "listener started" ${b2.lineAt.get('listener started')!.toFixed(0)} ms; RSS ${mb(readRssKb(b2.pid))} MB`);
      await drain(b2, 'deep', Number(args['drain-seconds']));
      await d.stop(b2);
    }
  } finally {
    d.remove();
  }
}

const phase = args.phase;
say(`durability bench: phase=${phase} size=${size} B window=${window}`);
if (phase === 'recovery' || phase === 'all') await recoveryPhase();
if (phase === 'rss' || phase === 'all') await rssPhase();
