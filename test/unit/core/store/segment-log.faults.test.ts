import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from '../../../../core/store/segment-log.js';
import type { SegmentLogOptions } from '../../../../core/store/segment-log.js';
import type { StorePosition } from '../../../../core/store/position.js';
import { RecordingListener, cleanupTempDirs, collectLogs, payloadFor, tempDir, testFs } from './helpers.js';

afterEach(cleanupTempDirs);

function openLog(dir: string, o: SegmentLogOptions = {}) {
  const log = SegmentLog.open(dir, { logger: () => {}, ...o });
  const recovered: { pos: StorePosition; payload: Buffer }[] = [];
  const report = log.recover((pos, payload) => recovered.push({ pos, payload: Buffer.from(payload) }));
  return { log, recovered, report };
}

const tick = () => new Promise((r) => setImmediate(r));

describe.each(['writev', 'fdatasync'] as const)('SegmentLog write failure on %s', (op) => {
  it.each(['ENOSPC', 'EIO'])('%s rejects exactly the batch, keeps prior durable data, recovers service', async (code) => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener });
    const good = [];
    for (let i = 0; i < 50; i++) good.push(log.append(payloadFor(i, 100), `ok${i}`));
    await log.flush();
    expect(log.failure).toBeNull();

    fs.faults.push({ op, code, pathIncludes: '.seg', times: 1 });
    const bad = [];
    for (let i = 0; i < 30; i++) bad.push(log.append(payloadFor(100 + i, 100), `bad${i}`));
    await expect(log.flush()).rejects.toMatchObject({ code });
    expect(rec.rejected).toEqual(bad.map((_, i) => `bad${i}`));
    expect(rec.durable).toEqual(good.map((_, i) => `ok${i}`)); // never reported durable
    expect(log.failure).toMatchObject({ code });
    expect(rec.failureChanges).toHaveLength(1);
    // rejected positions are dead: not readable, acks are no-ops
    await expect(log.readAsync(bad[0]!)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    expect(log.ack(bad[0]!)).toBe(false);

    // the fault is gone: later appends go to a new segment and succeed
    const later = log.append(payloadFor(999, 100), 'later');
    expect(later.segment).toBeGreaterThan(bad[0]!.segment);
    await log.flush();
    expect(rec.durable.at(-1)).toBe('later');
    expect(log.failure).toBeNull();
    expect(rec.failureChanges).toHaveLength(2);
    expect((await log.readAsync(good[10]!)).equals(payloadFor(10, 100))).toBe(true);
    await log.close();

    const { recovered, log: l2 } = openLog(dir);
    expect(recovered.map((r) => r.pos)).toEqual([...good, later]);
    await l2.close();
  });
});

