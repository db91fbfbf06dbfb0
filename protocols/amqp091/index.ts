/**
 * AMQP 0-9-1 adapter entry point.
 *
 * `createAmqpAdapter(core, opts)` returns the object the gateway registers
 * for AMQP listeners: `accept(transport)` runs one client connection over any
 * Transport (TCP, TLS); `closeAll()` closes every connection with a
 * connection.close (e.g. 320 CONNECTION_FORCED on shutdown) and waits for
 * close-ok or about a second; `connectionCount()` for metrics.
 *
 * Defaults are RabbitMQ's: frame_max 131072, channel_max 2047, heartbeat
 * 60 s, handshake timeout 10 s, max message size 128 MiB (3.x).
 */
import { hostname } from 'node:os';
import type { Core, Logger } from '../../core/index.js';
import type { Transport } from '../shared/transport.js';
import { AmqpConnection } from './connection.js';
import { FRAME_MIN_SIZE } from './codec/index.js';

export interface AmqpAdapterOptions {
  /** frame_max offered in connection.tune; default 131072 */
  frameMax?: number;
  /** channel_max offered in connection.tune; default 2047 */
  channelMax?: number;
  /** heartbeat (seconds) offered in connection.tune; default 60, 0 disables */
  heartbeat?: number;
  /** time allowed from accept to connection.open-ok; default 10000 */
  handshakeTimeoutMs?: number;
  /** largest accepted message body; default 134217728 (RabbitMQ 3.x) */
  maxMessageSize?: number;
  logger: Logger;
  /** server-properties product; default 'Polyport' */
  product?: string;
  /** server-properties version */
  version?: string;
  /** server-properties cluster_name; default 'polyport@<hostname>' (RabbitMQ: rabbit@<hostname>) */
  clusterName?: string;
}

export interface AmqpAdapter {
  readonly name: 'amqp091';
  accept(t: Transport): void;
  closeAll(replyCode: number, text: string): Promise<void>;
  connectionCount(): number;
}

export function createAmqpAdapter(core: Core, opts: AmqpAdapterOptions): AmqpAdapter {
  const frameMax = opts.frameMax ?? 131072;
  if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) {
    throw new RangeError(`frameMax ${frameMax} is below the minimum ${FRAME_MIN_SIZE}`);
  }
  const resolved = {
    frameMax,
    channelMax: opts.channelMax ?? 2047,
    heartbeat: opts.heartbeat ?? 60,
    handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 10_000,
    maxMessageSize: opts.maxMessageSize ?? 134_217_728,
    product: opts.product ?? 'Polyport',
    version: opts.version ?? '0.0.0',
    clusterName: opts.clusterName ?? `polyport@${hostname()}`,
    logger: opts.logger,
  };
  const connections = new Set<AmqpConnection>();
  const gone = (c: AmqpConnection): void => {
    connections.delete(c);
  };

  return {
    name: 'amqp091',
    accept(t: Transport): void {
      const c = new AmqpConnection(t, core, resolved, gone);
      connections.add(c);
      c.start();
    },
    async closeAll(replyCode: number, text: string): Promise<void> {
      await Promise.all([...connections].map((c) => c.forceClose(replyCode, text)));
    },
    connectionCount(): number {
      return connections.size;
    },
  };
}
