import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { MqttReader } from '../../../../protocols/mqtt/codec/parser.js';
import type { ReadErrorKind } from '../../../../protocols/mqtt/codec/parser.js';
import { encodePublishV4 } from '../../../../protocols/mqtt/codec/writer.js';

interface Out {
  packets: Packet[];
  errors: { kind: ReadErrorKind; message: string }[];
}

function reader(max = 1024 * 1024): { r: MqttReader; out: Out } {
  const out: Out = { packets: [], errors: [] };
  const r = new MqttReader(max, { packet: (p) => out.packets.push(p), error: (kind, message) => out.errors.push({ kind, message }) });
  return { r, out };
}

const v5 = { protocolVersion: 5 };
const connect5: Packet = { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, clientId: 'c', keepalive: 30, properties: { receiveMaximum: 20 } } as Packet;
const stream5: Packet[] = [
  connect5,
  { cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(300, 1), qos: 1, messageId: 5, retain: false, dup: false, properties: { userProperties: { k: ['a', 'b'] }, contentType: 'x' } },
  { cmd: 'subscribe', messageId: 6, subscriptions: [{ topic: 'a/+', qos: 1, nl: false, rap: true, rh: 1 }] } as Packet,
  { cmd: 'pingreq' },
  { cmd: 'puback', messageId: 9, reasonCode: 0 } as Packet,
  { cmd: 'pubrel', messageId: 10, reasonCode: 0 } as Packet,
  { cmd: 'unsubscribe', messageId: 11, unsubscriptions: ['a/+'] } as Packet,
  { cmd: 'disconnect', reasonCode: 0 } as Packet,
];
const bytes5 = Buffer.concat(stream5.map((p) => mqttPacket.generate(p, v5)));

function summary(ps: Packet[]): unknown[] {
  return ps.map((p) => {
    const { length: _l, ...rest } = p as Packet & { length?: number };
    return JSON.parse(JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === null ? { ...v } : v)));
  });
}

describe('MqttReader framing', () => {
  const whole = reader();
  whole.r.push(bytes5);
  const expected = summary(whole.out.packets);

  it('parses a v5 stream fed at once', () => {
    expect(whole.out.errors).toEqual([]);
    expect(whole.out.packets.map((p) => p.cmd)).toEqual(stream5.map((p) => p.cmd));
  });

  it('parses the same stream fed one byte at a time', () => {
    const { r, out } = reader();
    for (let i = 0; i < bytes5.length; i++) r.push(bytes5.subarray(i, i + 1));
    expect(out.errors).toEqual([]);
    expect(summary(out.packets)).toEqual(expected);
  });

  it('parses the stream split at every offset', () => {
    for (let i = 1; i < bytes5.length; i++) {
      const { r, out } = reader();
      r.push(bytes5.subarray(0, i));
      r.push(bytes5.subarray(i));
      expect(out.errors).toEqual([]);
      expect(summary(out.packets)).toEqual(expected);
    }
  });

  it('hand-written v4 PUBLISH encoder matches mqtt-packet', () => {
    for (const qos of [0, 1, 2] as const) {
      for (const size of [0, 10, 200, 20000]) {
        const payload = Buffer.alloc(size, 7);
        const mine = encodePublishV4('ä/b', payload, qos, true, qos > 0, 42);
        const theirs = mqttPacket.generate({ cmd: 'publish', topic: 'ä/b', payload, qos, retain: true, dup: qos > 0, messageId: 42 });
        expect(mine.equals(theirs)).toBe(true);
      }
    }
  });
});

describe('MqttReader limits and malformed input', () => {
  it('rejects a packet over the maximum size from its fixed header, before buffering the body', () => {
    const { r, out } = reader(1000);
    r.push(Buffer.from([0x30, 0x80, 0x80, 0x40])); // PUBLISH, remaining length 1 MiB
    expect(out.errors).toEqual([{ kind: 'too_large', message: expect.stringContaining('exceeds') }]);
    expect(r.buffered).toBe(0);
    r.push(Buffer.alloc(5000));
    expect(out.packets).toHaveLength(0);
  });

  it('a 5-byte Remaining Length is malformed [MQTT-1.5.5-1]', () => {
    const { r, out } = reader();
    r.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(out.errors[0]!.kind).toBe('malformed');
  });

  it('reserved packet type 0 is malformed', () => {
    const { r, out } = reader();
    r.push(Buffer.from([0x00, 0x00]));
    expect(out.errors[0]!.kind).toBe('malformed');
  });

  it.each([
    ['SUBSCRIBE with flags 0 [MQTT-3.8.1-1]', [0x80, 0x06, 0, 1, 0, 1, 0x61, 0]],
    ['PUBREL with flags 0 [MQTT-3.6.1-1]', [0x60, 0x02, 0, 1]],
    ['UNSUBSCRIBE with flags 0 [MQTT-3.10.1-1]', [0xa0, 0x05, 0, 1, 0, 1, 0x61]],
    ['PINGREQ with flags 1 [MQTT-2.2.2-2]', [0xc1, 0x00]],
    ['PUBLISH with QoS 3 [MQTT-3.3.1-4]', [0x36, 0x05, 0, 1, 0x61, 0, 1]],
    ['SUBSCRIBE with requested QoS 3 [MQTT-3.8.3-4]', [0x82, 0x06, 0, 1, 0, 1, 0x61, 3]],
    ['CONNECT with reserved flag set [MQTT-3.1.2-3]', [0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x03, 0, 0, 0, 1, 0x61]],
    ['PUBLISH with ill-formed UTF-8 topic [MQTT-1.5.3-1]', [0x30, 0x05, 0, 2, 0xc3, 0x28, 0x78]],
    ['PUBLISH with an encoded surrogate [MQTT-1.5.3-1]', [0x30, 0x06, 0, 3, 0xed, 0xa0, 0x80, 0x78]],
  ])('%s', (_name, b) => {
    const { r, out } = reader();
    r.push(Buffer.from(b));
    expect(out.errors).toHaveLength(1);
    expect(out.packets).toHaveLength(0);
  });

  it('accepts a genuine U+FFFD in a topic', () => {
    const { r, out } = reader();
    r.push(mqttPacket.generate({ cmd: 'publish', topic: 'a/\uFFFD', payload: Buffer.from('x'), qos: 0, retain: false, dup: false }));
    expect(out.errors).toEqual([]);
    expect((out.packets[0] as { topic: string }).topic).toBe('a/\uFFFD');
  });

  it('a v5 property given twice is a protocol error', () => {
    const { r, out } = reader();
    r.push(mqttPacket.generate(connect5, v5));
    // PUBLISH v5 with Content Type (0x03) twice
    const props = Buffer.from([0x03, 0, 1, 0x61, 0x03, 0, 1, 0x62]);
    const body = Buffer.concat([Buffer.from([0, 1, 0x74]), Buffer.from([props.length]), props, Buffer.from('p')]);
    r.push(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    expect(out.errors[0]!.kind).toBe('protocol');
  });

  it('stops after the first error', () => {
    const { r, out } = reader();
    r.push(Buffer.from([0x00, 0x00, 0xc0, 0x00]));
    r.push(Buffer.from([0xc0, 0x00]));
    expect(out.errors).toHaveLength(1);
    expect(out.packets).toHaveLength(0);
  });

  it('random bytes never throw (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (arr, step) => {
        const { r } = reader(4096);
        r.push(mqttPacket.generate(connect5, v5));
        const buf = Buffer.from(arr);
        for (let i = 0; i < buf.length; i += step) r.push(buf.subarray(i, i + step));
      }),
      { numRuns: 2000 },
    );
  });
});
