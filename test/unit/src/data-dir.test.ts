import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../../src/data-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'polyport-dd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureDataDir', () => {
  it('creates a missing directory (recursively) and leaves no probe behind', async () => {
    const d = join(dir, 'a', 'b');
    expect(await ensureDataDir(d)).toBe(d);
    expect(existsSync(d)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('accepts an existing directory and resolves relative paths', async () => {
    expect(await ensureDataDir(dir)).toBe(dir);
  });

  it('a path that cannot be a directory is a clear error', async () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    await expect(ensureDataDir(join(file, 'data'))).rejects.toThrow(`data_dir ${join(file, 'data')} is not writable: ENOTDIR`);
  });
});
