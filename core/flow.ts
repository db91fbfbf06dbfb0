/**
 * Resource-alarm gate (RabbitMQ's memory/disk alarms → connection.blocked).
 *
 * Named boolean alarms; while at least one is on the broker is "blocked" and
 * every listener (one per session) hears `blocked("low on <alarm>")` once on
 * the transition, and `unblocked()` once when the last alarm clears. Alarm
 * sources (memory watermark, disk free) plug in later through `setAlarm`.
 */
import type { FlowControl } from './api.js';

export interface FlowListener {
  blocked(reason: string): void;
  unblocked(): void;
}

export class FlowGate implements FlowControl {
  private readonly alarms = new Set<string>();
  private readonly listeners = new Set<FlowListener>();

  get isBlocked(): boolean {
    return this.alarms.size > 0;
  }

  /** RabbitMQ's connection.blocked reason text: "low on memory", "low on disk". */
  get reason(): string {
    const first = this.alarms.values().next();
    return first.done ? '' : `low on ${first.value}`;
  }

  setAlarm(name: string, on: boolean): void {
    const was = this.isBlocked;
    if (on) this.alarms.add(name);
    else this.alarms.delete(name);
    const now = this.isBlocked;
    if (was === now) return;
    const reason = this.reason;
    for (const l of [...this.listeners]) {
      if (now) l.blocked(reason);
      else l.unblocked();
    }
  }

  activeAlarms(): string[] {
    return [...this.alarms];
  }

  /** Registers a listener; if an alarm is on it hears `blocked` on the next microtask. */
  subscribe(l: FlowListener): () => void {
    this.listeners.add(l);
    if (this.isBlocked) {
      queueMicrotask(() => {
        if (this.listeners.has(l) && this.isBlocked) l.blocked(this.reason);
      });
    }
    return () => {
      this.listeners.delete(l);
    };
  }
}
