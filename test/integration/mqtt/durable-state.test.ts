/**
 * The MQTT adapter's durable state (durable-state.ts, restore.ts) over a
 * StateMap double that keeps its contents across "restarts" (a new adapter
 * on a new core reading the same map), driven by mqtt.js and raw sockets.
 * The real file-backed map and kill -9 are in
 * test/integration/durability/mqtt-restart.test.ts; here every state
 * transition is checked against what the map holds.
 */
import type { StateMap } from '../../../core/index.js';
import type { Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';
import type { Received } from './util.js';

/** In-memory StateMap: survives adapter restarts; `gate` holds writes back until released. */
class MapDouble implements StateMap {
  readonly data = new Map<string, Buffer>();
  writes = 0;
  private held: (() => void)[] = [];
  holding = false;

  load(): Map<string, Buffer> {
    return new Map(this.data);
  }
  set(key: string, value: Buffer): Promise<void> {
    if (Buffer.byteLength(key) > 65535) throw new RangeError('key too long'); // as KvLog
    this.writes++;
    this.data.set(key, Buffer.from(value));
    return this.settle();
  }
  delete(key: string): Promise<void> {
    this.writes++;
    this.data.delete(key);
    return this.settle();
  }
  get size(): number {
    return this.data.size;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  keys(kind: string): unknown[][] {
    return [...this.data.keys()].map((k) => JSON.parse(k) as unknown[]).filter((k) => k[0] === kind);
  }
  release(): void {
    this.holding = false;
    for (const f of this.held.splice(0)) f();
  }
  private settle(): Promise<void> {
    if (!this.holding) return Promise.resolve();
    return new Promise((r) => this.held.push(r));
  }
}

describe('MQTT durable state (adapter restarts over one StateMap)', () => {
  const servers: MqttTestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const start = async (state: StateMap): Promise<MqttTestServer> => {
    const s = await startMqttServer({ state });
    servers.push(s);
    return s;
  };
  const restart = async (old: MqttTestServer, state: StateMap): Promise<MqttTestServer> => {
    await old.close();
    servers.splice(servers.indexOf(old), 1);
    return start(state);
  };

  it('persistent sessions are written with their subscriptions; clean sessions are not; the record goes when the session ends', async () => {
    const map = new MapDouble();
    const srv = await start(map);
    const clean = await connect(srv.url, { clientId: 'c-clean', clean: true });
    await clean.subscribeAsync('x/y', { qos: 1 });
    const dev = await connect(srv.url, { clientId: 'c-dev', clean: false });
    await dev.subscribeAsync({ 'a/+': { qos: 1 }, 'b/#': { qos: 2 } });
    expect(map.keys('s')).toEqual([['s', '/', 'c-dev']]);
    const rec = JSON.parse(map.data.get(JSON.stringify(['s', '/', 'c-dev']))!.toString()) as { subscriptions: { raw: string; qos: number }[]; offlineAt: unknown; user: string };
    expect(rec.subscriptions.map((s) => [s.raw, s.qos])).toEqual([['a/+', 1], ['b/#', 2]]);
    expect(rec.offlineAt).toBeNull();
    expect(rec.user).toBe('guest');
    await dev.unsubscribeAsync('a/+');
    const rec2 = JSON.parse(map.data.get(JSON.stringify(['s', '/', 'c-dev']))!.toString()) as { subscriptions: { raw: string }[] };
    expect(rec2.subscriptions.map((s) => s.raw)).toEqual(['b/#']);
    await end(dev, clean);
    await eventually(() => (JSON.parse(map.data.get(JSON.stringify(['s', '/', 'c-dev']))!.toString()) as { offlineAt: unknown }).offlineAt !== null, 2000, 'offline time');
    // a clean session with the same id ends the stored one [MQTT-3.1.2-6]
    const again = await connect(srv.url, { clientId: 'c-dev', clean: true });
    expect(map.keys('s')).toEqual([]);
    await end(again);
  });

  it('after a restart the session is present, its subscriptions deliver without a new SUBSCRIBE, and PUBRELs pending are re-sent', async () => {
    const map = new MapDouble();
    let srv = await start(map);
    const dev = await connect(srv.url, { clientId: 'r-dev', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } });
    await dev.subscribeAsync({ 'cmd/+': { qos: 2 } });
    await end(dev);
    // an outbound QoS 2 flow stopped after PUBREC: raw client, no PUBCOMP
    const raw = await RawClient.open(srv.port);
    raw.send(raw.connectPacket({ clientId: 'r-raw', clean: false }));
    await raw.waitPacket('connack');
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2/t', qos: 2 }] } as Packet);
    await raw.waitPacket('suback');
    const pub = await connect(srv.url, { clientId: 'r-pub' });
    await pub.publishAsync('q2/t', 'hello', { qos: 2 });
    const delivered = (await raw.waitPacket('publish')) as { messageId: number };
    raw.send({ cmd: 'pubrec', messageId: delivered.messageId } as Packet);
    await raw.waitPacket('pubrel');
    expect(map.keys('p')).toEqual([['p', '/', 'r-raw', delivered.messageId]]);
    raw.destroy();
    await end(pub);

    srv = await restart(srv, map);
    let present: boolean | undefined;
    const back = await connect(srv.url, { clientId: 'r-dev', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 300 } }, (c) =>
      c.on('connect', (a) => (present = a.sessionPresent)),
    );
    expect(present).toBe(true);
    const got = collect(back);
    const pub2 = await connect(srv.url, { clientId: 'r-pub2' });
    await pub2.publishAsync('cmd/go', 'now', { qos: 1 });
    await eventually(() => got.length === 1, 3000, 'delivery on the resumed subscription');
    expect(got[0]!.packet.qos).toBe(1); // min(subscription QoS 2, message QoS 1)

    const raw2 = await RawClient.open(srv.port);
    raw2.send(raw2.connectPacket({ clientId: 'r-raw', clean: false }));
    expect(((await raw2.waitPacket('connack')) as { sessionPresent: boolean }).sessionPresent).toBe(true);
    const rel = (await raw2.waitPacket('pubrel')) as { messageId: number };
    expect(rel.messageId).toBe(delivered.messageId); // [MQTT-4.4.0-1]
    raw2.send({ cmd: 'pubcomp', messageId: rel.messageId } as Packet);
    await eventually(() => map.keys('p').length === 0, 2000, 'PUBCOMP clears the stored id');
    raw2.destroy();
    await end(back, pub2);
  });

  it('PUBREC waits for the QoS 2 packet id to be stored; a duplicate after a restart is not routed', async () => {
    const map = new MapDouble();
    let srv = await start(map);
    const sub = await connect(srv.url, { clientId: 'q-sub' });
    const got = collect(sub);
    await sub.subscribeAsync('eo/#', { qos: 0 });
    const raw = await RawClient.open(srv.port);
    raw.send(raw.connectPacket({ clientId: 'q-pub', clean: false }));
    await raw.waitPacket('connack');
    map.holding = true;
    const publish = { cmd: 'publish', topic: 'eo/1', payload: Buffer.from('once'), qos: 2, messageId: 42, retain: false, dup: false } as Packet;
    raw.send(publish);
    await eventually(() => got.length === 1, 2000, 'routing');
    await sleep(100);
    expect(raw.packets.some((p) => p.cmd === 'pubrec')).toBe(false); // held until the id is on disk
    map.release();
    await raw.waitPacket('pubrec');
    expect(map.keys('q')).toEqual([['q', '/', 'q-pub', 42]]);
    raw.destroy();

    srv = await restart(srv, map);
    const sub2 = await connect(srv.url, { clientId: 'q-sub2' });
    const got2 = collect(sub2);
    await sub2.subscribeAsync('eo/#', { qos: 0 });
    const raw2 = await RawClient.open(srv.port);
    raw2.send(raw2.connectPacket({ clientId: 'q-pub', clean: false }));
    await raw2.waitPacket('connack');
    raw2.send({ ...publish, dup: true } as Packet);
    await raw2.waitPacket('pubrec');
    raw2.send({ cmd: 'pubrel', messageId: 42 } as Packet);
    await raw2.waitPacket('pubcomp');
    expect(map.keys('q')).toEqual([]);
    await sleep(100);
    expect(got2).toEqual([]);
    raw2.destroy();
    await end(sub, sub2);
  });

  it('retained messages: PUBACK waits for the store; restored after a restart; clearing deletes the record', async () => {
    const map = new MapDouble();
    let srv = await start(map);
    const pub = await connect(srv.url, { clientId: 'ret-pub', protocolVersion: 5 });
    map.holding = true;
    let acked = false;
    const p = pub.publishAsync('dev/1/state', 'on', { qos: 1, retain: true, properties: { messageExpiryInterval: 3600, userProperties: { k: 'v' } } }).then(() => (acked = true));
    await sleep(100);
    expect(acked).toBe(false);
    map.release();
    await p;
    await pub.publishAsync('dev/2/state', 'off', { qos: 0, retain: true });
    const longTopic = `long/${'\u00e9'.repeat(31_000)}`; // 62,005 bytes: too long for a key as it is
    await pub.publishAsync(longTopic, 'long', { qos: 1, retain: true });
    await eventually(() => map.keys('r').length === 3, 2000, 'three retained records');
    await end(pub);

    srv = await restart(srv, map);
    const sub = await connect(srv.url, { clientId: 'ret-sub', protocolVersion: 5 });
    const got = collect(sub);
    await sub.subscribeAsync('dev/+/state', { qos: 1 });
    await eventually(() => got.length === 2, 2000, 'retained after restart');
    const one = got.find((g) => g.topic === 'dev/1/state')!;
    expect(one.payload.toString()).toBe('on');
    expect(one.packet.retain).toBe(true);
    expect(one.packet.properties?.userProperties).toMatchObject({ k: 'v' });
    expect(one.packet.properties?.messageExpiryInterval).toBeGreaterThan(3500); // the remaining interval, not reset
    const long: Received[] = [];
    sub.on('message', (topic, payload) => topic.startsWith('long/') && long.push({ topic, payload } as Received));
    await sub.subscribeAsync('long/#', { qos: 0 });
    await eventually(() => long.length === 1, 2000, 'long retained topic after restart');
    expect(long[0]!.topic).toBe(longTopic);
    const pub2 = await connect(srv.url, { clientId: 'ret-pub2' });
    await pub2.publishAsync('dev/1/state', '', { qos: 1, retain: true });
    expect(map.keys('r').filter((k) => k[2] === 'dev/1/state')).toEqual([]);
    expect(map.keys('r')).toContainEqual(['r', '/', 'dev/2/state']);
    await end(sub, pub2);
  });

  it('a delayed will is stored, re-armed after a restart, and dropped when its client returns', async () => {
    const map = new MapDouble();
    let srv = await start(map);
    const opts = (id: string) => ({
      clientId: id,
      protocolVersion: 5 as const,
      properties: { sessionExpiryInterval: 60 },
      will: { topic: `gone/${id}`, payload: Buffer.from(id), qos: 0 as const, retain: false, properties: { willDelayInterval: 1 } },
    });
    const a = await connect(srv.url, opts('w-a'));
    const b = await connect(srv.url, opts('w-b'));
    a.stream.destroy();
    b.stream.destroy();
    await eventually(() => map.keys('w').length === 2, 2000, 'stored wills');
    srv = await restart(srv, map);
    const watcher = await connect(srv.url, { clientId: 'w-watch' });
    const got = collect(watcher);
    await watcher.subscribeAsync('gone/#', { qos: 0 });
    const back = await connect(srv.url, { ...opts('w-b'), clean: false });
    await eventually(() => got.length === 1, 3000, 'will of w-a');
    await sleep(300);
    expect(got.map((g) => g.topic)).toEqual(['gone/w-a']);
    expect(map.keys('w')).toEqual([]);
    await end(watcher, back);
  });

  it('a session whose expiry passed while the broker was down ends at start (its record goes)', async () => {
    const map = new MapDouble();
    let srv = await start(map);
    const dev = await connect(srv.url, { clientId: 'x-dev', protocolVersion: 5, properties: { sessionExpiryInterval: 1 } });
    await dev.subscribeAsync('x/#', { qos: 1 });
    await end(dev);
    await eventually(() => map.keys('s').length === 1, 2000, 'session record');
    await srv.close();
    servers.splice(servers.indexOf(srv), 1);
    await sleep(1200);
    srv = await start(map);
    expect(map.keys('s')).toEqual([]);
    let present: boolean | undefined;
    const again = await connect(srv.url, { clientId: 'x-dev', protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 1 } }, (c) =>
      c.on('connect', (a) => (present = a.sessionPresent)),
    );
    expect(present).toBe(false);
    await end(again);
  });
});
