/**
 * QueueStore: persist → stored only after the flush; ack; recovery in order of
 * un-acked messages only; delivered marks → redelivered after a "crash";
 * damaged segment files; closed/destroyed behaviour; random operation
 * sequences against a model with a crash at the end (fast-check).
 */
import { existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueStore, confirmListener, confirmToken } from '../../../../core/durable/queue-store.js';
import type { RecoveredMessage } from '../../../../core/durable/queue-store.js';
import type { StorePosition } from '../../../../core/store/index.js';
import { testFs } from '../store/helpers.js';
import { cleanupTempDirs, pmsg, recordingListener, tempDir, tick } from './helpers.js';

afterEach(cleanupTempDirs);

function open(dir: string, listener = recordingListener(), maxSegmentSize?: number) {
  const store = QueueStore.open(dir, listener, maxSegmentSize !== undefined ? { maxSegmentSize } : {});
  const recovered: RecoveredMessage[] = [];
  const stats = store.recover((r) => recovered.push(r));
  return { store, listener, recovered, stats };
}

const bodies = (rs: RecoveredMessage[]) => rs.map((r) => r.message.body.toString());

describe('QueueStore', () => {
  it('reports a token as stored only after the group commit, once', async () => {
    const dir = tempDir();
    const { store, listener } = open(dir);
    store.persist(pmsg('a'), 'tok-a');
    store.persist(pmsg('b'), 'tok-b');
    store.persist(pmsg('c')); // no token: never reported
    expect(listener.storedTokens).toEqual([]); // nothing is durable synchronously
    await store.flush();
    expect(listener.storedTokens).toEqual(['tok-a', 'tok-b']);
    await store.close();
    expect(listener.storedTokens).toEqual(['tok-a', 'tok-b']);
  });

  it('releases confirm tokens through confirmListener (and rejects with STORE_FAILED)', async () => {
    const calls: string[] = [];
    const confirms = { release: (id: number) => void calls.push(`release ${id}`), reject: (id: number, code: string) => void calls.push(`reject ${id} ${code}`) };
    const l = confirmListener();
    l.stored([confirmToken(confirms, 1), confirmToken(confirms, 2)]);
    l.failed([confirmToken(confirms, 3)], new Error('ENOSPC'));
    expect(calls).toEqual(['release 1', 'release 2', 'reject 3 STORE_FAILED']);

    const dir = tempDir();
    const store = QueueStore.open(dir, confirmListener());
    store.recover();
    store.persist(pmsg('x'), confirmToken(confirms, 7));
    await store.flush();
    expect(calls).toContain('release 7');
    await store.close();
  });

  it('recovers un-acked messages in order, with their properties and TTL deadline', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    const pos: StorePosition[] = [];
    for (let i = 0; i < 10; i++) pos.push(store.persist(pmsg(`m${i}`, { priority: i }), undefined, i === 3 ? 1234567 : undefined));
    store.ack(pos[0]!);
    store.ack(pos[5]!);
    await store.close();

    const { recovered, stats, store: again } = open(dir);
    expect(bodies(recovered)).toEqual(['m1', 'm2', 'm3', 'm4', 'm6', 'm7', 'm8', 'm9']);
    expect(recovered.map((r) => r.message.properties.priority)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(recovered.find((r) => r.message.body.toString() === 'm3')!.expiresAt).toBe(1234567);
    expect(recovered.find((r) => r.message.body.toString() === 'm4')!.expiresAt).toBeUndefined();
    expect(recovered.every((r) => !r.redelivered)).toBe(true);
    expect(stats).toMatchObject({ messages: 8, bytes: 16, dropped: 0, undecodable: 0 });
    // positions handed back work for ack
    again.ack(recovered[0]!.position);
    await again.close();
    expect(bodies(open(dir).recovered)[0]).toBe('m2');
  });

  it('a crash without close: what was flushed is recovered; delivered-unacked come back redelivered', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    const pos = ['a', 'b', 'c', 'd'].map((b) => store.persist(pmsg(b)));
    await store.flush();
    store.markDelivered(pos[0]!); // delivered, then acked: gone
    store.markDelivered(pos[1]!); // delivered, never acked: redelivered
    store.markDelivered(pos[1]!); // idempotent
    store.ack(pos[0]!);
    await store.flush(); // also waits for the marks' write (no fsync: a process crash keeps them)
    // "kill -9": drop the object without close
    const { recovered } = open(dir);
    expect(recovered.map((r) => [r.message.body.toString(), r.redelivered])).toEqual([
      ['b', true],
      ['c', false],
      ['d', false],
    ]);
  });

  it('the redelivered flag survives a second crash until the message is acked', async () => {
    const dir = tempDir();
    const s1 = open(dir);
    const p = s1.store.persist(pmsg('a'));
    s1.store.persist(pmsg('b'));
    await s1.store.flush();
    s1.store.markDelivered(p);
    await s1.store.flush();
    const s2 = open(dir); // crash 1
    expect(s2.recovered.map((r) => r.redelivered)).toEqual([true, false]);
    const s3 = open(dir); // crash 2 right after recovery: the compacted marks file still holds 'a'
    expect(s3.recovered.map((r) => r.redelivered)).toEqual([true, false]);
    s3.store.ack(s3.recovered[0]!.position);
    await s3.store.close();
    const s4 = open(dir);
    expect(bodies(s4.recovered)).toEqual(['b']);
    expect(s4.recovered[0]!.redelivered).toBe(false);
  });

  it('the delivered marks file is compacted (does not grow without bound)', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    for (let round = 0; round < 30; round++) {
      const ps = Array.from({ length: 1000 }, (_, i) => store.persist(pmsg(`r${round}-${i}`)));
      for (const p of ps) store.markDelivered(p);
      await store.flush();
      for (const p of ps) store.ack(p);
      await store.flush();
    }
    await store.flush();
    expect(statSync(path.join(dir, 'delivered')).size).toBeLessThan(300 * 1024);
    await store.close();
    expect(open(dir).recovered).toEqual([]);
  });

  it('a truncated segment: intact records are recovered, the torn one is dropped', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    for (let i = 0; i < 20; i++) store.persist(pmsg(`message-${i}`));
    await store.close();
    const seg = readdirSync(dir).find((n) => n.endsWith('.seg'))!;
    const file = path.join(dir, seg);
    truncateSync(file, statSync(file).size - 5);
    const { recovered, stats } = open(dir);
    expect(bodies(recovered)).toEqual(Array.from({ length: 19 }, (_, i) => `message-${i}`));
    expect(stats.dropped).toBe(1);
  });

  it('persist after close never throws: the token fails asynchronously', async () => {
    const dir = tempDir();
    const { store, listener } = open(dir);
    await store.close();
    const pos = store.persist(pmsg('late'), 'late');
    expect(pos.segment).toBe(0);
    store.ack(pos); // no-op
    store.markDelivered(pos); // no-op
    await tick();
    expect(listener.failedTokens.map((f) => f.token)).toEqual(['late']);
  });

  it('destroy removes the directory; pending tokens are settled as stored; a new store at once gets a fresh directory', async () => {
    const dir = path.join(tempDir(), 'q');
    const { store, listener } = open(dir);
    store.persist(pmsg('old-1'), 'old-1');
    await store.flush();
    store.persist(pmsg('old-2'), 'old-2'); // not yet durable when the queue is deleted
    const destroyed = store.destroy();
    const fresh = open(dir); // a redeclare of the same name, immediately
    expect(fresh.recovered).toEqual([]);
    fresh.store.persist(pmsg('new'), 'new');
    await destroyed;
    await fresh.store.flush();
    expect(listener.storedTokens).toEqual(['old-1', 'old-2']);
    expect(listener.failedTokens).toEqual([]);
    await fresh.store.close();
    expect(bodies(open(dir).recovered)).toEqual(['new']);
    expect(readdirSync(path.dirname(dir))).toEqual(['q']);
  });

  it('read() returns a stored message by position', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    const p = store.persist(pmsg('readable', { headers: { n: { type: 'int64', value: 2n ** 60n } } }), undefined, 99);
    const beforeFlush = await store.read(p);
    expect(beforeFlush.message.body.toString()).toBe('readable');
    await store.flush();
    const rec = await store.read(p);
    expect(rec.message.properties.headers!['n']).toEqual({ type: 'int64', value: 2n ** 60n });
    expect(rec.expiresAt).toBe(99);
    await store.close();
  });

  it('random persist/deliver/ack sequences, then a crash: recovery matches the model', async () => {
    type Op = { t: 'persist'; size: number } | { t: 'deliver'; pick: number } | { t: 'ack'; pick: number } | { t: 'flush' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ t: fc.constant('persist' as const), size: fc.integer({ min: 0, max: 200 }) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat() }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('flush' as const) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), fc.integer({ min: 200, max: 2000 }), async (ops, maxSegmentSize) => {
        const dir = tempDir();
        const { store } = open(dir, recordingListener(), maxSegmentSize);
        const live: { id: string; pos: StorePosition; delivered: boolean }[] = [];
        let n = 0;
        for (const o of ops) {
          if (o.t === 'persist') {
            const id = `m${n++}-${'x'.repeat(o.size)}`;
            live.push({ id, pos: store.persist(pmsg(id)), delivered: false });
          } else if (o.t === 'deliver' && live.length > 0) {
            const e = live[o.pick % live.length]!;
            store.markDelivered(e.pos);
            e.delivered = true;
          } else if (o.t === 'ack' && live.length > 0) {
            const [e] = live.splice(o.pick % live.length, 1);
            store.ack(e!.pos);
          } else if (o.t === 'flush') {
            await store.flush();
          }
        }
        await store.flush();
        const { recovered } = open(dir, recordingListener(), maxSegmentSize); // crash: no close
        expect(recovered.map((r) => r.message.body.toString())).toEqual(live.map((e) => e.id));
        expect(recovered.map((r) => r.redelivered)).toEqual(live.map((e) => e.delivered));
      }),
      { numRuns: 60 },
    );
  });

  it('disk trouble: ENOSPC fails the batch tokens and raises then clears the failure state; confirmed data survives', async () => {
    const dir = tempDir();
    const fs = testFs();
    const listener = recordingListener();
    const store = QueueStore.open(dir, listener, { fs });
    store.recover();
    store.persist(pmsg('ok-1'), 'ok-1');
    await store.flush();
    fs.faults.push({ op: 'fdatasync', code: 'ENOSPC', times: 1 });
    store.persist(pmsg('lost'), 'lost');
    await store.flush().catch(() => {});
    expect(listener.failedTokens.map((f) => [f.token, (f.err as NodeJS.ErrnoException).code])).toEqual([['lost', 'ENOSPC']]);
    expect(listener.failures.map((e) => (e ? 'failing' : 'ok'))).toEqual(['failing']);
    expect(store.failure).not.toBeNull();
    store.persist(pmsg('ok-2'), 'ok-2');
    await store.flush();
    expect(listener.storedTokens).toEqual(['ok-1', 'ok-2']);
    expect(listener.failures.map((e) => (e ? 'failing' : 'ok'))).toEqual(['failing', 'ok']);
    await store.close();
    const after = open(dir).recovered.map((r) => r.message.body.toString());
    expect(after).toContain('ok-1');
    expect(after).toContain('ok-2');
  });

  it('a store that was never written leaves only its directory', async () => {
    const dir = path.join(tempDir(), 'empty');
    const { store } = open(dir);
    await store.close();
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toEqual([]);
  });
});
