/**
 * Field tables and arrays: exact round trip of every type (int widths,
 * int64/uint64/timestamp beyond 2^53, decimals, byte arrays, nested tables
 * and arrays, binary longstr), byte-exact re-encoding, known wire bytes,
 * and decode errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../../../core/index.js';
import {
  AmqpCodecError, decodeArrayAt, decodeFields, decodeTable, encodeArray, encodeTable,
} from '../../../../protocols/amqp091/codec/index.js';
import { fieldTable, fieldValue } from './arbitraries.js';

const rt = (t: FieldTable): FieldTable => decodeTable(encodeTable(t), 0);

describe('field tables', () => {
  it('round-trip arbitrary tables exactly (value and wire type)', () => {
    fc.assert(fc.property(fieldTable, (t) => {
      expect(rt(t)).toEqual(t);
    }), { numRuns: 500 });
  });

  it('re-encoding a decoded table reproduces the bytes', () => {
    fc.assert(fc.property(fieldTable, (t) => {
      const bytes = encodeTable(t);
      expect(encodeTable(decodeTable(bytes, 0))).toEqual(bytes);
    }), { numRuns: 300 });
  });

  it('round-trip arrays', () => {
    fc.assert(fc.property(fc.array(fieldValue, { maxLength: 6 }), (a) => {
      expect(decodeArrayAt(encodeArray(a), 0)).toEqual(a);
    }), { numRuns: 200 });
  });

  it('keeps every integer width, 64-bit values beyond 2^53 and decimals', () => {
    const t: FieldTable = {
      b: { type: 'int8', value: -5 }, B: { type: 'uint8', value: 250 },
      s: { type: 'int16', value: -30000 }, u: { type: 'uint16', value: 65000 },
      I: { type: 'int32', value: 5 }, i: { type: 'uint32', value: 4000000000 },
      l: { type: 'int64', value: 9007199254740993n }, ln: { type: 'int64', value: -(2n ** 63n) },
      L: { type: 'uint64', value: 2n ** 64n - 1n }, T: { type: 'timestamp', value: 2n ** 63n + 7n },
      f: { type: 'float', value: 1.5 }, d: { type: 'double', value: Math.PI },
      D: { type: 'decimal', value: { scale: 2, digits: 4294967295 } },
      V: { type: 'void' }, t: { type: 'boolean', value: true },
    };
    expect(rt(t)).toEqual(t);
  });

  it('uses RabbitMQ type tags', () => {
    const tags = (v: FieldValue): string => String.fromCharCode(encodeTable({ k: v })[6]!);
    expect(tags({ type: 'int16', value: 1 })).toBe('s');
    expect(tags({ type: 'uint16', value: 1 })).toBe('u');
    expect(tags({ type: 'int32', value: 1 })).toBe('I');
    expect(tags({ type: 'uint32', value: 1 })).toBe('i');
    expect(tags({ type: 'int64', value: 1n })).toBe('l');
    expect(tags({ type: 'timestamp', value: 1n })).toBe('T');
    expect(tags({ type: 'string', value: 'x' })).toBe('S');
    expect(tags({ type: 'shortstr', value: 'x' })).toBe('S');
    expect(tags({ type: 'bytes', value: Buffer.alloc(1) })).toBe('x');
    expect(tags({ type: 'array', value: [] })).toBe('A');
    expect(tags({ type: 'table', value: {} })).toBe('F');
    expect(tags({ type: 'void' })).toBe('V');
  });

  it('encodes known bytes', () => {
    const b = encodeTable({ a: { type: 'string', value: 'hi' }, n: { type: 'array', value: [{ type: 'int8', value: -1 }] } });
    expect(b.toString('hex')).toBe('00000012' + '0161' + '53' + '00000002' + '6869' + '016e' + '41' + '00000002' + '62' + 'ff');
  });

  it('longstr: valid UTF-8 → string, anything else → exact Buffer', () => {
    const bin = Buffer.from([0x61, 0xff, 0xfe, 0x00, 0xc3]);
    const out = rt({ bin: { type: 'string', value: bin }, txt: { type: 'string', value: Buffer.from('héllo') } });
    expect(out['bin']).toEqual({ type: 'string', value: bin });
    expect(out['txt']).toEqual({ type: 'string', value: 'héllo' });
    expect(Buffer.isBuffer(out['bin']!.value)).toBe(true);
  });

  it('decoded buffers are copies, not views of the input', () => {
    const enc = encodeTable({ x: { type: 'bytes', value: Buffer.from([1, 2, 3]) } });
    const out = decodeTable(enc, 0)['x']!.value as Buffer;
    enc.fill(0);
    expect([...out]).toEqual([1, 2, 3]);
  });

  it("a '__proto__' key is an own entry, not a prototype", () => {
    const raw = Buffer.from('095f5f70726f746f5f5f' + '74' + '01', 'hex');
    const t = decodeFields(raw);
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    expect(encodeTable(t).subarray(4)).toEqual(raw);
  });

  it('unknown type tag, truncation and oversize lengths → 501', () => {
    const bad = [
      Buffer.from('0161' + '5a', 'hex'), // tag Z
      Buffer.from('0161' + '49' + '0000', 'hex'), // truncated int32
      Buffer.from('0561', 'hex'), // truncated key
      Buffer.from('0161' + '53' + 'ffffffff', 'hex'), // longstr longer than the table
      Buffer.from('0161' + '46' + '00000010' + '00', 'hex'), // nested table overruns
    ];
    for (const b of bad) {
      expect(() => decodeFields(b)).toThrow(AmqpCodecError);
      try { decodeFields(b); } catch (e) { expect((e as AmqpCodecError).replyCode).toBe(501); }
    }
    expect(() => decodeTable(Buffer.from('000000ff00', 'hex'), 0)).toThrow(AmqpCodecError);
  });

  it('values that do not fit their type → 541 on encode', () => {
    const enc = (v: FieldValue): unknown => encodeTable({ k: v });
    for (const v of [
      { type: 'int8', value: 200 }, { type: 'uint16', value: -1 }, { type: 'int64', value: 2n ** 63n },
      { type: 'timestamp', value: -1n }, { type: 'decimal', value: { scale: 256, digits: 0 } },
    ] as FieldValue[]) {
      expect(() => enc(v)).toThrow(expect.objectContaining({ replyCode: 541 }));
    }
    expect(() => encodeTable({ ['k'.repeat(256)]: { type: 'void' } })).toThrow(expect.objectContaining({ replyCode: 541 }));
  });
});
