/**
 * Persistent delayed messages of a durable x-delayed-message exchange survive
 * a restart (core/durable/delayed-store.ts): a real data dir, a core with
 * durability hooks; the persistence is closed while messages are held, a new
 * core + persistence imports the saved definitions, and the messages reach the
 * bound queue at their original due times (already-due ones at once, in due
 * order); non-persistent ones are not kept; the confirm waits for the fsync;
 * releases are acked (no duplicates on the next restart); deleting the
 * exchange removes its data.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core, CoreSession, Delivery, FieldValue } from '../../../../core/index.js';
import { F, createCore } from '../../../../core/index.js';
import { exportDefinitions, importDefinitions } from '../../../../core/durable/definitions.js';
import { ACK_DELAY_MS, delayedDir } from '../../../../core/durable/delayed-store.js';
import { durabilityHooks } from '../../../../core/durable/hooks.js';
import { openPersistence } from '../../../../core/durable/persistence.js';
import type { Persistence } from '../../../../core/durable/persistence.js';
import { msg, recordingEvents } from '../helpers.js';
import type { RecordingEvents } from '../helpers.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Node {
  p: Persistence;
  core: Core;
  s: CoreSession;
  events: RecordingEvents;
  stop(): Promise<void>;
}

/** One "broker boot": persistence, core, definitions import, recovery end (as src/gateway.ts). */
function boot(data: string): Node {
  const p = openPersistence(data);
  const core = createCore({ durability: durabilityHooks(p) });
  const saved = p.definitions.load();
  if (saved) expect(importDefinitions(core, saved, (v) => core.systemSession(v)).errors).toEqual([]);
  p.finishRecovery();
  p.definitions.scheduleSave(() => exportDefinitions(core));
  if (!saved) core.users.addUser('u', 'pw', []); // restored from definitions.json on later boots
  core.users.setPermissions('u', '/', { configure: '.*', write: '.*', read: '.*' });
  const conn = core.openConnection({ vhost: '/', user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '127.0.0.1' });
  const events = recordingEvents();
  const s = conn.openSession(events);
  return {
    p, core, s, events,
    async stop() {
      await p.close(); // first, as the gateway: the core's shutdown must not drop durable data
      await core.shutdown();
    },
  };
}

function declare(s: CoreSession): void {
  s.declareExchange({ name: 'dx', type: 'x-delayed-message', durable: true, args: { 'x-delayed-type': F.str('direct') } });
  s.declareQueue({ name: 'q', durable: true });
  s.bind({ source: 'dx', destination: 'q', destinationType: 'queue', routingKey: 'k' });
}

function pub(s: CoreSession, body: string, delay: number, confirmId: number, persistent = true): void {
  const headers: Record<string, FieldValue> = { 'x-delay': F.int(delay) };
  s.publish(msg('dx', 'k', body, { headers, ...(persistent ? { deliveryMode: 2 } : {}) }), { confirmId });
}

/** Collects what reaches q (auto-ack consumer) with arrival times. */
function collect(s: CoreSession): { body: string; at: number; delay: FieldValue | undefined }[] {
  const got: { body: string; at: number; delay: FieldValue | undefined }[] = [];
  s.consume(
    'q',
    {
      deliver(d: Delivery) {
        got.push({ body: d.message.body.toString(), at: Date.now(), delay: d.message.properties.headers?.['x-delay'] });
        return true;
      },
      cancelled() {},
    },
    { tag: '', noAck: true, credit: 0 },
  );
  return got;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

afterEach(cleanupTempDirs);

describe('durable delayed exchange: held persistent messages survive a restart', () => {
  it('restores held messages with their due times; already-due ones go at once, in due order', async () => {
    const data = tempDir();
    const a = boot(data);
    declare(a.s);
    const t0 = Date.now();
    pub(a.s, 'late', 900, 1);
    pub(a.s, 'due-second', 120, 2);
    pub(a.s, 'due-first', 60, 3);
    pub(a.s, 'transient', 60, 4, false);
    await Promise.resolve();
    await Promise.resolve();
    // the transient one confirms at acceptance; the persistent ones wait for the fsync (and the definitions)
    expect(a.events.confirmedBatches.flat()).toEqual([4]);
    await until(() => a.events.confirmedBatches.flat().length === 4);
    expect(a.events.confirmedBatches.flat().sort()).toEqual([1, 2, 3, 4]);
    expect(a.events.rejectedBatches).toEqual([]);
    await a.stop(); // nothing released: all four still held
    await sleep(Math.max(0, t0 + 200 - Date.now())); // the first two are overdue when the broker comes back

    const b = boot(data);
    const got = collect(b.s);
    const restarted = Date.now();
    await until(() => got.length >= 2);
    expect(got.map((g) => g.body)).toEqual(['due-first', 'due-second']);
    expect(got[1]!.at - restarted).toBeLessThan(300);
    expect(got[0]!.delay).toEqual(F.long(-60));
    await until(() => got.length >= 3);
    expect(got[2]!.body).toBe('late');
    expect(got[2]!.at).toBeGreaterThanOrEqual(t0 + 900);
    expect(got[2]!.delay).toEqual(F.long(-900));
    await sleep(100);
    expect(got.map((g) => g.body)).not.toContain('transient');
    await sleep(ACK_DELAY_MS + 50); // the releases are acked
    await b.stop();

    const c = boot(data);
    const again = collect(c.s);
    await sleep(200);
    expect(again).toEqual([]); // no duplicates: nothing held any more
    await c.stop();
  });

  it('held messages stay held across a restart until due (none early); exchange deletion removes the data', async () => {
    const data = tempDir();
    const a = boot(data);
    declare(a.s);
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) pub(a.s, `m${i}`, 400, i + 1);
    await until(() => a.events.confirmedBatches.flat().length === 20);
    await a.stop();

    const b = boot(data);
    const got = collect(b.s);
    await until(() => got.length === 20);
    expect(got.map((g) => g.body)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`)); // publish order kept
    for (const g of got) expect(g.at).toBeGreaterThanOrEqual(t0 + 400);
    pub(b.s, 'doomed', 10_000, 99);
    await until(() => b.events.confirmedBatches.flat().includes(99));
    const dir = delayedDir(data, '/', 'dx');
    expect(existsSync(dir)).toBe(true);
    b.s.deleteExchange('dx');
    expect(existsSync(dir)).toBe(false);
    await b.stop();

    const c = boot(data);
    expect(c.core.inspect.listExchanges('/').some((x) => x.name === 'dx')).toBe(false);
    c.s.declareExchange({ name: 'dx', type: 'x-delayed-message', durable: true, args: { 'x-delayed-type': F.str('direct') } });
    c.s.bind({ source: 'dx', destination: 'q', destinationType: 'queue', routingKey: 'k' });
    const again = collect(c.s);
    await sleep(100);
    expect(again.filter((g) => g.body === 'doomed')).toEqual([]);
    await c.stop();
  });
});
