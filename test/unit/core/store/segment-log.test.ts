import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from '../../../../core/store/segment-log.js';
import type { SegmentLogOptions } from '../../../../core/store/segment-log.js';
import type { StorePosition } from '../../../../core/store/position.js';
import { RecordingListener, cleanupTempDirs, collectLogs, payloadFor, tempDir, testFs } from './helpers.js';

afterEach(cleanupTempDirs);

function openLog(dir: string, o: SegmentLogOptions = {}) {
  const log = SegmentLog.open(dir, o);
  const recovered: { pos: StorePosition; payload: Buffer }[] = [];
  const report = log.recover((pos, payload) => recovered.push({ pos, payload: Buffer.from(payload) }));
  return { log, recovered, report };
}

const segFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
const ackFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.ack')).sort();

describe('SegmentLog basics', () => {
  it('returns positions synchronously and recovers records in order after reopen', async () => {
    const dir = tempDir();
    const { log } = openLog(dir);
    const positions: StorePosition[] = [];
    for (let i = 0; i < 100; i++) positions.push(log.append(payloadFor(i, 10 + i)));
    expect(positions[0]).toEqual({ segment: 1, offset: 8, size: 10 });
    expect(positions[1]).toEqual({ segment: 1, offset: 8 + 8 + 10, size: 11 });
    await log.close();
    expect(segFiles(dir)).toEqual(['0000000001.seg']);
    const header = readFileSync(path.join(dir, '0000000001.seg')).subarray(0, 8);
    expect(header.toString('latin1', 0, 4)).toBe('PPSG');
    expect(header.readUInt32LE(4)).toBe(1);

    const { log: log2, recovered, report } = openLog(dir);
    expect(report.records).toBe(100);
    expect(recovered.map((r) => r.pos)).toEqual(positions);
    recovered.forEach((r, i) => expect(r.payload.equals(payloadFor(i, 10 + i))).toBe(true));
    // new appends go to a fresh segment
    expect(log2.append(Buffer.from('x')).segment).toBe(2);
    await log2.close();
  });

  it('reads back unflushed, in-flight and flushed records', async () => {
    const dir = tempDir();
    const { log } = openLog(dir);
    const big = payloadFor(7, 200_000); // referenced, not copied into the slab
    const p1 = log.append(payloadFor(1, 100));
    const p2 = log.append(big);
    const p3 = log.append(Buffer.alloc(0));
    expect((await log.readAsync(p1)).equals(payloadFor(1, 100))).toBe(true); // write buffer
    expect((await log.readAsync(p2)).equals(big)).toBe(true);
    expect((await log.readAsync(p3)).length).toBe(0);
    await log.flush();
    expect((await log.readAsync(p1)).equals(payloadFor(1, 100))).toBe(true); // disk
    expect((await log.readAsync(p2)).equals(big)).toBe(true);
    expect((await log.readAsync(p3)).length).toBe(0);
    // callback form, and an unknown position
    const got = await new Promise<Buffer>((res, rej) => log.read(p1, (e, b) => (e ? rej(e) : res(b))));
    expect(got.equals(payloadFor(1, 100))).toBe(true);
    await expect(log.readAsync({ segment: 1, offset: 9, size: 3 })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    await expect(log.readAsync({ segment: 99, offset: 8, size: 3 })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    await log.close();
  });

  it('detects on-disk corruption on read (CRC)', async () => {
    const dir = tempDir();
    const { log } = openLog(dir);
    const p = log.append(payloadFor(1, 50));
    await log.flush();
    await log.close();
    const file = path.join(dir, '0000000001.seg');
    const b = readFileSync(file);
    b[p.offset + 8 + 10]! ^= 0xff;
    writeFileSync(file, b);
    const { log: log2, recovered } = openLog(dir, { logger: () => {} });
    expect(recovered).toHaveLength(0); // dropped at recovery
    await log2.close();
  });

  it('group commit: 1000 appends in one tick cost one fdatasync and one writev', async () => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener });
    for (let i = 0; i < 1000; i++) log.append(payloadFor(i, 100), i);
    expect(log.bufferedBytes).toBe(8 + 1000 * 108);
    await log.flush();
    expect(log.bufferedBytes).toBe(0);
    expect(fs.counts.fdatasync).toBe(1);
    expect(fs.counts.writev).toBe(1);
    expect(fs.counts.fsync).toBe(1); // directory, for the new segment file
    expect(rec.durableCalls).toBe(1);
    expect(rec.durable).toEqual([...Array(1000).keys()]);
    await log.close();
  });

  it('while a flush is in flight, appends accumulate into the next batch', async () => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener });
    log.append(payloadFor(0, 100), 0);
    await new Promise((r) => setImmediate(r)); // flush 1 starts
    for (let i = 1; i <= 5000; i++) {
      log.append(payloadFor(i, 100), i);
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await log.flush();
    expect(rec.durable).toEqual([...Array(5001).keys()]);
    expect(fs.counts.fdatasync!).toBeLessThan(20);
    await log.close();
  });

  it('a lone append is durable within a few ms (no fixed timer)', async () => {
    const dir = tempDir();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { listener: rec.listener });
    log.append(Buffer.from('warm-up'), 'w');
    await log.flush();
    const lat: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      log.append(payloadFor(i, 100), i);
      while (!rec.durableAt.has(i)) await new Promise((r) => setImmediate(r));
      lat.push(rec.durableAt.get(i)! - t0);
    }
    lat.sort((a, b) => a - b);
    expect(lat[10]!).toBeLessThan(10); // median; ~0.5–2 ms on this disk
    await log.close();
  });

  it('rolls segments at maxSegmentSize and gives an oversized record its own segment', async () => {
    const dir = tempDir();
    const { log } = openLog(dir, { maxSegmentSize: 1024 });
    const ps: StorePosition[] = [];
    for (let i = 0; i < 30; i++) ps.push(log.append(payloadFor(i, 100)));
    const big = payloadFor(99, 5000);
    const pb = log.append(big);
    const after = log.append(payloadFor(100, 10));
    expect(new Set(ps.map((p) => p.segment)).size).toBeGreaterThan(3);
    for (const p of ps) expect(p.offset + 8 + p.size).toBeLessThanOrEqual(1024);
    expect(pb.offset).toBe(8);
    expect(after.segment).toBe(pb.segment + 1);
    await log.close();
    expect(statSync(path.join(dir, `${String(pb.segment).padStart(10, '0')}.seg`)).size).toBe(8 + 8 + 5000);
    const { log: l2, recovered } = openLog(dir);
    expect(recovered.map((r) => r.pos)).toEqual([...ps, pb, after]);
    expect(recovered[30]!.payload.equals(big)).toBe(true);
    expect((await l2.readAsync(pb)).equals(big)).toBe(true);
    await l2.close();
  });

  it('deletes a non-current segment once every record is acked; acks are idempotent', async () => {
    const dir = tempDir();
    const { log } = openLog(dir, { maxSegmentSize: 512 });
    const ps: StorePosition[] = [];
    for (let i = 0; i < 20; i++) ps.push(log.append(payloadFor(i, 50)));
    await log.flush();
    const first = ps.filter((p) => p.segment === 1);
    expect(first.length).toBeGreaterThan(1);
    expect(log.ack(first[0]!)).toBe(true);
    expect(log.ack(first[0]!)).toBe(false); // idempotent
    expect(log.ack({ segment: 1, offset: 9, size: 50 })).toBe(false); // not a record
    await log.flush();
    expect(segFiles(dir)).toContain('0000000001.seg');
    expect(readFileSync(path.join(dir, '0000000001.ack')).length).toBe(4);
    for (const p of first) log.ack(p);
    await log.flush();
    expect(segFiles(dir)).not.toContain('0000000001.seg');
    expect(ackFiles(dir)).not.toContain('0000000001.ack');
    // the current segment is never deleted, even when fully acked
    const last = ps.filter((p) => p.segment === ps.at(-1)!.segment);
    for (const p of last) log.ack(p);
    await log.flush();
    expect(segFiles(dir)).toContain(`${String(ps.at(-1)!.segment).padStart(10, '0')}.seg`);
    await log.close();
    const { recovered, log: l2 } = openLog(dir);
    const acked = new Set([...first, ...last].map((p) => `${p.segment}:${p.offset}`));
    expect(recovered.map((r) => r.pos)).toEqual(ps.filter((p) => !acked.has(`${p.segment}:${p.offset}`)));
    // the fully acked last segment was deleted at recovery
    expect(segFiles(dir)).not.toContain(`${String(ps.at(-1)!.segment).padStart(10, '0')}.seg`);
    await l2.close();
  });

  it('ack replay is idempotent (duplicate and bogus entries, torn last entry)', async () => {
    const dir = tempDir();
    const { log } = openLog(dir);
    const ps: StorePosition[] = [];
    for (let i = 0; i < 10; i++) ps.push(log.append(payloadFor(i, 20)));
    log.ack(ps[2]!);
    log.ack(ps[5]!);
    await log.close();
    const ackFile = path.join(dir, '0000000001.ack');
    const dup = Buffer.alloc(4 * 4 + 2);
    dup.writeUInt32LE(ps[2]!.offset, 0);
    dup.writeUInt32LE(ps[2]!.offset, 4);
    dup.writeUInt32LE(12345, 8); // names no record
    dup.writeUInt32LE(0, 12);
    writeFileSync(ackFile, Buffer.concat([readFileSync(ackFile), dup]));
    const logs = collectLogs();
    const { recovered, log: l2 } = openLog(dir, { logger: logs.logger });
    expect(recovered.map((r) => r.pos)).toEqual(ps.filter((_, i) => i !== 2 && i !== 5));
    expect(readFileSync(ackFile).length % 4).toBe(0);
    expect(logs.events.some((e) => e.msg.includes('torn ack'))).toBe(true);
    // acking again after recovery appends correctly after the truncated entries
    expect(l2.ack(ps[3]!)).toBe(true);
    await l2.close();
    const { recovered: r3, log: l3 } = openLog(dir);
    expect(r3.map((r) => r.pos)).toEqual(ps.filter((_, i) => i !== 2 && i !== 3 && i !== 5));
    await l3.close();
  });

  it('flush() with nothing pending resolves; close() then append throws; destroy removes the dir', async () => {
    const dir = tempDir();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { listener: rec.listener });
    await log.flush();
    log.append(Buffer.from('a'), 'a');
    await log.close();
    expect(rec.durable).toEqual(['a']);
    expect(() => log.append(Buffer.from('b'))).toThrow(/closed/);
    const qdir = path.join(dir, 'queue-x');
    const { log: l2 } = openLog(qdir, { listener: rec.listener });
    l2.append(Buffer.from('c'), 'c');
    await l2.destroy();
    expect(existsSync(qdir)).toBe(false);
    expect(rec.rejected).toEqual(['c']); // never reported durable
  });

  it('refuses use before recover()', () => {
    const log = SegmentLog.open(tempDir());
    expect(() => log.append(Buffer.from('x'))).toThrow(/recover/);
  });
});
