/** PINGREQ → PINGRESP [MQTT-3.12.4-1]. */
import type { Processor } from '../processor.js';

export function handlePingreq(p: Processor): void {
  p.send({ cmd: 'pingresp' });
}
