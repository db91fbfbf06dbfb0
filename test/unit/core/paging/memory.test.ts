/**
 * Memory of a paged queue: 1,000,000 queued persistent 100-byte messages in
 * one durable queue. A child process (--expose-gc, via tsx) publishes them
 * and reports the heap growth after a full GC: one JS object per message
 * would need well over 100 MB; the paged index needs ~4 MB in typed arrays
 * (outside the JS heap) plus the in-memory budget (10 000 messages).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../durable/helpers.js';

afterEach(cleanupTempDirs);

const here = path.dirname(fileURLToPath(import.meta.url));

describe('paged queue memory', () => {
  it('1M queued 100-byte persistent messages: heap growth < 60 MB', () => {
    const dir = tempDir('pp-paging-mem-');
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'memory-child.ts'), dir, '1000000'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const line = r.stdout.trim().split('\n').pop()!;
    const m = JSON.parse(line) as { n: number; ready: number; heapGrowth: number; externalGrowth: number; rss: number; publishMs: number };
    console.log(`paging memory: ${line}`);
    expect(m.ready).toBe(1_000_000);
    expect(m.heapGrowth).toBeLessThan(60 * 1024 * 1024);
    expect(m.heapGrowth + m.externalGrowth).toBeLessThan(100 * 1024 * 1024);
  }, 60_000);
});
