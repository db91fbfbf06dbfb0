/**
 * STOMP adapter entry point (RabbitMQ rabbitmq_stomp semantics).
 *
 * `createStompAdapter(core, opts)` returns what the gateway registers for
 * STOMP listeners (TCP, TLS) and for Web STOMP transports: `accept(t)` runs
 * one client over any Transport, `closeAll()` closes every connection with an
 * ERROR frame, `connectionCount()` for metrics.
 *
 * Defaults are RabbitMQ's: no default user, implicit connect off, vhost '/',
 * max frame 4 MiB, topic exchange amq.topic, NACK requeue true.
 */
import type { Core, Logger } from '../../core/index.js';
import type { Transport } from '../shared/transport.js';
import { DEFAULT_LIMITS } from './codec.js';
import { StompConnection } from './connection.js';
import type { ResolvedStompOptions } from './types.js';

export type { StompVersion, StompFrame } from './codec.js';

export interface StompAdapterOptions {
  logger: Logger;
  /** stomp.default_user / default_pass: used when CONNECT carries no login */
  defaultUser?: string;
  defaultPass?: string;
  /** stomp.implicit_connect: frames without CONNECT log in as the default user; default false */
  implicitConnect?: boolean;
  /** stomp.default_vhost; default '/' */
  defaultVhost?: string;
  /** stomp.max_frame_size; default 4 MiB */
  maxFrameSize?: number;
  /** most headers per frame; default 1000 */
  maxHeaders?: number;
  /** longest header line; default 64 KiB */
  maxHeaderLength?: number;
  /** largest body; default maxFrameSize */
  maxBodySize?: number;
  /** stomp.default_topic_exchange; default 'amq.topic' */
  defaultTopicExchange?: string;
  /** stomp.default_nack_requeue; default true */
  defaultNackRequeue?: boolean;
  /** stomp.hide_server_info: no `server` header in CONNECTED */
  hideServerInfo?: boolean;
  /** CONNECTED `server` header; default 'Polyport/0.1.0' */
  serverName?: string;
  /** close connections that send no CONNECT within this time; default 10000 */
  connectTimeoutMs?: number;
  /** concurrent transactions per connection; default 16 */
  maxTransactions?: number;
  /** frames per transaction; default 1024 */
  maxTxActions?: number;
}

export interface StompAdapter {
  readonly name: 'stomp';
  accept(t: Transport): void;
  closeAll(): Promise<void>;
  connectionCount(): number;
}

export function resolveOptions(o: StompAdapterOptions): ResolvedStompOptions {
  const maxFrameSize = o.maxFrameSize ?? DEFAULT_LIMITS.maxFrameSize;
  return {
    logger: o.logger,
    defaultUser: o.defaultUser,
    defaultPass: o.defaultPass,
    implicitConnect: o.implicitConnect ?? false,
    defaultVhost: o.defaultVhost ?? '/',
    limits: {
      maxFrameSize,
      maxHeaders: o.maxHeaders ?? DEFAULT_LIMITS.maxHeaders,
      maxHeaderLength: o.maxHeaderLength ?? DEFAULT_LIMITS.maxHeaderLength,
      maxBodySize: o.maxBodySize ?? maxFrameSize,
    },
    topicExchange: o.defaultTopicExchange ?? 'amq.topic',
    defaultNackRequeue: o.defaultNackRequeue ?? true,
    serverName: o.hideServerInfo === true ? undefined : (o.serverName ?? 'Polyport/0.1.0'),
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    maxTransactions: o.maxTransactions ?? 16,
    maxTxActions: o.maxTxActions ?? 1024,
  };
}

export function createStompAdapter(core: Core, opts: StompAdapterOptions): StompAdapter {
  const resolved = resolveOptions(opts);
  const log = opts.logger.child({ protocol: 'stomp' });
  const r = { ...resolved, logger: log };
  const connections = new Set<StompConnection>();
  const gone = (c: StompConnection): void => {
    connections.delete(c);
  };
  return {
    name: 'stomp',
    accept(t: Transport): void {
      const c = new StompConnection(t, core, r, gone);
      connections.add(c);
      c.start();
    },
    async closeAll(): Promise<void> {
      await Promise.all([...connections].map((c) => c.forceClose('Broker shutdown')));
    },
    connectionCount(): number {
      return connections.size;
    },
  };
}
