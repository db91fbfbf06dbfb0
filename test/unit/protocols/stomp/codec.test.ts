import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameImpl, Parser } from '@stomp/stompjs';
import type { IRawFrameType } from '@stomp/stompjs';
import {
  encodeFrame,
  escapeHeader,
  isStompCodecError,
  StompCodecError,
  StompParser,
  unescapeHeader,
} from '../../../../protocols/stomp/codec.js';
import type { StompFrame, StompLimits, StompVersion } from '../../../../protocols/stomp/codec.js';

interface Collected {
  frames: StompFrame[];
  beats: number;
}

function parser(limits: Partial<StompLimits> = {}, version: StompVersion = '1.2'): { p: StompParser; out: Collected } {
  const out: Collected = { frames: [], beats: 0 };
  const p = new StompParser({ frame: (f) => out.frames.push(f), heartbeat: () => out.beats++ }, limits);
  p.version = version;
  return { p, out };
}

function parseAll(bytes: Buffer | string, o: { limits?: Partial<StompLimits>; version?: StompVersion; split?: number[] } = {}): Collected {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const { p, out } = parser(o.limits, o.version);
  const cuts = [0, ...(o.split ?? []), buf.length];
  for (let i = 1; i < cuts.length; i++) p.push(buf.subarray(cuts[i - 1], cuts[i]));
  return out;
}

/** `message: details` of the codec error thrown by fn */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof StompCodecError) return `${e.message}: ${e.details}`;
    throw e;
  }
  return 'no error';
}

function plain(f: StompFrame): { command: string; headers: Record<string, string>; body: string } {
  return { command: f.command, headers: { ...f.headers }, body: f.body.toString('latin1') };
}

describe('StompParser basics', () => {
  it('parses a frame with headers and a NUL-terminated body', () => {
    const out = parseAll('SEND\ndestination:/queue/a\nfoo:bar\n\nhello\0');
    expect(out.frames.map(plain)).toEqual([{ command: 'SEND', headers: { destination: '/queue/a', foo: 'bar' }, body: 'hello' }]);
  });

  it('accepts CRLF line endings (1.2)', () => {
    const out = parseAll('SEND\r\ndestination:/queue/a\r\n\r\nhi\0\r\n');
    expect(out.frames.map(plain)).toEqual([{ command: 'SEND', headers: { destination: '/queue/a' }, body: 'hi' }]);
    expect(out.beats).toBe(1);
  });

  it('content-length bodies may contain NUL bytes', () => {
    const body = Buffer.from([1, 0, 2, 0, 0, 3]);
    const frame = Buffer.concat([Buffer.from('SEND\ncontent-length:6\n\n'), body, Buffer.from([0])]);
    const out = parseAll(frame);
    expect(out.frames[0]!.body.equals(body)).toBe(true);
  });

  it('a bad content-length is a codec error', () => {
    expect(() => parseAll('SEND\ncontent-length:abc\n\n\0')).toThrow(StompCodecError);
    expect(failure(() => parseAll('SEND\ncontent-length:-1\n\n\0'))).toMatch(/content-length/);
    expect(failure(() => parseAll('SEND\ncontent-length:2\n\nabc\0'))).toMatch(/not followed by NUL/);
  });

  it('EOLs between frames are heart-beats', () => {
    const out = parseAll('\n\r\n\nSEND\n\n\0\n\nSEND\n\n\0');
    expect(out.beats).toBe(5);
    expect(out.frames).toHaveLength(2);
  });

  it('the first of repeated headers wins', () => {
    const out = parseAll('MESSAGE\nfoo:World\nfoo:Hello\n\n\0');
    expect(out.frames[0]!.headers['foo']).toBe('World');
  });

  it('keeps colons in values and allows empty values', () => {
    const out = parseAll('SEND\nurl:http://x:1/\nempty:\n\n\0', { version: '1.0' });
    expect(out.frames[0]!.headers).toEqual({ url: 'http://x:1/', empty: '' });
  });

  it('rejects a header line without colon', () => {
    expect(failure(() => parseAll('SEND\nnocolon\n\n\0'))).toMatch(/colon/);
  });

  it('rejects a lone CR between frames', () => {
    expect(() => parseAll('\rSEND\n\n\0')).toThrow(StompCodecError);
  });

  it('has a null-prototype header record (no __proto__ pollution)', () => {
    const out = parseAll('SEND\n__proto__:x\nconstructor:y\n\n\0');
    expect(out.frames[0]!.headers['__proto__']).toBe('x');
    expect(out.frames[0]!.headers['constructor']).toBe('y');
  });
});

