// AMQP 0-9-1 benchmark CLI. Starts private brokers (Polyport and/or RabbitMQ),
// runs scenarios interleaved across targets for --rounds, prints per-run rows
// and a side-by-side median table, and writes JSON lines to bench/results/.
//
//   npx tsc -b && node dist/bench/amqp.js --scenario one-to-one --target both
import { BrokerSet, benchLogger, num, pickScenarios, runMain } from './lib/cli.js';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { formatRow, reportRuns, ResultsFile, type ResultRow } from './lib/results.js';
import { sleep } from './lib/ports.js';
import { startPolyport } from './peers/polyport.js';
import { startRabbitmq } from './peers/rabbitmq.js';
import type { BrokerHandle } from './peers/types.js';
import { amqplibScenarios } from './scenarios/amqplib-scenarios.js';
import { measure } from './scenarios/measure.js';
import { queueFeatureScenarios } from './scenarios/queue-features.js';
import { rawScenarios } from './scenarios/raw-scenarios.js';
import { DEFAULT_PARAMS, type Scenario, type ScenarioParams } from './scenarios/types.js';

const SCENARIOS: Scenario[] = [...rawScenarios, ...amqplibScenarios, ...queueFeatureScenarios];
const TARGETS = ['polyport', 'rabbitmq'] as const;

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'one-to-one' },
    target: { type: 'string', default: 'both' },
    rounds: { type: 'string' },
    seconds: { type: 'string', default: String(DEFAULT_PARAMS.seconds) },
    warmup: { type: 'string', default: String(DEFAULT_PARAMS.warmup) },
    size: { type: 'string', default: String(DEFAULT_PARAMS.size) },
    prefetch: { type: 'string', default: String(DEFAULT_PARAMS.prefetch) },
    'ack-every': { type: 'string', default: String(DEFAULT_PARAMS.ackEvery) },
    rate: { type: 'string', default: String(DEFAULT_PARAMS.rate) },
    window: { type: 'string', default: String(DEFAULT_PARAMS.window) },
    'max-inflight': { type: 'string', default: String(DEFAULT_PARAMS.maxInflight) },
    'max-buffered': { type: 'string', default: String(DEFAULT_PARAMS.maxBuffered) },
    queues: { type: 'string', default: String(DEFAULT_PARAMS.queues) },
    persistent: { type: 'boolean', default: false },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    'broker-pid': { type: 'string' },
    'polyport-main': { type: 'string' },
    out: { type: 'string' },
    'keep-dirs': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function usage(): string {
  return [
    'usage: node dist/bench/amqp.js [--scenario NAME[,NAME…]|all] [--target polyport|rabbitmq|both]',
    '         [--rounds N] [--seconds S] [--warmup S] [--size BYTES] [--prefetch N] [--ack-every N]',
    '         [--rate MSG/S] [--window N] [--max-inflight N] [--max-buffered BYTES] [--queues N] [--persistent]',
    '         [--port P [--host H] [--broker-pid PID]] [--polyport-main PATH] [--out FILE] [--keep-dirs] [--quiet]',
    '',
    'scenarios:',
    ...SCENARIOS.map((s) => `  ${s.name.padEnd(20)} ${s.description}`),
    '',
    '--port points at an already running broker (target "external"); otherwise private brokers are started.',
    '--target both runs polyport, rabbitmq, polyport, rabbitmq… for --rounds (default 2) and prints medians.',
  ].join('\n');
}

const log = benchLogger('bench', args.quiet);
const brokers = new BrokerSet();

async function main(): Promise<number> {
  if (args.help) {
    console.log(usage());
    return 0;
  }
  const scenarios = pickScenarios(args.scenario, SCENARIOS, usage());
  const external = args.port !== undefined;
  const targetNames: string[] = external ? ['external']
    : args.target === 'both' ? [...TARGETS]
      : TARGETS.includes(args.target as (typeof TARGETS)[number]) ? [args.target as string]
        : [];
  if (targetNames.length === 0) throw new Error(`--target must be polyport, rabbitmq or both\n\n${usage()}`);
  const rounds = args.rounds !== undefined ? Math.max(1, Math.floor(num('rounds', args.rounds)))
    : targetNames.length > 1 ? 2 : 1;
  const base: Omit<ScenarioParams, 'host' | 'port'> = {
    seconds: num('seconds', args.seconds),
    warmup: num('warmup', args.warmup),
    size: Math.floor(num('size', args.size)),
    prefetch: Math.floor(num('prefetch', args.prefetch)),
    ackEvery: Math.max(1, Math.floor(num('ack-every', args['ack-every']))),
    rate: num('rate', args.rate),
    window: Math.max(1, Math.floor(num('window', args.window))),
    maxInflight: Math.max(1, Math.floor(num('max-inflight', args['max-inflight']))),
    maxBuffered: Math.max(65536, Math.floor(num('max-buffered', args['max-buffered']))),
    queues: Math.max(1, Math.floor(num('queues', args.queues))),
    persistent: args.persistent ?? false,
  };

  if (base.queues > 500) throw new Error('--queues > 500: RabbitMQ here holds only ~830 connections (fd limit)');
  if (base.rate <= 0) throw new Error('--rate must be > 0');

  // Everything must stop by itself: generous hard deadline over the whole run.
  const perRun = base.warmup + base.seconds + 30;
  const budgetMs = (scenarios.length * targetNames.length * rounds * perRun + 240) * 1000;
  setTimeout(() => {
    console.error(`hard deadline (${Math.round(budgetMs / 1000)} s) reached: stopping`);
    void brokers.cleanup().finally(() => process.exit(2));
  }, budgetMs).unref();

  const results = new ResultsFile(args.out);
  results.append({ type: 'meta', date: new Date().toISOString(), argv: process.argv.slice(2), node: process.version,
    cpus: cpus().length, cpuModel: cpus()[0]?.model, scenarios: scenarios.map((s) => s.name), targets: targetNames, rounds, params: base });

  const handles = new Map<string, BrokerHandle>();
  if (external) {
    const pid = args['broker-pid'] !== undefined ? Math.floor(num('broker-pid', args['broker-pid'])) : undefined;
    handles.set('external', { name: 'external', host: args.host ?? '127.0.0.1', amqpPort: num('port', args.port),
      pid, ports: {}, stop: async () => {} });
  } else {
    const keepDir = args['keep-dirs'] ?? false;
    for (const t of targetNames) {
      const h = t === 'rabbitmq' ? await startRabbitmq({ log, keepDir })
        : await startPolyport({ log, keepDir, main: args['polyport-main'] });
      brokers.push(h);
      handles.set(t, h);
    }
  }

  const rows: ResultRow[] = [];
  for (const scenario of scenarios) {
    for (let round = 1; round <= rounds; round++) {
      for (const t of targetNames) {
        const h = handles.get(t) as BrokerHandle;
        log(`${scenario.name} on ${t} (round ${round}/${rounds}): ${base.warmup}s warm-up + ${base.seconds}s`);
        const row = await measure(scenario, { ...base, host: h.host, port: h.amqpPort }, { name: t, pid: h.pid }, round);
        rows.push(row);
        results.append({ type: 'row', ...row });
        if (row.error) console.error(`[bench] ${scenario.name} on ${t} round ${round} FAILED: ${row.error}`);
        else log(`  ${formatRow(row)}`);
        await sleep(1000); // let the broker settle (queue deletion, GC) before the next run
      }
    }
  }

  return reportRuns(rows, rounds, targetNames.length, results);
}

await runMain(main, brokers);
