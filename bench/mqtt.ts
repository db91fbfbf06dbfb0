// MQTT benchmark CLI: Polyport vs Mosquitto (Debian) vs aedes (npm) vs
// RabbitMQ (rabbitmq_mqtt), interleaved in one run. Load comes from
// separate raw-socket client processes (bench/mqtt-client.ts); broker CPU and
// RSS are sampled from /proc.
//
//   npx tsc -b && node dist/bench/mqtt.js --scenario qos0,qos1,fan-in,latency,idle
//        [--target polyport,mosquitto,aedes,rabbitmq] [--rounds 2] [--seconds 8] [--warmup 2]
//        [--size 100] [--rate 5000] [--window 20000] [--publishers 50] [--steps 1000,5000,10000,19000]
//        [--polyport-config "k = v;…"] [--polyport-b-main PATH] [--polyport-b-config "k = v;…"]  (target polyport-b)
//
// RabbitMQ runs qos0/qos1 only by default and never gets more than 800 idle
// connections (its soft fd limit is 1,024 here).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ResultsFile } from './lib/results.js';
import { ProcSampler, readRssKb } from './lib/proc-sampler.js';
import { isAlive } from './lib/exec.js';
import { sleep } from './lib/ports.js';
import type { FlowResult, IdleSpec } from './mqtt-client.js';
import { startAedes } from './peers/aedes.js';
import { startMosquitto } from './peers/mosquitto.js';
import { startPolyport } from './peers/polyport.js';
import { startRabbitmq } from './peers/rabbitmq.js';
import type { BrokerHandle } from './peers/types.js';
import { DEFAULT_MQTT, MQTT_SCENARIOS, type FlowScenario, type MqttParams } from './scenarios/mqtt-scenarios.js';

const ALL_TARGETS = ['polyport', 'polyport-b', 'mosquitto', 'aedes', 'rabbitmq'] as const;
const RABBIT_MAX_CONNECTIONS = 800;
const PER_PROCESS = 5000;

const { values: a } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'qos0,qos1,fan-in,latency,idle' },
    target: { type: 'string', default: 'polyport,mosquitto,aedes,rabbitmq' },
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: String(DEFAULT_MQTT.seconds) },
    warmup: { type: 'string', default: String(DEFAULT_MQTT.warmup) },
    size: { type: 'string', default: String(DEFAULT_MQTT.size) },
    rate: { type: 'string', default: String(DEFAULT_MQTT.rate) },
    window: { type: 'string', default: String(DEFAULT_MQTT.window) },
    publishers: { type: 'string', default: String(DEFAULT_MQTT.publishers) },
    steps: { type: 'string', default: DEFAULT_MQTT.steps.join(',') },
    'rabbit-all': { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
    // extra config lines for Polyport (';'-separated), e.g. "mqtt.prefetch = 20"
    'polyport-config': { type: 'string', default: '' },
    // a second Polyport build or config as target polyport-b (before/after comparisons in one run)
    'polyport-b-main': { type: 'string' },
    'polyport-b-config': { type: 'string', default: '' },
    out: { type: 'string' },
  },
  strict: true,
});

