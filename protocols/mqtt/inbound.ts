/**
 * Inbound QoS 1/2 publishes awaiting the core's confirm, by confirm id.
 * PUBACK/PUBREC go out only once the core confirmed the message
 * [MQTT-4.3.2-2] [MQTT-4.3.3-2]; v3/v4 acknowledgements of one confirm batch
 * are written as one buffer of 4-byte packets.
 */
import type { QoS } from 'mqtt-packet';

export interface PendingPublish {
  readonly packetId: number;
  readonly qos: QoS;
  /** queues the core routed it to (v5: 0 → reason 0x10 No matching subscribers) */
  routed: number;
}

export class InboundConfirms {
  /** created on the first QoS 1/2 publish */
  private map: Map<number, PendingPublish> | undefined;
  private next = 1;
  /** entries with QoS 2 */
  private qos2 = 0;

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
    (this.map ??= new Map()).set(id, { packetId, qos, routed: 0 });
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

  /** Removes and returns the entry of a confirm id. */
  take(confirmId: number): PendingPublish | undefined {
    const e = this.map?.get(confirmId);
    if (e) {
      this.map!.delete(confirmId);
      if (e.qos === 2) this.qos2--;
    }
    return e;
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
