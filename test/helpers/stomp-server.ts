/**
 * An in-process STOMP server for adapter tests: createCore, user guest/guest
 * with full permissions on '/', a TCP listener on port 0 →
 * adapter.accept(socketTransport(s, 'tcp')), and an http server on port 0
 * with the Web STOMP endpoint (path /ws) → adapter.accept(wsTransport).
 * Optionally a second http server with a Web MQTT endpoint whose transports
 * go to `onMqttTransport` (the MQTT adapter is not ours).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { once } from 'node:events';
import { createCore } from '../../core/index.js';
import type { Core } from '../../core/index.js';
import { createStompAdapter } from '../../protocols/stomp/index.js';
import type { StompAdapter, StompAdapterOptions } from '../../protocols/stomp/index.js';
import { socketTransport } from '../../protocols/shared/tcp.js';
import type { Transport } from '../../protocols/shared/transport.js';
import { createWsEndpoint } from '../../protocols/ws/index.js';
import type { WsEndpointOptions } from '../../protocols/ws/index.js';
import { memoryLogger } from './amqp-server.js';
import type { LogRecord } from './amqp-server.js';

export interface StompTestServer {
  readonly port: number;
  readonly wsPort: number;
  /** set when `mqttWs` was given */
  readonly mqttWsPort: number;
  readonly core: Core;
  readonly adapter: StompAdapter;
  readonly logs: LogRecord[];
  close(): Promise<void>;
}

export interface StompTestServerOptions extends Partial<Omit<StompAdapterOptions, 'logger'>> {
  /** Web STOMP endpoint options */
  ws?: Partial<Omit<WsEndpointOptions, 'protocols' | 'logger'>>;
  /** start a Web MQTT endpoint too; its transports go to the callback */
  mqttWs?: Partial<Omit<WsEndpointOptions, 'protocols' | 'logger'>> & { onTransport: (t: Transport) => void };
}

export async function startStompServer(o: StompTestServerOptions = {}): Promise<StompTestServer> {
  const logs: LogRecord[] = [];
  const logger = memoryLogger(logs);
  const core = createCore({ logger: logger.child({ component: 'core' }) });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  const { ws: wsOpts, mqttWs, ...adapterOpts } = o;
  const adapter = createStompAdapter(core, { ...adapterOpts, logger });

  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const tcp = net.createServer((s) => {
    track(s);
    adapter.accept(socketTransport(s, 'tcp'));
  });
  const listening = [once(tcp, 'listening')];
  tcp.listen(0, '127.0.0.1');

  const endpoint = createWsEndpoint({ ...wsOpts, protocols: 'stomp', logger });
  const web = http.createServer();
  web.on('connection', track);
  endpoint.attach(web, (t) => adapter.accept(t));
  listening.push(once(web, 'listening'));
  web.listen(0, '127.0.0.1');

  let mqttServer: http.Server | undefined;
  let mqttEndpoint: ReturnType<typeof createWsEndpoint> | undefined;
  if (mqttWs !== undefined) {
    const { onTransport, ...rest } = mqttWs;
    mqttEndpoint = createWsEndpoint({ ...rest, protocols: 'mqtt', logger });
    mqttServer = http.createServer();
    mqttServer.on('connection', track);
    mqttEndpoint.attach(mqttServer, onTransport);
    listening.push(once(mqttServer, 'listening'));
    mqttServer.listen(0, '127.0.0.1');
  }
  await Promise.all(listening);

  return {
    port: (tcp.address() as net.AddressInfo).port,
    wsPort: (web.address() as net.AddressInfo).port,
    mqttWsPort: mqttServer ? (mqttServer.address() as net.AddressInfo).port : 0,
    core,
    adapter,
    logs,
    async close(): Promise<void> {
      const closing = [tcp, web, ...(mqttServer ? [mqttServer] : [])].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      await adapter.closeAll();
      endpoint.close();
      mqttEndpoint?.close();
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
      await core.shutdown();
    },
  };
}
