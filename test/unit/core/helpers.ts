/**
 * Shared fixtures for core unit tests: a core with one full-permission user,
 * recording sessions and sinks, message builders, and a dispatch flush.
 */
import { createCore } from '../../../core/index.js';
import type {
  ConsumerSink,
  Core,
  CoreConnection,
  CoreSession,
  Delivery,
  ErrorCode,
  FieldTable,
  Message,
  MessageProperties,
  SessionEvents,
} from '../../../core/index.js';

export interface RecordingEvents extends SessionEvents {
  confirmedBatches: number[][];
  rejectedBatches: { ids: number[]; code: ErrorCode }[];
  flow: string[];
}

export function recordingEvents(): RecordingEvents {
  const ev: RecordingEvents = {
    confirmedBatches: [],
    rejectedBatches: [],
    flow: [],
    confirmed: (ids) => void ev.confirmedBatches.push([...ids]),
    rejected: (ids, code) => void ev.rejectedBatches.push({ ids: [...ids], code }),
    blocked: (reason) => void ev.flow.push(`blocked:${reason}`),
    unblocked: () => void ev.flow.push('unblocked'),
  };
  return ev;
}

export interface RecordingSink extends ConsumerSink {
  deliveries: Delivery[];
  cancelledWith: string[];
  /** what deliver() returns; flip to false to simulate a full transport */
  accept: boolean;
  bodies(): string[];
}

export function recordingSink(onDeliver?: (d: Delivery) => void): RecordingSink {
  const s: RecordingSink = {
    deliveries: [],
    cancelledWith: [],
    accept: true,
    deliver(d) {
      s.deliveries.push(d);
      onDeliver?.(d);
      return s.accept;
    },
    cancelled(reason) {
      s.cancelledWith.push(reason);
    },
    bodies: () => s.deliveries.map((d) => d.message.body.toString()),
  };
  return s;
}

export function msg(exchange: string, routingKey: string, body = 'x', properties: MessageProperties = {}): Message {
  return { exchange, routingKey, properties, body: Buffer.from(body) };
}

export function withHeaders(exchange: string, routingKey: string, headers: FieldTable, body = 'x'): Message {
  return msg(exchange, routingKey, body, { headers });
}

/** Lets queued dispatch runs (setImmediate) and confirm flushes (microtasks) happen. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface Fixture {
  core: Core;
  conn: CoreConnection;
  session: CoreSession;
  events: RecordingEvents;
  open(user?: string): { conn: CoreConnection; session: CoreSession; events: RecordingEvents };
}

export function fixture(): Fixture {
  const core = createCore();
  core.users.addUser('u', 'pw', []);
  core.users.setPermissions('u', '/', { configure: '.*', write: '.*', read: '.*' });
  const open = (user = 'u') => {
    const conn = core.openConnection({
      vhost: '/',
      user: { name: user, tags: [] },
      protocol: 'test',
      remoteAddress: '127.0.0.1',
    });
    const events = recordingEvents();
    return { conn, session: conn.openSession(events), events };
  };
  const first = open();
  return { core, ...first, open };
}

export function expectCode(fn: () => unknown, code: ErrorCode, message?: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (!thrown) throw new Error(`expected BrokerError ${code}, nothing thrown`);
  const err = thrown as { code?: string; message?: string };
  if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
  if (message !== undefined) {
    const ok = typeof message === 'string' ? err.message === message : message.test(err.message ?? '');
    if (!ok) throw new Error(`message mismatch: got "${err.message}", expected ${String(message)}`);
  }
}