describe('header escaping per version', () => {
  it('1.2 unescapes \\r \\n \\c \\\\', () => {
    const out = parseAll('SEND\nk\\cx:a\\nb\\rc\\cd\\\\e\n\n\0', { version: '1.2' });
    expect(out.frames[0]!.headers).toEqual({ 'k:x': 'a\nb\rc:d\\e' });
  });

  it('1.1 has no \\r escape', () => {
    expect(parseAll('SEND\nk:a\\nb\\c\n\n\0', { version: '1.1' }).frames[0]!.headers['k']).toBe('a\nb:');
    expect(failure(() => parseAll('SEND\nk:a\\rb\n\n\0', { version: '1.1' }))).toMatch(/escape/);
  });

  it('1.0 headers are literal', () => {
    expect(parseAll('SEND\nk:a\\nb\\t\n\n\0', { version: '1.0' }).frames[0]!.headers['k']).toBe('a\\nb\\t');
  });

  it('CONNECT and CONNECTED are never unescaped', () => {
    expect(parseAll('CONNECT\npasscode:a\\cb\\t\n\n\0', { version: '1.2' }).frames[0]!.headers['passcode']).toBe('a\\cb\\t');
  });

  it('an undefined escape sequence is fatal', () => {
    expect(failure(() => parseAll('SEND\nk:a\\tb\n\n\0'))).toMatch(/escape/);
    expect(failure(() => parseAll('SEND\nk:a\\\n\n\0'))).toMatch(/escape/);
  });

  it('encodeFrame escapes per version and leaves CONNECTED alone', () => {
    const h = [['k:1', 'a\nb\rc:d\\']] as const;
    expect(encodeFrame('MESSAGE', h, undefined, '1.2').toString()).toBe('MESSAGE\nk\\c1:a\\nb\\rc\\cd\\\\\n\n\0');
    expect(encodeFrame('MESSAGE', h, undefined, '1.1').toString()).toBe('MESSAGE\nk\\c1:a\\nb\rc\\cd\\\\\n\n\0');
    expect(encodeFrame('CONNECTED', [['a', 'b:c']], undefined, '1.2').toString()).toBe('CONNECTED\na:b:c\n\n\0');
    expect(encodeFrame('MESSAGE', [['a', 'x\ny']], undefined, '1.0').toString()).toBe('MESSAGE\na:x y\n\n\0');
  });

  it('escape/unescape round-trip', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom<StompVersion>('1.1', '1.2'), (s, v) => {
        const src = v === '1.1' ? s.replace(/\r/g, '') : s;
        expect(unescapeHeader(escapeHeader(src, v), v)).toBe(src);
      }),
    );
  });
});

describe('limits', () => {
  it('header count', () => {
    const hs = Array.from({ length: 11 }, (_, i) => `h${i}:v`).join('\n');
    expect(failure(() => parseAll(`SEND\n${hs}\n\n\0`, { limits: { maxHeaders: 10 } }))).toMatch(/Too many headers/);
    expect(parseAll(`SEND\n${hs}\n\n\0`, { limits: { maxHeaders: 11 } }).frames).toHaveLength(1);
  });

  it('header line length, also when the line arrives in pieces', () => {
    const long = 'x'.repeat(200);
    expect(failure(() => parseAll(`SEND\nk:${long}\n\n\0`, { limits: { maxHeaderLength: 100 } }))).toMatch(/Header too long/);
    const { p } = parser({ maxHeaderLength: 100 });
    p.push(Buffer.from('SEND\nk:'));
    expect(() => {
      for (let i = 0; i < 200; i++) p.push(Buffer.from('x'));
    }).toThrow(/Header too long/);
  });

  it('body size with and without content-length', () => {
    const body = 'b'.repeat(101);
    expect(failure(() => parseAll(`SEND\ncontent-length:101\n\n${body}\0`, { limits: { maxBodySize: 100 } }))).toMatch(/Body too large/);
    expect(failure(() => parseAll(`SEND\n\n${body}\0`, { limits: { maxBodySize: 100 } }))).toMatch(/Body too large/);
    expect(parseAll(`SEND\n\n${'b'.repeat(100)}\0`, { limits: { maxBodySize: 100 } }).frames).toHaveLength(1);
  });

  it('frame size counts headers and body', () => {
    expect(failure(() => parseAll(`SEND\nk:${'v'.repeat(60)}\n\n${'b'.repeat(60)}\0`, { limits: { maxFrameSize: 100 } }))).toMatch(/Frame too large/);
  });

  it('a dead parser refuses more input', () => {
    const { p } = parser({ maxHeaders: 0 });
    expect(() => p.push(Buffer.from('SEND\na:b\n\n\0'))).toThrow(StompCodecError);
    expect(() => p.push(Buffer.from('SEND\n\n\0'))).toThrow(StompCodecError);
  });
});

