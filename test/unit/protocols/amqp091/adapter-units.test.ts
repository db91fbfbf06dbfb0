/**
 * Pure pieces of the AMQP 0-9-1 adapter: confirm coalescing, SASL parsing,
 * tune-ok validation, protocol-header check, reply texts and code mapping.
 */
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../../core/index.js';
import type { Channel } from '../../../../protocols/amqp091/channel.js';
import { decodeMethod, encodeTable } from '../../../../protocols/amqp091/codec/index.js';
import { ConfirmTracker } from '../../../../protocols/amqp091/confirms.js';
import { AmqpError, replyCodeFor, replyText, toAmqpError } from '../../../../protocols/amqp091/errors.js';
import { checkProtocolHeader, parseSasl, validateTuneOk } from '../../../../protocols/amqp091/handshake.js';

function fakeChannel(): { ch: Channel; sent: string[] } {
  const sent: string[] = [];
  const ch = {
    id: 1,
    write(buf: Buffer): boolean {
      const m = decodeMethod(buf.subarray(7, -1));
      if (m.name === 'basic.ack') sent.push(`ack:${m.deliveryTag}:${m.multiple ? 'm' : 's'}`);
      if (m.name === 'basic.nack') sent.push(`nack:${m.deliveryTag}:${m.multiple ? 'm' : 's'}`);
      return true;
    },
  } as unknown as Channel;
  return { ch, sent };
}

describe('ConfirmTracker', () => {
  it('coalesces a contiguous prefix into one multiple ack and sends the rest singly', () => {
    const t = new ConfirmTracker();
    const { ch, sent } = fakeChannel();
    for (let i = 0; i < 6; i++) t.next();
    t.settle([1, 2, 3, 5], false, ch);
    expect(sent).toEqual(['ack:3:m', 'ack:5:s']);
    t.settle([4], true, ch);
    expect(sent.at(-1)).toBe('nack:4:s'); // 4 was the lowest open id: one single frame
    t.settle([6], false, ch);
    expect(sent.at(-1)).toBe('ack:6:s');
    expect(t.unconfirmed).toBe(0);
  });

  it('ignores ids it never issued or already settled', () => {
    const t = new ConfirmTracker();
    const { ch, sent } = fakeChannel();
    t.next();
    t.settle([1, 1, 7], false, ch);
    expect(sent).toEqual(['ack:1:s']);
  });
});

describe('handshake helpers', () => {
  it('parses PLAIN with and without authzid', () => {
    expect(parseSasl('PLAIN', Buffer.from('\0u\0p'))).toEqual({ username: 'u', password: 'p' });
    expect(parseSasl('PLAIN', Buffer.from('admin\0u\0p\0x'))).toEqual({ username: 'u', password: 'p\0x' });
    expect(parseSasl('PLAIN', Buffer.from('nonul'))).toBeNull();
  });

  it('parses AMQPLAIN as table fields without the length prefix', () => {
    const t = encodeTable({ LOGIN: { type: 'string', value: 'u' }, PASSWORD: { type: 'string', value: 'p' } });
    expect(parseSasl('AMQPLAIN', t.subarray(4))).toEqual({ username: 'u', password: 'p' });
    expect(parseSasl('AMQPLAIN', Buffer.from([1, 2, 3]))).toBeNull();
  });

  it('rejects unknown mechanisms with 503', () => {
    expect(() => parseSasl('EXTERNAL', Buffer.alloc(0))).toThrowError(
      expect.objectContaining({ replyCode: 503, replyText: "COMMAND_INVALID - unknown authentication mechanism 'EXTERNAL'" }),
    );
  });

  it('validates tune-ok like rabbit_reader', () => {
    const server = { frameMax: 131072, channelMax: 2047 };
    expect(() => validateTuneOk(server, { frameMax: 8192, channelMax: 1 })).not.toThrow();
    expect(() => validateTuneOk(server, { frameMax: 131072, channelMax: 2047 })).not.toThrow();
    expect(() => validateTuneOk(server, { frameMax: 8191, channelMax: 1 })).toThrow(/lower than the minimum allowed value \(8192\)/);
    expect(() => validateTuneOk({ frameMax: 0, channelMax: 0 }, { frameMax: 0, channelMax: 0 })).not.toThrow();
  });

  it('checks the protocol header incrementally', () => {
    expect(checkProtocolHeader(Buffer.from('AM'))).toBe('partial');
    expect(checkProtocolHeader(Buffer.from('AMQP\0\0\x09\x01', 'latin1'))).toBe('ok');
    expect(checkProtocolHeader(Buffer.from('AMQP\0\0\x09\x01rest', 'latin1'))).toBe('ok');
    expect(checkProtocolHeader(Buffer.from('AMQP\x01'))).toBe('bad');
    expect(checkProtocolHeader(Buffer.from('G'))).toBe('bad');
  });
});

describe('errors', () => {
  it('formats reply texts as "NAME - detail" within 255 bytes', () => {
    expect(replyText(404, "no queue 'q' in vhost '/'")).toBe("NOT_FOUND - no queue 'q' in vhost '/'");
    expect(replyText(320, 'CONNECTION_FORCED - bye')).toBe('CONNECTION_FORCED - bye');
    expect(Buffer.byteLength(replyText(406, 'é'.repeat(300)))).toBeLessThanOrEqual(255);
  });

  it('maps core error codes; soft vs hard', () => {
    expect(
      (['ACCESS_REFUSED', 'NOT_FOUND', 'RESOURCE_LOCKED', 'PRECONDITION_FAILED', 'INVALID_ARGUMENT', 'NOT_ALLOWED', 'NOT_IMPLEMENTED', 'COMMAND_INVALID', 'INTERNAL_ERROR', 'RESOURCE_ERROR'] as const).map(replyCodeFor),
    ).toEqual([403, 404, 405, 406, 406, 530, 540, 503, 541, 506]);
    const soft = toAmqpError(new BrokerError('NOT_FOUND', 'x'), 50, 10);
    expect([soft.replyCode, soft.hard, soft.classId, soft.methodId]).toEqual([404, false, 50, 10]);
    expect(toAmqpError(new BrokerError('NOT_ALLOWED', 'x'), 0, 0).hard).toBe(true);
    expect(toAmqpError(new Error('boom'), 60, 40).replyCode).toBe(541);
    expect(new AmqpError(504, 'x').hard).toBe(true);
  });
});
