/**
 * DefinitionsSaver (coalescing, flush, damaged file) and Persistence (lazy
 * cached queue stores, restart recovery, orphan pass, drops, the confirm gate
 * for queues created after boot, summary log line, close).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DefinitionsSaver } from '../../../../core/durable/definitions-saver.js';
import { decodeName, encodeName, listQueueDirs, queueDir } from '../../../../core/durable/paths.js';
import { openPersistence } from '../../../../core/durable/persistence.js';
import { confirmToken } from '../../../../core/durable/queue-store.js';
import type { RecoveredMessage } from '../../../../core/durable/queue-store.js';
import { cleanupTempDirs, pmsg, recordingLogger, tempDir, tick } from './helpers.js';

afterEach(cleanupTempDirs);

describe('DefinitionsSaver', () => {
  it('a burst of changes in one turn is one write', async () => {
    const dir = tempDir();
    const saver = new DefinitionsSaver(dir);
    let n = 0;
    let snapshots = 0;
    const snap = () => (snapshots++, { n });
    for (n = 1; n <= 1000; n++) saver.scheduleSave(snap);
    await saver.flush();
    expect(saver.writes).toBe(1);
    expect(snapshots).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'definitions.json'), 'utf8'))).toEqual({ n: 1001 });
  });

  it('a storm over many turns costs few writes and ends with the latest state', async () => {
    const dir = tempDir();
    const saver = new DefinitionsSaver(dir);
    const state = { queues: [] as number[] };
    saver.scheduleSave(() => state);
    for (let i = 0; i < 200; i++) {
      state.queues.push(i);
      saver.scheduleSave();
      if (i % 2 === 0) await tick();
    }
    await saver.flush();
    expect(saver.writes).toBeLessThan(100);
    expect(saver.writes).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(path.join(dir, 'definitions.json'), 'utf8')) as typeof state).queues).toHaveLength(200);
    expect(new DefinitionsSaver(dir).load()).toEqual(state);
  });

  it('flush resolves at once when nothing is pending; delayMs defers the snapshot', async () => {
    const dir = tempDir();
    const saver = new DefinitionsSaver(dir, { delayMs: 30 });
    await saver.flush();
    saver.scheduleSave(() => ({ a: 1 }));
    await tick();
    expect(existsSync(path.join(dir, 'definitions.json'))).toBe(false);
    await saver.flush(); // flush does not wait for the delay
    expect(saver.writes).toBe(1);
  });

  it('a corrupt file is set aside and logged; the start goes on with nothing', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'definitions.json'), '{"users": [ truncated');
    const logger = recordingLogger();
    const saver = new DefinitionsSaver(dir, { logger });
    expect(saver.load()).toBeNull();
    expect(saver.loadedCleanly).toBe(false);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('definitions.json.corrupt-'))).toBe(true);
    expect(files).not.toContain('definitions.json');
    expect(logger.entries.some((e) => e.level === 'error' && /definitions file unreadable/.test(e.msg ?? ''))).toBe(true);
  });

  it('missing file → null and loadedCleanly', () => {
    const saver = new DefinitionsSaver(tempDir());
    expect(saver.load()).toBeNull();
    expect(saver.loadedCleanly).toBe(true);
  });
});

describe('paths', () => {
  it('encodes any name into a safe, distinct directory name', () => {
    for (const name of ['', '.', '..', 'a/b', 'Q', 'q', 'ünï/cødé\u0000', 'x'.repeat(255)]) {
      const e = encodeName(name);
      expect(e).toMatch(/^[xh][0-9a-f]*$/);
      expect(e.length).toBeLessThanOrEqual(201);
      if (e.startsWith('x')) expect(decodeName(e)).toBe(name);
    }
    expect(encodeName('Q')).not.toBe(encodeName('q'));
    expect(encodeName('a'.repeat(200))).not.toBe(encodeName('a'.repeat(201)));
  });
});

describe('Persistence', () => {
  it('restart: queue stores recover their messages when the queues are declared again', async () => {
    const data = tempDir();
    const p1 = openPersistence(data);
    p1.finishRecovery();
    const s = p1.queueStore('/', 'orders');
    expect(p1.queueStore('/', 'orders')).toBe(s); // cached
    for (const b of ['a', 'b', 'c']) s.persist(pmsg(b));
    p1.queueStore('v2', 'orders').persist(pmsg('other vhost'));
    await p1.close();

    const logger = recordingLogger();
    const p2 = openPersistence(data, { logger });
    const got: RecoveredMessage[] = [];
    p2.queueStore('/', 'orders', (r) => got.push(r));
    p2.queueStore('v2', 'orders');
    const summary = p2.finishRecovery();
    expect(got.map((r) => r.message.body.toString())).toEqual(['a', 'b', 'c']);
    expect(summary).toMatchObject({ queues: 2, messages: 4, bytes: 14, dropped: 0, orphansRemoved: 0 });
    const line = logger.entries.find((e) => e.msg === 'message store recovered')!;
    expect(line.obj).toMatchObject({ component: 'store', queues: 2, messages: 4, bytes: 14 });
    expect(typeof line.obj['ms']).toBe('number');
    await p2.close();
  });

  it('orphaned queue data is removed (and logged) when definitions are intact, kept when they were damaged', async () => {
    const data = tempDir();
    const p1 = openPersistence(data);
    p1.finishRecovery();
    p1.queueStore('/', 'kept').persist(pmsg('k'));
    p1.queueStore('/', 'gone').persist(pmsg('g'));
    await p1.close();

    writeFileSync(path.join(data, 'definitions.json'), 'not json');
    const logA = recordingLogger();
    const p2 = openPersistence(data, { logger: logA });
    expect(p2.definitions.load()).toBeNull();
    p2.queueStore('/', 'kept');
    expect(p2.finishRecovery()).toMatchObject({ orphansKept: 1, orphansRemoved: 0 });
    expect(existsSync(queueDir(data, '/', 'gone'))).toBe(true);
    await p2.close();

    const logB = recordingLogger();
    const p3 = openPersistence(data, { logger: logB });
    expect(p3.definitions.load()).toBeNull(); // no file now (set aside): clean
    p3.queueStore('/', 'kept');
    expect(p3.finishRecovery()).toMatchObject({ orphansRemoved: 1, orphansKept: 0, messages: 1 });
    expect(existsSync(queueDir(data, '/', 'gone'))).toBe(false);
    expect(logB.entries.find((e) => /orphaned queue data removed/.test(e.msg ?? ''))!.obj).toMatchObject({ vhost: '/', queue: 'gone' });
    await p3.close();
  });

  it('queue data of a queue listed in definitions.json but not restored is kept', async () => {
    const data = tempDir();
    const p1 = openPersistence(data);
    p1.finishRecovery();
    p1.queueStore('/', 'listed').persist(pmsg('m'));
    await p1.close();
    writeFileSync(path.join(data, 'definitions.json'), JSON.stringify({ queues: [{ vhost: '/', name: 'listed', durable: true }] }));
    const p2 = openPersistence(data);
    expect(p2.definitions.load()).not.toBeNull();
    expect(p2.finishRecovery()).toMatchObject({ orphansKept: 1, orphansRemoved: 0 });
    expect(existsSync(queueDir(data, '/', 'listed'))).toBe(true);
    await p2.close();
  });

  it('dropQueue deletes the data; a queue of the same name starts empty; drops after close are no-ops', async () => {
    const data = tempDir();
    const p = openPersistence(data);
    p.finishRecovery();
    p.queueStore('/', 'q').persist(pmsg('old'));
    const drop = p.dropQueue('/', 'q');
    const got: RecoveredMessage[] = [];
    p.queueStore('/', 'q', (r) => got.push(r)).persist(pmsg('new'));
    await drop;
    expect(got).toEqual([]);
    await p.close();
    await p.dropQueue('/', 'q'); // shutdown destroys queues: must not delete durable data
    await p.dropVhost('/');
    const p2 = openPersistence(data);
    const again: string[] = [];
    p2.queueStore('/', 'q', (r) => again.push(r.message.body.toString()));
    p2.finishRecovery();
    expect(again).toEqual(['new']);
    expect(listQueueDirs(data)).toHaveLength(1);
    await p2.close();
  });

  it('dropVhost removes the vhost directory', async () => {
    const data = tempDir();
    const p = openPersistence(data);
    p.finishRecovery();
    p.queueStore('v', 'a').persist(pmsg('1'));
    p.queueStore('v', 'b').persist(pmsg('2'));
    await p.dropVhost('v');
    expect(listQueueDirs(data)).toEqual([]);
    expect(readdirSync(path.join(data, 'msgs'))).toEqual([]);
    await p.close();
  });

  it('a queue created after boot confirms only once the definitions naming it are on disk', async () => {
    const data = tempDir();
    const p = openPersistence(data, { saveDelayMs: 40 });
    p.definitions.scheduleSave(() => ({ queues: ['late'] }));
    await p.definitions.flush();
    p.finishRecovery();
    const released: number[] = [];
    const confirms = { release: (id: number) => void released.push(id), reject: () => {} };
    const s = p.queueStore('/', 'late');
    p.definitions.scheduleSave(); // the declare's hook
    s.persist(pmsg('m'), confirmToken(confirms, 1));
    await s.flush();
    await tick();
    expect(released).toEqual([]); // on disk, but the queue is not yet in definitions.json
    await p.definitions.flush();
    await tick();
    expect(released).toEqual([1]);
    s.persist(pmsg('m2'), confirmToken(confirms, 2));
    await s.flush();
    expect(released).toEqual([1, 2]); // afterwards: straight through
    await p.close();
  });

  it('queues recovered at boot confirm without waiting for definitions', async () => {
    const data = tempDir();
    const p = openPersistence(data, { saveDelayMs: 10_000 });
    p.definitions.scheduleSave(() => ({}));
    const released: number[] = [];
    const s = p.queueStore('/', 'boot');
    p.finishRecovery();
    s.persist(pmsg('m'), confirmToken({ release: (id) => void released.push(id), reject: () => {} }, 9));
    await s.flush();
    expect(released).toEqual([9]);
    await p.close();
  });
});
