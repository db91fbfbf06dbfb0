/**
 * KvLog (the StateMap of adapters): round trips across reopen, record layout,
 * group commit, size, compaction (shrink, writes during compaction, leftover
 * `.compact`, at load), and a fast-check model test against a Map.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../core/store/fs.js';
import type { FileSystem } from '../../../../core/store/fs.js';
import { KvLog } from '../../../../core/store/index.js';
import type { KvLogOptions } from '../../../../core/store/kv-log.js';
import { RECORD_OK, checkRecordAt, recordChecksum } from '../../../../core/store/record-format.js';
import { cleanupTempDirs, collectLogs, payloadFor, tempDir, testFs } from './helpers.js';

afterEach(cleanupTempDirs);

const tick = () => new Promise<void>((r) => setImmediate(r));

function openMap(file: string, o: KvLogOptions = {}): { map: KvLog; state: Map<string, Buffer> } {
  const map = KvLog.open(file, o);
  return { map, state: map.load() };
}

/** The map as plain strings (hex values), for equality checks. */
function plain(m: ReadonlyMap<string, Buffer>): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))) o[k] = v.toString('hex');
  return o;
}

async function reopened(file: string, o: KvLogOptions = {}): Promise<Map<string, Buffer>> {
  const { map, state } = openMap(file, o);
  await map.close();
  return state;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KvLog basics', () => {
  it('set, overwrite and delete survive close and reopen', async () => {
    const file = path.join(tempDir(), 'a.kv');
    const { map, state } = openMap(file);
    expect(state.size).toBe(0);
    expect(existsSync(file)).toBe(true);
    await map.set('a', Buffer.from('one'));
    await map.set('b', Buffer.from('two'));
    await map.set('a', Buffer.from('three'));
    await map.delete('b');
    await map.delete('never-set');
    await map.set('c', Buffer.from('four'));
    expect(map.size).toBe(2);
    await map.close();

    const { map: m2, state: s2 } = openMap(file);
    expect(plain(s2)).toEqual(plain(new Map([['a', Buffer.from('three')], ['c', Buffer.from('four')]])));
    expect(m2.size).toBe(2);
    await m2.set('b', Buffer.from('back'));
    await m2.close();
    expect([...(await reopened(file))].map(([k, v]) => `${k}=${v.toString()}`).sort()).toEqual(['a=three', 'b=back', 'c=four']);
  });

  it('empty values, unicode keys and an 8 MiB value round trip', async () => {
    const file = path.join(tempDir(), 'u.kv');
    const { map } = openMap(file);
    const big = payloadFor(3, 8 * 1024 * 1024);
    const keys = ['', 'ключ', 'キー/🙂', 'nul\u0000inside', 'é'.repeat(1000)];
    const writes = keys.map((k, i) => map.set(k, i === 0 ? Buffer.alloc(0) : Buffer.from(`v${i}:${k}`)));
    writes.push(map.set('big', big), map.set('empty', Buffer.alloc(0)));
    await Promise.all(writes);
    await map.close();
    const s = await reopened(file);
    expect(s.size).toBe(keys.length + 2);
    expect(s.get('')!.length).toBe(0);
    expect(s.get('empty')!.length).toBe(0);
    keys.slice(1).forEach((k, j) => expect(s.get(k)!.toString()).toBe(`v${j + 1}:${k}`));
    expect(s.get('big')!.equals(big)).toBe(true);
  });

  it('a 256 MiB value round trips and is copied by a compaction', async () => {
    const file = path.join(tempDir(), 'huge.kv');
    const size = 256 * 1024 * 1024;
    const huge = Buffer.alloc(size, 0x5a);
    const { map } = openMap(file, { compactMinBytes: 0 });
    await map.set('small', Buffer.from('s'));
    for (let v = 1; v <= 3; v++) {
      huge.writeUInt32LE(v, size - 4); // settled: the buffer may change now
      await map.set('huge', huge);
    }
    // dead: two 256 MiB records > live: one: compacted, the live one copied
    for (let i = 0; i < 2000 && map.stats.compactions === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(map.stats.compactions).toBe(1);
    await map.close();
    expect(statSync(file).size).toBe(size + 8 + 3 + 4 + (8 + 3 + 5 + 1));
    const { map: m2, state } = openMap(file);
    expect(state.get('huge')!.equals(huge)).toBe(true);
    expect(state.get('small')!.toString()).toBe('s');
    await m2.close();
  });

  it('keys up to 65535 bytes; longer keys and lone surrogates throw synchronously', async () => {
    const file = path.join(tempDir(), 'k.kv');
    const { map } = openMap(file);
    const max = 'k'.repeat(65535);
    expect(() => map.set('k'.repeat(65536), Buffer.from('x'))).toThrow(RangeError);
    expect(() => map.delete('é'.repeat(32768))).toThrow(RangeError); // 65536 bytes
    expect(() => map.set('bad\ud800', Buffer.from('x'))).toThrow(RangeError);
    expect(map.size).toBe(0);
    await map.set(max, Buffer.from('max'));
    await map.close();
    expect((await reopened(file)).get(max)!.toString()).toBe('max');
  });

  it('load() first and once; set/delete reject once close() is called', async () => {
    const file = path.join(tempDir(), 'o.kv');
    const map = KvLog.open(file);
    expect(() => map.set('a', Buffer.from('x'))).toThrow(/load\(\)/);
    map.load();
    expect(() => map.load()).toThrow();
    const before = map.set('a', Buffer.from('x'));
    const closing = map.close();
    await expect(map.set('b', Buffer.from('y'))).rejects.toThrow(/closed/);
    await expect(map.delete('a')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await before; // issued before close: flushed by it
    await closing;
    await map.close(); // idempotent
    expect(plain(await reopened(file))).toEqual({ a: Buffer.from('x').toString('hex') });
    await KvLog.open(file).close(); // never loaded: nothing to do
  });

  it('record layout: [len][crc][type][key len][key][value], checked like a segment record', async () => {
    const file = path.join(tempDir(), 'f.kv');
    const { map } = openMap(file);
    const big = payloadFor(9, 100_000); // referenced, not copied, by the encoder
    await map.set('ab', Buffer.from('xyz'));
    await map.delete('ab');
    await map.set('b', big);
    await map.close();
    const buf = readFileSync(file);
    expect(buf.length).toBe(8 + 3 + 2 + 3 + (8 + 3 + 2) + (8 + 3 + 1 + big.length));
    expect(buf.readUInt32LE(0)).toBe(3 + 2 + 3);
    expect(buf.readUInt32LE(4)).toBe(recordChecksum(buf.subarray(8, 16)));
    expect([buf[8], buf.readUInt16LE(9), buf.toString('utf8', 11, 13), buf.toString('utf8', 13, 16)]).toEqual([1, 2, 'ab', 'xyz']);
    expect([buf.readUInt32LE(16), buf[24], buf.readUInt16LE(25), buf.toString('utf8', 27, 29)]).toEqual([5, 2, 2, 'ab']);
    expect(checkRecordAt(buf, 16, buf.length)).toBe(RECORD_OK);
    expect(checkRecordAt(buf, 29, buf.length)).toBe(RECORD_OK);
    expect(buf[37]).toBe(1);
    expect(buf.subarray(29 + 12).equals(big)).toBe(true);
  });
});

describe('KvLog replay window', () => {
  it.each([
    ['readSync', () => nodeFileSystem],
    ['readFileSync (fs without readSync)', () => testFs()],
  ])('records across window boundaries and bigger than the window replay intact (%s)', async (_name, mkFs) => {
    const file = path.join(tempDir(), 'big.kv');
    const { map } = openMap(file, { compactMinBytes: 1 << 30 });
    const model = new Map<string, Buffer>();
    const put = (k: string, v: Buffer) => (model.set(k, v), map.set(k, v));
    const ps = [];
    for (let i = 0; i < 3000; i++) ps.push(put(`s${i % 1700}`, payloadFor(i, 700 + (i % 13))));
    ps.push(put('huge', payloadFor(1, 3 * 1024 * 1024 + 5)));
    for (let i = 0; i < 100; i++) ps.push(put(`t${i}`, payloadFor(i, 1024 * 1024 - 20 + i))); // straddle the window edge
    ps.push(put('huge2', payloadFor(2, 1024 * 1024 + 1)));
    await Promise.all(ps);
    await map.close();
    expect(plain(await reopened(file, { fs: mkFs(), compactMinBytes: 1 << 30 }))).toEqual(plain(model));
  });
});

describe('KvLog group commit', () => {
  it('many writes in one turn cost one writev and one fdatasync; later ones form the next batch', async () => {
    const file = path.join(tempDir(), 'g.kv');
    const fs = testFs();
    const atCommit: string[] = [];
    const { map } = openMap(file, { fs, onCommit: (err) => atCommit.push(`${err} ${fs.counts['writev']} ${fs.counts['fdatasync']}`) });
    const first = [];
    for (let i = 0; i < 1000; i++) first.push(map.set(`k${i % 300}`, payloadFor(i, 50)));
    first.push(map.set('big', payloadFor(1, 200_000)), map.delete('k7'));
    expect(map.size).toBe(300);
    expect(fs.counts['fdatasync'] ?? 0).toBe(0); // nothing before the next turn
    await tick();
    // the batch is in flight: these go into the next one
    const second = [map.set('late', Buffer.from('l')), map.delete('k8')];
    await Promise.all(first);
    await Promise.all(second);
    expect(atCommit).toEqual(['null 1 1', 'null 2 2']);
    expect(map.size).toBe(300);
    await map.close();
    const s = await reopened(file);
    expect(s.size).toBe(300);
    expect(s.has('k7') || s.has('k8')).toBe(false);
    expect(s.get('k9')!.equals(payloadFor(909, 50))).toBe(true);
  });

  it('every promise of a batch resolves only after its fdatasync', async () => {
    const file = path.join(tempDir(), 'w.kv');
    const synced = deferred();
    let release!: () => void;
    const fs: FileSystem = {
      ...nodeFileSystem,
      fdatasync: (fd, cb) => {
        synced.resolve();
        release = () => nodeFileSystem.fdatasync(fd, cb);
      },
    };
    const { map } = openMap(file, { fs });
    let done = 0;
    const ps = [map.set('a', Buffer.from('1')), map.set('b', Buffer.from('2'))].map((p) => p.then(() => done++));
    await synced.promise;
    await tick();
    expect(done).toBe(0);
    release();
    await Promise.all(ps);
    expect(done).toBe(2);
    const closing = map.close();
    await tick();
    await closing;
  });
});

describe('KvLog compaction', () => {
  it('after many overwrites the file shrinks and the contents are identical after reopen', async () => {
    const file = path.join(tempDir(), 'c.kv');
    const { map } = openMap(file, { compactMinBytes: 4096 });
    const model = new Map<string, Buffer>();
    let maxSize = 0;
    for (let round = 0; round < 40; round++) {
      const ps = [];
      for (let k = 0; k < 20; k++) {
        const v = payloadFor(round * 100 + k, 100 + k);
        model.set(`key${k}`, v);
        ps.push(map.set(`key${k}`, v));
      }
      if (round % 3 === 0) {
        ps.push(map.delete(`key${round % 20}`));
        model.delete(`key${round % 20}`);
      }
      await Promise.all(ps);
      maxSize = Math.max(maxSize, statSync(file).size);
    }
    await map.close();
    const st = map.stats;
    expect(st.compactions).toBeGreaterThan(0);
    expect(statSync(file).size).toBe(st.fileBytes);
    expect(st.deadBytes).toBeLessThanOrEqual(Math.max(st.liveBytes, 4096));
    expect(statSync(file).size).toBeLessThan(40 * 20 * 120); // far below everything ever written
    expect(maxSize).toBeLessThanOrEqual(2 * st.liveBytes + 4096 + 20 * 130);
    expect(existsSync(file + '.compact')).toBe(false);
    expect(plain(await reopened(file))).toEqual(plain(model));
  });

  it('writes issued during a compaction are kept, in order, and land in the new file', async () => {
    const file = path.join(tempDir(), 'd.kv');
    const renaming = deferred();
    const gate = deferred();
    const fs: FileSystem = {
      ...nodeFileSystem,
      rename: (a, b, cb) => {
        renaming.resolve();
        void gate.promise.then(() => nodeFileSystem.rename(a, b, cb));
      },
    };
    const { map } = openMap(file, { fs, compactMinBytes: 0 });
    await map.set('b', Buffer.from('b0'));
    await map.set('a', Buffer.from('a0'));
    await map.set('a', Buffer.from('a1'));
    await map.set('a', Buffer.from('a2'));
    expect(map.stats.compactions).toBe(0);
    await map.set('a', Buffer.from('a3')); // dead (3 equal records) > live (2: 'b' and 'a'): compaction starts
    await renaming.promise;
    expect(existsSync(file + '.compact')).toBe(true);
    let settled = 0;
    const during = [
      map.set('a', Buffer.from('d1')),
      map.delete('b'),
      map.set('c', Buffer.from('c1')),
      map.set('a', Buffer.from('d2')),
    ].map((p) => p.then(() => settled++));
    expect(map.size).toBe(2);
    for (let i = 0; i < 5; i++) await tick();
    expect(settled).toBe(0); // waiting behind the compaction
    let closed = false;
    const closing = map.close().then(() => (closed = true));
    await expect(map.set('z', Buffer.from('too late'))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await tick();
    expect(closed).toBe(false);
    gate.resolve();
    await closing;
    expect(settled).toBe(4); // close() waited for the compaction and the writes behind it
    expect(map.stats.compactions).toBe(1);
    expect(existsSync(file + '.compact')).toBe(false);
    const s = await reopened(file);
    expect([...s].map(([k, v]) => `${k}=${v.toString()}`).sort()).toEqual(['a=d2', 'c=c1']);
  });

  it('a leftover .compact file at open is deleted and ignored', async () => {
    const file = path.join(tempDir(), 'l.kv');
    const { map } = openMap(file);
    await map.set('x', Buffer.from('kept'));
    await map.close();
    writeFileSync(file + '.compact', readFileSync(file).subarray(0, 5)); // a crash mid-compaction
    const logs = collectLogs();
    const { map: m2, state } = openMap(file, { logger: logs.logger });
    expect(existsSync(file + '.compact')).toBe(false);
    expect(logs.events.some((e) => /leftover/.test(e.msg))).toBe(true);
    expect(state.get('x')!.toString()).toBe('kept');
    await m2.close();
  });

  it('compacts right after load() when the garbage rule holds', async () => {
    const file = path.join(tempDir(), 'r.kv');
    const { map } = openMap(file, { compactMinBytes: 1 << 30 });
    for (let i = 0; i < 50; i++) await map.set('same', payloadFor(i, 1000));
    await map.set('other', Buffer.from('o'));
    await map.close();
    const sizeBefore = statSync(file).size;
    const { map: m2, state } = openMap(file, { compactMinBytes: 1000 });
    expect(state.get('same')!.equals(payloadFor(49, 1000))).toBe(true);
    const w = m2.set('other', Buffer.from('o2')); // waits behind the compaction
    await w;
    expect(m2.stats.compactions).toBe(1);
    await m2.close();
    expect(statSync(file).size).toBeLessThan(sizeBefore / 10);
    expect([...(await reopened(file))].map(([k, v]) => `${k}=${v.length}`).sort()).toEqual(['other=2', 'same=1000']);
  });
});

describe('KvLog model (fast-check)', () => {
  it('random set/delete/turn/reopen sequences match a Map', async () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'é', '🙂', '');
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), k: key, v: fc.uint8Array({ maxLength: 300 }) }) },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), k: key }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('turn' as const) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const) }) },
    );
    let compactions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 2000 }), async (ops, compactMinBytes) => {
        const file = path.join(tempDir('pp-kvmodel-'), 'm.kv');
        const model = new Map<string, Buffer>();
        let { map, state } = openMap(file, { compactMinBytes });
        let outstanding: Promise<void>[] = [];
        try {
          for (const o of ops) {
            if (o.t === 'set') {
              const v = Buffer.from(o.v);
              model.set(o.k, v);
              outstanding.push(map.set(o.k, v));
            } else if (o.t === 'del') {
              model.delete(o.k);
              outstanding.push(map.delete(o.k));
            } else if (o.t === 'turn') {
              await tick();
            } else {
              await Promise.all(outstanding);
              outstanding = [];
              await map.close();
              ({ map, state } = openMap(file, { compactMinBytes }));
              expect(plain(state)).toEqual(plain(model));
            }
            expect(map.size).toBe(model.size);
          }
          await Promise.all(outstanding);
        } finally {
          await map.close();
          compactions += map.stats.compactions;
        }
        expect(plain(await reopened(file))).toEqual(plain(model));
      }),
      { numRuns: 100 },
    );
    expect(compactions).toBeGreaterThan(0); // the runs did exercise compaction
  });
});
