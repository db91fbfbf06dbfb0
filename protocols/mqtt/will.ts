/**
 * Will messages [MQTT-3.1.2-8]: built at CONNECT, published when the
 * connection ends without a DISCONNECT (network failure, keepalive timeout,
 * protocol error, takeover), never after a normal DISCONNECT [MQTT-3.1.2-10]
 * (v5: unless its reason is 0x04 Disconnect with Will Message).
 *
 * v5 Will Delay Interval [MQTT-3.1.3-9]: the will waits min(delay, session
 * expiry) and is cancelled when a connection with the same client id arrives
 * before that, and published when the session ends first. Delayed wills are
 * timers owned by the adapter, kept on disk meanwhile (durable-state.ts), so
 * a restart re-arms them (RabbitMQ uses a will queue with TTL + DLX, which
 * a restart also keeps). A retained will is also stored as retained
 * (RabbitMQ drops retain on delayed wills).
 */
import type { IConnectPacket } from 'mqtt-packet';
import type { Message } from '../../core/index.js';
import { toMessage } from './properties.js';
import { topicToRoutingKey } from './topics.js';

export interface WillSpec {
  readonly topic: string;
  readonly message: Message;
  readonly retain: boolean;
  readonly delaySeconds: number;
}

export function buildWill(w: NonNullable<IConnectPacket['will']>, exchange: string, escaping: boolean): WillSpec {
  const props = w.properties;
  const payload = typeof w.payload === 'string' ? Buffer.from(w.payload) : w.payload;
  const message = toMessage(
    exchange,
    {
      routingKey: topicToRoutingKey(w.topic, escaping),
      payload,
      qos: w.qos ?? 0,
      retain: w.retain ?? false,
      properties: props
        ? {
            ...(props.contentType !== undefined ? { contentType: props.contentType } : {}),
            ...(props.messageExpiryInterval !== undefined ? { messageExpiryInterval: props.messageExpiryInterval } : {}),
            ...(props.correlationData !== undefined ? { correlationData: props.correlationData } : {}),
            ...(props.responseTopic !== undefined ? { responseTopic: props.responseTopic } : {}),
            ...(props.payloadFormatIndicator !== undefined ? { payloadFormatIndicator: props.payloadFormatIndicator } : {}),
            ...(props.userProperties !== undefined ? { userProperties: props.userProperties } : {}),
          }
        : undefined,
    },
    escaping,
  );
  return { topic: w.topic, message, retain: w.retain ?? false, delaySeconds: props?.willDelayInterval ?? 0 };
}

/** Pending delayed wills keyed by (vhost, client id). */
export class WillScheduler {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; fire: () => void }>();

  schedule(key: string, delayMs: number, fire: () => void): void {
    this.cancel(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      fire();
    }, Math.max(0, Math.min(delayMs, 2_147_483_647)));
    timer.unref();
    this.timers.set(key, { timer, fire });
  }

  cancel(key: string): boolean {
    const t = this.timers.get(key);
    if (!t) return false;
    clearTimeout(t.timer);
    this.timers.delete(key);
    return true;
  }

  /** publishes a pending will now (its session ended first) */
  fireNow(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    this.cancel(key);
    t.fire();
  }

  /** drops every pending timer (adapter shutdown; what is on disk stays for the next start) */
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
