/**
 * Basic content properties: all 14 in spec order with the 16-bit flags word,
 * any subset round-trips, known bytes, and malformed input.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageProperties } from '../../../../core/index.js';
import {
  AmqpCodecError, EMPTY_PROPERTIES, decodeProperties, encodeProperties,
} from '../../../../protocols/amqp091/codec/index.js';
import { PROPERTY_ORDER, properties } from './arbitraries.js';

describe('basic properties', () => {
  it('any subset round-trips exactly', () => {
    fc.assert(fc.property(properties, (p) => {
      const raw = encodeProperties(p);
      expect(decodeProperties(raw)).toEqual(p);
      expect(encodeProperties(decodeProperties(raw))).toEqual(raw);
    }), { numRuns: 500 });
  });

  it('flag bits follow the spec property order (bit 15 first)', () => {
    expect(PROPERTY_ORDER).toHaveLength(14);
    const sample: Required<MessageProperties> = {
      contentType: 'a', contentEncoding: 'a', headers: {}, deliveryMode: 1, priority: 1, correlationId: 'a',
      replyTo: 'a', expiration: 'a', messageId: 'a', timestamp: 1n, type: 'a', userId: 'a', appId: 'a', clusterId: 'a',
    };
    PROPERTY_ORDER.forEach((name, i) => {
      const one = { [name]: sample[name as keyof MessageProperties] } as MessageProperties;
      expect(encodeProperties(one).readUInt16BE(0), name).toBe(1 << (15 - i));
    });
    // all 14 set: flags 0xfffc, values in order
    const all = encodeProperties(sample);
    expect(all.readUInt16BE(0)).toBe(0xfffc);
    expect(decodeProperties(all)).toEqual(sample);
  });

  it('encodes known bytes', () => {
    const b = encodeProperties({ contentType: 'text/plain', deliveryMode: 2, timestamp: 1700000000n });
    expect(b.toString('hex')).toBe('9040' + '0a' + Buffer.from('text/plain').toString('hex') + '02' + '000000006553f100');
    expect(encodeProperties({})).toEqual(EMPTY_PROPERTIES);
    expect(decodeProperties(EMPTY_PROPERTIES)).toEqual({});
  });

  it('accepts an empty continuation flag word and ignores bit 1', () => {
    expect(decodeProperties(Buffer.from('8001' + '0000' + '0161', 'hex'))).toEqual({ contentType: 'a' });
    expect(decodeProperties(Buffer.from('8002' + '0161', 'hex'))).toEqual({ contentType: 'a' });
  });

  it('truncated lists, bad continuation words and bad UTF-8 → 501', () => {
    for (const hex of ['80', '8000', '800005616263', '8001' + '8000', '1000', '0040000000', '8000' + '01ff', '2000' + '00000005' + '00']) {
      expect(() => decodeProperties(Buffer.from(hex, 'hex')), hex).toThrow(AmqpCodecError);
    }
  });

  it('out-of-range values → 541 on encode', () => {
    expect(() => encodeProperties({ deliveryMode: 256 })).toThrow(expect.objectContaining({ replyCode: 541 }));
    expect(() => encodeProperties({ priority: -1 })).toThrow(expect.objectContaining({ replyCode: 541 }));
    expect(() => encodeProperties({ timestamp: 2n ** 64n })).toThrow(expect.objectContaining({ replyCode: 541 }));
    expect(() => encodeProperties({ messageId: 'x'.repeat(256) })).toThrow(expect.objectContaining({ replyCode: 541 }));
  });
});
