/**
 * PagedIndex against a plain array model: positions (contiguous and explicit),
 * escaped sizes/overheads, held entries, TTL deadlines, head drops across chunks.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F_HELD, F_REDELIVERED, PagedIndex } from '../../../../core/queue/paged-index.js';
import type { IndexEntry } from '../../../../core/queue/paged-index.js';

interface Model { flags: number; segment: number; offset: number; recordSize: number; bodySize: number; expiresAt: number }

function snapshot(ix: PagedIndex, limit = Infinity): Model[] {
  const out: Model[] = [];
  ix.scan(limit, (e: IndexEntry) => {
    out.push({ ...e });
    return true;
  });
  return out;
}

describe('PagedIndex', () => {
  it('matches a model under random pushes and drops', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('push' as const),
              jump: fc.integer({ min: 0, max: 9 }),
              body: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 65_000, max: 70_000 })),
              over: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 250, max: 1000 })),
              ttl: fc.boolean(),
              held: fc.integer({ min: 0, max: 9 }),
              redelivered: fc.boolean(),
            }),
            fc.record({ op: fc.constant('drop' as const), n: fc.integer({ min: 1, max: 3000 }) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const ix = new PagedIndex();
          const model: Model[] = [];
          let seg = 1;
          let off = 8;
          let t = 1000;
          for (const o of ops) {
            if (o.op === 'drop') {
              for (let k = 0; k < o.n && model.length > 0; k++) {
                expect(ix.peekHead()).toEqual(model[0]);
                ix.drop();
                model.shift();
              }
            } else {
              for (let k = 0; k < 1500; k++) {
                const held = o.held === 0;
                if (!held && o.jump === 0 && k === 0) {
                  seg++;
                  off = 8;
                } else if (!held && o.jump === 1 && k % 7 === 0) off += 40; // a gap (acked record)
                const flags = (held ? F_HELD : 0) | (o.redelivered ? F_REDELIVERED : 0);
                const over = held ? 0 : o.over;
                const exp = o.ttl ? t++ : Infinity;
                ix.push(seg, off, o.body, over, exp, flags);
                model.push({ flags: -1, segment: held ? 0 : seg, offset: held ? 0 : off, recordSize: o.body + over, bodySize: o.body, expiresAt: exp });
                if (!held) off += 8 + o.body + over;
              }
            }
            expect(ix.length).toBe(model.length);
            expect(ix.bytes).toBe(model.reduce((n, m) => n + m.bodySize, 0));
            const snap = snapshot(ix);
            expect(snap.map(({ flags: _f, ...r }) => r)).toEqual(model.map(({ flags: _f, ...r }) => r));
            for (let i = 0; i < model.length; i++) model[i]!.flags = snap[i]!.flags;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