describe('SegmentLog failure edge cases', () => {
  it('rejects appends queued behind a failed in-flight batch in the same segment', async () => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener });
    log.append(payloadFor(0, 10), 'a0');
    await log.flush();
    fs.faults.push({ op: 'fdatasync', code: 'EIO', times: 1 });
    log.append(payloadFor(1, 10), 'a1');
    await tick(); // a1's batch is in flight
    log.append(payloadFor(2, 10), 'a2'); // queued behind it, same segment
    const f = log.flush();
    await expect(f).rejects.toMatchObject({ code: 'EIO' });
    expect(rec.rejected).toEqual(['a1', 'a2']);
    expect(rec.durable).toEqual(['a0']);
    log.append(payloadFor(3, 10), 'a3');
    await log.flush();
    await log.close();
    const { recovered, log: l2 } = openLog(dir);
    expect(recovered.map((r) => r.payload.readUInt32LE(0))).toEqual([0, 3]);
    await l2.close();
  });

  it('a failure creating a new segment file rejects its batch and never reuses the segment number', async () => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener });
    fs.faults.push({ op: 'open', code: 'ENOSPC', pathIncludes: '0000000001.seg', times: 1 });
    const p = log.append(payloadFor(1, 10), 'x');
    await expect(log.flush()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(rec.rejected).toEqual(['x']);
    const q = log.append(payloadFor(2, 10), 'y');
    expect(q.segment).toBe(p.segment + 1);
    await log.flush();
    expect(rec.durable).toEqual(['y']);
    await log.close();
  });

  it('ack write failures are retried in a later batch', async () => {
    const dir = tempDir();
    const fs = testFs();
    const logs = collectLogs();
    const { log } = openLog(dir, { fs, logger: logs.logger });
    const ps: StorePosition[] = [];
    for (let i = 0; i < 5; i++) ps.push(log.append(payloadFor(i, 10)));
    await log.flush();
    fs.faults.push({ op: 'write', code: 'EIO', pathIncludes: '.ack', times: 1 });
    log.ack(ps[1]!);
    await log.flush();
    expect(log.failure).toMatchObject({ code: 'EIO' });
    log.ack(ps[3]!);
    await log.flush();
    await log.close();
    const { recovered, log: l2 } = openLog(dir);
    expect(recovered.map((r) => r.pos)).toEqual([ps[0], ps[2], ps[4]]);
    await l2.close();
  });

  it('an unreadable segment or ack file is reported and skipped at recovery, never thrown', async () => {
    const dir = tempDir();
    const { log } = openLog(dir, { maxSegmentSize: 256 });
    const ps: StorePosition[] = [];
    for (let i = 0; i < 20; i++) ps.push(log.append(payloadFor(i, 40)));
    log.ack(ps[0]!);
    await log.close();
    const fs = testFs();
    fs.faults.push({ op: 'readFileSync', code: 'EIO', pathIncludes: '0000000002.seg' });
    fs.faults.push({ op: 'readFileSync', code: 'EIO', pathIncludes: '0000000001.ack' });
    const logs = collectLogs();
    const { recovered, report, log: l2 } = openLog(dir, { fs, logger: logs.logger });
    expect(report.skippedSegments).toBe(1);
    expect(recovered.map((r) => r.pos)).toEqual(ps.filter((p) => p.segment !== 2)); // ps[0] redelivered
    expect(logs.events.filter((e) => e.level === 'error').map((e) => e.segment)).toEqual([1, 2]);
    // new segments never collide with the skipped one
    expect(l2.append(Buffer.from('z')).segment).toBeGreaterThan(ps.at(-1)!.segment);
    await l2.close();
    expect(readdirSync(dir)).toContain('0000000002.seg');
  });

  it('a batch spanning two segments is rejected as a whole when the second cannot be created', async () => {
    const dir = tempDir();
    const fs = testFs();
    const rec = new RecordingListener();
    const { log } = openLog(dir, { fs, listener: rec.listener, maxSegmentSize: 400 });
    const durable = [log.append(payloadFor(0, 100), 'd0'), log.append(payloadFor(1, 100), 'd1')];
    await log.flush();
    fs.faults.push({ op: 'open', code: 'EIO', pathIncludes: '0000000002.seg', times: 1 });
    const spanning = [];
    for (let i = 0; i < 4; i++) spanning.push(log.append(payloadFor(10 + i, 100), `s${i}`));
    expect(spanning[0]!.segment).toBe(1);
    expect(spanning.at(-1)!.segment).toBe(2);
    await expect(log.flush()).rejects.toMatchObject({ code: 'EIO' });
    expect(rec.rejected).toEqual(['s0', 's1', 's2', 's3']);
    await log.flush(); // the cut-back of segment 1 runs in the next commit
    await log.close();
    const { recovered, log: l2 } = openLog(dir);
    expect(recovered.map((r) => r.pos)).toEqual(durable);
    expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toEqual(['0000000001.seg']);
    await l2.close();
  });

  it('concurrent reads across many segments with a tiny fd cache all return the right bytes', async () => {
    const dir = tempDir();
    const fs = testFs();
    const { log } = openLog(dir, { fs, maxSegmentSize: 300, maxOpenSegments: 2 });
    const ps: StorePosition[] = [];
    for (let i = 0; i < 200; i++) ps.push(log.append(payloadFor(i, 60)));
    await log.flush();
    const order = [...ps.keys()].sort((a, b) => ((a * 7919) % 200) - ((b * 7919) % 200));
    const got = await Promise.all(order.map((i) => log.readAsync(ps[i]!)));
    got.forEach((b, k) => expect(b.equals(payloadFor(order[k]!, 60))).toBe(true));
    expect(new Set(ps.map((p) => p.segment)).size).toBeGreaterThan(30);
    await log.close();
    expect(fs.counts.close).toBe(fs.counts.open); // no fd leak (directory fds included)
  });
});
