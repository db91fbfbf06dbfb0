/**
 * STOMP, Web STOMP and Web MQTT wiring: what the gateway calls once the core
 * (and, when MQTT is on, the MQTT adapter) exist.
 *
 * Responsibilities:
 * - create the STOMP adapter (rabbitmq_stomp options) and bind its TCP
 *   (`stomp.listeners.tcp.*`, 61613) and TLS (`stomp.listeners.ssl.*`, 61614,
 *   shared ssl_options) listeners through the gateway's `Listeners`;
 * - Web STOMP: an http server on `web_stomp.tcp.port` (15674) and an https
 *   server on `web_stomp.ssl.port`, WebSocket path `web_stomp.ws_path` (/ws),
 *   `web_stomp.ws_frame` text|binary, transports → the same STOMP adapter;
 * - Web MQTT: the same on `web_mqtt.tcp.port` (15675) / `web_mqtt.ssl.port`,
 *   transports → the MQTT adapter the gateway made (skipped without one);
 * - one `listener started` log line per bound listener (bound port);
 * - `stopAccepting()` and `close()`: stop the http(s) servers, close the
 *   WebSockets (1001), close STOMP connections, destroy leftover sockets.
 *
 * The TCP/TLS STOMP listeners belong to the caller's `Listeners` instance,
 * which stops and closes them with the other protocols' listeners. The MQTT
 * adapter is the caller's too: close() never closes MQTT connections.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Core, Logger } from '../core/index.js';
import { createStompAdapter, type StompAdapter, type StompAdapterOptions } from '../protocols/stomp/index.js';
import type { Transport } from '../protocols/shared/transport.js';
import { createWsEndpoint, type WsEndpoint } from '../protocols/ws/index.js';
import type { ListenerSet, TlsSettings } from './config/schema.js';
import type { Listeners, ProtocolAdapter } from './listeners.js';

/** `stomp.*` keys: listeners plus the adapter options (RabbitMQ names in comments). */
export interface StompSettings extends Partial<Omit<StompAdapterOptions, 'logger'>> {
  readonly listeners: ListenerSet;
}

/** `web_stomp.*` / `web_mqtt.*` keys. */
export interface WebSettings {
  /** `*.tcp.port`; undefined = no plain listener */
  readonly port?: number | undefined;
  /** `*.tcp.ip`; undefined = all interfaces */
  readonly host?: string | undefined;
  /** `*.ssl.port`; undefined = no TLS listener */
  readonly sslPort?: number | undefined;
  /** `*.ssl.ip` */
  readonly sslHost?: string | undefined;
  /** `*.ssl.certfile` … ; default: the shared ssl_options */
  readonly ssl?: TlsSettings | undefined;
  /** `*.ws_path`; default /ws */
  readonly path?: string | undefined;
  /** `*.allow_origins.*`; undefined = any origin */
  readonly allowOrigins?: readonly string[] | undefined;
  /** `*.ws_opts.compress`; default true */
  readonly compress?: boolean | undefined;
  /** `*.ws_opts.max_frame_size`: largest WebSocket message */
  readonly maxFrameSize?: number | undefined;
  /** server ping interval, ms; 0 = off; default 30000 */
  readonly pingIntervalMs?: number | undefined;
}

export interface StompWebConfig {
  readonly stomp: StompSettings;
  /** `web_stomp.ws_frame` on top of the common web settings */
  readonly webStomp: WebSettings & { readonly wsFrame?: 'text' | 'binary' | undefined };
  readonly webMqtt: WebSettings;
  readonly sslOptions: TlsSettings;
}

export interface StompWebOptions {
  readonly core: Core;
  readonly logger: Logger;
  /** the gateway's listener set (STOMP TCP/TLS listeners are added to it) */
  readonly listeners: Listeners;
  readonly config: StompWebConfig;
  /** the MQTT adapter, for Web MQTT; without it Web MQTT is not started */
  readonly mqttAdapter?: Pick<ProtocolAdapter, 'accept'> | undefined;
}

export interface StompWebPorts {
  readonly stomp?: number;
  readonly stomps?: number;
  readonly webStomp?: number;
  readonly webStomps?: number;
  readonly webMqtt?: number;
  readonly webMqtts?: number;
}

export interface StompWeb {
  /** adapters made here (the STOMP adapter) for the gateway's closeAll/connectionCount */
  readonly adapters: readonly ProtocolAdapter[];
  readonly stomp: StompAdapter;
  /** bound ports */
  readonly ports: StompWebPorts;
  /** stop accepting WebSocket upgrades (the TCP/TLS listeners stop with `Listeners`) */
  stopAccepting(): void;
  /** close the web servers, their WebSockets and every STOMP connection */
  close(): Promise<void>;
}

interface WebServer {
  readonly server: http.Server;
  readonly endpoint: WsEndpoint;
  readonly sockets: Set<Socket>;
}

const NAMED = ['default', '1'];

