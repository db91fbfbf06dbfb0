// MQTT bench scenarios: raw-socket load from bench/mqtt-client.ts processes.
import type { FlowSpec } from '../mqtt-client.js';

export interface MqttParams {
  seconds: number;
  warmup: number;
  size: number;
  /** fixed rate of the latency scenario, msgs/s */
  rate: number;
  /** end-to-end window (messages sent, not yet received) */
  window: number;
  /** fan-in publishers */
  publishers: number;
  /** idle scaling steps (connections) */
  steps: number[];
}

export const DEFAULT_MQTT: MqttParams = { seconds: 8, warmup: 2, size: 100, rate: 5000, window: 20000, publishers: 50, steps: [1000, 5000, 10000, 19000] };

export interface FlowScenario {
  kind: 'flow';
  name: string;
  description: string;
  spec(p: MqttParams, host: string, port: number, tag: string): FlowSpec;
}

export interface IdleScenario {
  kind: 'idle';
  name: string;
  description: string;
}

export type MqttScenario = FlowScenario | IdleScenario;

const base = (p: MqttParams, host: string, port: number): Pick<FlowSpec, 'mode' | 'host' | 'port' | 'size' | 'warmup' | 'seconds' | 'window'> => ({
  mode: 'flow', host, port, size: p.size, warmup: p.warmup, seconds: p.seconds, window: p.window,
});

export const MQTT_SCENARIOS: MqttScenario[] = [
  {
    kind: 'flow', name: 'qos0', description: '1 publisher → 1 subscriber, QoS 0, max rate',
    spec: (p, h, port, tag) => ({ ...base(p, h, port), publishers: 1, qos: 0, prefix: `b/${tag}`, filter: `b/${tag}/0`, inflight: 0, batch: 256, rate: 0 }),
  },
  {
    kind: 'flow', name: 'qos1', description: '1 publisher → 1 subscriber, QoS 1 both ways (≤1000 unacked publishes), max rate',
    spec: (p, h, port, tag) => ({ ...base(p, h, port), publishers: 1, qos: 1, prefix: `b/${tag}`, filter: `b/${tag}/0`, inflight: 1000, batch: 128, rate: 0 }),
  },
  {
    kind: 'flow', name: 'fan-in', description: 'N publishers → 1 wildcard subscriber (b/tag/+), QoS 0, max rate',
    spec: (p, h, port, tag) => ({ ...base(p, h, port), publishers: p.publishers, qos: 0, prefix: `b/${tag}`, filter: `b/${tag}/+`, inflight: 0, batch: 32, rate: 0 }),
  },
  {
    kind: 'flow', name: 'latency', description: '1 → 1, QoS 1, fixed rate (--rate), end-to-end latency p50/p99',
    spec: (p, h, port, tag) => ({ ...base(p, h, port), publishers: 1, qos: 1, prefix: `b/${tag}`, filter: `b/${tag}/0`, inflight: 65535, batch: 1, rate: p.rate }),
  },
  { kind: 'idle', name: 'idle', description: 'idle connection scaling (--steps), broker RSS per connection' },
];
