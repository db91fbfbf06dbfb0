import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PositionIndex } from '../../../../core/store/position-index.js';

type Op = { t: 'push'; s: number; o: number; z: number; f: number } | { t: 'shift' } | { t: 'unshift'; s: number; o: number; z: number; f: number } | { t: 'get'; i: number };

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('push' as const), s: u32, o: u32, z: u32, f: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('shift' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unshift' as const), s: u32, o: u32, z: u32, f: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('get' as const), i: fc.nat() }) },
);

describe('PositionIndex', () => {
  it('behaves like an array FIFO (push/shift/unshift/get), also across chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 0, max: 20_000 }), (ops, prefill) => {
        const idx = new PositionIndex();
        const model: { segment: number; offset: number; size: number; flags: number }[] = [];
        for (let i = 0; i < prefill; i++) {
          idx.push(i, i * 2, i * 3, i & 0xff);
          model.push({ segment: i, offset: i * 2, size: i * 3, flags: i & 0xff });
        }
        for (const o of ops) {
          if (o.t === 'push') {
            idx.push(o.s, o.o, o.z, o.f);
            model.push({ segment: o.s, offset: o.o, size: o.z, flags: o.f });
          } else if (o.t === 'unshift') {
            idx.unshift(o.s, o.o, o.z, o.f);
            model.unshift({ segment: o.s, offset: o.o, size: o.z, flags: o.f });
          } else if (o.t === 'shift') {
            expect(idx.shift()).toEqual(model.shift());
          } else if (model.length > 0) {
            expect(idx.get(o.i % model.length)).toEqual(model[o.i % model.length]);
          }
          expect(idx.length).toBe(model.length);
          if (model.length > 0) {
            expect(idx.headSegment).toBe(model[0]!.segment);
            expect(idx.headOffset).toBe(model[0]!.offset);
            expect(idx.headSize).toBe(model[0]!.size);
            expect(idx.headFlags).toBe(model[0]!.flags);
          }
        }
        let mismatches = 0;
        for (const e of model) {
          const g = idx.shift()!;
          if (g.segment !== e.segment || g.offset !== e.offset || g.size !== e.size || g.flags !== e.flags) mismatches++;
        }
        expect(mismatches).toBe(0);
        expect(idx.shift()).toBeUndefined();
        expect(idx.length).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('drains a long FIFO in order and recycles chunks', () => {
    const idx = new PositionIndex();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100_000; i++) idx.push(round, i, 100, 0);
      let bad = 0;
      for (let i = 0; i < 100_000; i++) {
        if (idx.headOffset !== i || idx.headSegment !== round) bad++;
        idx.drop();
      }
      expect(bad).toBe(0);
      expect(idx.length).toBe(0);
    }
    idx.push(1, 2, 3);
    idx.headFlags = 1;
    expect(idx.peek()).toEqual({ segment: 1, offset: 2, size: 3, flags: 1 });
    idx.clear();
    expect(idx.length).toBe(0);
    expect(() => idx.drop()).toThrow(RangeError);
  });

  it('holds 10 million entries in well under 200 MB (≤ 16 bytes per entry)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    const idx = new PositionIndex();
    const N = 10_000_000;
    for (let i = 0; i < N; i++) idx.push(i >>> 16, (i * 104) >>> 0, 100);
    const delta = used() - before; // idx is still referenced below, so it survives the gc

    const perEntry = delta / N;
    console.log(`PositionIndex: ${N} entries, +${(delta / 2 ** 20).toFixed(1)} MiB, ${perEntry.toFixed(2)} B/entry`);
    expect(idx.length).toBe(N);
    expect(idx.get(N - 1).segment).toBe((N - 1) >>> 16);
    expect(delta).toBeLessThan(160 * 2 ** 20);
    expect(perEntry).toBeLessThanOrEqual(16);
  });
});
