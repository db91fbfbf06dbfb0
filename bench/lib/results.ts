// Result rows: JSON-lines file under bench/results/<timestamp>.json, a
// per-run table, and a side-by-side comparison (medians, polyport/rabbitmq).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.js';

export interface ResultRow {
  scenario: string;
  target: string;
  round: number;
  /** ISO time the measured window started. */
  startedAt: string;
  measuredSeconds: number;
  publishedPerSec: number;
  deliveredPerSec: number;
  /** Publisher confirms per second (confirm scenarios only). */
  confirmedPerSec?: number;
  latencyP50Ms?: number;
  latencyP90Ms?: number;
  latencyP99Ms?: number;
  latencyMaxMs?: number;
  latencySamples?: number;
  brokerCpuPct?: number;
  brokerRssMb?: number;
  clientCpuPct: number;
  clientRssMb: number;
  /** Event-loop utilisation of the load generator (0..1). */
  clientElu: number;
  params: Record<string, number | string | boolean>;
  error?: string;
}

export class ResultsFile {
  readonly path: string;

  constructor(path?: string) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.path = path ?? join(repoRoot(), 'bench', 'results', `${stamp}.json`);
    mkdirSync(dirname(this.path), { recursive: true });
  }

  append(record: object): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fmtNum(v: number | undefined, digits = 0): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const HEADER = ['scenario', 'target', 'pub msg/s', 'del msg/s', 'conf msg/s', 'p50 ms', 'p99 ms', 'max ms',
  'brk CPU%', 'brk RSS MB', 'cli CPU%', 'cli ELU'];

function cells(r: Omit<ResultRow, 'startedAt' | 'params' | 'round' | 'measuredSeconds'>): string[] {
  return [
    r.scenario,
    r.target,
    fmtNum(r.publishedPerSec),
    fmtNum(r.deliveredPerSec),
    fmtNum(r.confirmedPerSec),
    fmtNum(r.latencyP50Ms, 2),
    fmtNum(r.latencyP99Ms, 2),
    fmtNum(r.latencyMaxMs, 1),
    fmtNum(r.brokerCpuPct),
    fmtNum(r.brokerRssMb),
    fmtNum(r.clientCpuPct),
    fmtNum(r.clientElu, 2),
  ];
}

export function formatRow(r: ResultRow): string {
  return table([...HEADER, 'round'], [[...cells(r), String(r.round)]]).split('\n')[2] ?? '';
}

export function formatRows(rows: readonly ResultRow[]): string {
  return table([...HEADER, 'round'], rows.map((r) => [...cells(r), r.error ? `${r.round} ERR` : String(r.round)]));
}

type NumKey = 'publishedPerSec' | 'deliveredPerSec' | 'confirmedPerSec' | 'latencyP50Ms' | 'latencyP99Ms'
  | 'latencyMaxMs' | 'brokerCpuPct' | 'brokerRssMb' | 'clientCpuPct' | 'clientElu';
const NUM_KEYS: NumKey[] = ['publishedPerSec', 'deliveredPerSec', 'confirmedPerSec', 'latencyP50Ms',
  'latencyP99Ms', 'latencyMaxMs', 'brokerCpuPct', 'brokerRssMb', 'clientCpuPct', 'clientElu'];

export type MedianRow = Pick<ResultRow, 'scenario' | 'target'> & Partial<Record<NumKey, number>> & { rounds: number };

/** Median of every numeric column per (scenario, target), over rows without errors. */
export function medians(rows: readonly ResultRow[]): MedianRow[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    if (r.error) continue;
    const k = `${r.scenario}\u0000${r.target}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  const out: MedianRow[] = [];
  for (const g of groups.values()) {
    const first = g[0] as ResultRow;
    const m: MedianRow = { scenario: first.scenario, target: first.target, rounds: g.length };
    for (const key of NUM_KEYS) {
      const vals = g.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
      if (vals.length) m[key] = median(vals);
    }
    out.push(m);
  }
  return out;
}

/** Side-by-side medians and a polyport/rabbitmq ratio row per scenario. */
export function formatComparison(rows: readonly ResultRow[]): string {
  const meds = medians(rows);
  const body: string[][] = [];
  const scenarios = [...new Set(meds.map((m) => m.scenario))];
  for (const s of scenarios) {
    const ofS = meds.filter((m) => m.scenario === s);
    for (const m of ofS) {
      body.push([...cells({ ...m, publishedPerSec: m.publishedPerSec ?? Number.NaN,
        deliveredPerSec: m.deliveredPerSec ?? Number.NaN, clientCpuPct: m.clientCpuPct ?? Number.NaN,
        clientRssMb: 0, clientElu: m.clientElu ?? Number.NaN }), String(m.rounds)]);
    }
    const p = ofS.find((m) => m.target === 'polyport');
    const r = ofS.find((m) => m.target === 'rabbitmq');
    if (p && r) {
      const ratio = (k: NumKey): string => {
        const a = p[k];
        const b = r[k];
        return a !== undefined && b !== undefined && b !== 0 ? `${(a / b).toFixed(2)}x` : '-';
      };
      body.push([s, 'poly/rabbit', ...NUM_KEYS.map(ratio), '']);
    }
  }
  return table([...HEADER, 'rounds'], body);
}

/**
 * The end of every interleaved run: all rows, the medians and ratio when there
 * is more than one round or target, the medians appended to the results file.
 * Returns the exit code: 1 when any run failed.
 */
export function reportRuns(rows: readonly ResultRow[], rounds: number, targets: number, results: ResultsFile): number {
  console.log(`\nAll runs (${new Date().toISOString()}):\n${formatRows(rows)}`);
  if (rounds > 1 || targets > 1) {
    console.log(`\nMedians${targets > 1 ? ' and polyport/rabbitmq ratio' : ''}:\n${formatComparison(rows)}`);
  }
  for (const m of medians(rows)) results.append({ type: 'median', ...m });
  console.log(`\nresults: ${results.path}`);
  return rows.some((r) => r.error) ? 1 : 0;
}
