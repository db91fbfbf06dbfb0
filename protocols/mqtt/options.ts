/**
 * MQTT adapter options (rabbitmq.conf `mqtt.*` keys, wired by the gateway)
 * and their defaults, which follow RabbitMQ's where it has one.
 */
import type { Logger, StateMap } from '../../core/index.js';
import type { AuthMethod } from './handlers/auth.js';
import type { RetainedIndex, RetainedLimits } from './retained.js';
import type { SessionStore } from './session.js';

export interface MqttAdapterOptions {
  logger: Logger;
  /** mqtt.exchange; must be a topic exchange; default amq.topic */
  exchange?: string;
  /** mqtt.vhost; default '/' */
  vhost?: string;
  /** mqtt.allow_anonymous; default false */
  allowAnonymous?: boolean;
  /** mqtt.default_user / default_pass, used for anonymous connections */
  defaultUser?: string;
  defaultPass?: string;
  /** mqtt.max_packet_size (whole packet); default 268435456 (the MQTT maximum) */
  maxPacketSize?: number;
  /** retained message limits per vhost */
  retainedLimit?: RetainedLimits;
  /** mqtt.topic_escaping: lossless '.' inside MQTT levels; default false (RabbitMQ compatible) */
  topicEscaping?: boolean;
  /** mqtt.prefetch: max unacked QoS 1/2 deliveries per consumer; default 10 */
  prefetch?: number;
  /** v5 Topic Alias Maximum accepted from clients; default 16, 0 disables */
  topicAliasMaximum?: number;
  /** mqtt.max_session_expiry_interval_seconds; default 86400; also the v3 clean=false lifetime */
  maxSessionExpirySeconds?: number;
  /** mqtt.ssl_cert_login: TLS client certificate CN as the username; default false */
  sslCertLogin?: boolean;
  /** keepalive is enforced at factor × keepalive; default 1.5 [MQTT-3.1.2-24] */
  keepaliveFactor?: number;
  /** mqtt.login_timeout: time allowed for CONNECT; default 10000 ms */
  loginTimeoutMs?: number;
  /** mqtt_port_to_vhost_mapping: local port → vhost */
  portToVhost?: Record<string, string>;
  /** v5 Server Keep Alive: cap on the client's keep alive (seconds); default none */
  maxKeepAlive?: number;
  /** unconfirmed inbound QoS 1/2 publishes above which reading pauses; default 1000 */
  maxUnconfirmed?: number;
  /** v5 Receive Maximum advertised to clients (inbound QoS 1/2 in flight); default 65535 */
  receiveMaximum?: number;
  /** v5 enhanced authentication methods in addition to the built-in SCRAM-SHA-256 */
  authMethods?: readonly AuthMethod[];
  /**
   * where persistent sessions, QoS 2 packet ids, retained messages and
   * delayed wills are kept across restarts (the gateway passes
   * `persistence.stateMap('mqtt')`); without it they live in memory only
   */
  state?: StateMap;
  /** replace the in-memory stores (ignored with `state`) */
  retainedIndex?: RetainedIndex;
  sessionStore?: SessionStore;
}

export interface ResolvedOptions {
  logger: Logger;
  exchange: string;
  vhost: string;
  allowAnonymous: boolean;
  defaultUser: string | undefined;
  defaultPass: string | undefined;
  maxPacketSize: number;
  topicEscaping: boolean;
  prefetch: number;
  topicAliasMaximum: number;
  maxSessionExpirySeconds: number;
  sslCertLogin: boolean;
  keepaliveFactor: number;
  loginTimeoutMs: number;
  portToVhost: Record<string, string>;
  maxKeepAlive: number | undefined;
  maxUnconfirmed: number;
  receiveMaximum: number;
}

export function resolveOptions(o: MqttAdapterOptions): ResolvedOptions {
  return {
    logger: o.logger,
    exchange: o.exchange ?? 'amq.topic',
    vhost: o.vhost ?? '/',
    allowAnonymous: o.allowAnonymous ?? false,
    defaultUser: o.defaultUser,
    defaultPass: o.defaultPass,
    maxPacketSize: Math.min(o.maxPacketSize ?? 268_435_456, 268_435_460),
    topicEscaping: o.topicEscaping ?? false,
    prefetch: Math.max(1, Math.min(o.prefetch ?? 10, 65535)),
    topicAliasMaximum: Math.max(0, Math.min(o.topicAliasMaximum ?? 16, 65535)),
    maxSessionExpirySeconds: o.maxSessionExpirySeconds ?? 86_400,
    sslCertLogin: o.sslCertLogin ?? false,
    keepaliveFactor: o.keepaliveFactor ?? 1.5,
    loginTimeoutMs: o.loginTimeoutMs ?? 10_000,
    portToVhost: o.portToVhost ?? {},
    maxKeepAlive: o.maxKeepAlive,
    maxUnconfirmed: o.maxUnconfirmed ?? 1000,
    receiveMaximum: Math.max(1, Math.min(o.receiveMaximum ?? 65535, 65535)),
  };
}
