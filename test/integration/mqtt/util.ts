/** Shared helpers for the MQTT integration tests: mqtt.js connect, raw sockets, waiting. */
import * as net from 'node:net';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import type { IConnectPacket, Packet } from 'mqtt-packet';

export function connect(url: string, o: IClientOptions = {}, setup?: (c: MqttClient) => void): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { username: 'guest', password: 'guest', reconnectPeriod: 0, connectTimeout: 5000, ...(o.protocolVersion === 3 ? { protocolId: 'MQIsdp' as const } : {}), ...o });
    const onErr = (e: Error): void => {
      c.end(true);
      reject(e);
    };
    setup?.(c);
    c.once('connect', () => {
      c.off('error', onErr);
      resolve(c);
    });
    c.once('error', onErr);
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export function end(...clients: (MqttClient | undefined)[]): Promise<void> {
  return Promise.all(clients.map((c) => (c ? new Promise<void>((r) => c.end(true, {}, () => r())) : undefined))).then(() => undefined);
}

export interface Received {
  topic: string;
  payload: Buffer;
  packet: mqtt.IPublishPacket;
}

export function collect(c: MqttClient): Received[] {
  const out: Received[] = [];
  c.on('message', (topic, payload, packet) => out.push({ topic, payload, packet }));
  return out;
}

export async function eventually(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A raw TCP client that records parsed packets from the server and whether the socket closed. */
export class RawClient {
  readonly socket: net.Socket;
  readonly packets: Packet[] = [];
  closed = false;
  private readonly parser;

  private constructor(socket: net.Socket, protocolVersion: number) {
    this.socket = socket;
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (p: Packet) => this.packets.push(p));
    this.parser.on('error', () => {});
    socket.on('data', (d) => this.parser.parse(d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static async open(port: number, protocolVersion = 4): Promise<RawClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    return new RawClient(s, protocolVersion);
  }

  send(p: Packet | Buffer, protocolVersion = 4): void {
    this.socket.write(Buffer.isBuffer(p) ? p : mqttPacket.generate(p, { protocolVersion }));
  }

  connectPacket(o: Partial<IConnectPacket> = {}): Packet {
    return { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'raw', keepalive: 0, username: 'guest', password: Buffer.from('guest'), ...o } as Packet;
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    await eventually(() => this.closed, timeoutMs, 'socket close');
  }

  async waitPacket(cmd: string, timeoutMs = 3000): Promise<Packet> {
    await eventually(() => this.packets.some((p) => p.cmd === cmd), timeoutMs, cmd);
    return this.packets.find((p) => p.cmd === cmd)!;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** Hand-encoded CONNECT (mqtt-packet refuses some invalid combinations we need to send). */
export function rawConnect(o: { name?: string; level?: number; clientId: string; clean: boolean; user?: string; pass?: string; flagsExtra?: number }): Buffer {
  const user = o.user ?? 'guest';
  const pass = o.pass ?? 'guest';
  const flags = 0x80 | 0x40 | (o.clean ? 0x02 : 0) | (o.flagsExtra ?? 0);
  const body = Buffer.concat([str(o.name ?? 'MQTT'), Buffer.from([o.level ?? 4, flags, 0, 0]), str(o.clientId), str(user), str(pass)]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}
