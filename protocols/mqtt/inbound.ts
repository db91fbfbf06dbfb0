/**
 * Inbound QoS 1/2 publishes awaiting the core's confirm, by confirm id.
 * PUBACK/PUBREC go out only once the core confirmed the message
 * [MQTT-4.3.2-2] [MQTT-4.3.3-2]; v3/v4 acknowledgements of one confirm batch
 * are written as one buffer of 4-byte packets.
 *
 * Holds: a publish may also wait for adapter state to reach the disk (the
 * retained copy, a persistent session's QoS 2 packet id). While any hold is
 * outstanding, confirmed publishes are only marked, and acknowledged from the
 * head in publish order once nothing before them waits [MQTT-4.6.0-2]
 * (`takeReadyHead`); without holds the confirm batch is acknowledged at once.
 */
import type { ErrorCode } from '../../core/index.js';
import type { QoS } from 'mqtt-packet';

export interface PendingPublish {
  readonly packetId: number;
  readonly qos: QoS;
  /** queues the core routed it to (v5: 0 → reason 0x10 No matching subscribers) */
  routed: number;
  /** adapter writes it still waits for */
  holds: number;
  /** set when confirmed ('ok') or rejected (the core's code) while it waited behind a hold */
  outcome: 'ok' | ErrorCode | undefined;
}

export class InboundConfirms {
  /** created on the first QoS 1/2 publish */
  private map: Map<number, PendingPublish> | undefined;
  private next = 1;
  /** entries with QoS 2 */
  private qos2 = 0;
  /** outstanding holds over all entries */
  held = 0;
  /** entries with an outcome, not yet taken */
  marked = 0;
  /** confirm id of the latest `begin` */
  lastId = 0;

  get size(): number {
    return this.map?.size ?? 0;
  }

  /** QoS 1 publishes awaiting their confirm (not yet PUBACKed) */
  get qos1Size(): number {
    return this.size - this.qos2;
  }

  /** Registers a publish; returns the confirm id to give the core. */
  begin(packetId: number, qos: QoS): number {
    const id = this.next++;
    this.lastId = id;
    (this.map ??= new Map()).set(id, { packetId, qos, routed: 0, holds: 0, outcome: undefined });
    if (qos === 2) this.qos2++;
    return id;
  }

  setRouted(confirmId: number, routed: number): void {
    const e = this.map?.get(confirmId);
    if (e) e.routed = routed;
  }

  cancel(confirmId: number): void {
    this.take(confirmId);
  }

  get(confirmId: number): PendingPublish | undefined {
    return this.map?.get(confirmId);
  }

  /** Removes and returns the entry of a confirm id. */
  take(confirmId: number): PendingPublish | undefined {
    const e = this.map?.get(confirmId);
    if (e) {
      this.map!.delete(confirmId);
      if (e.qos === 2) this.qos2--;
      if (e.outcome !== undefined) this.marked--;
      this.held -= e.holds;
      e.holds = 0;
    }
    return e;
  }

  /** Records the core's outcome of an entry that must wait its turn. */
  mark(confirmId: number, outcome: 'ok' | ErrorCode): void {
    const e = this.map?.get(confirmId);
    if (!e || e.outcome !== undefined) return;
    e.outcome = outcome;
    this.marked++;
  }

  /** The oldest entry, taken, if it has its outcome and waits for nothing. */
  takeReadyHead(): PendingPublish | undefined {
    if (!this.map) return undefined;
    for (const [id, e] of this.map) {
      if (e.outcome === undefined || e.holds > 0) return undefined;
      return this.take(id);
    }
    return undefined;
  }

  hasQos2(packetId: number): boolean {
    if (!this.map) return false;
    for (const e of this.map.values()) if (e.qos === 2 && e.packetId === packetId) return true;
    return false;
  }
}

/** PUBACK (QoS 1) or PUBREC (QoS 2) for v3/v4: 4 bytes at `at`. */
export function writeAckV4(out: Buffer, at: number, qos: QoS, packetId: number): void {
  out[at] = qos === 1 ? 0x40 : 0x50;
  out[at + 1] = 2;
  out.writeUInt16BE(packetId, at + 2);
}
