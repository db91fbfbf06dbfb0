// Raw MQTT 3.1.1 wire helpers for the load generator: packets pre-encoded
// with mqtt-packet once, and a minimal fixed-header framer that hands each
// packet's type, flags and body offsets to a callback without allocating.
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';
import { connect, type Socket } from 'node:net';

export const T_CONNACK = 2;
export const T_PUBLISH = 3;
export const T_PUBACK = 4;
export const T_SUBACK = 9;

export function encode(p: Packet): Buffer {
  return mqttPacket.generate(p);
}

export function connectPacket(clientId: string, keepalive = 600, clean = true): Buffer {
  return encode({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, clientId, keepalive, username: 'guest', password: Buffer.from('guest') } as Packet);
}

export function subscribePacket(topic: string, qos: 0 | 1, messageId = 1): Buffer {
  return encode({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] } as Packet);
}

export function publishPacket(topic: string, payload: Buffer, qos: 0 | 1, messageId = 0): Buffer {
  return encode({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos > 0 ? { messageId } : {}) } as Packet);
}

const PUBACK = Buffer.from([0x40, 0x02, 0, 0]);
/** PUBACK for packet id `id` written into `out` at `at`. */
export function writePuback(out: Buffer, at: number, id: number): void {
  PUBACK.copy(out, at);
  out.writeUInt16BE(id, at + 2);
}

/** Calls `onPacket(type, flags, buf, bodyStart, bodyEnd)` for each complete packet. */
export class Framer {
  private pending: Buffer | undefined;
  private readonly onPacket: (type: number, flags: number, b: Buffer, start: number, end: number) => void;

  constructor(onPacket: (type: number, flags: number, b: Buffer, start: number, end: number) => void) {
    this.onPacket = onPacket;
  }

  push(chunk: Buffer): void {
    let b = chunk;
    if (this.pending) {
      b = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let i = 0;
    const n = b.length;
    while (i < n) {
      if (n - i < 2) break;
      let len = 0;
      let mul = 1;
      let j = i + 1;
      let complete = false;
      while (j < n && j < i + 5) {
        const c = b[j++]!;
        len += (c & 0x7f) * mul;
        mul *= 128;
        if ((c & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || j + len > n) break;
      this.onPacket(b[i]! >> 4, b[i]! & 0x0f, b, j, j + len);
      i = j + len;
    }
    if (i < n) this.pending = b.subarray(i);
  }
}

export interface RawConn {
  socket: Socket;
  /** resolves on CONNACK 0 */
  ready: Promise<void>;
}

/** Opens a TCP connection, sends CONNECT, resolves on CONNACK; `onPacket` sees every later packet. */
export function openConn(port: number, host: string, clientId: string, onPacket?: (type: number, flags: number, b: Buffer, s: number, e: number) => void, keepalive = 600): RawConn {
  const socket = connect({ port, host });
  socket.setNoDelay(true);
  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  let connected = false;
  const framer = new Framer((type, flags, b, s, e) => {
    if (!connected) {
      if (type === T_CONNACK) {
        if (b[s + 1] === 0) {
          connected = true;
          resolveReady();
        } else rejectReady(new Error(`CONNACK ${b[s + 1]}`));
      }
      return;
    }
    onPacket?.(type, flags, b, s, e);
  });
  socket.on('data', (d) => framer.push(d));
  socket.once('error', (e) => rejectReady(e));
  socket.once('close', () => rejectReady(new Error('closed before CONNACK')));
  socket.once('connect', () => socket.write(connectPacket(clientId, keepalive)));
  return { socket, ready };
}
