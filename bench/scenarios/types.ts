// Shared scenario types: parameters, live counters and the running-load handle.
import type { Histogram } from '../lib/histogram.js';

export interface ScenarioParams {
  host: string;
  port: number;
  /** Measured window, seconds. */
  seconds: number;
  /** Load runs this long before the window opens, seconds. */
  warmup: number;
  /** Message body size, bytes. */
  size: number;
  /** Consumer prefetch (basic.qos prefetch-count). */
  prefetch: number;
  /** Consumer sends basic.ack multiple=true every this many deliveries. */
  ackEvery: number;
  /** Fixed publish rate for the latency scenario, msg/s. */
  rate: number;
  /** Publisher confirm window (unconfirmed messages) for the confirms scenario. */
  window: number;
  /** Publisher pauses while published − delivered (per queue) exceeds this. */
  maxInflight: number;
  /** Publisher pauses while this many bytes sit in its socket buffer. */
  maxBuffered: number;
  /** Number of queues/consumers in the fanout scenario. */
  queues: number;
  /** delivery-mode 2 and durable queues. */
  persistent: boolean;
}

export const DEFAULT_PARAMS: Omit<ScenarioParams, 'host' | 'port'> = {
  seconds: 10,
  warmup: 2,
  size: 100,
  prefetch: 1000,
  ackEvery: 100,
  rate: 10000,
  window: 200,
  maxInflight: 20000,
  maxBuffered: 1 << 20,
  queues: 10,
  persistent: false,
};

/** Monotonic counters the scenario's clients bump; the runner snapshots them. */
export interface Counters {
  published: number;
  delivered: number;
  confirmed: number;
}

export interface RunningLoad {
  counters: Counters;
  /** Present for scenarios that measure end-to-end latency (µs). */
  histogram?: Histogram;
  /** First fatal client error (e.g. broker closed a channel), if any. */
  failure(): Error | undefined;
  /** Stop publishing, delete what was declared, close every connection. */
  stop(): Promise<void>;
}

export interface Scenario {
  name: string;
  description: string;
  start(p: ScenarioParams): Promise<RunningLoad>;
}

/** Unique-ish resource names so concurrent or crashed runs never collide. */
export function resourceName(scenario: string, suffix: string | number): string {
  return `bench.${scenario}.${process.pid}.${Date.now().toString(36)}.${suffix}`;
}
