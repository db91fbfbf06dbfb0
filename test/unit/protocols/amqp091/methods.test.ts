/**
 * Method codec: every method of the spec round-trips with arbitrary
 * arguments, defaults follow the spec, metadata matches the JSON, and
 * malformed payloads fail with the documented reply codes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmqpCodecError, METHOD_INFO, REPLY, decodeMethod, encodeMethod, isHardError, methodInfo,
} from '../../../../protocols/amqp091/codec/index.js';
import type { MethodName } from '../../../../protocols/amqp091/codec/index.js';
import { METHODS, argsArb, spec, unframe } from './arbitraries.js';

const encodeAny = (ch: number, name: string, args: Record<string, unknown>): Buffer =>
  encodeMethod(ch, name as MethodName, args as never);

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof AmqpCodecError) return e.replyCode;
    throw e;
  }
  return undefined;
}

describe('method round trip', () => {
  it('covers all 66 methods of the spec', () => {
    expect(METHODS).toHaveLength(66);
    expect(Object.keys(METHOD_INFO).sort()).toEqual(METHODS.map((m) => m.name).sort());
  });

  for (const m of METHODS) {
    it(`${m.name} (${m.classId}/${m.methodId})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 65535 }), argsArb(m), (channel, args) => {
          const f = unframe(encodeAny(channel, m.name, args));
          expect(f.type).toBe(1);
          expect(f.channel).toBe(channel);
          const decoded = decodeMethod(f.payload);
          expect(decoded).toEqual({ name: m.name, classId: m.classId, methodId: m.methodId, ...args });
          // re-encoding the decoded method gives the same bytes
          const { name: _n, classId: _c, methodId: _m, ...again } = decoded as unknown as Record<string, unknown>;
          expect(encodeAny(channel, m.name, again).subarray(7, -1)).toEqual(f.payload);
        }),
        { numRuns: 60 },
      );
    });
  }
});

describe('method metadata and defaults', () => {
  it('METHOD_INFO / methodInfo match the JSON (synchronous, content, ids)', () => {
    for (const m of METHODS) {
      const info = METHOD_INFO[m.name as MethodName];
      expect(info).toEqual({ name: m.name, classId: m.classId, methodId: m.methodId, synchronous: m.synchronous, content: m.content });
      expect(methodInfo(m.classId, m.methodId)).toBe(info);
    }
    expect(methodInfo(60, 99)).toBeUndefined();
    expect(METHOD_INFO['exchange.unbind-ok'].methodId).toBe(51);
    expect(METHOD_INFO['basic.publish'].content).toBe(true);
    expect(METHOD_INFO['queue.declare'].synchronous).toBe(true);
  });

  it('missing arguments take the spec default-value, else 0 / empty / false / {}', () => {
    for (const m of METHODS) {
      const d = decodeMethod(unframe(encodeAny(0, m.name, {})).payload) as unknown as Record<string, unknown>;
      for (const f of m.fields) {
        const want = f.def !== undefined && f.def !== null
          ? f.def
          : f.wire === 'bit' ? false : f.wire === 'table' ? {} : f.wire === 'bytes' ? Buffer.alloc(0)
            : f.wire === 'shortstr' || f.wire === 'longstr' ? '' : 0;
        expect(d[f.prop], `${m.name}.${f.prop}`).toEqual(want);
      }
    }
    expect(decodeMethod(unframe(encodeMethod(1, 'basic.nack', { deliveryTag: 5 })).payload)).toMatchObject({ requeue: true });
    expect(decodeMethod(unframe(encodeMethod(0, 'connection.start', {})).payload))
      .toMatchObject({ versionMajor: 0, versionMinor: 9, mechanisms: 'PLAIN', locales: 'en_US' });
  });

  it('packs consecutive bits into one octet (queue.declare: 5 bits, one octet)', () => {
    const f = unframe(encodeMethod(1, 'queue.declare', { queue: 'q', passive: true, durable: false, exclusive: true, autoDelete: false, nowait: true }));
    // class/method (4) + ticket (2) + shortstr 'q' (2) + bits (1) + empty table (4)
    expect(f.payload.length).toBe(13);
    expect(f.payload[8]).toBe(0b10101);
  });

  it('close methods name the failing ids failingClassId / failingMethodId', () => {
    const f = unframe(encodeMethod(0, 'connection.close', { replyCode: 504, replyText: 'x', failingClassId: 60, failingMethodId: 40 }));
    expect(decodeMethod(f.payload)).toEqual({
      name: 'connection.close', classId: 10, methodId: 50, replyCode: 504, replyText: 'x', failingClassId: 60, failingMethodId: 40,
    });
  });

  it('reply codes and their classes come from the spec constants', () => {
    for (const k of spec.constants.filter((c) => c.name.startsWith('REPLY-') || c.class)) {
      const key = k.name.replace(/^REPLY-/, '').replace(/-/g, '_') as keyof typeof REPLY;
      expect(REPLY[key]).toBe(k.value);
      expect(isHardError(k.value)).toBe(k.class === 'hard-error');
    }
    expect(REPLY.NOT_FOUND).toBe(404);
    expect(isHardError(REPLY.FRAME_ERROR)).toBe(true);
    expect(isHardError(REPLY.PRECONDITION_FAILED)).toBe(false);
  });
});

describe('method decode errors', () => {
  it('unknown class or method → 503 with the ids', () => {
    const err = (() => { try { decodeMethod(Buffer.from([0, 60, 0, 99])); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(AmqpCodecError);
    expect(err).toMatchObject({ replyCode: 503, classId: 60, methodId: 99 });
    expect(codeOf(() => decodeMethod(Buffer.from([0, 11, 0, 10])))).toBe(503);
  });

  it('short payload → 501', () => {
    expect(codeOf(() => decodeMethod(Buffer.from([0, 60, 0])))).toBe(501);
  });

  it('every truncation of every method payload → 501 with class/method ids', () => {
    for (const m of METHODS) {
      const payload = unframe(encodeAny(1, m.name, {})).payload;
      for (let n = 4; n < payload.length; n++) {
        const err = (() => { try { decodeMethod(payload.subarray(0, n)); } catch (e) { return e; } return null; })();
        expect(err, `${m.name} cut at ${n}`).toMatchObject({ replyCode: 501, classId: m.classId, methodId: m.methodId });
      }
    }
  });

  it('invalid UTF-8 in a shortstr → 501', () => {
    const p = unframe(encodeMethod(1, 'basic.publish', { exchange: 'ab', routingKey: 'k' })).payload;
    const bad = Buffer.from(p);
    bad[7] = 0xc3; // 'a' → lone UTF-8 lead byte
    bad[8] = 0x28;
    expect(codeOf(() => decodeMethod(bad))).toBe(501);
  });

  it('delivery tags ≥ 2^53 → 501', () => {
    const p = Buffer.from(unframe(encodeMethod(1, 'basic.ack', { deliveryTag: 1 })).payload);
    p.writeBigUInt64BE(2n ** 53n, 4);
    expect(codeOf(() => decodeMethod(p))).toBe(501);
    p.writeBigUInt64BE(2n ** 53n - 1n, 4);
    expect(decodeMethod(p)).toMatchObject({ deliveryTag: Number.MAX_SAFE_INTEGER });
  });

  it('encode-side errors → 541', () => {
    expect(codeOf(() => encodeMethod(1, 'basic.publish', { routingKey: 'x'.repeat(256) }))).toBe(541);
    expect(codeOf(() => encodeMethod(1, 'basic.ack', { deliveryTag: -1 }))).toBe(541);
    expect(codeOf(() => encodeMethod(1, 'basic.qos', { prefetchCount: 70000 }))).toBe(541);
    expect(codeOf(() => encodeMethod(1, 'nope.nope' as MethodName, {}))).toBe(541);
    expect(encodeMethod(1, 'basic.publish', { routingKey: 'x'.repeat(255) }).length).toBe(8 + 4 + 2 + 1 + 256 + 1);
  });
});
