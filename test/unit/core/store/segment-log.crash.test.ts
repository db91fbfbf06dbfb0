/**
 * Crash/damage points: write a log, damage one segment file (truncate at a random
 * offset, flip a random byte, or append zeros like a crash after the file grew),
 * recover: no throw, every record before the damage intact, the damaged one dropped,
 * nothing invented, order kept.
 */
import { appendFileSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from '../../../../core/store/segment-log.js';
import type { StorePosition } from '../../../../core/store/position.js';
import { cleanupTempDirs, collectLogs, payloadFor, tempDir } from './helpers.js';

afterEach(cleanupTempDirs);

const key = (p: StorePosition) => `${p.segment}:${p.offset}`;

async function writeLog(dir: string, sizes: number[], maxSegmentSize: number) {
  const log = SegmentLog.open(dir, { maxSegmentSize });
  log.recover();
  const written = sizes.map((s, i) => ({ pos: log.append(payloadFor(i, s)), payload: payloadFor(i, s) }));
  await log.close();
  return written;
}

function recover(dir: string) {
  const logs = collectLogs();
  const log = SegmentLog.open(dir, { logger: logs.logger });
  const got: { pos: StorePosition; payload: Buffer }[] = [];
  const report = log.recover((pos, payload) => got.push({ pos, payload: Buffer.from(payload) }));
  return { log, got, report, events: logs.events };
}

const segName = (id: number) => `${String(id).padStart(10, '0')}.seg`;

const scenario = fc.record({
  sizes: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }),
  maxSegmentSize: fc.integer({ min: 300, max: 3000 }),
  segPick: fc.nat(),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  xor: fc.integer({ min: 1, max: 255 }),
});

describe('SegmentLog recovery from damaged segments', () => {
  it('truncation at any offset: records wholly before the cut survive, nothing else in that segment', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ sizes, maxSegmentSize, segPick, at }) => {
        const dir = tempDir();
        const written = await writeLog(dir, sizes, maxSegmentSize);
        const segs = [...new Set(written.map((w) => w.pos.segment))];
        const victim = segs[segPick % segs.length]!;
        const file = path.join(dir, segName(victim));
        const cut = Math.floor(at * statSync(file).size);
        truncateSync(file, cut);

        const { log, got } = recover(dir);
        const expected = written.filter((w) => w.pos.segment !== victim || w.pos.offset + 8 + w.pos.size <= cut);
        expect(got.map((g) => key(g.pos))).toEqual(expected.map((w) => key(w.pos)));
        got.forEach((g, i) => expect(g.payload.equals(expected[i]!.payload)).toBe(true));
        await log.close();
        // recovery is stable: a second pass finds the same records and no damage
        const again = recover(dir);
        expect(again.got.map((g) => key(g.pos))).toEqual(expected.map((w) => key(w.pos)));
        expect(again.report.dropped).toBe(0);
        await again.log.close();
      }),
      { numRuns: 120 },
    );
  });

  it('a flipped byte drops the record it hits; earlier records intact; nothing invented', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ sizes, maxSegmentSize, segPick, at, xor }) => {
        const dir = tempDir();
        const written = await writeLog(dir, sizes, maxSegmentSize);
        const segs = [...new Set(written.map((w) => w.pos.segment))];
        const victim = segs[segPick % segs.length]!;
        const file = path.join(dir, segName(victim));
        const buf = readFileSync(file);
        const flip = Math.floor(at * buf.length);
        buf[flip]! ^= xor;
        writeFileSync(file, buf);

        const { log, got, events } = recover(dir);
        const byKey = new Map(written.map((w, i) => [key(w.pos), i]));
        const idx = got.map((g) => byKey.get(key(g.pos)));
        // nothing invented, order kept, payloads intact
        expect(idx.every((i) => i !== undefined)).toBe(true);
        for (let k = 1; k < idx.length; k++) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
        got.forEach((g, k) => expect(g.payload.equals(written[idx[k]!]!.payload)).toBe(true));
        // everything outside the victim, and before the damage inside it, survives
        const gotKeys = new Set(got.map((g) => key(g.pos)));
        for (const w of written) {
          const before = w.pos.offset + 8 + w.pos.size <= flip;
          const hit = w.pos.segment === victim && w.pos.offset <= flip && flip < w.pos.offset + 8 + w.pos.size;
          if (w.pos.segment !== victim || before) expect(gotKeys.has(key(w.pos))).toBe(true);
          if (hit) expect(gotKeys.has(key(w.pos))).toBe(false);
        }
        expect(events.some((e) => e.segment === victim && e.level !== 'info')).toBe(true);
        await log.close();
      }),
      { numRuns: 150 },
    );
  });

  it('zeros appended after the last record (file grew, data never written) are dropped and cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 700 }),
        async (sizes, zeros) => {
          const dir = tempDir();
          const written = await writeLog(dir, sizes, 1 << 20);
          const file = path.join(dir, segName(1));
          const size = statSync(file).size;
          appendFileSync(file, Buffer.alloc(zeros));
          const { log, got, report } = recover(dir);
          expect(got.map((g) => key(g.pos))).toEqual(written.map((w) => key(w.pos)));
          expect(report.dropped).toBe(1);
          expect(statSync(file).size).toBe(size);
          await log.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a segment holding only a partial header (crash right after creation) is removed', async () => {
    const dir = tempDir();
    const written = await writeLog(dir, [10, 20], 1 << 20);
    writeFileSync(path.join(dir, segName(2)), Buffer.from('PPS'));
    const { log, got, report } = recover(dir);
    expect(got.map((g) => key(g.pos))).toEqual(written.map((w) => key(w.pos)));
    expect(report.deletedSegments).toBe(1);
    expect(readdirSync(dir)).not.toContain(segName(2));
    expect(log.append(Buffer.from('n')).segment).toBe(3);
    await log.close();
  });
});
