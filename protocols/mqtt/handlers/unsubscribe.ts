/**
 * UNSUBSCRIBE → UNSUBACK.
 *
 * Removes the binding of each filter; for a shared subscription the member's
 * consumer is cancelled, its unacked messages go back to the group's queue,
 * and the queue is deleted with the group's last member. v5 UNSUBACK has one
 * reason per filter: 0x00, or 0x11 No subscription existed [MQTT-3.11.3-1];
 * packet id 0 is malformed [MQTT-2.3.1-1]; no filters → protocol error
 * [MQTT-3.10.3-2].
 */
import type { IUnsubscribePacket } from 'mqtt-packet';
import type { Processor } from '../processor.js';
import { RC, reasonForError } from '../reason-codes.js';
import { cancelConsumer } from './deliver.js';
import { isBrokerError } from '../../../core/index.js';

export function handleUnsubscribe(p: Processor, pkt: IUnsubscribePacket): void {
  if (!pkt.messageId) return p.fail(RC.MALFORMED_PACKET, 'UNSUBSCRIBE without packet identifier');
  if (pkt.unsubscriptions.length === 0) return p.fail(RC.PROTOCOL_ERROR, 'UNSUBSCRIBE without filters');
  const state = p.state!;
  const s = p.session!;
  const codes: number[] = [];
  for (const raw of pkt.unsubscriptions) {
    const sub = state.subscriptions.get(raw);
    if (!sub) {
      codes.push(RC.NO_SUBSCRIPTION_EXISTED);
      continue;
    }
    try {
      state.subscriptions.delete(raw);
      s.unbind({ source: p.ctx.opts.exchange, destination: sub.queue, destinationType: 'queue', routingKey: sub.bindingKey });
      if (sub.kind === 'shared') {
        cancelConsumer(p, sub.queue, true);
        p.ctx.leaveShared(p.vhost, sub.queue, p.clientId, s, p.user!);
      }
      codes.push(RC.SUCCESS);
    } catch (e) {
      codes.push(reasonForError(isBrokerError(e) ? e.code : 'INTERNAL_ERROR'));
    }
  }
  if (p.persistent) p.ctx.saveSession(state);
  if (p.version === 5) p.send({ cmd: 'unsuback', messageId: pkt.messageId, granted: codes });
  else p.send({ cmd: 'unsuback', messageId: pkt.messageId, granted: [] });
}
