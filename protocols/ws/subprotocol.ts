/**
 * Sec-WebSocket-Protocol negotiation as RabbitMQ's Web STOMP / Web MQTT do
 * (rabbit_web_stomp_handler, rabbit_web_mqtt_handler):
 * - STOMP: optional; of v10.stomp / v11.stomp / v12.stomp the highest offered
 *   one is echoed; without one the connection is still accepted;
 * - MQTT: required; `mqtt` (or legacy `mqttv3.1`) must be offered, otherwise
 *   the upgrade is refused with HTTP 400 ([MQTT-6.0.0-3]).
 */
export type WsProtocol = 'stomp' | 'mqtt';

const STOMP_PREFERENCE = ['v12.stomp', 'v11.stomp', 'v10.stomp'];
const MQTT_PREFERENCE = ['mqtt', 'mqttv3.1'];

/** Subprotocols offered in a Sec-WebSocket-Protocol header value. */
export function parseOffered(header: string | undefined): Set<string> {
  const out = new Set<string>();
  if (header === undefined) return out;
  for (const p of header.split(',')) {
    const t = p.trim();
    if (t !== '') out.add(t);
  }
  return out;
}

/**
 * The subprotocol to echo; null = accept without one; false = refuse (400).
 */
export function chooseSubprotocol(kind: WsProtocol, offered: ReadonlySet<string>): string | null | false {
  const pref = kind === 'stomp' ? STOMP_PREFERENCE : MQTT_PREFERENCE;
  for (const p of pref) if (offered.has(p)) return p;
  // case-insensitive fallback (some clients send MQTT)
  for (const o of offered) {
    const lower = o.toLowerCase();
    if (pref.includes(lower)) return o;
  }
  return kind === 'stomp' ? null : false;
}
