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

/** v3/v4 PUBLISH without properties; `topic` may be given already UTF-8 encoded (a subscriber's repeated topic). */
export function encodePublishV4(topic: string | Buffer, payload: Buffer, qos: number, retain: boolean, dup: boolean, packetId: number): Buffer {
  const topicLen = typeof topic === 'string' ? Buffer.byteLength(topic) : topic.length;
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
  if (typeof topic === 'string') pos += out.write(topic, pos, 'utf8');
  else if (topicLen <= 64) {
    for (let i = 0; i < topicLen; i++) out[pos++] = topic[i]!; // a short loop beats a native copy call
  } else pos += topic.copy(out, pos);
  if (qos > 0) {
    out.writeUInt16BE(packetId, pos);
    pos += 2;
  }
  payload.copy(out, pos);
  return out;
}
