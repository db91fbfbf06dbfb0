/**
 * The assembled broker: config → data dir → persistence → core → recovered
 * definitions → default user → protocol adapters → listeners, and the
 * reverse on stop.
 *
 * Start order:
 *   1. data_dir created and proven writable (clear error otherwise);
 *   2. the message store and definitions.json opened (core/durable);
 *      createCore with the durability hooks; saved definitions imported
 *      (durable queues recover their messages as they are declared); then
 *      the `load_definitions` / `definitions.local.path` files (read and
 *      parsed before anything else starts: an unreadable or invalid file, or
 *      any entry that cannot be applied, fails start-up naming the key);
 *   3. default vhost; default user (tag administrator, `.*` permissions on
 *      the default vhost) unless it already exists or definitions are
 *      imported at boot (RabbitMQ maybe_insert_default_data); loopback_users applied;
 *      recovery finished (one log line with counts);
 *   4. AMQP 0-9-1 adapter on `listeners.tcp.*` (TCP) and `listeners.ssl.*` (TLS);
 *   5. MQTT adapter on `mqtt.listeners.tcp.*` and `mqtt.listeners.ssl.*` (TLS
 *      with the shared ssl_options; client certificate CN login with
 *      mqtt.ssl_cert_login);
 *   6. STOMP on `stomp.listeners.*`, Web STOMP and Web MQTT (src/stomp-web.ts).
 * A failure at any step undoes the earlier ones and rejects.
 *
 * Stop order (graceful, idempotent):
 *   1. stop accepting (server.close, WebSocket upgrades);
 *   2. adapters close every connection (AMQP: 320 CONNECTION_FORCED; MQTT:
 *      v5 DISCONNECT 0x8B server shutting down; STOMP: ERROR + close);
 *   3. remaining sockets destroyed, servers closed;
 *   4. persistence closed (flushed) BEFORE core.shutdown(), which destroys
 *      queues and must not drop their data; 5. logger flushed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createCore,
  durabilityHooks,
  exportDefinitions,
  importDefinitions,
  openPersistence,
  type Core,
  type Logger,
  type Persistence,
} from '../core/index.js';
import { createAmqpAdapter } from '../protocols/amqp091/index.js';
import { createMqttAdapter } from '../protocols/mqtt/index.js';
import { socketTransport } from '../protocols/shared/tcp.js';
import type { Config, DefinitionsSource, ListenerSet } from './config/schema.js';
import { ensureDataDir } from './data-dir.js';
import { Listeners, type BoundListener, type ProtocolAdapter } from './listeners.js';
import { startStompAndWeb, type StompWeb } from './stomp-web.js';
import { createLogger, flushLogger } from './logger.js';
import { PRODUCT, version } from './version.js';

export const SHUTDOWN_REPLY_CODE = 320;
export const SHUTDOWN_REPLY_TEXT = "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'";
/** how long stop() waits for adapters to close their connections politely */
const CLOSE_ALL_TIMEOUT_MS = 5_000;

export interface GatewayPorts {
  /** bound port of the AMQP TCP listener (`listeners.tcp.default`, else the first) */
  readonly amqp?: number;
  /** bound port of the AMQP TLS listener (`listeners.ssl.default`, else the first) */
  readonly amqps?: number;
  /** bound port of the MQTT TCP listener (`mqtt.listeners.tcp.default`, else the first) */
  readonly mqtt?: number;
  /** bound port of the MQTT TLS listener (`mqtt.listeners.ssl.default`, else the first) */
  readonly mqtts?: number;
  /** STOMP TCP/TLS (`stomp.listeners.tcp.1`, `stomp.listeners.ssl.1`) */
  readonly stomp?: number;
  readonly stomps?: number;
  /** Web STOMP / Web MQTT (ws and wss) */
  readonly webStomp?: number;
  readonly webStomps?: number;
  readonly webMqtt?: number;
  readonly webMqtts?: number;
}

export type GatewayLogger = Logger & { flush?: (cb?: (err?: Error) => void) => void };

export interface GatewayOptions {
  /** defaults to a pino logger built from `log.console*` */
  readonly logger?: GatewayLogger;
}

export class Gateway {
  readonly config: Config;
  readonly core: Core;
  readonly logger: GatewayLogger;
  /** absolute data_dir */
  readonly dataDir: string;
  readonly #listeners: Listeners;
  readonly #adapters: ProtocolAdapter[];
  #stopping: Promise<void> | undefined;
  readonly #persistence: Persistence;
  readonly #web: StompWeb;

  private constructor(config: Config, core: Core, logger: GatewayLogger, dataDir: string, listeners: Listeners, adapters: ProtocolAdapter[], persistence: Persistence, web: StompWeb) {
    this.#persistence = persistence;
    this.#web = web;
    this.config = config;
    this.core = core;
    this.logger = logger;
    this.dataDir = dataDir;
    this.#listeners = listeners;
    this.#adapters = adapters;
  }

