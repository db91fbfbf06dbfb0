/**
 * DISCONNECT from the client: a normal close, so the will is discarded
 * [MQTT-3.14.4-3] — unless v5 reason 0x04 Disconnect with Will Message.
 * v5 may change the Session Expiry Interval, but not from 0 to non-zero
 * [MQTT-3.14.2-2 (v5)] (protocol error). The server closes the connection
 * [MQTT-3.14.4-1].
 */
import type { IDisconnectPacket } from 'mqtt-packet';
import type { Processor } from '../processor.js';
import { RC } from '../reason-codes.js';

export function handleDisconnect(p: Processor, pkt: IDisconnectPacket): void {
  const state = p.state!;
  if (p.version === 5) {
    const sei = pkt.properties?.sessionExpiryInterval;
    if (sei !== undefined) {
      if (state.expirySeconds === 0 && sei > 0) return p.fail(RC.PROTOCOL_ERROR, 'Session Expiry Interval set on DISCONNECT after 0');
      state.expirySeconds = Math.min(sei, p.ctx.opts.maxSessionExpirySeconds);
      p.persistent = state.expirySeconds > 0;
    }
  }
  const withWill = p.version === 5 && pkt.reasonCode === RC.DISCONNECT_WITH_WILL;
  p.cleanup(withWill);
  p.conn.end();
}
