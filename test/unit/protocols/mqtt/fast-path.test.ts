/** The v3.1/v3.1.1 PUBLISH/PUBACK fast path of MqttReader decodes exactly what mqtt-packet decodes. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { MqttReader } from '../../../../protocols/mqtt/codec/parser.js';

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
