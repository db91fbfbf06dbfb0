/**
 * WriteCoalescer against a fake sink: one write per tick, threshold flush,
 * HWM verdicts and a single drain per over-HWM episode.
 */
import { describe, expect, it } from 'vitest';
import { WriteCoalescer } from '../../../../protocols/shared/writer.js';
import type { WriteSink } from '../../../../protocols/shared/writer.js';

class FakeSink implements WriteSink {
  writeMany?: (bufs: Buffer[], done: (err?: Error | null) => void) => void;
  writes: Buffer[] = [];
  bufferedBytes = 0;
  pending: ((err?: Error | null) => void)[] = [];
  write(buf: Buffer, done: (err?: Error | null) => void): void {
    this.writes.push(buf);
    this.bufferedBytes += buf.length;
    this.pending.push(done);
  }
  /** the kernel took everything */
  complete(): void {
    this.bufferedBytes = 0;
    for (const d of this.pending.splice(0)) d();
  }
}

const tick = (): Promise<void> => new Promise((r) => queueMicrotask(r));

describe('WriteCoalescer', () => {
  it('joins the writes of one tick into one sink write, in order', async () => {
    const sink = new FakeSink();
    const w = new WriteCoalescer(sink, { onDrain: () => {} });
    w.push(Buffer.from('a'));
    w.push(Buffer.from('bc'));
    w.push(Buffer.alloc(0));
    w.push(Buffer.from('d'));
    expect(sink.writes.length).toBe(0);
    expect(w.pendingBytes).toBe(4);
    await tick();
    expect(sink.writes.map((b) => b.toString())).toEqual(['abcd']);
    w.push(Buffer.from('e'));
    await tick();
    expect(sink.writes.length).toBe(2);
  });

  it('flushes synchronously at the threshold', () => {
    const sink = new FakeSink();
    const w = new WriteCoalescer(sink, { onDrain: () => {}, flushThreshold: 10 });
    w.push(Buffer.alloc(6));
    expect(sink.writes.length).toBe(0);
    w.push(Buffer.alloc(6));
    expect(sink.writes.length).toBe(1);
    expect(sink.writes[0]!.length).toBe(12);
  });

  it('reports the high-water mark and drains once', async () => {
    const sink = new FakeSink();
    let drains = 0;
    const w = new WriteCoalescer(sink, { highWaterMark: 100, flushThreshold: 1000, onDrain: () => drains++ });
    expect(w.push(Buffer.alloc(60))).toBe(true);
    expect(w.push(Buffer.alloc(60))).toBe(false);
    expect(w.push(Buffer.alloc(1))).toBe(false);
    await tick();
    expect(w.pendingBytes).toBe(121); // now buffered by the sink
    w.checkDrain();
    expect(drains).toBe(0);
    sink.complete();
    expect(drains).toBe(1);
    sink.complete();
    w.checkDrain();
    expect(drains).toBe(1);
  });

  it('close() drops queued bytes and refuses writes', async () => {
    const sink = new FakeSink();
    const w = new WriteCoalescer(sink, { onDrain: () => {} });
    w.push(Buffer.from('x'));
    w.close();
    expect(w.push(Buffer.from('y'))).toBe(false);
    await tick();
    expect(sink.writes.length).toBe(0);
  });
});

describe('WriteCoalescer scatter/gather', () => {
  it('hands large batches to writeMany without joining them', () => {
    const sink = new FakeSink();
    const many: Buffer[][] = [];
    sink.writeMany = (bufs: Buffer[], done: (err?: Error | null) => void): void => {
      many.push(bufs);
      sink.bufferedBytes += bufs.reduce((n, b) => n + b.length, 0);
      sink.pending.push(done);
    };
    const w = new WriteCoalescer(sink, { onDrain: () => {}, flushThreshold: 100 });
    const big = Buffer.alloc(150);
    w.push(Buffer.from('hdr'));
    w.push(big);
    expect(many.length).toBe(1);
    expect(many[0]![1]).toBe(big); // same object: not copied
    expect(sink.writes.length).toBe(0);
  });
});
