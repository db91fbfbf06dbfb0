/**
 * Model-based test: random sequences of append / ack / read / flush / tick /
 * close-reopen against an in-memory model of the queue's un-acked records.
 * After every reopen the recovered records must equal the model's, in order, and
 * only segments that still hold live records may remain on disk.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentLog } from '../../../../core/store/segment-log.js';
import type { StorePosition } from '../../../../core/store/position.js';
import { RecordingListener, cleanupTempDirs, payloadFor, tempDir } from './helpers.js';

afterEach(cleanupTempDirs);

interface Model {
  live: { pos: StorePosition; payload: Buffer; token: number }[];
  next: number;
  appendedTokens: number[];
}
interface Real {
  dir: string;
  maxSegmentSize: number;
  log: SegmentLog;
  rec: RecordingListener;
}

type Cmd = fc.AsyncCommand<Model, Real, false>;

class Append implements Cmd {
  readonly size: number;
  constructor(size: number) {
    this.size = size;
  }
  check = () => true;
  async run(m: Model, r: Real) {
    const token = m.next++;
    const payload = payloadFor(token, this.size);
    const pos = r.log.append(payload, token);
    const last = m.live.at(-1);
    if (last) expect(pos.segment > last.pos.segment || pos.offset > last.pos.offset).toBe(true);
    m.live.push({ pos, payload, token });
    m.appendedTokens.push(token);
  }
  toString = () => `append(${this.size})`;
}

class Ack implements Cmd {
  readonly pick: number;
  constructor(pick: number) {
    this.pick = pick;
  }
  check = (m: Readonly<Model>) => m.live.length > 0;
  async run(m: Model, r: Real) {
    const i = this.pick % m.live.length;
    const [e] = m.live.splice(i, 1);
    expect(r.log.ack(e!.pos)).toBe(true);
    expect(r.log.ack(e!.pos)).toBe(false);
  }
  toString = () => `ack(${this.pick})`;
}

class Read implements Cmd {
  readonly pick: number;
  constructor(pick: number) {
    this.pick = pick;
  }
  check = (m: Readonly<Model>) => m.live.length > 0;
  async run(m: Model, r: Real) {
    const e = m.live[this.pick % m.live.length]!;
    expect((await r.log.readAsync(e.pos)).equals(e.payload)).toBe(true);
  }
  toString = () => `read(${this.pick})`;
}

class Flush implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.log.flush();
    // everything appended so far was reported durable, in order, exactly once
    expect(r.rec.durable).toEqual(m.appendedTokens);
  }
  toString = () => 'flush';
}

class Tick implements Cmd {
  check = () => true;
  async run() {
    await new Promise((res) => setImmediate(res));
  }
  toString = () => 'tick';
}

class Reopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.log.close();
    expect(r.rec.durable).toEqual(m.appendedTokens);
    expect(r.rec.rejected).toEqual([]);
    const got: { pos: StorePosition; payload: Buffer }[] = [];
    r.log = SegmentLog.open(r.dir, { maxSegmentSize: r.maxSegmentSize, listener: r.rec.listener });
    r.log.recover((pos, payload) => got.push({ pos, payload: Buffer.from(payload) }));
    expect(got.map((g) => g.pos)).toEqual(m.live.map((e) => e.pos));
    got.forEach((g, i) => expect(g.payload.equals(m.live[i]!.payload)).toBe(true));
    const onDisk = readdirSync(r.dir).filter((n) => n.endsWith('.seg')).map((n) => Number(n.slice(0, 10)));
    expect(onDisk.sort((a, b) => a - b)).toEqual([...new Set(m.live.map((e) => e.pos.segment))]);
  }
  toString = () => 'reopen';
}

const commands = [
  fc.integer({ min: 0, max: 400 }).map((s) => new Append(s)),
  fc.integer({ min: 0, max: 400 }).map((s) => new Append(s)),
  fc.nat().map((p) => new Ack(p)),
  fc.nat().map((p) => new Ack(p)),
  fc.nat().map((p) => new Read(p)),
  fc.constant(new Flush()),
  fc.constant(new Tick()),
  fc.constant(new Reopen()),
];

describe('SegmentLog model', () => {
  it('matches an in-memory queue model across appends, acks, flushes and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 200, max: 2048 }), fc.commands(commands, { maxCommands: 80 }), async (maxSegmentSize, cmds) => {
        const dir = tempDir();
        const rec = new RecordingListener();
        const log = SegmentLog.open(dir, { maxSegmentSize, listener: rec.listener });
        log.recover();
        const real: Real = { dir, maxSegmentSize, log, rec };
        const model: Model = { live: [], next: 0, appendedTokens: [] };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await new Reopen().run(model, real); // always end with a close/reopen check
        await real.log.close();
      }),
      { numRuns: 150 },
    );
  });
});
