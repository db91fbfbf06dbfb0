/**
 * A core with real persistence in a temp data dir and a small paging budget,
 * restartable (close the persistence, open a new core on the same dir).
 */
import { createCore } from '../../../../core/index.js';
import type { Core, CoreSession, Message, MessageProperties } from '../../../../core/index.js';
import { durabilityHooks, openPersistence } from '../../../../core/durable/index.js';
import type { PagingBudget, Persistence } from '../../../../core/durable/index.js';
import { recordingEvents } from '../helpers.js';
import type { RecordingEvents } from '../helpers.js';

export interface Broker {
  core: Core;
  persistence: Persistence;
  session: CoreSession;
  events: RecordingEvents;
  /** opens another session on the same core */
  open(): { session: CoreSession; events: RecordingEvents };
  /** flushes and closes the stores (the core is abandoned) */
  stop(): Promise<void>;
}

export function startBroker(dataDir: string, paging: Partial<PagingBudget> = { maxMessages: 10 }, queues: { name: string; args?: Message['properties']['headers'] }[] = []): Broker {
  const persistence = openPersistence(dataDir);
  const core = createCore({ durability: durabilityHooks(persistence, { paging }) });
  core.users.addUser('u', 'pw', []);
  core.users.setPermissions('u', '/', { configure: '.*', write: '.*', read: '.*' });
  const conn = core.openConnection({ vhost: '/', user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '127.0.0.1' });
  const open = () => {
    const events = recordingEvents();
    return { session: conn.openSession(events), events };
  };
  const first = open();
  for (const q of queues) first.session.declareQueue({ name: q.name, durable: true, ...(q.args ? { args: q.args } : {}) });
  persistence.finishRecovery();
  return { core, persistence, ...first, open, stop: () => persistence.close() };
}

export function pmsg(routingKey: string, body: string, properties: MessageProperties = {}): Message {
  return { exchange: '', routingKey, properties: { deliveryMode: 2, ...properties }, body: Buffer.from(body) };
}

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise<void>((r) => setTimeout(r, 2));
  }
}

export function confirmedCount(ev: RecordingEvents): number {
  return ev.confirmedBatches.reduce((n, b) => n + b.length, 0);
}
