// Samples CPU % (utime+stime deltas from /proc/PID/stat) and RSS (VmRSS from
// /proc/PID/status) of one process at a fixed interval. CPU % is of ONE core
// (200 % = both cores of this machine busy).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 0;
function ticksPerSecond(): number {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime+stime in clock ticks, or undefined if the process is gone. */
export function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm (field 2) may contain spaces; fields after the last ')' are positional.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

/** Resident set size in KiB, or undefined if the process is gone. */
export function readRssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface ProcSummary {
  /** Average CPU % of one core over the sampled window. */
  cpuAvgPct: number;
  /** Highest CPU % seen in any single interval. */
  cpuMaxPct: number;
  rssMaxMb: number;
  rssLastMb: number;
  samples: number;
}

export class ProcSampler {
  readonly pid: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private startTicks = 0;
  private startNs = 0n;
  private lastTicks = 0;
  private lastNs = 0n;
  private cpuMax = 0;
  private rssMax = 0;
  private rssLast = 0;
  private samples = 0;

  constructor(pid: number, intervalMs = 500) {
    this.pid = pid;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.stopTimer();
    const t = readCpuTicks(this.pid) ?? 0;
    const now = process.hrtime.bigint();
    this.startTicks = this.lastTicks = t;
    this.startNs = this.lastNs = now;
    this.cpuMax = 0;
    this.rssMax = 0;
    this.samples = 0;
    this.sampleRss();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sampleRss(): void {
    const rss = readRssKb(this.pid);
    if (rss !== undefined) {
      this.rssLast = rss;
      if (rss > this.rssMax) this.rssMax = rss;
    }
  }

  private sample(): void {
    const t = readCpuTicks(this.pid);
    const now = process.hrtime.bigint();
    if (t !== undefined) {
      const secs = Number(now - this.lastNs) / 1e9;
      if (secs > 0) {
        const pct = ((t - this.lastTicks) / ticksPerSecond() / secs) * 100;
        if (pct > this.cpuMax) this.cpuMax = pct;
      }
      this.lastTicks = t;
      this.lastNs = now;
    }
    this.sampleRss();
    this.samples++;
  }

  /** Stop sampling and summarise the window since start(). */
  stop(): ProcSummary {
    this.sample();
    this.stopTimer();
    const secs = Number(this.lastNs - this.startNs) / 1e9;
    const cpuAvgPct = secs > 0 ? ((this.lastTicks - this.startTicks) / ticksPerSecond() / secs) * 100 : 0;
    return {
      cpuAvgPct,
      cpuMaxPct: this.cpuMax,
      rssMaxMb: this.rssMax / 1024,
      rssLastMb: this.rssLast / 1024,
      samples: this.samples,
    };
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
