/** The v3.1/v3.1.1 PUBLISH/PUBACK fast path of MqttReader decodes exactly what mqtt-packet decodes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { MqttReader } from '../../../../protocols/mqtt/codec/parser.js';
import { encodePublishV4 } from '../../../../protocols/mqtt/codec/writer.js';

function decodeAfterConnect(version: 3 | 4, pkt: Buffer): { packets: Packet[]; errors: string[] } {
  const packets: Packet[] = [];
  const errors: string[] = [];
  const r = new MqttReader(1 << 20, { packet: (p) => packets.push(p), error: (_k, m) => errors.push(m) });
  const connect = { cmd: 'connect', protocolId: version === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: version, clean: true, clientId: 'c', keepalive: 0 } as Packet;
  r.push(mqttPacket.generate(connect));
  r.push(pkt);
  return { packets: packets.slice(1), errors };
}

function reference(pkt: Buffer, version: number): Packet {
  const p = mqttPacket.parser({ protocolVersion: version });
  let out: Packet | undefined;
  p.on('packet', (x: Packet) => (out = x));
  p.parse(pkt);
  return out!;
}

const pick = (p: Packet): Record<string, unknown> => {
  const o = p as unknown as Record<string, unknown>;
  return { cmd: o['cmd'], topic: o['topic'], qos: o['qos'], dup: o['dup'], retain: o['retain'], messageId: o['messageId'], payload: o['payload'] ? Buffer.from(o['payload'] as Buffer).toString('hex') : o['payload'] };
};

describe('v3/v4 fast path', () => {
  it('PUBLISH (any topic, QoS 0-2, flags, payload) decodes as mqtt-packet does', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.constantFrom(0, 1, 2),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 65535 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(3, 4),
        (topic, qos, dup, retain, messageId, payload, version) => {
          const pkt = mqttPacket.generate({ cmd: 'publish', topic, qos: qos as 0 | 1 | 2, dup: dup && qos > 0, retain, messageId, payload: Buffer.from(payload) } as Packet);
          const got = decodeAfterConnect(version as 3 | 4, pkt);
          expect(got.errors).toEqual([]);
          expect(got.packets.map(pick)).toEqual([pick(reference(pkt, version))]);
        },
      ),
    );
  });

  it('PUBACK decodes as mqtt-packet does; QoS 3 and truncated packets still fail', () => {
    const ack = mqttPacket.generate({ cmd: 'puback', messageId: 4242 } as Packet);
    expect(decodeAfterConnect(4, ack).packets.map(pick)).toEqual([pick(reference(ack, 4))]);
    const q3 = Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]);
    expect(decodeAfterConnect(4, q3).errors).toHaveLength(1);
    const short = Buffer.from([0x32, 0x03, 0x00, 0x01, 0x61]); // QoS 1 without packet id
    expect(decodeAfterConnect(4, short).errors).toHaveLength(1);
    const badUtf8 = Buffer.from([0x30, 0x05, 0x00, 0x02, 0xc3, 0x28, 0x78]);
    expect(decodeAfterConnect(4, badUtf8).errors).toEqual(['ill-formed UTF-8 string']);
  });
});

describe('v4 stream through the fast path (packets decoded in place, topic cache)', () => {
  const pub = (topic: string, qos: 0 | 1, id: number, body: string): Packet =>
    ({ cmd: 'publish', topic, qos, dup: false, retain: false, ...(qos > 0 ? { messageId: id } : {}), payload: Buffer.from(body) }) as Packet;
  const stream: Packet[] = [
    pub('a/b', 1, 1, 'one'),
    pub('a/c', 1, 2, 'two'), // same length, other topic: the cached string must not be reused
    pub('a/b', 0, 0, ''),
    { cmd: 'puback', messageId: 7 } as Packet,
    pub('x'.repeat(300), 1, 3, 'long topic, not cached'),
    pub('ä/ö', 1, 4, 'utf8'),
    { cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: 'a/+', qos: 1 }] } as Packet,
    pub('ä/ö', 1, 6, 'utf8 again'),
    { cmd: 'pingreq' } as Packet,
    { cmd: 'puback', messageId: 8 } as Packet,
  ];
  const encoded = stream.map((p) => mqttPacket.generate(p));
  const bytes = Buffer.concat(encoded);
  const expected = encoded.map((b) => pick(reference(b, 4)));

  function feed(cuts: number[]): { packets: Packet[]; errors: string[] } {
    const packets: Packet[] = [];
    const errors: string[] = [];
    const r = new MqttReader(1 << 20, { packet: (p) => packets.push(p), error: (_k, m) => errors.push(m) });
    r.push(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'c', keepalive: 0 } as Packet));
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      r.push(bytes.subarray(at, c));
      at = c;
    }
    return { packets: packets.slice(1), errors };
  }

  it('decodes the stream fed at once, split at every offset, and in random pieces', () => {
    expect(feed([])).toEqual({ packets: expect.any(Array), errors: [] });
    expect(feed([]).packets.map(pick)).toEqual(expected);
    for (let i = 1; i < bytes.length; i++) expect(feed([i]).packets.map(pick)).toEqual(expected);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const got = feed(cuts.sort((a, b) => a - b));
        expect(got.errors).toEqual([]);
        expect(got.packets.map(pick)).toEqual(expected);
      }),
    );
  });

  it('an ill-formed topic is refused even when a valid one of the same length is cached', () => {
    const ok = mqttPacket.generate(pub('ab', 0, 0, 'x'));
    const bad = Buffer.from([0x30, 0x05, 0x00, 0x02, 0xc3, 0x28, 0x78]);
    const got = decodeAfterConnect(4, Buffer.concat([ok, bad]));
    expect(got.packets.map((p) => (p as { topic: string }).topic)).toEqual(['ab']);
    expect(got.errors).toEqual(['ill-formed UTF-8 string']);
  });

  it('the PUBLISH encoder gives the same bytes for a string or a pre-encoded topic', () => {
    for (const topic of ['a/b', 'ä/ö', 't'.repeat(100)]) {
      const payload = Buffer.from('payload');
      expect(encodePublishV4(Buffer.from(topic), payload, 1, false, false, 9).equals(encodePublishV4(topic, payload, 1, false, false, 9))).toBe(true);
    }
  });
});
