// STOMP benchmark CLI: Polyport (its own process: bench/peers/polyport-stomp.ts)
// vs RabbitMQ 3.10 with rabbitmq_stomp + rabbitmq_web_stomp, interleaved in
// the same run; per-run rows, medians and the polyport/rabbitmq ratio; JSON
// lines in bench/results/.
//
//   npx tsx bench/stomp.ts --scenario all --target both --rounds 2
//   npx tsc -b && node dist/bench/stomp.js --scenario stomp-queue-ci
import { BrokerSet, benchLogger, num, pickScenarios, runMain } from './lib/cli.js';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { formatRow, reportRuns, ResultsFile, type ResultRow } from './lib/results.js';
import { sleep } from './lib/ports.js';
import { startPolyportStomp } from './peers/polyport-stomp.js';
import { startRabbitmq } from './peers/rabbitmq.js';
import type { BrokerHandle } from './peers/types.js';
import { measure } from './scenarios/measure.js';
import { stompScenarios, type StompParams, type StompScenario } from './scenarios/stomp-scenarios.js';
import { DEFAULT_PARAMS } from './scenarios/types.js';

const TARGETS = ['polyport', 'rabbitmq'] as const;

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'stomp-queue-auto,stomp-queue-ci,stomp-ws-queue-auto' },
    target: { type: 'string', default: 'both' },
    rounds: { type: 'string' },
    seconds: { type: 'string', default: String(DEFAULT_PARAMS.seconds) },
    warmup: { type: 'string', default: String(DEFAULT_PARAMS.warmup) },
    size: { type: 'string', default: String(DEFAULT_PARAMS.size) },
    prefetch: { type: 'string', default: String(DEFAULT_PARAMS.prefetch) },
    rate: { type: 'string', default: String(DEFAULT_PARAMS.rate) },
    'max-inflight': { type: 'string', default: String(DEFAULT_PARAMS.maxInflight) },
    'max-buffered': { type: 'string', default: String(DEFAULT_PARAMS.maxBuffered) },
    deflate: { type: 'boolean', default: false },
    'polyport-node-args': { type: 'string' },
    out: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function usage(): string {
  return [
    'usage: npx tsx bench/stomp.ts [--scenario NAME[,NAME…]|all] [--target polyport|rabbitmq|both] [--rounds N]',
    '         [--seconds S] [--warmup S] [--size BYTES] [--prefetch N] [--rate MSG/S] [--max-inflight N]',
    '         [--max-buffered BYTES] [--deflate] [--polyport-node-args="--cpu-prof --cpu-prof-dir=DIR"] [--out FILE] [--quiet]',
    '',
    'scenarios:',
    ...stompScenarios.map((s) => `  ${s.name.padEnd(22)} ${s.description}`),
    '',
    '--deflate: WebSocket clients offer permessage-deflate (browsers do; off by default).',
  ].join('\n');
}

const log = benchLogger('stomp-bench', args.quiet);
const brokers = new BrokerSet();

async function main(): Promise<number> {
  if (args.help) {
    console.log(usage());
    return 0;
  }
  const scenarios: StompScenario[] = pickScenarios(args.scenario, stompScenarios, usage());
  const targetNames: string[] = args.target === 'both' ? [...TARGETS]
    : TARGETS.includes(args.target as (typeof TARGETS)[number]) ? [args.target as string] : [];
  if (targetNames.length === 0) throw new Error(`--target must be polyport, rabbitmq or both\n\n${usage()}`);
  const rounds = args.rounds !== undefined ? Math.max(1, Math.floor(num('rounds', args.rounds))) : targetNames.length > 1 ? 2 : 1;
  const base = {
    ...DEFAULT_PARAMS,
    seconds: num('seconds', args.seconds),
    warmup: num('warmup', args.warmup),
    size: Math.floor(num('size', args.size)),
    prefetch: Math.floor(num('prefetch', args.prefetch)),
    rate: num('rate', args.rate),
    maxInflight: Math.max(1, Math.floor(num('max-inflight', args['max-inflight']))),
    maxBuffered: Math.max(65536, Math.floor(num('max-buffered', args['max-buffered']))),
    deflate: args.deflate ?? false,
  };

  const perRun = base.warmup + base.seconds + 30;
  const budgetMs = (scenarios.length * targetNames.length * rounds * perRun + 240) * 1000;
  setTimeout(() => {
    console.error(`hard deadline (${Math.round(budgetMs / 1000)} s) reached: stopping`);
    void brokers.cleanup().finally(() => process.exit(2));
  }, budgetMs).unref();

  const results = new ResultsFile(args.out);
  results.append({ type: 'meta', bench: 'stomp', date: new Date().toISOString(), argv: process.argv.slice(2), node: process.version,
    cpus: cpus().length, cpuModel: cpus()[0]?.model, scenarios: scenarios.map((s) => s.name), targets: targetNames, rounds, params: base });

  const handles = new Map<string, BrokerHandle>();
  for (const t of targetNames) {
    const h = t === 'rabbitmq'
      ? await startRabbitmq({ log, plugins: ['rabbitmq_stomp', 'rabbitmq_web_stomp'] })
      : await startPolyportStomp({ log, nodeArgs: args['polyport-node-args']?.split(' ').filter(Boolean) ?? [] });
    brokers.push(h);
    handles.set(t, h);
  }

  const rows: ResultRow[] = [];
  for (const scenario of scenarios) {
    for (let round = 1; round <= rounds; round++) {
      for (const t of targetNames) {
        const h = handles.get(t) as BrokerHandle;
        const port = scenario.transport === 'ws' ? h.ports['web_stomp'] : h.ports['stomp'];
        if (port === undefined) throw new Error(`${t} has no ${scenario.transport === 'ws' ? 'web_stomp' : 'stomp'} port`);
        const params: StompParams = { ...base, host: h.host, port, amqpPort: h.amqpPort };
        const run = { name: scenario.name, description: scenario.description, start: () => scenario.start(params) };
        log(`${scenario.name} on ${t} (round ${round}/${rounds}): ${base.warmup}s warm-up + ${base.seconds}s`);
        const row = await measure(run, params, { name: t, pid: h.pid }, round);
        rows.push(row);
        results.append({ type: 'row', ...row });
        if (row.error) console.error(`[stomp-bench] ${scenario.name} on ${t} round ${round} FAILED: ${row.error}`);
        else log(`  ${formatRow(row)}`);
        await sleep(1000);
      }
    }
  }

  return reportRuns(rows, rounds, targetNames.length, results);
}

await runMain(main, brokers);
