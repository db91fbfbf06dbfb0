/**
 * The config schema: every key Polyport accepts, with RabbitMQ's key names,
 * value types (zod 4) and defaults, and the typed `Config` built from them.
 *
 * Responsibilities:
 * - `KEYS`: the single table of accepted keys (`*` matches one key segment),
 *   each with a zod validator from the string value and a default;
 * - `buildConfig(entries)`: validate every entry (unknown key or bad value →
 *   ConfigError naming the key and line), apply defaults, check cross-key
 *   rules, return a `Config`.
 *
 * Keys accepted for protocols that are not served yet (stomp, web_*,
 * management, prometheus) are validated and typed already, so config files
 * written for later releases keep working.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError, location, type ConfigEntry } from './parse.js';

// ---------------------------------------------------------------- value types

export interface Endpoint {
  /** IP address to bind; undefined = all interfaces */
  readonly host?: string | undefined;
  /** 0 = any free port */
  readonly port: number;
}

export interface NamedEndpoint extends Endpoint {
  /** the last key segment: `default` in `listeners.tcp.default` */
  readonly name: string;
}

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical', 'none'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function int(max: number, min = 0) {
  return z
    .string()
    .regex(/^\d+$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `expected an integer from ${min} to ${max}`)
        .max(max, `expected an integer from ${min} to ${max}`),
    );
}

const port = int(65535);

/** `5672`, `127.0.0.1:5672`, `::1:5672` or `[::1]:5672` (RabbitMQ syntax). */
export function parseEndpoint(s: string): Endpoint | null {
  if (/^\d+$/.test(s)) return portOnly(s);
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  let host: string | undefined;
  let p: string | undefined;
  if (bracket) {
    host = bracket[1];
    p = bracket[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i <= 0) return null;
    host = s.slice(0, i);
    p = s.slice(i + 1);
  }
  if (host === undefined || p === undefined || !/^\d+$/.test(p) || isIP(host) === 0) return null;
  const n = Number(p);
  return n <= 65535 ? { host, port: n } : null;
}

function portOnly(s: string): Endpoint | null {
  const n = Number(s);
  return n <= 65535 ? { port: n } : null;
}

const endpoint = z.string().transform((s, ctx): Endpoint => {
  const e = parseEndpoint(s);
  if (!e) {
    ctx.addIssue({ code: 'custom', message: 'expected a port (0-65535) or ip:port' });
    return z.NEVER;
  }
  return e;
});

const bool = z.enum(['true', 'false'], 'expected true or false').transform((v) => v === 'true');
const text = z.string().min(1, 'expected a value');
const none = z.literal('none', "expected 'none' (or set keys below it)");

// ---------------------------------------------------------------- the key table

export interface KeySpec {
  readonly schema: z.ZodType<unknown, string>;
  /** default, in config-file syntax; absent = unset */
  readonly default?: string;
  readonly doc: string;
}

