/**
 * Packet serializer: mqtt-packet's `generate` with the connection's protocol
 * version, plus a hand-written PUBLISH encoder for the hot delivery path of
 * v3.1/v3.1.1 (no properties: fixed header, topic, packet id, payload).
 */
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';

export function encode(p: Packet, protocolVersion: number): Buffer {
  return mqttPacket.generate(p, { protocolVersion });
}

function varintLength(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

/** v3/v4 PUBLISH without properties. */
export function encodePublishV4(topic: string, payload: Buffer, qos: number, retain: boolean, dup: boolean, packetId: number): Buffer {
  const topicLen = Buffer.byteLength(topic);
  const remaining = 2 + topicLen + (qos > 0 ? 2 : 0) + payload.length;
  const headerLen = 1 + varintLength(remaining);
  const out = Buffer.allocUnsafe(headerLen + remaining);
  out[0] = 0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0);
  let pos = 1;
  let r = remaining;
  do {
    let b = r % 128;
    r = Math.floor(r / 128);
    if (r > 0) b |= 0x80;
    out[pos++] = b;
  } while (r > 0);
  out.writeUInt16BE(topicLen, pos);
  pos += 2;
  pos += out.write(topic, pos, 'utf8');
  if (qos > 0) {
    out.writeUInt16BE(packetId, pos);
    pos += 2;
  }
  payload.copy(out, pos);
  return out;
}