const p: MqttParams = {
  seconds: Number(a.seconds), warmup: Number(a.warmup), size: Number(a.size), rate: Number(a.rate),
  window: Number(a.window), publishers: Number(a.publishers), steps: a.steps!.split(',').map(Number),
};
const log = (m: string): void => console.error(`[mqtt-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const clientJs = fileURLToPath(new URL('./mqtt-client.js', import.meta.url));

function spawnClient(spec: object): { child: ChildProcess; first: Promise<Record<string, unknown>> } {
  const child = spawn('sh', ['-c', `ulimit -Sn "$(ulimit -Hn)"; exec "${process.execPath}" "${clientJs}" '${JSON.stringify(spec)}'`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = new Promise<Record<string, unknown>>((resolve) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve(JSON.parse(l) as Record<string, unknown>));
    child.once('exit', (code) => resolve({ error: `client exited ${code}` }));
  });
  return { child, first };
}

interface Row { time: string; scenario: string; target: string; round: number; [k: string]: unknown }
const rows: Row[] = [];
const results = new ResultsFile(a.out);

async function flow(s: FlowScenario, h: BrokerHandle, round: number): Promise<Row> {
  const spec = s.spec(p, h.host, h.ports['mqtt']!, `${h.name}${round}${Math.random().toString(36).slice(2, 6)}`);
  const sampler = h.pid !== undefined ? new ProcSampler(h.pid) : undefined;
  const { first } = spawnClient(spec);
  const t = setTimeout(() => sampler?.start(), p.warmup * 1000 + 300);
  const r = (await first) as unknown as FlowResult & { error?: string };
  clearTimeout(t);
  const proc = sampler?.stop();
  const row: Row = { time: new Date().toISOString().slice(11, 19), scenario: s.name, target: h.name, round };
  if (r.error) return { ...row, error: r.error };
  return {
    ...row, recvPerSec: Math.round(r.recvPerSec), sentPerSec: Math.round(r.sentPerSec),
    ...(r.latency ? { p50Ms: r.latency.p50Us / 1000, p99Ms: r.latency.p99Us / 1000 } : {}),
    brokerCpuPct: Math.round(proc?.cpuAvgPct ?? 0), brokerRssMb: Math.round(proc?.rssMaxMb ?? 0), clientCpuPct: Math.round(r.clientCpuPct),
  };
}

async function idle(h: BrokerHandle, round: number): Promise<Row[]> {
  // RabbitMQ: warm-up + step stay at or below 800 connections (its fd limit)
  const steps = h.name === 'rabbitmq' ? p.steps.map((n) => Math.min(n, RABBIT_MAX_CONNECTIONS - 100)).filter((n, i, xs) => xs.indexOf(n) === i) : p.steps;
  const pid = h.pid!;
  const clients: ChildProcess[] = [];
  const out: Row[] = [];
  // warm-up: 100 connections stay open through the steps (code, caches and pools are not per connection)
  const warm = spawnClient({ mode: 'idle', host: h.host, port: h.ports['mqtt']!, count: 100, idPrefix: `warm-${round}`, parallel: 50 } satisfies IdleSpec);
  clients.push(warm.child);
  await warm.first;
  await sleep(2000);
  const baseKb = readRssKb(pid) ?? 0;
  let prevKb = baseKb;
  let prevN = 0;
  let have = 0;
  let failed = 0;
  try {
    for (const step of steps) {
      const pending: Promise<Record<string, unknown>>[] = [];
      while (have < step) {
        const n = Math.min(PER_PROCESS, step - have);
        const spec: IdleSpec = { mode: 'idle', host: h.host, port: h.ports['mqtt']!, count: n, idPrefix: `idle-${round}-${clients.length}`, parallel: 100 };
        const c = spawnClient(spec);
        clients.push(c.child);
        pending.push(c.first);
        have += n;
      }
      for (const r of await Promise.all(pending)) {
        failed += Number(r['failed'] ?? 0) + (r['error'] ? 1 : 0);
      }
      await sleep(3000);
      const kb = readRssKb(pid) ?? 0;
      const connected = step - failed;
      out.push({
        time: new Date().toISOString().slice(11, 19), scenario: 'idle', target: h.name, round, connections: step, failed,
        brokerRssMb: Math.round(kb / 1024), baseRssMb: Math.round(baseKb / 1024), kibPerConn: Number(((kb - baseKb) / Math.max(1, connected)).toFixed(2)),
        kibPerConnStep: Number(((kb - prevKb) / Math.max(1, step - prevN)).toFixed(2)),
      });
      prevKb = kb;
      prevN = step;
      log(`  idle ${h.name}: ${JSON.stringify(out.at(-1))}`);
    }
  } finally {
    for (const c of clients) c.stdin?.end();
    await Promise.all(clients.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())))));
  }
  await sleep(2000);
  return out;
}

function start(t: string): Promise<BrokerHandle> {
  const nodeArgs = a['node-args'] ? a['node-args'].split(' ') : [];
  const conf = (v: string | undefined): string[] => (v ? v.split(';').map((x) => x.trim()).filter(Boolean) : []);
  if (t === 'polyport-b') {
    const h = startPolyport({ log, nodeArgs, main: a['polyport-b-main'], extraConfig: conf(a['polyport-b-config']) });
    return h.then((x) => ({ ...x, name: 'polyport-b' }));
  }
  return t === 'polyport' ? startPolyport({ log, nodeArgs, extraConfig: conf(a['polyport-config']) })
    : t === 'mosquitto' ? startMosquitto({ log })
      : t === 'aedes' ? startAedes({ log })
        : startRabbitmq({ log, plugins: ['rabbitmq_mqtt'] });
}

async function main(): Promise<void> {
  const targets = a.target!.split(',').filter((t) => (ALL_TARGETS as readonly string[]).includes(t));
  const scenarios = a.scenario!.split(',').map((n) => {
    const s = MQTT_SCENARIOS.find((x) => x.name === n);
    if (!s) throw new Error(`unknown scenario ${n}: ${MQTT_SCENARIOS.map((x) => x.name).join(', ')}`);
    return s;
  });
  const brokers = new Map<string, BrokerHandle>();
  const stopAll = async (): Promise<void> => {
    for (const b of brokers.values()) await b.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    for (const t of targets) brokers.set(t, await start(t));
    results.append({ type: 'meta', bench: 'mqtt', date: new Date().toISOString(), params: p, targets, scenarios: scenarios.map((s) => s.name) });
    const rounds = Number(a.rounds);
    for (const s of scenarios) {
      for (let round = 1; round <= rounds; round++) {
        for (const t of targets) {
          if (t === 'rabbitmq' && !a['rabbit-all'] && s.name !== 'qos0' && s.name !== 'qos1') continue;
          let h = brokers.get(t)!;
          if (h.pid !== undefined && !isAlive(h.pid)) {
            // aedes dies under some floods (mqemitter stack overflow): note it and start a fresh one
            log(`${t} is not running any more: restarting it`);
            rows.push({ time: new Date().toISOString().slice(11, 19), scenario: s.name, target: t, round, note: 'broker had crashed; restarted' });
            h = await start(t);
            brokers.set(t, h);
          }
          log(`${s.name} on ${t} (round ${round}/${rounds})`);
          const got = s.kind === 'flow' ? [await flow(s, h, round)] : await idle(h, round);
          for (const r of got) {
            rows.push(r);
            results.append({ type: 'row', ...r });
            if (s.kind === 'flow') log(`  ${JSON.stringify(r)}`);
          }
          await sleep(1000);
        }
      }
    }
  } finally {
    await stopAll();
  }
  printSummary();
  console.log(`\nresults: ${results.path}`);
}

function med(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function printSummary(): void {
  console.log(`\nAll runs:`);
  for (const r of rows) console.log(JSON.stringify(r));
  console.log('\nMedians (flow scenarios):  scenario  target  recv msgs/s  [p50/p99 ms]  broker CPU %  broker RSS MB  client CPU %  vs mosquitto');
  const flows = rows.filter((r) => r.scenario !== 'idle' && r['recvPerSec'] !== undefined);
  const key = (r: Row): string => `${r.scenario}|${r.target}`;
  const groups = new Map<string, Row[]>();
  for (const r of flows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const m = (g: Row[], k: string): number => med(g.map((r) => Number(r[k])));
  for (const [k, g] of groups) {
    const [scenario, target] = k.split('|');
    const recv = m(g, 'recvPerSec');
    const mos = groups.get(`${scenario}|mosquitto`);
    const ratio = mos ? (recv / m(mos, 'recvPerSec')).toFixed(2) : '-';
    const lat = g[0]!['p50Ms'] !== undefined ? `${m(g, 'p50Ms').toFixed(2)}/${m(g, 'p99Ms').toFixed(2)}` : '';
    console.log(`  ${scenario!.padEnd(8)} ${target!.padEnd(10)} ${String(Math.round(recv)).padStart(9)}  ${lat.padEnd(12)} ${String(m(g, 'brokerCpuPct')).padStart(5)} ${String(m(g, 'brokerRssMb')).padStart(6)} ${String(m(g, 'clientCpuPct')).padStart(5)}  ${ratio}`);
  }
  const idles = rows.filter((r) => r.scenario === 'idle');
  if (idles.length) {
    console.log('\nIdle connections (after 100 warm-up connections): target  connections  failed  broker RSS MB  KiB/conn (vs base)  KiB/conn (this step)');
    for (const r of idles) console.log(`  ${String(r.target).padEnd(10)} ${String(r['connections']).padStart(6)} ${String(r['failed']).padStart(5)} ${String(r['brokerRssMb']).padStart(6)} ${String(r['kibPerConn']).padStart(8)} ${String(r['kibPerConnStep']).padStart(8)}`);
  }
}

await main();
process.exit(0);
