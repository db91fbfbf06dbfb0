/**
 * message-record.ts: exact round trip of every FieldValue type and every
 * message property (fast-check), malformed input, and a small throughput figure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORD_VERSION, decodeMessage, encodeMessage, recordMeta } from '../../../../core/durable/message-record.js';
import type { FieldTable, FieldValue } from '../../../../core/field-table.js';
import type { Message, MessageProperties } from '../../../../core/message.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const buf = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

const scalar: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.boolean().map((value) => ({ type: 'boolean', value }) as const),
  fc.integer({ min: -128, max: 127 }).map((value) => ({ type: 'int8', value }) as const),
  fc.integer({ min: 0, max: 255 }).map((value) => ({ type: 'uint8', value }) as const),
  fc.integer({ min: -32768, max: 32767 }).map((value) => ({ type: 'int16', value }) as const),
  fc.integer({ min: 0, max: 65535 }).map((value) => ({ type: 'uint16', value }) as const),
  fc.integer().map((value) => ({ type: 'int32', value }) as const),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ type: 'uint32', value }) as const),
  i64.map((value) => ({ type: 'int64', value }) as const),
  u64.map((value) => ({ type: 'uint64', value }) as const),
  fc.oneof(u64, i64).map((value) => ({ type: 'timestamp', value }) as const),
  fc.float().map((value) => ({ type: 'float', value }) as const),
  fc.double().map((value) => ({ type: 'double', value }) as const),
  fc.record({ scale: fc.integer({ min: 0, max: 255 }), digits: fc.integer() }).map((value) => ({ type: 'decimal', value }) as const),
  text.map((value) => ({ type: 'string', value }) as const),
  buf.map((value) => ({ type: 'string', value }) as const),
  fc.string({ maxLength: 20 }).map((value) => ({ type: 'shortstr', value }) as const),
  buf.map((value) => ({ type: 'bytes', value }) as const),
  fc.constant({ type: 'void' } as const),
);

const { value: fieldValue } = fc.letrec<{ value: FieldValue; table: FieldTable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }).map((value) => ({ type: 'array', value }) as FieldValue),
    tie('table').map((value) => ({ type: 'table', value }) as FieldValue),
  ),
  table: fc.dictionary(fc.oneof(text, fc.constant('__proto__')), tie('value'), { maxKeys: 4 }) as fc.Arbitrary<FieldTable>,
}));
const table = fc.dictionary(fc.oneof(text, fc.constant('__proto__')), fieldValue, { maxKeys: 6 }) as fc.Arbitrary<FieldTable>;

const props: fc.Arbitrary<MessageProperties> = fc.record(
  {
    contentType: text,
    contentEncoding: text,
    headers: table,
    deliveryMode: fc.oneof(fc.constantFrom(1, 2), fc.double()),
    priority: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer()),
    correlationId: text,
    replyTo: text,
    expiration: text,
    messageId: text,
    timestamp: fc.oneof(u64, i64),
    type: text,
    userId: text,
    appId: text,
    clusterId: text,
  },
  { requiredKeys: [] },
);

const message: fc.Arbitrary<Message> = fc.record({
  exchange: text,
  routingKey: fc.string({ unit: 'binary', maxLength: 300 }),
  properties: props,
  body: fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
});

/** Deep equality that distinguishes -0/NaN, string vs Buffer, and field types. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

describe('message record', () => {
  it('round-trips every FieldValue type exactly (inside headers)', () => {
    fc.assert(
      fc.property(fieldValue, (v) => {
        const m: Message = { exchange: 'x', routingKey: 'k', properties: { headers: { v } }, body: Buffer.alloc(0) };
        const back = decodeMessage(encodeMessage(m)).message;
        expect(same(back.properties.headers!['v'], v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips whole messages (all properties, any body, optional expiry)', () => {
    fc.assert(
      fc.property(message, fc.option(fc.double({ min: 0, max: 1e15, noNaN: true }), { nil: undefined }), (m, expiresAt) => {
        const rec = decodeMessage(encodeMessage(m, expiresAt));
        expect(same(rec.message.properties, m.properties)).toBe(true);
        expect(rec.message.exchange).toBe(m.exchange);
        expect(rec.message.routingKey).toBe(m.routingKey);
        expect(rec.message.body.equals(m.body)).toBe(true);
        expect(rec.expiresAt).toBe(expiresAt);
      }),
      { numRuns: 1000 },
    );
  });

  it('recordMeta gives the body size and deadline without decoding (paging recovery)', () => {
    fc.assert(
      fc.property(message, fc.option(fc.double({ min: 0, max: 1e15, noNaN: true }), { nil: undefined }), (m, expiresAt) => {
        const meta = recordMeta(encodeMessage(m, expiresAt), { bodySize: -1, expiresAt: -1 });
        expect(meta.bodySize).toBe(m.body.length);
        expect(meta.expiresAt).toBe(expiresAt ?? Infinity);
      }),
      { numRuns: 500 },
    );
    // a record without the body offset (written before it existed) is decoded instead
    const m: Message = { exchange: 'x', routingKey: 'k', properties: { deliveryMode: 2 }, body: Buffer.from('hello') };
    const enc = encodeMessage(m, 42);
    const old = Buffer.concat([enc.subarray(0, 4), enc.subarray(8)]);
    old[1] = old[1]! & ~2;
    expect(decodeMessage(old).message.body.toString()).toBe('hello');
    expect(recordMeta(old, { bodySize: 0, expiresAt: 0 })).toEqual({ bodySize: 5, expiresAt: 42 });
  });

  it('keeps string values that were Buffers as Buffers and JS strings as strings', () => {
    const h: FieldTable = { a: { type: 'string', value: 'é' }, b: { type: 'string', value: Buffer.from([0xff, 0]) } };
    const back = decodeMessage(encodeMessage({ exchange: '', routingKey: 'q', properties: { headers: h }, body: Buffer.from('x') }));
    expect(typeof back.message.properties.headers!['a']!.value).toBe('string');
    expect(Buffer.isBuffer(back.message.properties.headers!['b']!.value)).toBe(true);
  });

  it('a __proto__ header key stays an own key and does not change the prototype', () => {
    const h = JSON.parse('{"__proto__": {"type": "boolean", "value": true}}') as FieldTable;
    const back = decodeMessage(encodeMessage({ exchange: '', routingKey: 'q', properties: { headers: h }, body: Buffer.alloc(0) })).message;
    expect(Object.getPrototypeOf(back.properties.headers)).toBe(Object.prototype);
    expect(Object.keys(back.properties.headers!)).toEqual(['__proto__']);
  });

  it('Infinity as expiry means "never" and is not stored', () => {
    const m: Message = { exchange: '', routingKey: 'q', properties: {}, body: Buffer.from('b') };
    expect(decodeMessage(encodeMessage(m, Infinity)).expiresAt).toBeUndefined();
    expect(encodeMessage(m, Infinity).length).toBe(encodeMessage(m).length);
  });

  it('bodies are copied out unless shareBody', () => {
    const rec = encodeMessage({ exchange: '', routingKey: 'q', properties: {}, body: Buffer.from('hello') });
    const copied = decodeMessage(rec).message.body;
    const shared = decodeMessage(rec, { shareBody: true }).message.body;
    rec[rec.length - 1] = 0x21; // '!'
    expect(copied.toString()).toBe('hello');
    expect(shared.toString()).toBe('hell!');
  });

  it('rejects malformed records with RangeError (never returns garbage silently)', () => {
    const good = encodeMessage({ exchange: 'ex', routingKey: 'rk', properties: { headers: { a: { type: 'int32', value: 1 } } }, body: Buffer.from('b') });
    const wrongVersion = Buffer.from(good);
    wrongVersion[0] = RECORD_VERSION + 1;
    expect(() => decodeMessage(wrongVersion)).toThrow(RangeError);
    expect(() => decodeMessage(good.subarray(0, 3))).toThrow(RangeError);
    expect(() => decodeMessage(good.subarray(0, 12))).toThrow(RangeError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const b = Buffer.from(bytes);
        try {
          decodeMessage(b);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
    );
  });

  it('is compact and fast for a typical persistent message', () => {
    const m: Message = {
      exchange: 'amq.topic',
      routingKey: 'orders.eu.created',
      properties: {
        contentType: 'application/json',
        deliveryMode: 2,
        messageId: 'a3f1c2d4-0000-4000-8000-000000000001',
        timestamp: 1_700_000_000n,
        headers: { 'x-retry': { type: 'int32', value: 3 }, source: { type: 'string', value: 'svc-a' } },
      },
      body: Buffer.alloc(100, 7),
    };
    const enc = encodeMessage(m);
    expect(enc.length - m.body.length).toBeLessThan(130);
    const n = 100_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) encodeMessage(m);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) decodeMessage(enc);
    const t2 = performance.now();
    console.log(
      `message-record: ${enc.length} B/record (${enc.length - 100} B overhead); encode ${Math.round(n / ((t1 - t0) / 1000))}/s, decode ${Math.round(n / ((t2 - t1) / 1000))}/s`,
    );
  });
});
