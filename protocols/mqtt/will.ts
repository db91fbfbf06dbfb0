/**
 * Will messages [MQTT-3.1.2-8]: built at CONNECT, published when the
 * connection ends without a DISCONNECT (network failure, keepalive timeout,
 * protocol error, takeover), never after a normal DISCONNECT [MQTT-3.1.2-10]
 * (v5: unless its reason is 0x04 Disconnect with Will Message).
 *
 * v5 Will Delay Interval [MQTT-3.1.3-9]: the will waits min(delay, session
 * expiry) and is cancelled when a connection with the same client id arrives
 * before that. Delayed wills are timers owned by the adapter (RabbitMQ uses a
 * will queue with TTL + DLX; the core has no TTL/DLX yet). A retained will
 * is also stored as retained (RabbitMQ drops retain on delayed wills).
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
  private readonly timers = new Map<string, NodeJS.Timeout>();

  schedule(key: string, delayMs: number, fire: () => void): void {
    this.cancel(key);
    const t = setTimeout(() => {
      this.timers.delete(key);
      fire();
    }, delayMs);
    t.unref();
    this.timers.set(key, t);
  }

  cancel(key: string): boolean {
    const t = this.timers.get(key);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(key);
    return true;
  }

  /** fire every pending will now (shutdown) */
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
