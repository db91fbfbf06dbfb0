/**
 * KvLog under damage and I/O faults: torn tails at every offset, flipped bytes,
 * zero tails, failing writev/fdatasync/ftruncate, failing compactions, an
 * unreadable file at load.
 */
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../core/store/fs.js';
import type { FileSystem } from '../../../../core/store/fs.js';
import { KvLog } from '../../../../core/store/kv-log.js';
import type { KvLogOptions } from '../../../../core/store/kv-log.js';
import { cleanupTempDirs, collectLogs, payloadFor, tempDir, testFs } from './helpers.js';

afterEach(cleanupTempDirs);

const tick = () => new Promise<void>((r) => setImmediate(r));

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

function openMap(file: string, o: KvLogOptions = {}): { map: KvLog; state: Map<string, Buffer> } {
  const map = KvLog.open(file, o);
  return { map, state: map.load() };
}

function text(m: ReadonlyMap<string, Buffer>): string[] {
  return [...m].map(([k, v]) => `${k}=${v.toString()}`).sort();
}

async function reopened(file: string, o: KvLogOptions = {}): Promise<string[]> {
  const { map, state } = openMap(file, o);
  await map.close();
  return text(state);
}

const fsVariants: [string, () => FileSystem][] = [
  ['readSync', () => nodeFileSystem],
  ['readFileSync fallback', () => testFs()],
];

describe.each(fsVariants)('KvLog damaged files (%s)', (_name, mkFs) => {
  it('a tail torn at every byte offset of the last record: the state before it, then appends work', async () => {
    const file = path.join(tempDir(), 't.kv');
    const { map } = openMap(file);
    await map.set('a', Buffer.from('1'));
    await map.set('b', Buffer.from('2'));
    await map.delete('a');
    await map.set('c', Buffer.from('3'));
    const start = statSync(file).size;
    await map.set('b', Buffer.from('a new value for b'));
    await map.close();
    const whole = readFileSync(file);
    const last = whole.length - start;
    expect(last).toBe(8 + 3 + 1 + 17);
    for (let cut = start; cut < whole.length; cut++) {
      writeFileSync(file, whole.subarray(0, cut));
      const logs = collectLogs();
      const { map: m, state } = openMap(file, { fs: mkFs(), logger: logs.logger });
      expect(text(state)).toEqual(['b=2', 'c=3']);
      expect(statSync(file).size).toBe(start);
      if (cut > start) expect(logs.events).toContainEqual(expect.objectContaining({ level: 'warn', offset: start }));
      else expect(logs.events).toEqual([]);
      await m.set('d', Buffer.from(`cut${cut}`));
      await m.close();
      expect(await reopened(file)).toEqual(['b=2', 'c=3', `d=cut${cut}`]);
    }
  });

  it('a torn record bigger than the replay window', async () => {
    const file = path.join(tempDir(), 'tb.kv');
    const { map } = openMap(file);
    await map.set('a', Buffer.from('1'));
    const start = statSync(file).size;
    await map.set('big', payloadFor(5, 2 * 1024 * 1024));
    await map.close();
    const whole = readFileSync(file);
    for (const cut of [start + 1, start + 8, start + 11, start + 12, start + 1024 * 1024, whole.length - 1]) {
      writeFileSync(file, whole.subarray(0, cut));
      expect(await reopened(file, { fs: mkFs() })).toEqual(['a=1']);
      expect(statSync(file).size).toBe(start);
    }
    writeFileSync(file, whole);
    const { map: m, state } = openMap(file, { fs: mkFs() });
    expect(state.get('big')!.equals(payloadFor(5, 2 * 1024 * 1024))).toBe(true);
    await m.close();
  });

  it('a flipped byte anywhere in a record ends replay there and truncates the file', async () => {
    const file = path.join(tempDir(), 'f.kv');
    const { map } = openMap(file);
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      offsets.push(statSync(file).size);
      await map.set(`k${i}`, Buffer.from(`value-${i}`));
    }
    await map.close();
    const whole = readFileSync(file);
    const [from, to] = [offsets[2]!, offsets[3]!];
    for (let at = from; at < to; at++) {
      const bad = Buffer.from(whole);
      bad[at]! ^= 0xff;
      writeFileSync(file, bad);
      const logs = collectLogs();
      const { map: m, state } = openMap(file, { fs: mkFs(), logger: logs.logger });
      expect(text(state)).toEqual(['k0=value-0', 'k1=value-1']);
      expect(statSync(file).size).toBe(from);
      expect(logs.events).toContainEqual(expect.objectContaining({ level: 'warn', offset: from }));
      await m.set('k9', Buffer.from('after'));
      await m.close();
      expect(await reopened(file)).toEqual(['k0=value-0', 'k1=value-1', 'k9=after']);
    }
  });

  it('a zero-filled tail (file grown, data never written) is cut off', async () => {
    const file = path.join(tempDir(), 'z.kv');
    const { map } = openMap(file);
    await map.set('a', Buffer.from('1'));
    await map.close();
    const size = statSync(file).size;
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.alloc(4096)]));
    expect(await reopened(file, { fs: mkFs() })).toEqual(['a=1']);
    expect(statSync(file).size).toBe(size);
  });
});

