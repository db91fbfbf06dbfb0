/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP.
 *
 * Outbound (we sent the PUBLISH):
 * - PUBACK (QoS 1) acks the core delivery and frees the packet id;
 * - PUBREC (QoS 2) acks the core delivery (the client owns the message now),
 *   and we answer PUBREL [MQTT-4.3.3-4]; the packet id stays in use until
 *   PUBCOMP, in the session state so a reconnect re-sends the PUBREL
 *   [MQTT-4.4.0-1]; a v5 PUBREC with a failure reason ends the flow;
 * - acks for unknown packet ids are ignored (late acks after a reconnect).
 * Inbound (the client sent a QoS 2 PUBLISH):
 * - PUBREL releases the packet id and gets PUBCOMP [MQTT-4.3.3-11]; v5 answers
 *   0x92 Packet Identifier not found for an unknown id.
 */
import type { IPubackPacket, IPubcompPacket, IPubrecPacket, IPubrelPacket } from 'mqtt-packet';
import type { Processor } from '../processor.js';
import { RC } from '../reason-codes.js';

function ackCore(p: Processor, tag: number): void {
  if (tag < 0) return;
  try {
    p.session!.ack(tag, false);
  } catch {
    /* already settled (e.g. consumer gone) */
  }
}

export function handlePuback(p: Processor, pkt: IPubackPacket): void {
  const id = pkt.messageId ?? 0;
  const f = p.outbound.inflight.get(id);
  if (!f || f.qos !== 1) return;
  p.outbound.inflight.delete(id);
  ackCore(p, f.tag);
}

export function handlePubrec(p: Processor, pkt: IPubrecPacket): void {
  const id = pkt.messageId ?? 0;
  const f = p.outbound.inflight.get(id);
  const state = p.state!;
  if (!f || f.qos !== 2) {
    if (state.outboundPubrel.has(id)) p.send(p.version === 5 ? { cmd: 'pubrel', messageId: id, reasonCode: 0 } : { cmd: 'pubrel', messageId: id });
    else if (p.version === 5) p.send({ cmd: 'pubrel', messageId: id, reasonCode: RC.PACKET_IDENTIFIER_NOT_FOUND });
    return;
  }
  p.outbound.inflight.delete(id);
  ackCore(p, f.tag);
  if (p.version === 5 && (pkt.reasonCode ?? 0) >= 0x80) return; // the receiver refused it [MQTT-4.3.3-4 (v5)]
  state.outboundPubrel.add(id);
  if (p.persistent) p.ctx.durable?.addOutboundPubrel(state, id);
  p.send(p.version === 5 ? { cmd: 'pubrel', messageId: id, reasonCode: 0 } : { cmd: 'pubrel', messageId: id });
}

export function handlePubcomp(p: Processor, pkt: IPubcompPacket): void {
  const id = pkt.messageId ?? 0;
  const state = p.state!;
  if (state.outboundPubrel.delete(id) && p.persistent) p.ctx.durable?.removeOutboundPubrel(state, id);
}

export function handlePubrel(p: Processor, pkt: IPubrelPacket): void {
  const id = pkt.messageId ?? 0;
  const known = p.releaseInboundQos2(id);
  if (p.version === 5) {
    p.send({ cmd: 'pubcomp', messageId: id, reasonCode: known ? RC.SUCCESS : RC.PACKET_IDENTIFIER_NOT_FOUND });
  } else {
    p.send({ cmd: 'pubcomp', messageId: id });
  }
}
