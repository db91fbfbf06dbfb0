/**
 * FrameParser: identical frames whatever the chunking (byte-at-a-time,
 * every split offset, random chunks), zero-copy for whole frames, and
 * frame errors detected as early as possible (size from the header alone).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AmqpCodecError, FrameParser, HEARTBEAT_FRAME } from '../../../../protocols/amqp091/codec/index.js';
import { frame } from './arbitraries.js';

type Got = [number, number, string];

function collect(frameMax = 131072): { parser: FrameParser; frames: Got[] } {
  const frames: Got[] = [];
  const parser = new FrameParser({ frameMax, onFrame: (t, ch, p) => frames.push([t, ch, p.toString('hex')]) });
  return { parser, frames };
}

const stream = Buffer.concat([
  frame(1, 0, Buffer.from('000a000b', 'hex')),
  HEARTBEAT_FRAME,
  frame(2, 7, Buffer.alloc(20, 2)),
  frame(3, 7, Buffer.alloc(0)),
  frame(3, 65535, Buffer.alloc(300, 9)),
  frame(1, 1, Buffer.from('hello')),
]);

const expected: Got[] = [
  [1, 0, '000a000b'], [8, 0, ''], [2, 7, '02'.repeat(20)], [3, 7, ''], [3, 65535, '09'.repeat(300)], [1, 1, Buffer.from('hello').toString('hex')],
];

function codeOf(f: () => void): number | undefined {
  try { f(); } catch (e) { if (e instanceof AmqpCodecError) return e.replyCode; throw e; }
  return undefined;
}

describe('FrameParser chunking', () => {
  it('one chunk', () => {
    const { parser, frames } = collect();
    parser.feed(stream);
    expect(frames).toEqual(expected);
    expect(parser.midFrame).toBe(false);
  });

  it('byte at a time', () => {
    const { parser, frames } = collect();
    for (let i = 0; i < stream.length; i++) parser.feed(stream.subarray(i, i + 1));
    expect(frames).toEqual(expected);
  });

  it('split at every offset', () => {
    for (let i = 0; i <= stream.length; i++) {
      const { parser, frames } = collect();
      parser.feed(stream.subarray(0, i));
      parser.feed(stream.subarray(i));
      expect(frames, `split at ${i}`).toEqual(expected);
    }
  });

  it('random chunking (fast-check)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (cuts) => {
      const { parser, frames } = collect();
      let from = 0;
      for (const c of [...cuts].sort((a, b) => a - b)) { parser.feed(stream.subarray(from, c)); from = c; }
      parser.feed(stream.subarray(from));
      expect(frames).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('random frames, random chunks', () => {
    const frameArb = fc.record({
      type: fc.constantFrom(1, 2, 3, 8), channel: fc.integer({ min: 0, max: 65535 }), payload: fc.uint8Array({ maxLength: 200 }),
    });
    fc.assert(fc.property(fc.array(frameArb, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 60 }), (fs, sizes) => {
      const bytes = Buffer.concat(fs.map((f) => frame(f.type, f.channel, Buffer.from(f.payload))));
      const { parser, frames } = collect(8192);
      let o = 0;
      for (const s of sizes) { parser.feed(bytes.subarray(o, o + s)); o += s; }
      parser.feed(bytes.subarray(o));
      expect(frames).toEqual(fs.map((f) => [f.type, f.channel, Buffer.from(f.payload).toString('hex')]));
    }), { numRuns: 300 });
  });

  it('payloads of whole frames are views of the chunk; split frames are copied', () => {
    const payloads: Buffer[] = [];
    const parser = new FrameParser({ frameMax: 0, onFrame: (_t, _c, p) => payloads.push(p) });
    const chunk = Buffer.concat([frame(1, 1, Buffer.from('abc')), frame(3, 1, Buffer.from('defg'))]);
    parser.feed(chunk.subarray(0, 20)); // inside the second payload
    parser.feed(chunk.subarray(20));
    expect(payloads[0]!.buffer).toBe(chunk.buffer);
    expect(payloads[0]!.byteOffset).toBe(chunk.byteOffset + 7);
    chunk.fill(0);
    expect(payloads[1]!.toString()).toBe('defg'); // copied
    expect(payloads[0]!.every((x) => x === 0)).toBe(true); // view
  });

  it('frameMax limits the payload to frameMax - 8; setFrameMax applies to later frames', () => {
    const { parser, frames } = collect(8192);
    parser.feed(frame(3, 1, Buffer.alloc(8184)));
    expect(frames).toHaveLength(1);
    expect(codeOf(() => parser.feed(frame(3, 1, Buffer.alloc(8185))))).toBe(501);

    const p2 = collect(8192);
    p2.parser.setFrameMax(131072);
    p2.parser.feed(frame(3, 1, Buffer.alloc(100000)));
    expect(p2.frames).toHaveLength(1);
    p2.parser.setFrameMax(0);
    p2.parser.feed(frame(3, 1, Buffer.alloc(200000)));
    expect(p2.frames).toHaveLength(2);
  });
});

describe('FrameParser errors', () => {
  it('rejects an oversize frame from its 7 header bytes alone', () => {
    const { parser } = collect(131072);
    const header = Buffer.from([3, 0, 1, 0, 0xa0, 0, 0]); // size 10 MiB
    expect(codeOf(() => parser.feed(header))).toBe(501);
    // also when the header itself arrives split
    const p2 = collect(131072);
    p2.parser.feed(header.subarray(0, 3));
    expect(codeOf(() => p2.parser.feed(header.subarray(3)))).toBe(501);
    // a 4 GiB claim
    expect(codeOf(() => collect(131072).parser.feed(Buffer.from([1, 0, 0, 0xff, 0xff, 0xff, 0xff])))).toBe(501);
  });

  it('bad frame-end octet → 501 (whole or split)', () => {
    const bad = frame(1, 1, Buffer.from('abcd'), 0xcd);
    expect(codeOf(() => collect().parser.feed(bad))).toBe(501);
    const { parser } = collect();
    parser.feed(bad.subarray(0, 9));
    expect(codeOf(() => parser.feed(bad.subarray(9)))).toBe(501);
    const p3 = collect();
    p3.parser.feed(bad.subarray(0, 4));
    expect(codeOf(() => p3.parser.feed(bad.subarray(4)))).toBe(501);
  });

  it('unknown frame type → 501 on its first byte', () => {
    for (const t of [0, 4, 7, 9, 65, 0xce]) expect(codeOf(() => collect().parser.feed(Buffer.from([t])))).toBe(501);
    // 'AMQP' protocol header fed as a frame
    expect(codeOf(() => collect().parser.feed(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))).toBe(501);
  });

  it('a failed parser keeps failing', () => {
    const { parser, frames } = collect();
    expect(codeOf(() => parser.feed(Buffer.from([9])))).toBe(501);
    expect(codeOf(() => parser.feed(HEARTBEAT_FRAME))).toBe(501);
    expect(frames).toEqual([]);
  });

  it('frames before a bad frame in the same chunk are delivered', () => {
    const { parser, frames } = collect();
    expect(codeOf(() => parser.feed(Buffer.concat([HEARTBEAT_FRAME, Buffer.from([5, 0, 0])])))).toBe(501);
    expect(frames).toEqual([[8, 0, '']]);
  });

  it('random bytes never throw anything but AmqpCodecError', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.constantFrom(0, 8192, 100), (chunks, fm) => {
      const parser = new FrameParser({ frameMax: fm, onFrame: () => {} });
      try {
        for (const c of chunks) parser.feed(Buffer.from(c));
      } catch (e) {
        expect(e).toBeInstanceOf(AmqpCodecError);
        expect((e as AmqpCodecError).replyCode).toBe(501);
      }
    }), { numRuns: 1000 });
  });
});
