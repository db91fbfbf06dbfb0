/**
 * A tiny in-process AMQP 0-9-1 server for adapter tests: createCore, user
 * guest/guest (loopback-only, full permissions on '/'), net.createServer on
 * port 0 (or tls.createServer when TLS options are given) →
 * adapter.accept(socketTransport(s, kind)). The gateway builds the real
 * start-up separately (src/gateway.ts).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { createCore } from '../../core/index.js';
import type { Core, Logger } from '../../core/index.js';
import { createAmqpAdapter } from '../../protocols/amqp091/index.js';
import type { AmqpAdapter, AmqpAdapterOptions } from '../../protocols/amqp091/index.js';
import { socketTransport } from '../../protocols/shared/tcp.js';
import type { Transport } from '../../protocols/shared/transport.js';

export interface LogRecord {
  level: string;
  obj: object;
  msg?: string | undefined;
}

/** Logger that keeps records in memory (printed when POLYPORT_TEST_LOG is set). */
export function memoryLogger(records: LogRecord[] = []): Logger {
  const print = process.env['POLYPORT_TEST_LOG'] !== undefined;
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (obj: object, msg?: string): void => {
        const rec = { level, obj: { ...bindings, ...obj }, msg };
        records.push(rec);
        if (print) console.log(level, msg, rec.obj);
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (b) => make({ ...bindings, ...b }),
    };
  };
  return make({});
}

export interface AmqpTestServer {
  readonly port: number;
  readonly core: Core;
  readonly adapter: AmqpAdapter;
  readonly logs: LogRecord[];
  /** amqp://guest:guest@127.0.0.1:port (amqps:// for TLS) */
  readonly url: string;
  close(): Promise<void>;
}

export interface AmqpTestServerOptions extends Partial<Omit<AmqpAdapterOptions, 'logger'>> {
  /** TLS server options (key, cert…): listen with tls.createServer */
  tls?: tls.TlsOptions;
  /** listen address; default 127.0.0.1 */
  host?: string;
  /** transport high-water mark */
  highWaterMark?: number;
  /** present every client to the adapter as coming from this address (tests of loopback-only users) */
  remoteAddress?: string;
}

/** A transport that reports another peer address; everything else is the real one. */
function withRemoteAddress(t: Transport, remoteAddress: string): Transport {
  const info = { ...t.info, remoteAddress };
  return new Proxy(t, {
    get(target, p) {
      if (p === 'info') return info;
      const v: unknown = Reflect.get(target, p, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export async function startAmqpServer(o: AmqpTestServerOptions = {}): Promise<AmqpTestServer> {
  const logs: LogRecord[] = [];
  const logger = memoryLogger(logs);
  const core = createCore({ logger: logger.child({ component: 'core' }) });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  core.users.setLoopbackUsers(['guest']);
  const { tls: tlsOpts, host, highWaterMark, remoteAddress, ...adapterOpts } = o;
  const present = (t: Transport): Transport => (remoteAddress === undefined ? t : withRemoteAddress(t, remoteAddress));
  const adapter = createAmqpAdapter(core, { ...adapterOpts, logger });
  const hwm = highWaterMark === undefined ? {} : { highWaterMark };
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  let server: net.Server;
  if (tlsOpts !== undefined) {
    server = tls.createServer(tlsOpts, (s) => {
      track(s);
      adapter.accept(present(socketTransport(s, 'tls', hwm)));
    });
  } else {
    server = net.createServer((s) => {
      track(s);
      adapter.accept(present(socketTransport(s, 'tcp', hwm)));
    });
  }
  server.listen(0, host ?? '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const scheme = tlsOpts !== undefined ? 'amqps' : 'amqp';
  return {
    port,
    core,
    adapter,
    logs,
    url: `${scheme}://guest:guest@127.0.0.1:${port}`,
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.closeAll(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
      for (const s of sockets) s.destroy();
      await closed;
      await core.shutdown();
    },
  };
}
