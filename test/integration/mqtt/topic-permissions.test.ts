/**
 * Topic permissions through MQTT (mqtt.js, v3.1.1 and v5): the read pattern
 * decides each SUBSCRIBE filter separately (SUBACK 0x80 / 0x87 Not
 * authorized for the refused one, the others granted); the write pattern
 * decides PUBLISH (v5 QoS 1: PUBACK 0x87 and the connection stays; v3.1.1:
 * the connection is closed, RabbitMQ's default); `{client_id}` is the MQTT
 * client identifier. Topics are matched in their AMQP form ('/' → '.').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
const open: MqttClient[] = [];

async function client(o: Parameters<typeof connect>[1]): Promise<MqttClient> {
  const c = await connect(srv.url, o);
  c.on('error', () => {});
  open.push(c);
  return c;
}

beforeAll(async () => {
  srv = await startMqttServer();
  const u = srv.core.users;
  u.addUser('dev', 'pw');
  u.setPermissions('dev', '/', { configure: '.*', write: '.*', read: '.*' });
  // a device may publish under devices/<its client id>/… and subscribe to cmd/<its client id>/… and public/…
  u.setTopicPermissions('dev', '/', 'amq.topic', '^devices\\.{client_id}\\.', '^(cmd\\.{client_id}\\.|public\\.)');
});
afterAll(async () => {
  await end(...open.splice(0));
  await srv.close();
});

describe('MQTT topic permissions: SUBSCRIBE', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`v${protocolVersion === 4 ? '3.1.1' : '5'}: one SUBSCRIBE with an allowed and a refused filter → [granted, ${protocolVersion === 4 ? '0x80' : '0x87'}]`, async () => {
      const clientId = `sub${protocolVersion}`;
      const suback: { granted?: number[] }[] = [];
      const c = await client({ protocolVersion, clientId, username: 'dev', password: 'pw' });
      c.on('packetreceive', (p) => {
        if (p.cmd === 'suback') suback.push(p as { granted?: number[] });
      });
      await c.subscribeAsync({ [`cmd/${clientId}/#`]: { qos: 1 }, 'secret/#': { qos: 1 }, 'public/news': { qos: 0 } }).catch(() => undefined);
      await eventually(() => suback.length === 1, 3000, 'SUBACK');
      expect(suback[0]!.granted).toEqual([1, protocolVersion === 4 ? 0x80 : 0x87, 0]);
      // the refused filter has no binding; the granted ones work and the connection stays open
      const keys = srv.core.inspect.listBindings('/').filter((b) => b.source === 'amq.topic').map((b) => b.routingKey);
      expect(keys).toContain(`cmd.${clientId}.#`);
      expect(keys).toContain('public.news');
      expect(keys).not.toContain('secret.#');
      const got = collect(c);
      const pub = await client({ clientId: `admin-${clientId}` });
      await pub.publishAsync(`cmd/${clientId}/reboot`, 'now', { qos: 1 });
      await eventually(() => got.length === 1, 3000, 'command delivery');
      expect(got[0]!.topic).toBe(`cmd/${clientId}/reboot`);
      expect(c.connected).toBe(true);
    });
  }

  it("{client_id}: another device's command topic is refused", async () => {
    const suback: { granted?: number[] }[] = [];
    const c = await client({ protocolVersion: 5, clientId: 'devA', username: 'dev', password: 'pw' });
    c.on('packetreceive', (p) => {
      if (p.cmd === 'suback') suback.push(p as { granted?: number[] });
    });
    await c.subscribeAsync('cmd/devB/#', { qos: 1 }).catch(() => undefined);
    await eventually(() => suback.length === 1, 3000, 'SUBACK');
    expect(suback[0]!.granted).toEqual([0x87]);
  });
});

describe('MQTT topic permissions: PUBLISH', () => {
  it('{client_id}: a device may only publish to devices/<its id>/#; v5 QoS 1 refused → PUBACK 0x87, still connected', async () => {
    const watcher = await client({ clientId: 'watcher' });
    const got = collect(watcher);
    await watcher.subscribeAsync('devices/#', { qos: 1 });

    const acks: { cmd: string; messageId?: number; reasonCode?: number }[] = [];
    const c = await client({ protocolVersion: 5, clientId: 'dev1', username: 'dev', password: 'pw' });
    c.on('packetreceive', (p) => {
      if (p.cmd === 'puback') acks.push(p as never);
    });
    await c.publishAsync('devices/dev1/temp', '21', { qos: 1 });
    await c.publishAsync('devices/dev2/temp', 'spoof', { qos: 1 }).catch(() => undefined);
    await eventually(() => acks.length === 2, 3000, 'two PUBACKs');
    expect(acks.map((a) => a.reasonCode ?? 0)).toEqual([0, 0x87]);
    await c.publishAsync('devices/dev1/hum', '40', { qos: 1 });
    await eventually(() => got.length === 2, 3000, 'allowed messages');
    await sleep(100);
    expect(got.map((m) => `${m.topic}=${m.payload.toString()}`)).toEqual(['devices/dev1/temp=21', 'devices/dev1/hum=40']);
    expect(c.connected).toBe(true);
  });

  it('v3.1.1: a refused PUBLISH closes the connection and is not routed', async () => {
    const watcher = await client({ clientId: 'watcher4' });
    const got = collect(watcher);
    await watcher.subscribeAsync('devices/#', { qos: 0 });

    const c = await client({ protocolVersion: 4, clientId: 'dev4', username: 'dev', password: 'pw' });
    let closed = false;
    c.on('close', () => (closed = true));
    await c.publishAsync('devices/dev4/ok', 'fine', { qos: 0 });
    await eventually(() => got.length === 1, 3000, 'allowed message');
    c.publish('devices/other/x', 'spoof', { qos: 1 });
    await eventually(() => closed, 3000, 'connection close');
    await sleep(100);
    expect(got.map((m) => m.topic)).toEqual(['devices/dev4/ok']);
  });

  it('a user without topic permissions is not restricted', async () => {
    const watcher = await client({ clientId: 'watcher-free' });
    const got = collect(watcher);
    await watcher.subscribeAsync('anything/#', { qos: 1 });
    const c = await client({ protocolVersion: 5, clientId: 'free' });
    await c.publishAsync('anything/goes', 'x', { qos: 1 });
    await eventually(() => got.length === 1, 3000, 'delivery');
  });
});
