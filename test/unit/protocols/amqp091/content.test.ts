/**
 * Content frames: header decoding, encodeContent splitting at frame_max,
 * and the single-buffer encoders (deliver / get-ok / return) matching the
 * generic method + content encoders byte for byte.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AmqpCodecError, FrameParser, HEARTBEAT_FRAME, PROTOCOL_HEADER, decodeContentHeader, decodeMethod, decodeProperties,
  encodeContent, encodeDeliver, encodeGetOk, encodeMethod, encodeProperties, encodeReturn,
} from '../../../../protocols/amqp091/codec/index.js';
import { buffer, properties, shortstr, unframe } from './arbitraries.js';

const frameMaxArb = fc.constantFrom(0, 9, 10, 100, 4096, 8192, 131072);
const bodyArb = fc.oneof(buffer(0), buffer(300), fc.integer({ min: 0, max: 20000 }).map((n) => Buffer.alloc(n, n & 0xff)));

function split(b: Buffer, frameMax = 0): { type: number; channel: number; payload: Buffer }[] {
  const out: { type: number; channel: number; payload: Buffer }[] = [];
  const p = new FrameParser({ frameMax, onFrame: (type, channel, payload) => out.push({ type, channel, payload }) });
  p.feed(b);
  expect(p.midFrame).toBe(false);
  return out;
}

describe('constants', () => {
  it('heartbeat frame and protocol header', () => {
    expect(HEARTBEAT_FRAME.toString('hex')).toBe('0800000000' + '0000ce');
    expect(PROTOCOL_HEADER).toEqual(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  });
});

describe('content header', () => {
  it('decodes class, body size and gives the raw properties as a view', () => {
    const [h] = encodeContent(1, 60, encodeProperties({ contentType: 'x' }), Buffer.alloc(0), 0);
    const payload = unframe(h!).payload;
    const d = decodeContentHeader(payload);
    expect(d.classId).toBe(60);
    expect(d.bodySize).toBe(0);
    expect(d.properties.buffer).toBe(payload.buffer);
    expect(d.properties.byteOffset).toBe(payload.byteOffset + 12);
    expect(decodeProperties(d.properties)).toEqual({ contentType: 'x' });
  });

  it('body size ≥ 2^53 and truncated headers → 501', () => {
    const p = Buffer.from('003c0000' + '0020000000000000' + '0000', 'hex');
    expect(() => decodeContentHeader(p)).toThrow(expect.objectContaining({ replyCode: 501 }));
    p.writeBigUInt64BE(2n ** 53n - 1n, 4);
    expect(decodeContentHeader(p).bodySize).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => decodeContentHeader(p.subarray(0, 13))).toThrow(AmqpCodecError);
  });
});

describe('encodeContent', () => {
  it('splits the body so that every frame is ≤ frameMax, full frames exactly frameMax', () => {
    fc.assert(fc.property(properties, bodyArb, frameMaxArb, (props, body, frameMax) => {
      if (frameMax > 0 && frameMax < 100) body = body.subarray(0, 2000);
      const raw = encodeProperties(props);
      const frames = encodeContent(5, 60, raw, body, frameMax);
      const h = unframe(frames[0]!);
      expect(h.type).toBe(2);
      expect(decodeContentHeader(h.payload)).toMatchObject({ classId: 60, bodySize: body.length });
      expect(decodeContentHeader(h.payload).properties).toEqual(raw);
      const bodies = frames.slice(1).map(unframe);
      if (body.length === 0) expect(bodies).toHaveLength(0);
      if (frameMax === 0) expect(bodies.length).toBe(body.length === 0 ? 0 : 1);
      else {
        expect(bodies.length).toBe(Math.ceil(body.length / (frameMax - 8)));
        expect(frames.slice(1, -1).every((f) => f.length === frameMax)).toBe(true);
        expect(frames.slice(1).every((f) => f.length <= frameMax)).toBe(true);
      }
      expect(bodies.every((b) => b.type === 3 && b.channel === 5)).toBe(true);
      expect(Buffer.concat(bodies.map((b) => b.payload))).toEqual(body);
    }), { numRuns: 300 });
  });

  it('exact boundary: body of 2 × (frameMax - 8) gives two full frames', () => {
    const frames = encodeContent(1, 60, encodeProperties({}), Buffer.alloc(2 * 8184), 8192);
    expect(frames.map((f) => f.length)).toEqual([8 + 12 + 2, 8192, 8192]);
    expect(encodeContent(1, 60, encodeProperties({}), Buffer.alloc(2 * 8184 + 1), 8192).map((f) => f.length))
      .toEqual([22, 8192, 8192, 9]);
  });

  it('invalid frameMax → 541', () => {
    expect(() => encodeContent(1, 60, encodeProperties({}), Buffer.alloc(1), 8)).toThrow(expect.objectContaining({ replyCode: 541 }));
  });
});

describe('single-buffer encoders', () => {
  const tag = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat());

  it('encodeDeliver = encodeMethod(basic.deliver) + encodeContent', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 65535 }), shortstr, tag, fc.boolean(), shortstr, shortstr, properties, bodyArb, frameMaxArb,
      (ch, ctag, dtag, redelivered, exchange, routingKey, props, body, fm) => {
        if (fm > 0 && fm < 100) body = body.subarray(0, 2000);
        const raw = encodeProperties(props);
        const one = encodeDeliver(ch, ctag, dtag, redelivered, exchange, routingKey, raw, body, fm);
        const ref = Buffer.concat([
          encodeMethod(ch, 'basic.deliver', { consumerTag: ctag, deliveryTag: dtag, redelivered, exchange, routingKey }),
          ...encodeContent(ch, 60, raw, body, fm),
        ]);
        expect(one).toEqual(ref);
        const frames = split(one, 0);
        expect(decodeMethod(frames[0]!.payload)).toEqual({
          name: 'basic.deliver', classId: 60, methodId: 60, consumerTag: ctag, deliveryTag: dtag, redelivered, exchange, routingKey,
        });
      },
    ), { numRuns: 100 });
  });

  it('encodeGetOk = encodeMethod(basic.get-ok) + encodeContent', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 65535 }), tag, fc.boolean(), shortstr, shortstr, fc.integer({ min: 0, max: 0xffffffff }), properties, bodyArb, frameMaxArb,
      (ch, dtag, redelivered, exchange, routingKey, messageCount, props, body, fm) => {
        if (fm > 0 && fm < 100) body = body.subarray(0, 2000);
        const raw = encodeProperties(props);
        expect(encodeGetOk(ch, dtag, redelivered, exchange, routingKey, messageCount, raw, body, fm)).toEqual(Buffer.concat([
          encodeMethod(ch, 'basic.get-ok', { deliveryTag: dtag, redelivered, exchange, routingKey, messageCount }),
          ...encodeContent(ch, 60, raw, body, fm),
        ]));
      },
    ), { numRuns: 80 });
  });

  it('encodeReturn = encodeMethod(basic.return) + encodeContent', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), shortstr, shortstr, shortstr, properties, bodyArb, frameMaxArb,
      (ch, replyCode, replyText, exchange, routingKey, props, body, fm) => {
        if (fm > 0 && fm < 100) body = body.subarray(0, 2000);
        const raw = encodeProperties(props);
        expect(encodeReturn(ch, replyCode, replyText, exchange, routingKey, raw, body, fm)).toEqual(Buffer.concat([
          encodeMethod(ch, 'basic.return', { replyCode, replyText, exchange, routingKey }),
          ...encodeContent(ch, 60, raw, body, fm),
        ]));
      },
    ), { numRuns: 80 });
  });

  it('reject values that cannot be encoded with 541', () => {
    const p = encodeProperties({});
    expect(() => encodeDeliver(1, 'x'.repeat(256), 1, false, '', '', p, Buffer.alloc(0), 0)).toThrow(expect.objectContaining({ replyCode: 541 }));
    expect(() => encodeDeliver(1, 'c', 2 ** 53, false, '', '', p, Buffer.alloc(0), 0)).toThrow(expect.objectContaining({ replyCode: 541 }));
  });
});
