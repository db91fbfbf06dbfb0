/**
 * AUTH (v5 enhanced authentication).
 *
 * Not implemented yet: CONNECT with an Authentication Method is refused with
 * CONNACK 0x8C (connect.ts), so an AUTH packet can only be a protocol error
 * [MQTT-3.15.2-1 (v5)]; AUTH on v3/v4 never parses (mqtt-packet rejects it).
 */
import type { IAuthPacket } from 'mqtt-packet';
import type { Processor } from '../processor.js';
import { RC } from '../reason-codes.js';

export function handleAuth(p: Processor, _pkt: IAuthPacket): void {
  p.fail(RC.PROTOCOL_ERROR, 'AUTH without an authentication method');
}