const SAMPLE = Buffer.concat([
  Buffer.from('\nCONNECT\r\naccept-version:1.2\r\nhost:/\r\n\r\n\0\n'),
  Buffer.from('SEND\ndestination:/queue/a\ncontent-length:5\nx:a\\cb\n\n'),
  Buffer.from([104, 0, 108, 0, 111, 0]),
  Buffer.from('\r\n\r\nSUBSCRIBE\nid:1\ndestination:/topic/x\n\n\0'),
  Buffer.from('SEND\ndestination:/queue/b\n\nno length body\0'),
]);

describe('chunking', () => {
  const whole = parseAll(SAMPLE);

  it('parses the sample', () => {
    expect(whole.frames.map((f) => f.command)).toEqual(['CONNECT', 'SEND', 'SUBSCRIBE', 'SEND']);
    expect(whole.frames[1]!.headers['x']).toBe('a:b');
    expect(whole.beats).toBe(4);
  });

  it('byte at a time gives the same frames', () => {
    const { p, out } = parser();
    for (let i = 0; i < SAMPLE.length; i++) p.push(SAMPLE.subarray(i, i + 1));
    expect(out.frames.map(plain)).toEqual(whole.frames.map(plain));
    expect(out.beats).toBe(whole.beats);
  });

  it('split at every offset (and every pair of offsets) gives the same frames', () => {
    for (let i = 0; i <= SAMPLE.length; i++) {
      expect(parseAll(SAMPLE, { split: [i] }).frames.map(plain)).toEqual(whole.frames.map(plain));
      for (let j = i; j <= SAMPLE.length; j += 7) {
        expect(parseAll(SAMPLE, { split: [i, j] }).frames.map(plain)).toEqual(whole.frames.map(plain));
      }
    }
  });
});

const COMMANDS = ['SEND', 'MESSAGE', 'SUBSCRIBE', 'ACK', 'RECEIPT', 'ERROR'];
const keyArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((k) => k !== 'content-length');
const frameArb = fc.record({
  command: fc.constantFrom(...COMMANDS),
  headers: fc.uniqueArray(fc.tuple(keyArb, fc.string({ unit: 'grapheme', maxLength: 30 })), {
    selector: (h) => h[0],
    maxLength: 8,
  }),
  body: fc.uint8Array({ maxLength: 300 }),
  withLength: fc.boolean(),
});

function encodeArb(f: { command: string; headers: [string, string][]; body: Uint8Array; withLength: boolean }, v: StompVersion): Buffer {
  const body = f.withLength ? Buffer.from(f.body) : Buffer.from(f.body.filter((b) => b !== 0));
  const headers: [string, string][] = f.withLength ? [...f.headers, ['content-length', String(body.length)]] : f.headers;
  return encodeFrame(f.command, headers, body, v);
}

