/**
 * Garbage input: every decoder throws only AmqpCodecError (never a
 * RangeError, TypeError or anything else) on random and mutated bytes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmqpCodecError, decodeContentHeader, decodeFields, decodeMethod, decodeProperties, decodeTable, encodeMethod, encodeProperties,
} from '../../../../protocols/amqp091/codec/index.js';
import type { MethodName } from '../../../../protocols/amqp091/codec/index.js';
import { METHODS, argsArb, properties, unframe } from './arbitraries.js';

function onlyCodecErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof AmqpCodecError)) throw e;
    expect([501, 503]).toContain(e.replyCode);
  }
}

const bytes = fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u));
const knownIds = fc.constantFrom(...METHODS.map((m) => [m.classId, m.methodId] as const));

describe('garbage input', () => {
  it('decodeMethod: random bytes', () => {
    fc.assert(fc.property(bytes, (b) => onlyCodecErrors(() => decodeMethod(b))), { numRuns: 2000 });
  });

  it('decodeMethod: known class/method ids followed by random bytes', () => {
    fc.assert(fc.property(knownIds, bytes, ([c, m], b) => {
      const p = Buffer.concat([Buffer.from([c >> 8, c & 0xff, m >> 8, m & 0xff]), b]);
      onlyCodecErrors(() => decodeMethod(p));
    }), { numRuns: 3000 });
  });

  it('decodeMethod: valid payloads with flipped bytes and truncation', () => {
    const arb = fc.constantFrom(...METHODS).chain((m) => fc.tuple(fc.constant(m), argsArb(m)));
    fc.assert(fc.property(arb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), ([m, args], flips, cut) => {
      const p = Buffer.from(unframe(encodeMethod(1, m.name as MethodName, args as never)).payload);
      for (const [i, v] of flips) if (p.length > 4) p[4 + (i % (p.length - 4))] = v;
      onlyCodecErrors(() => decodeMethod(p));
      onlyCodecErrors(() => decodeMethod(p.subarray(0, cut % (p.length + 1))));
    }), { numRuns: 1000 });
  });

  it('decodeProperties / decodeContentHeader: random and mutated bytes', () => {
    fc.assert(fc.property(bytes, (b) => {
      onlyCodecErrors(() => decodeProperties(b));
      onlyCodecErrors(() => decodeContentHeader(b));
    }), { numRuns: 2000 });
    fc.assert(fc.property(properties, fc.nat(), fc.integer({ min: 0, max: 255 }), (props, i, v) => {
      const raw = Buffer.from(encodeProperties(props));
      raw[i % raw.length] = v;
      onlyCodecErrors(() => decodeProperties(raw));
    }), { numRuns: 1000 });
  });

  it('tables: random bytes', () => {
    fc.assert(fc.property(bytes, (b) => {
      onlyCodecErrors(() => decodeFields(b));
      onlyCodecErrors(() => decodeTable(b, 0));
    }), { numRuns: 3000 });
  });
});
