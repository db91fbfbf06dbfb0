/**
 * fast-check arbitraries and spec metadata for the AMQP 0-9-1 codec tests.
 * Method argument metadata is derived independently from the spec JSON
 * (not from the generated code), so the tests also check the generator's
 * naming and type mapping.
 */
import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import type { FieldTable, FieldValue, MessageProperties } from '../../../../core/index.js';

export type Wire = 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'bit' | 'shortstr' | 'longstr' | 'bytes' | 'table';

export interface SpecField { prop: string; specName: string; wire: Wire; def: unknown }
export interface SpecMethodMeta {
  name: string; classId: number; methodId: number; synchronous: boolean; content: boolean; fields: SpecField[];
}

interface RawSpec {
  domains: [string, string][];
  constants: { name: string; value: number; class?: string }[];
  classes: {
    name: string; id: number;
    properties?: { name: string; type: string }[];
    methods: { name: string; id: number; synchronous?: boolean; content?: boolean;
      arguments: { name: string; type?: string; domain?: string; 'default-value'?: unknown }[] }[];
  }[];
}

export const SPEC_PATH = new URL('../../../../protocols/amqp091/codec/amqp-rabbitmq-0.9.1.json', import.meta.url);
export const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as RawSpec;

const BINARY = new Set(['connection.start-ok/response', 'connection.secure/challenge', 'connection.secure-ok/response', 'connection.update-secret/new-secret']);
const domains = new Map(spec.domains);
const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const propName = (s: string): string => (s === 'class-id' ? 'failingClassId' : s === 'method-id' ? 'failingMethodId' : camel(s));

export const METHODS: SpecMethodMeta[] = spec.classes.flatMap((c) =>
  c.methods.map((m) => {
    const name = `${c.name}.${m.name}`;
    return {
      name, classId: c.id, methodId: m.id, synchronous: m.synchronous === true, content: m.content === true,
      fields: m.arguments.map((a) => {
        let wire = (a.type ?? domains.get(a.domain!)!) as Wire;
        if (wire === 'longstr' && BINARY.has(`${name}/${a.name}`)) wire = 'bytes';
        return { prop: propName(a.name), specName: a.name, wire, def: a['default-value'] };
      }),
    };
  }),
);

export const PROPERTY_ORDER = spec.classes.find((c) => c.name === 'basic')!.properties!.map((p) => camel(p.name));

// ---- primitive arbitraries ----

/** Strings of valid code points (no lone surrogates) whose UTF-8 form is ≤ maxBytes. */
export const text = (maxBytes: number, maxLength = maxBytes): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength }).filter((s) => Buffer.byteLength(s) <= maxBytes);

export const shortstr = text(255, 80);
export const buffer = (maxLength = 64): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));
export const invalidUtf8 = buffer(32).map((b) => Buffer.concat([b, Buffer.from([0xff])])).filter((b) => !isUtf8(b));

export const fieldValue: fc.Arbitrary<FieldValue> = fc.letrec<{ value: FieldValue; table: FieldTable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean().map((value): FieldValue => ({ type: 'boolean', value })),
    fc.integer({ min: -128, max: 127 }).map((value): FieldValue => ({ type: 'int8', value })),
    fc.integer({ min: 0, max: 255 }).map((value): FieldValue => ({ type: 'uint8', value })),
    fc.integer({ min: -32768, max: 32767 }).map((value): FieldValue => ({ type: 'int16', value })),
    fc.integer({ min: 0, max: 65535 }).map((value): FieldValue => ({ type: 'uint16', value })),
    fc.integer().map((value): FieldValue => ({ type: 'int32', value })),
    fc.integer({ min: 0, max: 0xffffffff }).map((value): FieldValue => ({ type: 'uint32', value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): FieldValue => ({ type: 'int64', value })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): FieldValue => ({ type: 'uint64', value })),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value): FieldValue => ({ type: 'timestamp', value })),
    fc.float({ noNaN: true }).map((value): FieldValue => ({ type: 'float', value })),
    fc.double({ noNaN: true }).map((value): FieldValue => ({ type: 'double', value })),
    fc.record({ scale: fc.integer({ min: 0, max: 255 }), digits: fc.integer({ min: 0, max: 0xffffffff }) })
      .map((value): FieldValue => ({ type: 'decimal', value })),
    text(200, 40).map((value): FieldValue => ({ type: 'string', value })),
    invalidUtf8.map((value): FieldValue => ({ type: 'string', value })),
    buffer().map((value): FieldValue => ({ type: 'bytes', value })),
    fc.constant<FieldValue>({ type: 'void' }),
    fc.array(tie('value'), { maxLength: 4 }).map((value): FieldValue => ({ type: 'array', value })),
    tie('table').map((value): FieldValue => ({ type: 'table', value })),
  ),
  table: fc.dictionary(text(255, 20), tie('value'), { maxKeys: 5 }),
})).value;

export const fieldTable: fc.Arbitrary<FieldTable> = fc.dictionary(text(255, 20), fieldValue, { maxKeys: 6 });

export function wireArb(w: Wire): fc.Arbitrary<unknown> {
  switch (w) {
    case 'octet': return fc.integer({ min: 0, max: 255 });
    case 'short': return fc.integer({ min: 0, max: 65535 });
    case 'long': return fc.integer({ min: 0, max: 0xffffffff });
    case 'longlong': case 'timestamp': return fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat());
    case 'bit': return fc.boolean();
    case 'shortstr': return shortstr;
    case 'longstr': return text(2000, 300);
    case 'bytes': return buffer(300);
    case 'table': return fieldTable;
  }
}

/** Arbitrary full argument object for a method. */
export function argsArb(m: SpecMethodMeta): fc.Arbitrary<Record<string, unknown>> {
  const rec: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of m.fields) rec[f.prop] = wireArb(f.wire);
  return fc.record(rec);
}

export const properties: fc.Arbitrary<MessageProperties> = fc.record(
  {
    contentType: shortstr, contentEncoding: shortstr, headers: fieldTable,
    deliveryMode: fc.integer({ min: 0, max: 255 }), priority: fc.integer({ min: 0, max: 255 }),
    correlationId: shortstr, replyTo: shortstr, expiration: shortstr, messageId: shortstr,
    timestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    type: shortstr, userId: shortstr, appId: shortstr, clusterId: shortstr,
  },
  { requiredKeys: [] },
);

/** Builds a raw frame. */
export function frame(type: number, channel: number, payload: Buffer, end = 0xce): Buffer {
  const h = Buffer.alloc(7);
  h[0] = type;
  h.writeUInt16BE(channel, 1);
  h.writeUInt32BE(payload.length, 3);
  return Buffer.concat([h, payload, Buffer.from([end])]);
}

/** Splits a complete frame produced by an encoder into {type, channel, payload}, checking its framing. */
export function unframe(b: Buffer): { type: number; channel: number; payload: Buffer } {
  const size = b.readUInt32BE(3);
  if (b.length !== size + 8 || b[b.length - 1] !== 0xce) throw new Error(`bad frame ${b.toString('hex')}`);
  return { type: b[0]!, channel: b.readUInt16BE(1), payload: b.subarray(7, 7 + size) };
}