describe('property tests', () => {
  it('round-trip: encode → parse at random split points', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom<StompVersion>('1.1', '1.2'),
        fc.array(fc.nat(), { maxLength: 6 }),
        (frames, v, cuts) => {
          const prepared = frames.map((f) => ({
            ...f,
            headers: f.headers.map(([k, val]) => [k, v === '1.1' ? val.replace(/\r/g, '') : val] as [string, string]),
          }));
          const bytes = Buffer.concat(prepared.map((f) => encodeArb(f, v)));
          const split = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
          const out = parseAll(bytes, { version: v, split });
          expect(out.frames).toHaveLength(frames.length);
          out.frames.forEach((got, i) => {
            const f = prepared[i]!;
            expect(got.command).toBe(f.command);
            for (const [k, val] of f.headers) expect(got.headers[k]).toBe(val);
            const body = f.withLength ? Buffer.from(f.body) : Buffer.from(f.body.filter((b) => b !== 0));
            expect(got.body.equals(body)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random garbage never throws anything but a codec error', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...['\n', '\r\n', ':', '\\', '\0', 'SEND\n', 'content-length:3\n', 'content-length:x\n'].map((s) => new Uint8Array(Buffer.from(s))))),
          { maxLength: 30 },
        ),
        fc.constantFrom<StompVersion>('1.0', '1.1', '1.2'),
        (chunks, v) => {
          const { p } = parser({ maxHeaders: 5, maxHeaderLength: 40, maxFrameSize: 200 }, v);
          try {
            for (const c of chunks) p.push(Buffer.from(c));
          } catch (e) {
            if (!isStompCodecError(e)) throw e;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

function stompjsParse(bytes: Buffer): IRawFrameType[] {
  const frames: IRawFrameType[] = [];
  const p = new Parser(
    (f) => frames.push({ ...f, headers: [...f.headers] }),
    () => {},
  );
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  p.parseChunk(ab as ArrayBuffer);
  return frames;
}

// header values without surrounding whitespace or CR (stompjs trims them and drops every CR)
const valueArb = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/\r/g, '').trim());
const diffFrameArb = fc.record({
  command: fc.constantFrom(...COMMANDS),
  headers: fc.uniqueArray(fc.tuple(keyArb, valueArb), { selector: (h) => h[0], maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 300 }),
  withLength: fc.boolean(),
});

describe('differential against @stomp/stompjs', () => {
  it('our encoder → stompjs Parser + FrameImpl gives the same frames as our parser', () => {
    fc.assert(
      fc.property(fc.array(diffFrameArb, { minLength: 1, maxLength: 4 }), (frames) => {
        const bytes = Buffer.concat(frames.map((f) => encodeArb(f, '1.2')));
        const theirs = stompjsParse(bytes).map((r) => FrameImpl.fromRawFrame(r, true));
        const ours = parseAll(bytes).frames;
        expect(ours).toHaveLength(theirs.length);
        ours.forEach((o, i) => {
          const t = theirs[i]!;
          expect(o.command).toBe(t.command);
          expect({ ...o.headers }).toEqual({ ...t.headers });
          expect(o.body.equals(Buffer.from(t.binaryBody))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('stompjs FrameImpl.marshall → our parser', () => {
    fc.assert(
      fc.property(fc.array(diffFrameArb, { minLength: 1, maxLength: 4 }), (frames) => {
        const parts = frames.map((f) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of f.headers) headers[k] = v;
          const body = f.withLength ? f.body : f.body.filter((b) => b !== 0);
          const out = FrameImpl.marshall({
            command: f.command,
            headers,
            binaryBody: body,
            escapeHeaderValues: true,
            skipContentLengthHeader: !f.withLength,
          });
          return typeof out === 'string' ? Buffer.from(out) : Buffer.from(out as ArrayBuffer);
        });
        const ours = parseAll(Buffer.concat(parts)).frames;
        expect(ours).toHaveLength(frames.length);
        ours.forEach((o, i) => {
          const f = frames[i]!;
          expect(o.command).toBe(f.command);
          for (const [k, v] of f.headers) expect(o.headers[k]).toBe(v);
          const body = f.withLength ? Buffer.from(f.body) : Buffer.from(f.body.filter((b) => b !== 0));
          expect(o.body.equals(body)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('both parsers agree on heart-beats and CRLF', () => {
    const theirs = stompjsParse(SAMPLE).map((r) => FrameImpl.fromRawFrame(r, true));
    const ours = parseAll(SAMPLE).frames;
    expect(ours.map((f) => f.command)).toEqual(theirs.map((f) => f.command));
    expect(ours.map((f) => ({ ...f.headers }))).toEqual(theirs.map((f) => ({ ...f.headers })));
  });
});
