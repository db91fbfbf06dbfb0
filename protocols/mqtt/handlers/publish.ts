/**
 * Inbound PUBLISH → core.publish to the MQTT exchange.
 *
 * - DUP must be 0 for QoS 0 [MQTT-3.3.1-2]; QoS 1/2 need a packet id ≠ 0
 *   [MQTT-2.3.1-1]; no wildcards in the topic name [MQTT-3.3.2-2];
 * - v5 Topic Alias: 0 or above our Topic Alias Maximum → DISCONNECT 0x94
 *   [MQTT-3.3.2-9]; an empty topic with an unknown alias → 0x82;
 *   a topic with an alias (re)defines it [MQTT-3.3.2-12];
 * - RETAIN stores (or, with an empty payload, clears) the retained message
 *   of the topic [MQTT-3.3.1-5] [MQTT-3.3.1-6];
 * - QoS 0 is fire-and-forget; QoS 1 → PUBACK and QoS 2 → PUBREC only once
 *   the core confirmed the message (processor.onConfirmed);
 * - QoS 2 exactly-once: the packet id is remembered until PUBREL, so a
 *   re-sent PUBLISH with that id is not routed again [MQTT-4.3.3-10]; the
 *   state lives in the session (survives reconnects of persistent sessions,
 *   and restarts: PUBREC waits until the id is on disk, durable-state.ts);
 * - v5 Receive Maximum: more unacknowledged QoS 1/2 publishes than we
 *   advertised → DISCONNECT 0x93 [MQTT-3.3.4-8 (v5)];
 * - permission refused: v5 QoS 1/2 get reason 0x87 in PUBACK/PUBREC,
 *   otherwise the connection closes (RabbitMQ disconnect_on_unauthorized);
 * - under a resource alarm, the first PUBLISH of a connection is handled and
 *   then reading stops (processor.setAlarm / notePublished).
 */
import type { IPublishPacket, QoS } from 'mqtt-packet';
import { isBrokerError } from '../../../core/index.js';
import type { Processor } from '../processor.js';
import { toMessage } from '../properties.js';
import { RC, reasonForError } from '../reason-codes.js';
import { topicMatches, topicNameError } from '../topics.js';

export function handlePublish(p: Processor, pkt: IPublishPacket): void {
  p.notePublished(); // resource alarms block publishers only
  const v5 = p.version === 5;
  const qos = pkt.qos as QoS;
  if (qos === 0 && pkt.dup) return p.fail(RC.MALFORMED_PACKET, 'DUP set on a QoS 0 PUBLISH'); // [MQTT-3.3.1-2]
  if (qos > 0 && !pkt.messageId) return p.fail(RC.MALFORMED_PACKET, 'PUBLISH without packet identifier');
  let topic = pkt.topic;
  const props = pkt.properties;
  if (v5 && props?.topicAlias !== undefined) {
    const alias = props.topicAlias;
    if (alias === 0 || alias > p.ctx.opts.topicAliasMaximum) return p.fail(RC.TOPIC_ALIAS_INVALID, `topic alias ${alias} out of range`);
    if (topic === '') {
      const known = p.aliasesIn.get(alias);
      if (known === undefined) return p.fail(RC.PROTOCOL_ERROR, `unknown topic alias ${alias}`);
      topic = known;
    } else {
      p.aliasesIn.set(alias, topic);
    }
  }
  const err = topicNameError(topic);
  if (err) return p.fail(v5 ? RC.TOPIC_NAME_INVALID : RC.MALFORMED_PACKET, err);
  const state = p.state!;
  const packetId = pkt.messageId ?? 0;

  if (qos === 2 && state.inboundQos2.has(packetId)) {
    // already routed: acknowledge again once its confirm is in, never route twice [MQTT-4.3.3-10]
    if (!p.isPendingQos2(packetId)) p.send(v5 ? { cmd: 'pubrec', messageId: packetId, reasonCode: 0 } : { cmd: 'pubrec', messageId: packetId });
    return;
  }
  if (qos > 0 && v5 && p.inboundInFlight >= p.ctx.opts.receiveMaximum) {
    return p.fail(RC.RECEIVE_MAXIMUM_EXCEEDED, 'Receive Maximum exceeded');
  }

  const o = p.ctx.opts;
  const payload = typeof pkt.payload === 'string' ? Buffer.from(pkt.payload) : pkt.payload;
  const msg = toMessage(
    o.exchange,
    { routingKey: p.routingKeyOf(topic), payload, qos, retain: pkt.retain, properties: v5 ? props : undefined },
    o.topicEscaping,
  );
  if (msg.properties.expiration !== undefined) p.ctx.publishedAt.set(msg, Date.now());
  for (const sub of state.subscriptions.values()) {
    if (sub.noLocal && topicMatches(sub.filter, topic)) {
      p.ownPublished.add(msg);
      break;
    }
  }
  try {
    if (qos === 2) state.inboundQos2.add(packetId);
    p.publishToCore(msg, packetId, qos);
  } catch (e) {
    if (qos === 2) p.releaseInboundQos2(packetId);
    const code = isBrokerError(e) ? e.code : 'INTERNAL_ERROR';
    p.log.info({ clientId: p.clientId, topic, err: String(e) }, 'mqtt: publish refused');
    if (v5 && qos > 0) {
      p.send({ cmd: qos === 1 ? 'puback' : 'pubrec', messageId: packetId, reasonCode: reasonForError(code) });
      return;
    }
    return p.fail(reasonForError(code), `publish refused: ${code}`);
  }
  // the acknowledgement waits for the packet id / retained copy to be on disk (durable state)
  const durable = p.ctx.durable;
  if (qos === 2 && p.persistent && durable) p.holdLastPublish(durable.addInboundQos2(state, packetId));
  if (pkt.retain) {
    const r = p.ctx.retained.forVhost(p.vhost).set(topic, msg);
    if (r === false) p.log.warn({ clientId: p.clientId, topic }, 'mqtt: retained message limit reached');
    else if (r !== true && qos > 0) p.holdLastPublish(r);
  }
}