export async function startStompAndWeb(o: StompWebOptions): Promise<StompWeb> {
  const { core, logger, listeners, config } = o;
  const { listeners: stompListeners, ...stompOpts } = config.stomp;
  const stomp = createStompAdapter(core, { ...stompOpts, logger });
  const webs: WebServer[] = [];
  const ports: Record<string, number> = {};
  let closing: Promise<void> | undefined;

  const stopAccepting = (): void => {
    for (const w of webs) if (w.server.listening) w.server.close();
  };
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = webs.map((w) => new Promise<void>((resolve) => (w.server.listening ? w.server.once('close', () => resolve()) : resolve())));
      stopAccepting();
      await stomp.closeAll();
      for (const w of webs) w.endpoint.close();
      for (const w of webs) for (const s of w.sockets) s.destroy();
      await Promise.all(closed);
    })());

  try {
    // STOMP over TCP and TLS, in the shared Listeners (one log line each)
    const tcp: number[] = [];
    for (const e of stompListeners.tcp) tcp.push((await listeners.start({ adapter: stomp, kind: 'tcp', name: e.name, endpoint: e })).port);
    const tlsPorts: number[] = [];
    for (const e of stompListeners.ssl) {
      tlsPorts.push((await listeners.start({ adapter: stomp, kind: 'tls', name: e.name, endpoint: e, tls: config.sslOptions })).port);
    }
    const pick = (set: ListenerSet['tcp'], bound: number[]): number | undefined => {
      const i = set.findIndex((e) => NAMED.includes(e.name));
      return bound[i >= 0 ? i : 0];
    };
    const stompPort = pick(stompListeners.tcp, tcp);
    const stompsPort = pick(stompListeners.ssl, tlsPorts);
    if (stompPort !== undefined) ports['stomp'] = stompPort;
    if (stompsPort !== undefined) ports['stomps'] = stompsPort;

    // Web STOMP
    const ws = config.webStomp;
    const toStomp = (t: Transport): void => stomp.accept(t);
    const stompWeb = { protocols: 'stomp', frame: ws.wsFrame ?? 'text', onTransport: toStomp } as const;
    if (ws.port !== undefined) ports['webStomp'] = await startWeb(webs, logger, ws, { ...stompWeb, tls: undefined });
    if (ws.sslPort !== undefined) ports['webStomps'] = await startWeb(webs, logger, ws, { ...stompWeb, tls: ws.ssl ?? config.sslOptions });

    // Web MQTT (only with an MQTT adapter)
    const wm = config.webMqtt;
    const mqtt = o.mqttAdapter;
    if (mqtt === undefined) {
      if (wm.port !== undefined || wm.sslPort !== undefined) logger.debug({ protocol: 'mqtt' }, 'Web MQTT not started: no MQTT adapter');
    } else {
      const mqttWeb = { protocols: 'mqtt', frame: 'binary', onTransport: (t: Transport) => mqtt.accept(t) } as const;
      if (wm.port !== undefined) ports['webMqtt'] = await startWeb(webs, logger, wm, { ...mqttWeb, tls: undefined });
      if (wm.sslPort !== undefined) ports['webMqtts'] = await startWeb(webs, logger, wm, { ...mqttWeb, tls: wm.ssl ?? config.sslOptions });
    }
  } catch (err) {
    await close();
    throw err;
  }

  return { adapters: [stomp], stomp, ports: ports as StompWebPorts, stopAccepting, close };
}

interface WebKind {
  readonly protocols: 'stomp' | 'mqtt';
  readonly frame: 'text' | 'binary';
  readonly onTransport: (t: Transport) => void;
  /** set = https */
  readonly tls: TlsSettings | undefined;
}

/** One http(s) server with a WebSocket endpoint; resolves with the bound port. */
async function startWeb(webs: WebServer[], logger: Logger, s: WebSettings, k: WebKind): Promise<number> {
  const secure = k.tls !== undefined;
  const transport = secure ? 'wss' : 'ws';
  const prefix = k.protocols === 'stomp' ? 'web_stomp' : 'web_mqtt';
  const port = (secure ? s.sslPort : s.port) ?? 0;
  const host = secure ? s.sslHost : s.host;
  const log = logger.child({ protocol: k.protocols, transport });
  const endpoint = createWsEndpoint({
    protocols: k.protocols,
    frame: k.frame,
    kind: transport,
    logger: log,
    ...(s.path === undefined ? {} : { path: s.path }),
    ...(s.allowOrigins === undefined ? {} : { allowOrigins: s.allowOrigins }),
    ...(s.compress === undefined ? {} : { compress: s.compress }),
    ...(s.maxFrameSize === undefined ? {} : { maxMessageSize: s.maxFrameSize }),
    ...(s.pingIntervalMs === undefined ? {} : { pingIntervalMs: s.pingIntervalMs }),
  });
  const server = k.tls === undefined ? http.createServer() : https.createServer(httpsOptions(k.tls, prefix));
  const sockets = new Set<Socket>();
  server.on(secure ? 'secureConnection' : 'connection', (sock: Socket) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.once('close', () => sockets.delete(sock));
  });
  if (secure) server.on('tlsClientError', (err: Error) => log.debug({ reason: err.message }, 'TLS handshake failed'));
  server.on('error', (err) => log.error({ err }, 'listener error'));
  endpoint.attach(server, k.onTransport);
  webs.push({ server, endpoint, sockets });

  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException): void => {
      const where = host ? `${host}:${port}` : `port ${port}`;
      reject(new Error(`cannot listen for ${prefix} (${transport}) on ${where}: ${err.code ?? err.message}`));
    };
    server.once('error', fail);
    server.listen({ port, host }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  logger.info({ protocol: k.protocols, transport, port: addr.port, address: addr.address }, 'listener started');
  return addr.port;
}

function httpsOptions(o: TlsSettings, prefix: string): https.ServerOptions {
  if (!o.certfile || !o.keyfile) throw new Error(`${prefix}.ssl needs ssl_options.certfile and keyfile`);
  const verifyPeer = o.verify === 'verify_peer';
  return {
    cert: readPem(o.certfile, 'certfile'),
    key: readPem(o.keyfile, 'keyfile'),
    ...(o.cacertfile ? { ca: readPem(o.cacertfile, 'cacertfile') } : {}),
    requestCert: verifyPeer,
    rejectUnauthorized: verifyPeer && o.failIfNoPeerCert,
  };
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`ssl_options.${key} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
