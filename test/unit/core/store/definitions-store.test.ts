import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DefinitionsStore } from '../../../../core/store/definitions-store.js';
import { cleanupTempDirs, tempDir, testFs } from './helpers.js';

afterEach(cleanupTempDirs);

describe('DefinitionsStore', () => {
  it('load() is null before the first save, then returns the last saved snapshot', async () => {
    const dir = path.join(tempDir(), 'defs');
    const store = new DefinitionsStore(dir);
    expect(store.load()).toBeNull();
    await store.save({ vhosts: ['/'], queues: [{ name: 'q', durable: true }] });
    expect(new DefinitionsStore(dir).load()).toEqual({ vhosts: ['/'], queues: [{ name: 'q', durable: true }] });
    expect(existsSync(path.join(dir, 'definitions.json.tmp'))).toBe(false);
  });

  it('writes a temp file, fdatasyncs it, renames it over, fsyncs the directory', async () => {
    const fs = testFs();
    const store = new DefinitionsStore(tempDir(), { fs });
    await store.save({ a: 1 });
    expect(fs.counts.fdatasync).toBe(1);
    expect(fs.counts.rename).toBe(1);
    expect(fs.counts.fsync).toBe(1);
  });

  it('coalesces concurrent saves: one in flight, the latest of the rest wins, no interleaving', async () => {
    const fs = testFs();
    const dir = tempDir();
    const store = new DefinitionsStore(dir, { fs });
    const ps = [];
    for (let i = 0; i < 50; i++) ps.push(store.save({ version: i }));
    await Promise.all(ps);
    expect(fs.counts.rename).toBe(2); // the first, then only the latest
    expect(store.load()).toEqual({ version: 49 });
  });

  it('a failed save rejects and leaves the previous snapshot intact', async () => {
    const fs = testFs();
    const dir = tempDir();
    const store = new DefinitionsStore(dir, { fs });
    await store.save({ v: 1 });
    fs.faults.push({ op: 'fdatasync', code: 'ENOSPC', times: 1 });
    await expect(store.save({ v: 2 })).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(store.load()).toEqual({ v: 1 });
    await store.save({ v: 3 });
    expect(store.load()).toEqual({ v: 3 });
  });

  it('refuses to load a corrupt snapshot', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'definitions.json'), '{"vhosts": [');
    expect(() => new DefinitionsStore(dir).load()).toThrow(/corrupt/);
    expect(readFileSync(path.join(dir, 'definitions.json'), 'utf8')).toBe('{"vhosts": [');
  });
});
