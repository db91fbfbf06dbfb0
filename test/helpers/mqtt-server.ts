/**
 * In-process MQTT server for adapter tests: createCore, user guest/guest
 * with full permissions on '/', net.createServer on port 0 →
 * adapter.accept(socketTransport(s, 'tcp')).
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { createCore } from '../../core/index.js';
import type { Core } from '../../core/index.js';
import { createMqttAdapter } from '../../protocols/mqtt/index.js';
import type { MqttAdapter, MqttAdapterOptions } from '../../protocols/mqtt/index.js';
import { socketTransport } from '../../protocols/shared/tcp.js';
import { memoryLogger } from './amqp-server.js';
import type { LogRecord } from './amqp-server.js';

export interface MqttTestServer {
  readonly port: number;
  readonly core: Core;
  readonly adapter: MqttAdapter;
  readonly logs: LogRecord[];
  /** mqtt://127.0.0.1:port */
  readonly url: string;
  close(): Promise<void>;
}

export type MqttTestServerOptions = Partial<Omit<MqttAdapterOptions, 'logger'>> & {
  /** reuse a core (cross-protocol tests, restarts of the adapter) */
  core?: Core;
  highWaterMark?: number;
};

export async function startMqttServer(o: MqttTestServerOptions = {}): Promise<MqttTestServer> {
  const logs: LogRecord[] = [];
  const logger = memoryLogger(logs);
  const { core: given, highWaterMark, ...adapterOpts } = o;
  const core = given ?? createCore({ logger: logger.child({ component: 'core' }) });
  if (!given) {
    core.users.addUser('guest', 'guest', ['administrator']);
    core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  }
  const adapter = createMqttAdapter(core, { ...adapterOpts, logger });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    adapter.accept(socketTransport(s, 'tcp', highWaterMark === undefined ? {} : { highWaterMark }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    core,
    adapter,
    logs,
    url: `mqtt://127.0.0.1:${port}`,
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.closeAll();
      for (const s of sockets) s.destroy();
      await closed;
      if (!given) await core.shutdown();
    },
  };
}