describe.each(['writev', 'fdatasync'] as const)('KvLog write failure on %s', (op) => {
  it('EIO rejects exactly that batch; a later batch succeeds; reopen shows exactly the successful writes', async () => {
    const file = path.join(tempDir(), 'e.kv');
    const fs = testFs();
    const commits: (string | null)[] = [];
    const logs = collectLogs();
    const { map } = openMap(file, { fs, logger: logs.logger, onCommit: (e) => commits.push(e ? (e as NodeJS.ErrnoException).code! : null) });
    await Promise.all([map.set('a', Buffer.from('1')), map.set('b', Buffer.from('1'))]);
    fs.faults.push({ op, code: 'EIO', times: 1 });
    const bad = [map.set('a', Buffer.from('2')), map.delete('b'), map.set('c', Buffer.from('1')), map.set('e', Buffer.from('1'))];
    expect(map.size).toBe(3); // a, c, e
    const results = await Promise.allSettled(bad);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'EIO' });
    expect(map.size).toBe(2); // taken back: a, b
    expect(logs.events).toContainEqual(expect.objectContaining({ level: 'error' }));
    // same length as the first rejected record: without the cut-back, the rejected delete/set would follow it
    await map.set('d', Buffer.from('1'));
    expect(commits).toEqual([null, 'EIO', null]);
    expect(map.size).toBe(3);
    await map.close();
    expect(await reopened(file)).toEqual(['a=1', 'b=1', 'd=1']);
  });
});

