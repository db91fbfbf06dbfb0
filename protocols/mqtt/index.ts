/**
 * MQTT 3.1 / 3.1.1 / 5.0 adapter entry point.
 *
 * `createMqttAdapter(core, opts)` returns what the gateway registers for the
 * MQTT listeners (TCP 1883, TLS 8883, later WebSocket): `accept(transport)`
 * runs one client connection over any Transport; `closeAll()` disconnects
 * every client (v5 DISCONNECT 0x8B) and waits for their sockets to close;
 * `connectionCount()` for metrics.
 *
 * With `opts.state` (a core StateMap) persistent sessions, QoS 2 packet ids,
 * retained messages and delayed wills are kept on disk (durable-state.ts)
 * and restored here at creation (restore.ts).
 *
 * Layers: codec/parser.ts (framing + mqtt-packet) → connection.ts (socket,
 * timers, throttle) → processor.ts (state machine) → handlers/*.ts → core.
 */
import type { Core } from '../../core/index.js';
import type { Transport } from '../shared/transport.js';
import { MqttConnection } from './connection.js';
import { AdapterContext } from './context.js';
import { authMethodRegistry } from './handlers/auth.js';
import type { MqttAdapterOptions } from './options.js';
import { resolveOptions } from './options.js';
import { Processor } from './processor.js';
import { memoryRetainedIndex } from './retained.js';
import { memorySessionStore } from './session.js';
import { MqttDurableState } from './durable-state.js';
import { restoreState } from './restore.js';

export type { MqttAdapterOptions } from './options.js';
export type { RetainedIndex, RetainedStore, RetainedEntry, RetainedLimits } from './retained.js';
export type { SessionStore, SessionState } from './session.js';
export type { AuthMethod, AuthExchange, AuthStep } from './handlers/auth.js';
export { scramSha256 } from './auth-scram.js';

export interface MqttAdapter {
  readonly name: 'mqtt';
  accept(t: Transport): void;
  closeAll(): Promise<void>;
  connectionCount(): number;
}

export function createMqttAdapter(core: Core, opts: MqttAdapterOptions): MqttAdapter {
  const o = resolveOptions(opts);
  const durable = opts.state ? new MqttDurableState(opts.state, o.logger) : undefined;
  const ctx = new AdapterContext(
    core,
    o,
    durable ? memorySessionStore() : (opts.sessionStore ?? memorySessionStore()),
    durable
      ? memoryRetainedIndex(opts.retainedLimit, (vhost, topic, entry) => durable.retained(vhost, topic, entry))
      : (opts.retainedIndex ?? memoryRetainedIndex(opts.retainedLimit)),
    authMethodRegistry(opts.authMethods),
    durable,
  );
  if (durable) {
    const counts = restoreState(ctx, durable.load());
    o.logger.info(counts, 'mqtt: state recovered');
  }
  const processors = new Set<Processor>();
  const waiters = new Set<() => void>();
  const gone = (p: Processor): void => {
    processors.delete(p);
    if (processors.size === 0) for (const w of waiters) w();
  };
  // transports whose processor has been cleaned up but whose socket is still closing
  const open = new Set<MqttConnection>();

  // shared by every connection (no per-connection closures)
  const transportClosed = (p: Processor): void => {
    open.delete(p.conn);
    if (open.size === 0) queueMicrotask(() => {
      if (open.size === 0) for (const w of waiters) w();
    });
  };

  return {
    name: 'mqtt',
    accept(t: Transport): void {
      const conn = new MqttConnection(t, o.maxPacketSize);
      const p = new Processor(conn, ctx, gone, transportClosed);
      processors.add(p);
      open.add(conn);
      conn.start(p, o.loginTimeoutMs); // the processor is the ConnectionHandler
    },
    async closeAll(): Promise<void> {
      for (const p of [...processors]) p.shutdown();
      ctx.wills.clear();
      for (const s of [...ctx.sessions.all()]) if (s.expiryTimer) clearTimeout(s.expiryTimer);
      if (open.size === 0) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          if (open.size > 0) return;
          clearTimeout(t);
          waiters.delete(done);
          resolve();
        };
        const t = setTimeout(() => {
          for (const c of open) c.destroy();
          waiters.delete(done);
          resolve();
        }, 2000);
        waiters.add(done);
      });
    },
    connectionCount(): number {
      return processors.size;
    },
  };
}
