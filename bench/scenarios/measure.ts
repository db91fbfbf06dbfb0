// Runs one scenario against one broker: start load, warm up, measure a fixed
// window (counters, latency, broker + client CPU/RSS, event-loop utilisation),
// then stop the load. Always stops the load, even on error.
import { performance } from 'node:perf_hooks';
import { ProcSampler } from '../lib/proc-sampler.js';
import { sleep } from '../lib/ports.js';
import type { ResultRow } from '../lib/results.js';
import type { Counters, RunningLoad, Scenario, ScenarioParams } from './types.js';

export interface MeasureTarget {
  name: string;
  pid: number | undefined;
}

/** Sleep in short steps, throwing as soon as the load reports a failure. */
async function watch(load: RunningLoad, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sleep(Math.min(250, end - Date.now()));
    const f = load.failure();
    if (f) throw f;
  }
}

export async function measure(scenario: Scenario, params: ScenarioParams, target: MeasureTarget, round: number):
  Promise<ResultRow> {
  const base = {
    scenario: scenario.name,
    target: target.name,
    round,
    params: { ...params } as Record<string, number | string | boolean>,
  };
  let load: RunningLoad | undefined;
  try {
    load = await scenario.start(params);
    await watch(load, params.warmup * 1000);

    const broker = target.pid !== undefined ? new ProcSampler(target.pid) : undefined;
    const client = new ProcSampler(process.pid);
    const c0: Counters = { ...load.counters };
    load.histogram?.reset();
    broker?.start();
    client.start();
    const elu0 = performance.eventLoopUtilization();
    const startedAt = new Date().toISOString();
    const t0 = performance.now();

    await watch(load, params.seconds * 1000);

    const secs = (performance.now() - t0) / 1000;
    const c1: Counters = { ...load.counters };
    const elu = performance.eventLoopUtilization(elu0);
    const b = broker?.stop();
    const cl = client.stop();
    const lat = load.histogram?.summary();
    const row: ResultRow = {
      ...base,
      startedAt,
      measuredSeconds: secs,
      publishedPerSec: (c1.published - c0.published) / secs,
      deliveredPerSec: (c1.delivered - c0.delivered) / secs,
      clientCpuPct: cl.cpuAvgPct,
      clientRssMb: cl.rssMaxMb,
      clientElu: elu.utilization,
    };
    if (c1.confirmed > 0) row.confirmedPerSec = (c1.confirmed - c0.confirmed) / secs;
    if (lat && lat.count > 0) {
      row.latencyP50Ms = lat.p50Us / 1000;
      row.latencyP90Ms = lat.p90Us / 1000;
      row.latencyP99Ms = lat.p99Us / 1000;
      row.latencyMaxMs = lat.maxUs / 1000;
      row.latencySamples = lat.count;
    }
    if (b) {
      row.brokerCpuPct = b.cpuAvgPct;
      row.brokerRssMb = b.rssMaxMb;
    }
    return row;
  } catch (err) {
    return {
      ...base,
      startedAt: new Date().toISOString(),
      measuredSeconds: 0,
      publishedPerSec: 0,
      deliveredPerSec: 0,
      clientCpuPct: 0,
      clientRssMb: 0,
      clientElu: 0,
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    await load?.stop().catch(() => {});
  }
}
