import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer();
});
afterAll(async () => {
  await srv.close();
});

describe.each([4, 5] as const)('retained v%i', (protocolVersion) => {
  const t = (s: string): string => `r${protocolVersion}/${s}`;
  it('delivers retained messages to exact and wildcard filters, clears with an empty payload', async () => {
    const pub = await connect(srv.url, { protocolVersion, clientId: `rp-${protocolVersion}` });
    await pub.publishAsync(t('a/x'), 'ax', { qos: 1, retain: true });
    await pub.publishAsync(t('b/x'), 'bx', { qos: 0, retain: true });
    await pub.publishAsync(t('b/y'), 'by', { qos: 1, retain: true });
    await pub.publishAsync(t('b/y'), '', { qos: 1, retain: true }); // clears b/y

    const exact = await connect(srv.url, { protocolVersion, clientId: `re-${protocolVersion}` });
    const e = collect(exact);
    await exact.subscribeAsync(t('a/x'), { qos: 1 });
    await eventually(() => e.length === 1);
    expect(e[0]!.packet.retain).toBe(true);
    expect(e[0]!.payload.toString()).toBe('ax');

    const wild = await connect(srv.url, { protocolVersion, clientId: `rw-${protocolVersion}` });
    const w = collect(wild);
    await wild.subscribeAsync(`r${protocolVersion}/+/x`, { qos: 1 });
    await eventually(() => w.length === 2);
    expect(w.map((m) => m.payload.toString()).sort()).toEqual(['ax', 'bx']);
    expect(w.find((m) => m.payload.toString() === 'bx')!.packet.qos).toBe(0);

    const all = await connect(srv.url, { protocolVersion, clientId: `ra-${protocolVersion}` });
    const a = collect(all);
    await all.subscribeAsync(`r${protocolVersion}/#`, { qos: 1 });
    await eventually(() => a.length === 2);
    await sleep(50);
    expect(a).toHaveLength(2); // b/y was cleared
    // live messages are not flagged retained
    await pub.publishAsync(t('a/x'), 'live', { qos: 1 });
    await eventually(() => a.length === 3);
    expect(a[2]!.packet.retain).toBe(false);
    await end(pub, exact, wild, all);
  });
});

describe('retained v5 options', () => {
  it('retain handling 2 sends nothing; retain-as-published keeps the flag', async () => {
    const pub = await connect(srv.url, { protocolVersion: 5, clientId: 'ro-p' });
    await pub.publishAsync('ro/t', 'kept', { qos: 1, retain: true });
    const c = await connect(srv.url, { protocolVersion: 5, clientId: 'ro-s' });
    const got = collect(c);
    await c.subscribeAsync('ro/t', { qos: 1, rh: 2, rap: true });
    await sleep(100);
    expect(got).toHaveLength(0);
    await pub.publishAsync('ro/t', 'again', { qos: 1, retain: true });
    await eventually(() => got.length === 1);
    expect(got[0]!.packet.retain).toBe(true);
    await end(pub, c);
  });
});

describe.each([3, 4, 5] as const)('wills v%i', (protocolVersion) => {
  it('is published on abnormal close, not after DISCONNECT', async () => {
    const watcher = await connect(srv.url, { protocolVersion, clientId: `ww-${protocolVersion}` });
    const got = collect(watcher);
    await watcher.subscribeAsync(`will/${protocolVersion}/#`, { qos: 1 });

    const v = protocolVersion;
    const will = { topic: `will/${v}/a`, payload: Buffer.from('gone'), qos: 1 as const, retain: false };
    const r = await RawClient.open(srv.port, v);
    r.send(r.connectPacket({ protocolVersion: v, protocolId: v === 3 ? 'MQIsdp' : 'MQTT', clientId: `wc-${v}`, will }), v);
    await r.waitPacket('connack');
    r.destroy(); // network failure
    await eventually(() => got.length === 1);
    expect(got[0]!.topic).toBe(`will/${v}/a`);

    const r2 = await RawClient.open(srv.port, v);
    r2.send(r2.connectPacket({ protocolVersion: v, protocolId: v === 3 ? 'MQIsdp' : 'MQTT', clientId: `wc2-${v}`, will: { ...will, topic: `will/${v}/b` } }), v);
    await r2.waitPacket('connack');
    r2.send({ cmd: 'disconnect' }, v);
    await r2.waitClosed();
    await sleep(150);
    expect(got).toHaveLength(1);
    await end(watcher);
  });

  it('is published on keepalive timeout', async () => {
    const watcher = await connect(srv.url, { protocolVersion, clientId: `wk-${protocolVersion}` });
    const got = collect(watcher);
    await watcher.subscribeAsync(`wka/${protocolVersion}`, { qos: 0 });
    const v = protocolVersion;
    const r = await RawClient.open(srv.port, v);
    r.send(r.connectPacket({ protocolVersion: v, protocolId: v === 3 ? 'MQIsdp' : 'MQTT', clientId: `wkc-${v}`, keepalive: 1, will: { topic: `wka/${v}`, payload: Buffer.from('ka'), qos: 0, retain: false } }), v);
    await r.waitPacket('connack');
    await eventually(() => got.length === 1, 4000);
    r.destroy();
    await end(watcher);
  });
});

describe('will delay (v5)', () => {
  it('waits for the delay and is cancelled by a reconnect', async () => {
    const watcher = await connect(srv.url, { protocolVersion: 5, clientId: 'wd-w' });
    const got = collect(watcher);
    await watcher.subscribeAsync('wd/#', { qos: 1 });
    const mk = async (clientId: string, topic: string): Promise<RawClient> => {
      const r = await RawClient.open(srv.port, 5);
      r.send(r.connectPacket({
        protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: 60 },
        will: { topic, payload: Buffer.from(topic), qos: 1, retain: false, properties: { willDelayInterval: 1 } },
      } as never), 5);
      await r.waitPacket('connack');
      return r;
    };
    const a = await mk('wd-a', 'wd/a');
    const b = await mk('wd-b', 'wd/b');
    a.destroy();
    b.destroy();
    await sleep(300);
    expect(got).toHaveLength(0);
    const b2 = await mk('wd-b', 'wd/b2'); // reconnect before the delay: b's will is cancelled
    await eventually(() => got.length === 1, 3000);
    expect(got[0]!.topic).toBe('wd/a');
    await sleep(1200);
    expect(got).toHaveLength(1);
    b2.send({ cmd: 'disconnect' }, 5);
    await end(watcher);
  });
});