  static async start(config: Config, o: GatewayOptions = {}): Promise<Gateway> {
    const logger = o.logger ?? createLogger({ level: config.log.level, console: config.log.console });
    logger.info({ product: PRODUCT, version: version(), node: process.version }, 'starting');
    const bootDefinitions = readBootDefinitions(config.loadDefinitions);
    const dataDir = await ensureDataDir(config.dataDir);
    let core: Core;
    const persistence = openPersistence(dataDir, { logger, onDiskAlarm: (on) => core.flow.setAlarm('disk', on) });
    core = createCore({ defaultVhost: config.defaultVhost, logger: logger.child({ component: 'core' }), durability: durabilityHooks(persistence) });
    const saved = persistence.definitions.load();
    if (saved) {
      const r = importDefinitions(core, saved, (vhost) => core.systemSession(vhost));
      for (const e of r.errors) logger.error({ entry: e }, 'definitions entry not restored');
      logger.info({ vhosts: r.vhosts, users: r.users, queues: r.queues, exchanges: r.exchanges, bindings: r.bindings }, 'definitions restored');
    }
    const listeners = new Listeners(logger, socketTransport);
    const adapters: ProtocolAdapter[] = [];
    let web: StompWeb | undefined;
    try {
      for (const d of bootDefinitions) {
        const r = importDefinitions(core, d.json, (vhost) => core.systemSession(vhost));
        if (r.errors.length > 0) {
          throw new Error(`${d.key}: ${d.file}: ${r.errors.length} definition(s) could not be imported: ${r.errors.join('; ')}`);
        }
        logger.info(
          { key: d.key, file: d.file, vhosts: r.vhosts, users: r.users, permissions: r.permissions, topicPermissions: r.topicPermissions, queues: r.queues, exchanges: r.exchanges, bindings: r.bindings },
          'definitions imported',
        );
      }
      setUpAccess(core, config, logger);
      persistence.finishRecovery();
      persistence.definitions.scheduleSave(() => exportDefinitions(core));
      const amqp: ProtocolAdapter = createAmqpAdapter(core, {
        frameMax: config.frameMax,
        channelMax: config.channelMax,
        heartbeat: config.heartbeat,
        handshakeTimeoutMs: config.handshakeTimeout,
        maxMessageSize: config.maxMessageSize,
        logger: logger.child({ protocol: 'amqp091' }),
        product: config.product.name ?? PRODUCT,
        version: config.product.version ?? version(),
      });
      adapters.push(amqp);
      await startListeners(listeners, amqp, config.listeners, config);
      const m = config.mqtt;
      const mqtt: ProtocolAdapter = createMqttAdapter(core, {
        logger: logger.child({ protocol: 'mqtt' }),
        exchange: m.exchange,
        vhost: m.vhost ?? config.defaultVhost,
        allowAnonymous: m.allowAnonymous,
        defaultUser: m.defaultUser,
        defaultPass: m.defaultPass,
        maxPacketSize: m.maxPacketSize,
        prefetch: m.prefetch,
        topicEscaping: m.topicEscaping,
        sslCertLogin: m.sslCertLogin,
        maxSessionExpirySeconds: m.maxSessionExpirySeconds,
        topicAliasMaximum: m.topicAliasMaximum,
        loginTimeoutMs: m.loginTimeout,
        retainedLimit: { maxMessages: m.retained.maxMessages, maxBytes: m.retained.maxBytes },
        receiveMaximum: m.receiveMaximum,
        ...(m.serverKeepAlive !== undefined ? { maxKeepAlive: m.serverKeepAlive } : {}),
        state: persistence.stateMap('mqtt'),
      });
      adapters.push(mqtt);
      await startListeners(listeners, mqtt, m.listeners, config);
      const st = config.stomp;
      web = await startStompAndWeb({
        core,
        logger: logger.child({ protocol: 'stomp' }),
        listeners,
        mqttAdapter: mqtt,
        config: {
          stomp: {
            listeners: st.listeners,
            defaultUser: st.defaultUser,
            defaultPass: st.defaultPass,
            defaultVhost: st.defaultVhost ?? config.defaultVhost,
            implicitConnect: st.implicitConnect,
            maxFrameSize: st.maxFrameSize,
            defaultTopicExchange: st.defaultTopicExchange,
            defaultNackRequeue: st.defaultNackRequeue,
            hideServerInfo: st.hideServerInfo,
            serverName: `${config.product.name ?? PRODUCT}/${config.product.version ?? version()}`,
          },
          webStomp: config.webStomp,
          webMqtt: config.webMqtt,
          sslOptions: config.sslOptions,
        },
      });
      adapters.push(...web.adapters);
    } catch (err) {
      await web?.close();
      await listeners.close();
      await Promise.allSettled(adapters.map((a) => a.closeAll(SHUTDOWN_REPLY_CODE, SHUTDOWN_REPLY_TEXT)));
      await persistence.close();
      await core.shutdown();
      throw err;
    }
    const gw = new Gateway(config, core, logger, dataDir, listeners, adapters, persistence, web);
    logger.info({ dataDir, ports: gw.ports }, 'broker started');
    return gw;
  }