describe('KvLog failure edge cases', () => {
  it('writes queued behind a failed in-flight batch go to the right offset and succeed', async () => {
    const file = path.join(tempDir(), 'q.kv');
    const fs = testFs();
    const { map } = openMap(file, { fs });
    await map.set('base', Buffer.from('0'));
    fs.faults.push({ op: 'fdatasync', code: 'EIO', times: 1 });
    const failed = map.set('x', Buffer.from('a value longer than the next one'));
    await tick(); // in flight
    const queued = [map.set('y', Buffer.from('2')), map.set('x', Buffer.from('3'))];
    expect(map.size).toBe(3);
    await expect(failed).rejects.toMatchObject({ code: 'EIO' });
    await Promise.all(queued);
    expect(map.size).toBe(3);
    await map.close();
    expect(await reopened(file)).toEqual(['base=0', 'x=3', 'y=2']);
  });

  it('when the cut-back fails the next batch fails too; the one after succeeds', async () => {
    const file = path.join(tempDir(), 'c.kv');
    const fs = testFs();
    const { map } = openMap(file, { fs });
    await map.set('a', Buffer.from('1'));
    fs.faults.push({ op: 'fdatasync', code: 'EIO', times: 1 }, { op: 'ftruncate', code: 'EIO', times: 1 });
    await expect(map.set('b', Buffer.from('rejected-one'))).rejects.toMatchObject({ code: 'EIO' });
    await expect(map.set('c', Buffer.from('2'))).rejects.toMatchObject({ code: 'EIO' });
    expect(fs.counts['ftruncate']).toBe(1);
    await map.set('d', Buffer.from('3'));
    expect(fs.counts['ftruncate']).toBe(2);
    await map.close();
    expect(await reopened(file)).toEqual(['a=1', 'd=3']);
  });

  it('load() throws when the file cannot be read; the map is unusable then', async () => {
    const file = path.join(tempDir(), 'r.kv');
    const { map } = openMap(file);
    await map.set('a', Buffer.from('1'));
    await map.close();
    const fs = testFs();
    fs.faults.push({ op: 'readFileSync', code: 'EIO' });
    const m = KvLog.open(file, { fs });
    expect(() => m.load()).toThrow(/EIO/);
    await expect(m.set('a', Buffer.from('2'))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await m.close();
    expect(await reopened(file)).toEqual(['a=1']);
  });
});

describe.each([
  ['fdatasync of the .compact file', { op: 'fdatasync', code: 'EIO', pathIncludes: '.compact', times: 1 }],
  ['rename', { op: 'rename', code: 'EIO', pathIncludes: '.compact', times: 1 }],
  ['read of a live record', { op: 'read', code: 'EIO', times: 1 }],
] as const)('KvLog compaction failing on %s', (_name, fault) => {
  it('keeps the old file, removes .compact, writes go on, and it is retried later', async () => {
    const file = path.join(tempDir(), 'k.kv');
    const fs = testFs();
    fs.faults.push({ ...fault });
    const logs = collectLogs();
    const { map } = openMap(file, { fs, logger: logs.logger, compactMinBytes: 0 });
    for (let i = 0; i < 3; i++) await map.set('a', Buffer.from(`a${i}`)); // dead 2 > live 1: compaction, which fails
    const failed = () => logs.events.some((e) => e.level === 'error' && /compaction failed/.test(e.msg));
    await until(failed);
    expect(fs.faults).toHaveLength(0); // the injected fault is what failed it
    expect(map.stats.compactions).toBe(0);
    expect(existsSync(file + '.compact')).toBe(false);
    const fileBytes = map.stats.fileBytes;
    await map.set('b', Buffer.from('b')); // appended to the old file
    expect(map.stats.fileBytes).toBeGreaterThan(fileBytes);
    expect(statSync(file).size).toBe(map.stats.fileBytes);
    for (let i = 0; i < 30 && map.stats.compactions === 0; i++) await map.set('a', Buffer.from(`x${i}`));
    await until(() => map.stats.compactions === 1); // retried once more garbage piled up
    await map.set('c', Buffer.from('c'));
    await map.close();
    const got = await reopened(file);
    expect(got).toHaveLength(3);
    expect(got[0]).toMatch(/^a=x\d+$/);
    expect(got.slice(1)).toEqual(['b=b', 'c=c']);
  });
});

describe('KvLog compaction and the directory fsync', () => {
  it('a failed directory fsync after the rename is redone before the next batch is acknowledged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'ds.kv');
    const fs = testFs();
    const { map } = openMap(file, { fs, compactMinBytes: 0 });
    await map.set('a', Buffer.from('0')); // first batch: fsyncs the directory (new file)
    expect(fs.counts['fsync']).toBe(1);
    fs.faults.push({ op: 'fsync', code: 'EIO', times: 1 });
    for (let i = 1; i <= 2; i++) await map.set('a', Buffer.from(`${i}`)); // dead 2 > live 1: compaction
    await until(() => map.stats.compactions === 1); // the rename happened: the new file is in use
    expect(fs.counts['fsync']).toBe(2);
    expect(fs.faults).toHaveLength(0); // the directory fsync after the rename failed
    await map.set('b', Buffer.from('b'));
    expect(fs.counts['fsync']).toBe(3);
    await map.close();
    expect(await reopened(file)).toEqual(['a=2', 'b=b']);
  });
});
