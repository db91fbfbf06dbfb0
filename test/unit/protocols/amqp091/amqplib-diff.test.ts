/**
 * Differential test against amqplib's generated defs.js (MIT; used only as a
 * test oracle): for every method, both codecs produce identical frames from
 * the same arguments, each decodes what the other encodes; likewise for
 * content headers with basic properties. Field tables use only the types
 * amqplib can be told to encode exactly (via its {'!': type} notation).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FieldTable, FieldValue, MessageProperties } from '../../../../core/index.js';
import {
  decodeContentHeader, decodeMethod, decodeProperties, encodeContent, encodeMethod, encodeProperties,
} from '../../../../protocols/amqp091/codec/index.js';
import type { MethodName } from '../../../../protocols/amqp091/codec/index.js';
import { METHODS, buffer, shortstr, text, unframe, wireArb } from './arbitraries.js';
import type { SpecField, SpecMethodMeta } from './arbitraries.js';

interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  decode(id: number, buf: Buffer): Record<string, unknown>;
}
// amqplib's package.json `exports` blocks subpaths: load the file by its filesystem path.
const defsPath = fileURLToPath(new URL('../../../../node_modules/amqplib/lib/defs.js', import.meta.url));
const defs = createRequire(import.meta.url)(defsPath) as AmqplibDefs;

// ---- tables restricted to exactly-encodable types, and their amqplib form ----
const key = text(40, 12).filter((k) => k !== '__proto__');
const simpleValue: fc.Arbitrary<FieldValue> = fc.letrec<{ v: FieldValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.boolean().map((value): FieldValue => ({ type: 'boolean', value })),
    fc.integer({ min: -128, max: 127 }).map((value): FieldValue => ({ type: 'int8', value })),
    fc.integer({ min: 0, max: 255 }).map((value): FieldValue => ({ type: 'uint8', value })),
    fc.integer({ min: -32768, max: 32767 }).map((value): FieldValue => ({ type: 'int16', value })),
    fc.integer({ min: 0, max: 65535 }).map((value): FieldValue => ({ type: 'uint16', value })),
    fc.integer().map((value): FieldValue => ({ type: 'int32', value })),
    fc.integer({ min: 0, max: 0xffffffff }).map((value): FieldValue => ({ type: 'uint32', value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): FieldValue => ({ type: 'int64', value })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): FieldValue => ({ type: 'timestamp', value })),
    fc.float({ noNaN: true }).map((value): FieldValue => ({ type: 'float', value })),
    fc.double({ noNaN: true }).map((value): FieldValue => ({ type: 'double', value })),
    fc.record({ scale: fc.integer({ min: 0, max: 255 }), digits: fc.integer({ min: 0, max: 0xffffffff }) })
      .map((value): FieldValue => ({ type: 'decimal', value })),
    text(100, 20).map((value): FieldValue => ({ type: 'string', value })),
    buffer(20).map((value): FieldValue => ({ type: 'bytes', value })),
    fc.constant<FieldValue>({ type: 'void' }),
    fc.array(tie('v'), { maxLength: 3 }).map((value): FieldValue => ({ type: 'array', value })),
    fc.dictionary(key, tie('v'), { maxKeys: 3 }).map((value): FieldValue => ({ type: 'table', value })),
  ),
})).v;
const simpleTable = fc.dictionary(key, simpleValue, { maxKeys: 4 });

function toAmqplibValue(v: FieldValue): unknown {
  switch (v.type) {
    case 'boolean': return v.value;
    case 'string': return v.value;
    case 'bytes': return v.value;
    case 'void': return null;
    case 'array': return v.value.map(toAmqplibValue);
    case 'table': return toAmqplibTable(v.value);
    case 'decimal': return { '!': 'decimal', value: { places: v.value.scale, digits: v.value.digits } };
    default: return { '!': v.type, value: v.value };
  }
}
function toAmqplibTable(t: FieldTable): Record<string, unknown> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, toAmqplibValue(v)]));
}

const amqplibName = (f: SpecField): string =>
  f.prop === 'failingClassId' ? 'classId' : f.prop === 'failingMethodId' ? 'methodId' : f.prop;

function toAmqplibFields(m: SpecMethodMeta, args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of m.fields) {
    const v = args[f.prop];
    out[amqplibName(f)] = f.wire === 'table' ? toAmqplibTable(v as FieldTable) : f.wire === 'longstr' ? Buffer.from(v as string) : v;
  }
  return out;
}

function argsArb(m: SpecMethodMeta): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of m.fields) rec[f.prop] = f.wire === 'table' ? simpleTable : wireArb(f.wire);
  return fc.record(rec);
}

describe('differential vs amqplib defs.js', () => {
  for (const m of METHODS) {
    const id = m.classId * 65536 + m.methodId;
    it(`${m.name}: identical frames, mutual decoding`, () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), argsArb(m), (ch, args) => {
        const ours = encodeMethod(ch, m.name as MethodName, args as never);
        const theirs = defs.encodeMethod(id, ch, toAmqplibFields(m, args));
        expect(ours.toString('hex')).toBe(theirs.toString('hex'));
        // we decode what amqplib encodes
        expect(decodeMethod(unframe(theirs).payload)).toEqual({ name: m.name, classId: m.classId, methodId: m.methodId, ...args });
        // amqplib decodes what we encode (scalar fields; tables are covered by byte equality)
        const back = defs.decode(id, unframe(ours).payload.subarray(4));
        for (const f of m.fields) {
          if (f.wire === 'table') continue;
          const want = f.wire === 'longstr' ? Buffer.from(args[f.prop] as string) : args[f.prop];
          expect(back[amqplibName(f)], `${m.name}.${f.prop}`).toEqual(want);
        }
      }), { numRuns: 40 });
    });
  }

  it('content header with basic properties: identical frames, mutual decoding', () => {
    const props = fc.record({
      contentType: shortstr, contentEncoding: shortstr, headers: simpleTable,
      deliveryMode: fc.integer({ min: 0, max: 255 }), priority: fc.integer({ min: 0, max: 255 }),
      correlationId: shortstr, replyTo: shortstr, expiration: shortstr, messageId: shortstr,
      timestamp: fc.maxSafeNat(), type: shortstr, userId: shortstr, appId: shortstr, clusterId: shortstr,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), props, fc.maxSafeNat(), (ch, p, size) => {
      const ourProps: MessageProperties = { ...p, timestamp: p.timestamp === undefined ? undefined : BigInt(p.timestamp) };
      if (p.timestamp === undefined) delete ourProps.timestamp;
      const theirFields: Record<string, unknown> = { ...p };
      if (p.headers) theirFields['headers'] = toAmqplibTable(p.headers);
      const theirs = defs.encodeProperties(60, ch, size, theirFields);
      const raw = encodeProperties(ourProps);
      const ours = encodeContent(ch, 60, raw, Buffer.alloc(0), 0)[0]!;
      ours.writeBigUInt64BE(BigInt(size), 11); // same body size as given to amqplib
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      const header = decodeContentHeader(unframe(theirs).payload);
      expect(header).toMatchObject({ classId: 60, bodySize: size });
      expect(decodeProperties(header.properties)).toEqual(ourProps);
      const back = defs.decode(60, header.properties);
      for (const k of ['contentType', 'deliveryMode', 'priority', 'messageId', 'timestamp', 'userId', 'clusterId'] as const) {
        if (p[k] !== undefined) expect(back[k]).toEqual(p[k]);
      }
    }), { numRuns: 300 });
  });
});