/** Every accepted key. `*` matches one segment. Order = documentation order. */
export const KEYS = {
  'listeners.tcp': { schema: none, doc: "'none' disables the AMQP TCP listeners" },
  'listeners.tcp.*': { schema: endpoint, default: '5672', doc: 'AMQP listener: port or ip:port; default name is `default`' },
  'listeners.ssl': { schema: none, doc: "'none' disables the AMQP TLS listeners" },
  'listeners.ssl.*': { schema: endpoint, doc: 'AMQPS (TLS) listener, typically 5671; needs ssl_options' },
  'ssl_options.certfile': { schema: text, doc: 'PEM server certificate (chain)' },
  'ssl_options.keyfile': { schema: text, doc: 'PEM private key' },
  'ssl_options.cacertfile': { schema: text, doc: 'PEM CA bundle for client certificates' },
  'ssl_options.verify': {
    schema: z.enum(['verify_none', 'verify_peer'], 'expected verify_none or verify_peer'),
    default: 'verify_none',
    doc: 'verify_peer asks clients for a certificate',
  },
  'ssl_options.fail_if_no_peer_cert': { schema: bool, default: 'false', doc: 'with verify_peer: refuse clients without a certificate' },
  default_user: { schema: text, default: 'guest', doc: 'user created at start (tag administrator)' },
  default_pass: { schema: text, default: 'guest', doc: "that user's password" },
  default_vhost: { schema: text, default: '/', doc: 'vhost created at start; default user gets `.*` on it' },
  loopback_users: { schema: none, doc: "'none': every user may connect from anywhere" },
  'loopback_users.*': { schema: bool, doc: '`loopback_users.NAME = true`: NAME may connect from loopback only (default: guest)' },
  heartbeat: { schema: int(65535), default: '60', doc: 'AMQP heartbeat the server proposes, seconds (0 = off)' },
  frame_max: { schema: int(4294967295), default: '131072', doc: 'largest AMQP frame, bytes (0 = no limit, else >= 4096)' },
  channel_max: { schema: int(65535), default: '2047', doc: 'AMQP channels per connection (0 = 65535)' },
  max_message_size: { schema: int(536870912, 1), default: '134217728', doc: 'largest message body, bytes (at most 512 MiB)' },
  handshake_timeout: { schema: int(2147483647), default: '10000', doc: 'ms a client has to finish the protocol handshake' },
  'log.console': { schema: bool, default: 'true', doc: 'write JSON logs to stdout' },
  'log.console.level': {
    schema: z.enum(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(', ')}`),
    default: 'info',
    doc: LOG_LEVELS.join(' | '),
  },
  'product.name': { schema: text, doc: "server-properties `product` (RabbitMQ key; default Polyport)" },
  'product.version': { schema: text, doc: 'server-properties `version` (RabbitMQ key; default the package version)' },
  data_dir: { schema: text, default: './data', doc: 'directory for broker data (created if missing)' },
  load_definitions: {
    schema: text,
    doc: 'definitions JSON file (or directory of *.json files) imported at boot after the stored definitions; the default user is then not created',
  },
  'definitions.import_backend': {
    schema: z
      .enum(['local_filesystem', 'local', 'rabbitmq_definitions_import_local_filesystem'], 'expected local_filesystem (the only backend supported)')
      .transform(() => 'local_filesystem' as const),
    doc: 'local_filesystem: import definitions.local.path at boot (the modern form of load_definitions)',
  },
  'definitions.local.path': { schema: text, doc: 'definitions file or directory for definitions.import_backend = local_filesystem' },
  'mqtt.listeners.tcp': { schema: none, doc: "'none' disables the MQTT TCP listeners" },
  'mqtt.listeners.tcp.*': { schema: endpoint, default: '1883', doc: 'MQTT listener: port or ip:port' },
  'mqtt.listeners.ssl': { schema: none, doc: "'none' disables the MQTT TLS listeners" },
  'mqtt.listeners.ssl.*': { schema: endpoint, doc: 'MQTT over TLS listener, typically 8883; uses ssl_options' },
  'mqtt.allow_anonymous': { schema: bool, default: 'true', doc: 'CONNECT without username/password logs in as mqtt.default_user (RabbitMQ default true)' },
  'mqtt.default_user': { schema: text, default: 'guest', doc: 'user for anonymous MQTT connections (guest is loopback-only by default)' },
  'mqtt.default_pass': { schema: text, default: 'guest', doc: "that user's password" },
  'mqtt.vhost': { schema: text, doc: 'vhost of MQTT connections without `vhost:user` (default: default_vhost)' },
  'mqtt.exchange': { schema: text, default: 'amq.topic', doc: 'topic exchange MQTT publishes to and subscribes from' },
  'mqtt.prefetch': { schema: int(65535, 1), default: '10', doc: 'unacknowledged QoS 1/2 deliveries per subscriber' },
  'mqtt.max_packet_size': { schema: int(268435456, 1), default: '268435456', doc: 'largest MQTT packet accepted, bytes' },
  'mqtt.topic_escaping': { schema: bool, default: 'false', doc: "lossless '.' inside MQTT topic levels (not RabbitMQ compatible)" },
  'mqtt.ssl_cert_login': { schema: bool, default: 'false', doc: 'TLS client certificate CN as the username' },
  'mqtt.max_session_expiry_interval_seconds': {
    schema: z.union([z.literal('infinity').transform(() => 4294967295), int(4294967295)]),
    default: '86400',
    doc: "cap on session expiry (v5) and the lifetime of clean_session=0 sessions; 'infinity' allowed",
  },
  'mqtt.server_keep_alive': {
    schema: int(65535, 1),
    doc: 'v5 Server Keep Alive, seconds: a v5 client asking for more (or for 0 = none) is told this value in CONNACK and held to it [MQTT-3.2.2-21]; v3/v4 clients, which cannot be told, keep their own. Unset: the client decides (a Polyport key; RabbitMQ has none)',
  },
  'mqtt.receive_maximum': { schema: int(65535, 1), default: '65535', doc: 'v5 Receive Maximum the server advertises: inbound QoS 1/2 publishes a client may have unacknowledged (a Polyport key; RabbitMQ has none)' },
  'mqtt.topic_alias_maximum': { schema: int(65535), default: '16', doc: 'v5 Topic Alias Maximum (0 disables)' },
  'mqtt.login_timeout': { schema: int(2147483647), default: '10000', doc: 'ms a client has to send CONNECT' },
  'mqtt.retained_message_store.max_messages': { schema: int(2147483647), default: '1000000', doc: 'retained messages per vhost' },
  'mqtt.retained_message_store.max_size_bytes': { schema: int(Number.MAX_SAFE_INTEGER), default: '1073741824', doc: 'retained payload bytes per vhost' },
  'stomp.listeners.tcp': { schema: none, doc: "'none' disables the STOMP TCP listeners" },
  'stomp.listeners.tcp.*': { schema: endpoint, default: '61613', doc: 'STOMP listener; RabbitMQ names it `1`' },
  'stomp.listeners.ssl': { schema: none, doc: "'none' disables the STOMP TLS listeners" },
  'stomp.listeners.ssl.*': { schema: endpoint, doc: 'STOMP over TLS listener, typically 61614; uses ssl_options' },
  'stomp.default_user': { schema: text, default: 'guest', doc: 'login for CONNECT frames without one (RabbitMQ default guest)' },
  'stomp.default_pass': { schema: text, default: 'guest', doc: "that user's passcode" },
  'stomp.default_vhost': { schema: text, doc: 'vhost when CONNECT has no host header (default: default_vhost)' },
  'stomp.implicit_connect': { schema: bool, default: 'false', doc: 'frames before CONNECT log in as stomp.default_user' },
  'stomp.max_frame_size': { schema: int(536870912, 1), default: '4194304', doc: 'largest STOMP frame, bytes' },
  'stomp.default_topic_exchange': { schema: text, default: 'amq.topic', doc: 'exchange behind /topic/ destinations' },
  'stomp.default_nack_requeue': { schema: bool, default: 'true', doc: 'NACK without a requeue header requeues' },
  'stomp.hide_server_info': { schema: bool, default: 'false', doc: 'no `server` header in CONNECTED' },
  'web_stomp.tcp.port': { schema: port, default: '15674', doc: 'STOMP over WebSocket (path web_stomp.ws_path)' },
  'web_stomp.ssl.port': { schema: port, doc: 'STOMP over secure WebSocket, typically 15673; uses ssl_options' },
  'web_stomp.ws_frame': { schema: z.enum(['text', 'binary'], 'expected text or binary'), default: 'text', doc: 'WebSocket frame type for STOMP' },
  'web_stomp.ws_path': { schema: text, default: '/ws', doc: 'WebSocket endpoint path' },
  'web_stomp.allow_origins.*': { schema: text, doc: 'allowed Origin header values (any name); none set = any origin' },
  'web_mqtt.tcp.port': { schema: port, default: '15675', doc: 'MQTT over WebSocket (path web_mqtt.ws_path)' },
  'web_mqtt.ssl.port': { schema: port, doc: 'MQTT over secure WebSocket, typically 15676; uses ssl_options' },
  'web_mqtt.ws_path': { schema: text, default: '/ws', doc: 'WebSocket endpoint path' },
  'web_mqtt.allow_origins.*': { schema: text, doc: 'allowed Origin header values (any name); none set = any origin' },
  'management.tcp.port': { schema: port, default: '15672', doc: 'management HTTP API (planned)' },
  'prometheus.tcp.port': { schema: port, default: '15692', doc: 'Prometheus metrics (planned)' },
} as const satisfies Record<string, KeySpec>;

export type KeyPattern = keyof typeof KEYS;
type ValueOf<K extends KeyPattern> = z.output<(typeof KEYS)[K]['schema']>;

/** The table entry a concrete key falls under, or undefined for an unknown key. */
export function matchKey(key: string): KeyPattern | undefined {
  if (Object.hasOwn(KEYS, key)) return key as KeyPattern;
  const segs = key.split('.');
  for (const pattern of Object.keys(KEYS) as KeyPattern[]) {
    const ps = pattern.split('.');
    if (ps.length === segs.length && ps.every((p, i) => p === '*' || p === segs[i])) return pattern;
  }
  return undefined;
}

// ---------------------------------------------------------------- typed config

/** A definitions file (or directory) imported at boot, with the key that named it (for error messages). */
export interface DefinitionsSource {
  readonly key: 'load_definitions' | 'definitions.local.path';
  readonly path: string;
}

export interface TlsSettings {
  readonly certfile?: string | undefined;
  readonly keyfile?: string | undefined;
  readonly cacertfile?: string | undefined;
  readonly verify: 'verify_none' | 'verify_peer';
  readonly failIfNoPeerCert: boolean;
}

export interface ListenerSet {
  readonly tcp: readonly NamedEndpoint[];
  readonly ssl: readonly NamedEndpoint[];
}

export interface Config {
  /** AMQP 0-9-1 */
  readonly listeners: ListenerSet;
  readonly sslOptions: TlsSettings;
  readonly defaultUser: string;
  readonly defaultPass: string;
  readonly defaultVhost: string;
  readonly loopbackUsers: readonly string[];
  /** seconds */
  readonly heartbeat: number;
  readonly frameMax: number;
  readonly channelMax: number;
  readonly maxMessageSize: number;
  /** ms */
  readonly handshakeTimeout: number;
  readonly log: { readonly console: boolean; readonly level: LogLevel };
  readonly dataDir: string;
  /** `load_definitions`, then `definitions.local.path`: imported at boot in this order; [] when none */
  readonly loadDefinitions: readonly DefinitionsSource[];
  /** overrides of the advertised product name/version (RabbitMQ `product.name`, `product.version`) */
  readonly product: { readonly name?: string | undefined; readonly version?: string | undefined };
  readonly mqtt: MqttConfig;
  readonly stomp: StompConfig;
  readonly webStomp: WebConfig & { readonly wsFrame: 'text' | 'binary' };
  readonly webMqtt: WebConfig;
  readonly management: { readonly port: number };
  readonly prometheus: { readonly port: number };
}

export interface StompConfig {
  readonly listeners: ListenerSet;
  readonly defaultUser: string;
  readonly defaultPass: string;
  /** undefined: default_vhost */
  readonly defaultVhost?: string | undefined;
  readonly implicitConnect: boolean;
  readonly maxFrameSize: number;
  readonly defaultTopicExchange: string;
  readonly defaultNackRequeue: boolean;
  readonly hideServerInfo: boolean;
}

export interface WebConfig {
  readonly port: number;
  readonly sslPort?: number | undefined;
  readonly path: string;
  /** `*.allow_origins.*` values; undefined = any origin (RabbitMQ) */
  readonly allowOrigins?: readonly string[] | undefined;
}

export interface MqttConfig {
  readonly listeners: ListenerSet;
  readonly allowAnonymous: boolean;
  readonly defaultUser: string;
  readonly defaultPass: string;
  /** undefined: default_vhost */
  readonly vhost?: string | undefined;
  readonly exchange: string;
  readonly prefetch: number;
  readonly maxPacketSize: number;
  readonly topicEscaping: boolean;
  readonly sslCertLogin: boolean;
  readonly maxSessionExpirySeconds: number;
  readonly topicAliasMaximum: number;
  /** seconds; undefined: the client's keep alive is used */
  readonly serverKeepAlive?: number | undefined;
  readonly receiveMaximum: number;
  /** ms */
  readonly loginTimeout: number;
  readonly retained: { readonly maxMessages: number; readonly maxBytes: number };
}

interface Parsed {
  readonly value: unknown;
  readonly line: number;
}

/**
 * Validates entries (from parse.ts) and builds the Config; throws ConfigError
 * (`polyport.conf:7: unknown key 'listners.tcp.default'`). Later duplicates win.
 */
export function buildConfig(entries: readonly ConfigEntry[], source?: string): Config {
  const values = new Map<string, Parsed>();
  for (const e of entries) {
    const pattern = matchKey(e.key);
    if (!pattern) throw new ConfigError(`${location(source, e.line)}: unknown key '${e.key}'`);
    const r = KEYS[pattern].schema.safeParse(e.value);
    if (!r.success) {
      const msg = r.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`${location(source, e.line)}: ${e.key}: ${msg}`);
    }
    values.set(e.key, { value: r.data, line: e.line });
  }
  const get = <K extends KeyPattern>(k: K): ValueOf<K> => {
    const hit = values.get(k);
    if (hit) return hit.value as ValueOf<K>;
    const d = (KEYS[k] as KeySpec).default;
    return (d === undefined ? undefined : KEYS[k].schema.parse(d)) as ValueOf<K>;
  };
  const opt = <K extends KeyPattern>(k: K): ValueOf<K> | undefined => values.get(k)?.value as ValueOf<K> | undefined;

  const listenerSet = (prefix: string): ListenerSet => ({
    tcp: endpoints(values, `${prefix}tcp`),
    ssl: endpoints(values, `${prefix}ssl`),
  });
  const frameMax = get('frame_max');
  if (frameMax !== 0 && frameMax < 4096) {
    throw new ConfigError(`${location(source, values.get('frame_max')?.line ?? 0)}: frame_max: expected 0 or at least 4096`);
  }
  const config: Config = {
    listeners: listenerSet('listeners.'),
    sslOptions: {
      certfile: opt('ssl_options.certfile'),
      keyfile: opt('ssl_options.keyfile'),
      cacertfile: opt('ssl_options.cacertfile'),
      verify: get('ssl_options.verify'),
      failIfNoPeerCert: get('ssl_options.fail_if_no_peer_cert'),
    },
    defaultUser: get('default_user'),
    defaultPass: get('default_pass'),
    defaultVhost: get('default_vhost'),
    loopbackUsers: loopbackUsers(values),
    heartbeat: get('heartbeat'),
    frameMax,
    channelMax: get('channel_max'),
    maxMessageSize: get('max_message_size'),
    handshakeTimeout: get('handshake_timeout'),
    log: { console: get('log.console'), level: get('log.console.level') },
    dataDir: get('data_dir'),
    loadDefinitions: definitionsSources(values, source),
    product: { name: opt('product.name'), version: opt('product.version') },
    mqtt: {
      listeners: listenerSet('mqtt.listeners.'),
      allowAnonymous: get('mqtt.allow_anonymous'),
      defaultUser: get('mqtt.default_user'),
      defaultPass: get('mqtt.default_pass'),
      vhost: opt('mqtt.vhost'),
      exchange: get('mqtt.exchange'),
      prefetch: get('mqtt.prefetch'),
      maxPacketSize: get('mqtt.max_packet_size'),
      topicEscaping: get('mqtt.topic_escaping'),
      sslCertLogin: get('mqtt.ssl_cert_login'),
      maxSessionExpirySeconds: get('mqtt.max_session_expiry_interval_seconds'),
      topicAliasMaximum: get('mqtt.topic_alias_maximum'),
      serverKeepAlive: opt('mqtt.server_keep_alive'),
      receiveMaximum: get('mqtt.receive_maximum'),
      loginTimeout: get('mqtt.login_timeout'),
      retained: {
        maxMessages: get('mqtt.retained_message_store.max_messages'),
        maxBytes: get('mqtt.retained_message_store.max_size_bytes'),
      },
    },
    stomp: {
      listeners: listenerSet('stomp.listeners.'),
      defaultUser: get('stomp.default_user'),
      defaultPass: get('stomp.default_pass'),
      defaultVhost: opt('stomp.default_vhost'),
      implicitConnect: get('stomp.implicit_connect'),
      maxFrameSize: get('stomp.max_frame_size'),
      defaultTopicExchange: get('stomp.default_topic_exchange'),
      defaultNackRequeue: get('stomp.default_nack_requeue'),
      hideServerInfo: get('stomp.hide_server_info'),
    },
    webStomp: {
      port: get('web_stomp.tcp.port'),
      sslPort: opt('web_stomp.ssl.port'),
      path: get('web_stomp.ws_path'),
      wsFrame: get('web_stomp.ws_frame'),
      allowOrigins: origins(values, 'web_stomp.allow_origins.'),
    },
    webMqtt: {
      port: get('web_mqtt.tcp.port'),
      sslPort: opt('web_mqtt.ssl.port'),
      path: get('web_mqtt.ws_path'),
      allowOrigins: origins(values, 'web_mqtt.allow_origins.'),
    },
    management: { port: get('management.tcp.port') },
    prometheus: { port: get('prometheus.tcp.port') },
  };
  checkTls(config, values, source);
  return config;
}

/** `listeners.tcp.*` entries; the pattern default when none is set; [] after `listeners.tcp = none`. */
function endpoints(values: Map<string, Parsed>, base: string): NamedEndpoint[] {
  if (values.has(base)) return [];
  const out: NamedEndpoint[] = [];
  for (const [key, p] of values) {
    if (key.startsWith(`${base}.`) && key.split('.').length === base.split('.').length + 1) {
      out.push({ name: key.slice(base.length + 1), ...(p.value as Endpoint) });
    }
  }
  if (out.length > 0) return out;
  const d = (KEYS[`${base}.*` as KeyPattern] as KeySpec | undefined)?.default;
  if (d === undefined) return [];
  const name = base.startsWith('stomp.') ? '1' : 'default';
  return [{ name, ...(parseEndpoint(d) as Endpoint) }];
}

/** `web_stomp.allow_origins.1 = https://a.example` …: the values, or undefined when none is set. */
function origins(values: Map<string, Parsed>, prefix: string): string[] | undefined {
  const out = [...values].filter(([k]) => k.startsWith(prefix)).map(([, p]) => p.value as string);
  return out.length > 0 ? out : undefined;
}

/**
 * RabbitMQ's classic `load_definitions` and the modern
 * `definitions.import_backend = local_filesystem` + `definitions.local.path`
 * (both may be set; the classic one is imported first, as rabbit_definitions
 * does). One of the modern pair without the other is an error.
 */
function definitionsSources(values: Map<string, Parsed>, source: string | undefined): DefinitionsSource[] {
  const out: DefinitionsSource[] = [];
  const classic = values.get('load_definitions');
  if (classic) out.push({ key: 'load_definitions', path: classic.value as string });
  const backend = values.get('definitions.import_backend');
  const path = values.get('definitions.local.path');
  if (path && !backend) {
    throw new ConfigError(`${location(source, path.line)}: definitions.local.path: needs definitions.import_backend = local_filesystem`);
  }
  if (backend && !path) {
    throw new ConfigError(`${location(source, backend.line)}: definitions.import_backend: needs definitions.local.path`);
  }
  if (path) out.push({ key: 'definitions.local.path', path: path.value as string });
  return out;
}

/** RabbitMQ: `loopback_users = none` → []; any `loopback_users.X` → exactly the true ones; else ['guest']. */
function loopbackUsers(values: Map<string, Parsed>): string[] {
  if (values.has('loopback_users')) return [];
  const set = [...values].filter(([k]) => k.startsWith('loopback_users.'));
  if (set.length === 0) return ['guest'];
  return set.filter(([, p]) => p.value === true).map(([k]) => k.slice('loopback_users.'.length));
}

function checkTls(c: Config, values: Map<string, Parsed>, source: string | undefined): void {
  const ssl = [
    ...c.listeners.ssl.map((l) => `listeners.ssl.${l.name}`),
    ...c.mqtt.listeners.ssl.map((l) => `mqtt.listeners.ssl.${l.name}`),
    ...c.stomp.listeners.ssl.map((l) => `stomp.listeners.ssl.${l.name}`),
    ...(c.webStomp.sslPort !== undefined ? ['web_stomp.ssl.port'] : []),
    ...(c.webMqtt.sslPort !== undefined ? ['web_mqtt.ssl.port'] : []),
  ];
  const first = ssl[0];
  if (first === undefined || (c.sslOptions.certfile && c.sslOptions.keyfile)) return;
  const line = values.get(first)?.line ?? 0;
  throw new ConfigError(`${location(source, line)}: ${first}: needs ssl_options.certfile and ssl_options.keyfile`);
}
