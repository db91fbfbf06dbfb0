/**
 * PUBACK / PUBREC for inbound QoS 1/2 publishes, from the core's confirm
 * batches (inbound.ts keeps the entries).
 *
 * - without holds, a confirm batch is acknowledged at once (v3/v4: one
 *   buffer of 4-byte packets for the batch);
 * - a publish may also wait for adapter state on disk (`holdLastPublish`:
 *   its retained copy, a persistent session's QoS 2 packet id); while any
 *   hold is outstanding, outcomes are only marked and the head of the list is
 *   acknowledged in publish order once nothing before it waits [MQTT-4.6.0-2];
 * - a rejected publish: v5 gets the reason code; v3/v4 have no negative
 *   acknowledgement, so none is sent and the client re-sends (RabbitMQ);
 * - reading resumes (throttle 'confirms') once fewer than half of
 *   mqtt's maxUnconfirmed publishes wait.
 */
import type { ErrorCode } from '../../core/index.js';
import type { Packet } from 'mqtt-packet';
import type { PendingPublish } from './inbound.js';
import { writeAckV4 } from './inbound.js';
import type { Processor } from './processor.js';
import { RC, reasonForError } from './reason-codes.js';

export function confirmInbound(p: Processor, ids: readonly number[]): void {
  const inbound = p.inbound;
  if (inbound.held > 0 || inbound.marked > 0) {
    for (const id of ids) inbound.mark(id, 'ok');
    flushHeld(p);
    return;
  }
  const v5 = p.version === 5;
  let acks: Buffer | undefined; // v3/v4: one buffer for the batch
  let n = 0;
  for (const id of ids) {
    const e = inbound.take(id);
    if (!e || p.phase !== 'connected') continue;
    if (!v5) {
      writeAckV4((acks ??= Buffer.allocUnsafe(ids.length * 4)), n, e.qos, e.packetId);
      n += 4;
      continue;
    }
    ackInbound(p, e, 'ok');
  }
  if (acks && !p.conn.isClosing) p.conn.write(n === acks.length ? acks : acks.subarray(0, n));
  unthrottleConfirms(p);
}

export function rejectInbound(p: Processor, ids: readonly number[], code: ErrorCode): void {
  const inbound = p.inbound;
  if (inbound.held > 0 || inbound.marked > 0) {
    for (const id of ids) inbound.mark(id, code);
    flushHeld(p);
    return;
  }
  for (const id of ids) {
    const e = inbound.take(id);
    if (e && p.phase === 'connected') ackInbound(p, e, code);
  }
  unthrottleConfirms(p);
}

/**
 * The latest inbound publish also waits for `stored` (its retained copy or
 * QoS 2 packet id reaching the disk) before it is acknowledged. A failed
 * write is logged; the publish is still acknowledged (it was routed).
 */
export function holdLastPublish(p: Processor, stored: Promise<void>): void {
  const inbound = p.inbound;
  const e = inbound.get(inbound.lastId);
  if (!e) return;
  e.holds++;
  inbound.held++;
  stored
    .catch((err: unknown) => p.log.warn({ clientId: p.clientId, err: String(err) }, 'mqtt: session state write failed'))
    .finally(() => {
      if (e.holds === 0) return; // taken meanwhile (connection gone)
      e.holds--;
      inbound.held--;
      flushHeld(p);
    });
}

/** Acknowledges, in publish order, every head entry that has its outcome and no hold. */
function flushHeld(p: Processor): void {
  for (let e = p.inbound.takeReadyHead(); e; e = p.inbound.takeReadyHead()) {
    if (p.phase === 'connected') ackInbound(p, e, e.outcome!);
  }
  unthrottleConfirms(p);
}

/** PUBACK/PUBREC for one publish: confirmed ('ok') or rejected with the core's code. */
function ackInbound(p: Processor, e: PendingPublish, outcome: 'ok' | ErrorCode): void {
  const v5 = p.version === 5;
  if (outcome === 'ok') {
    if (!v5) {
      p.send({ cmd: e.qos === 1 ? 'puback' : 'pubrec', messageId: e.packetId } as Packet);
      return;
    }
    const reasonCode = e.routed === 0 ? RC.NO_MATCHING_SUBSCRIBERS : RC.SUCCESS;
    p.send({ cmd: e.qos === 1 ? 'puback' : 'pubrec', messageId: e.packetId, reasonCode } as Packet);
    return;
  }
  if (e.qos === 2) p.releaseInboundQos2(e.packetId);
  if (v5) p.send({ cmd: e.qos === 1 ? 'puback' : 'pubrec', messageId: e.packetId, reasonCode: reasonForError(outcome) } as Packet);
}

function unthrottleConfirms(p: Processor): void {
  if (p.inbound.size < p.ctx.opts.maxUnconfirmed / 2 && p.conn.isThrottled('confirms')) {
    p.conn.throttle('confirms', false);
  }
}