  /** Bound ports (port 0 in the config → the real port). */
  get ports(): GatewayPorts {
    const pick = (protocol: string, transport: 'tcp' | 'tls'): number | undefined => {
      const all = this.#listeners.bound().filter((l) => l.protocol === protocol && l.transport === transport);
      return (all.find((l) => l.name === 'default') ?? all[0])?.port;
    };
    const found: Record<string, number | undefined> = {
      amqp: pick('amqp091', 'tcp'),
      amqps: pick('amqp091', 'tls'),
      mqtt: pick('mqtt', 'tcp'),
      mqtts: pick('mqtt', 'tls'),
      stomp: pick('stomp', 'tcp'),
      stomps: pick('stomp', 'tls'),
      ...this.#web.ports,
    };
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(found)) if (v !== undefined) out[k] = v;
    return out as GatewayPorts;
  }

  /** Every bound listener, for tests, management and logs. */
  listeners(): BoundListener[] {
    return this.#listeners.bound();
  }

  /** Open client connections over all adapters. */
  connectionCount(): number {
    return this.#adapters.reduce((n, a) => n + a.connectionCount(), 0);
  }

  /** Graceful stop; safe to call more than once (same promise). */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.logger.info({ connections: this.connectionCount() }, 'stopping');
    this.#listeners.stopAccepting();
    this.#web.stopAccepting();
    await Promise.allSettled(
      this.#adapters.map((a) =>
        withTimeout(a.closeAll(SHUTDOWN_REPLY_CODE, SHUTDOWN_REPLY_TEXT), CLOSE_ALL_TIMEOUT_MS).catch((err: unknown) =>
          this.logger.warn({ err, protocol: a.name }, 'closing connections failed'),
        ),
      ),
    );
    await this.#web.close();
    await this.#listeners.close();
    await this.#persistence.close(); // before core.shutdown(): that destroys queues, which must not drop their data
    await this.core.shutdown();
    this.logger.info({}, 'stopped');
    await flushLogger(this.logger);
  }
}

export function startGateway(config: Config, o: GatewayOptions = {}): Promise<Gateway> {
  return Gateway.start(config, o);
}

/** One adapter's TCP (`*.listeners.tcp.*`) and TLS (`*.listeners.ssl.*`, shared ssl_options) listeners. */
async function startListeners(listeners: Listeners, adapter: ProtocolAdapter, set: ListenerSet, config: Config): Promise<void> {
  for (const e of set.tcp) await listeners.start({ adapter, kind: 'tcp', name: e.name, endpoint: e });
  for (const e of set.ssl) await listeners.start({ adapter, kind: 'tls', name: e.name, endpoint: e, tls: config.sslOptions });
}

interface BootDefinitions {
  readonly key: DefinitionsSource['key'];
  readonly file: string;
  readonly json: unknown;
}

/**
 * Reads the definitions files named by `load_definitions` and
 * `definitions.local.path` (a directory: its `*.json` files in name order,
 * as rabbit_definitions_import_local_filesystem). Throws an Error naming the
 * key and file when one cannot be read or is not a JSON object.
 */
function readBootDefinitions(sources: readonly DefinitionsSource[]): BootDefinitions[] {
  const out: BootDefinitions[] = [];
  for (const { key, path } of sources) {
    const abs = resolve(path);
    let files: string[];
    try {
      files = statSync(abs).isDirectory()
        ? readdirSync(abs).filter((f) => f.endsWith('.json')).sort().map((f) => join(abs, f))
        : [abs];
    } catch (err) {
      throw new Error(`${key}: cannot read ${abs}: ${(err as Error).message}`);
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`${key}: cannot read ${file}: ${(err as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new Error(`${key}: ${file} is not valid JSON: ${(err as Error).message}`);
      }
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${key}: ${file} is not a JSON object`);
      out.push({ key, file, json });
    }
  }
  return out;
}

/** Default vhost, default user with full permissions (not when definitions are imported at boot), loopback_users. */
function setUpAccess(core: Core, config: Config, logger: Logger): void {
  if (!core.vhosts.hasVhost(config.defaultVhost)) core.vhosts.addVhost(config.defaultVhost);
  const exists = core.users.listUsers().some((u) => u.name === config.defaultUser);
  if (!exists && config.loadDefinitions.length > 0) {
    // RabbitMQ: "Will not seed default virtual host and user: have definitions to load"
    logger.info({ user: config.defaultUser }, 'default user not created: definitions are imported at boot');
  } else if (!exists) {
    core.users.addUser(config.defaultUser, config.defaultPass, ['administrator']);
    core.users.setPermissions(config.defaultUser, config.defaultVhost, { configure: '.*', write: '.*', read: '.*' });
    logger.info({ user: config.defaultUser, vhost: config.defaultVhost }, 'default user created');
  }
  core.users.setLoopbackUsers([...config.loopbackUsers]);
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
