/**
 * Issue 6, MQTT state across broker restarts (child process, one data_dir
 * kept across restarts, killed with SIGKILL unless said otherwise):
 * - a persistent session (mqtt.js 3.1.1, clean=false) comes back with
 *   session-present, its subscriptions consuming again without a new
 *   SUBSCRIBE, the QoS 1 messages queued while it was offline delivered;
 * - QoS 2 exactly-once: a PUBLISH that got its PUBREC before the kill and is
 *   re-sent (DUP) after the restart is not routed a second time; PUBREL
 *   then completes it;
 * - a retained message (PUBACKed) survives, for exact and wildcard filters,
 *   and a cleared one stays cleared;
 * - a v5 delayed will pending at the kill is published after the restart,
 *   not before its delay, and a will whose client came back is not.
 *
 * Needs `npm run build` (npm test does it).
 */
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from 'mqtt-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnBroker } from '../../helpers/broker.js';
import type { SpawnedBroker } from '../../helpers/broker.js';
import { RawClient, collect, connect, end, eventually, sleep } from '../mqtt/util.js';

function start(dataDir: string): Promise<SpawnedBroker> {
  return spawnBroker([`data_dir = ${dataDir}`, 'log.console.level = info']);
}

const url = (b: SpawnedBroker): string => `mqtt://127.0.0.1:${b.portOf('mqtt')}`;

/** An AMQP queue bound to amq.topic with `key`, counting what arrives. */
async function amqpWatch(b: SpawnedBroker, queue: string, key: string): Promise<{ conn: ChannelModel; bodies: string[] }> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.port}`);
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true });
  await ch.bindQueue(queue, 'amq.topic', key);
  const bodies: string[] = [];
  await ch.consume(queue, (m) => m && bodies.push(m.content.toString()), { noAck: true });
  return { conn, bodies };
}

describe('MQTT state across broker restarts (child process)', () => {
  let dataDir = '';
  let broker: SpawnedBroker | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'polyport-mqtt-restart-'));
  });
  afterEach(async () => {
    await broker?.kill('SIGKILL');
    broker = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a persistent session survives kill -9: session present, subscriptions resumed, offline QoS 1 messages delivered', { timeout: 60_000 }, async () => {
    broker = await start(dataDir);
    const sub = await connect(url(broker), { clientId: 'dev-1', clean: false, protocolVersion: 4 });
    await sub.subscribeAsync({ 'sensors/+/temp': { qos: 1 }, 'cmd/#': { qos: 2 } });
    await end(sub);
    const pub = await connect(url(broker), { clientId: 'pub-1', protocolVersion: 4 });
    for (let i = 0; i < 20; i++) await pub.publishAsync(`sensors/s${i}/temp`, `t${i}`, { qos: 1 }); // PUBACKed: on disk
    await end(pub);
    await broker.kill('SIGKILL');

    broker = await start(dataDir);
    const got: string[] = [];
    let present: boolean | undefined;
    const again = await connect(url(broker), { clientId: 'dev-1', clean: false, protocolVersion: 4 }, (c) => {
      c.on('connect', (ack) => (present = ack.sessionPresent));
      c.on('message', (_t, payload) => got.push(payload.toString()));
    });
    expect(present).toBe(true);
    await eventually(() => got.length >= 20, 10_000, '20 queued messages');
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
    // the QoS 2 subscription is live again, without a new SUBSCRIBE
    const received = collect(again);
    const pub2 = await connect(url(broker), { clientId: 'pub-2', protocolVersion: 4 });
    await pub2.publishAsync('cmd/reboot', 'now', { qos: 2 });
    await eventually(() => received.some((r) => r.topic === 'cmd/reboot'), 5000, 'cmd/reboot');
    expect(received.find((r) => r.topic === 'cmd/reboot')!.packet.qos).toBe(2);
    await end(again, pub2);
  });

  it('QoS 2: a PUBLISH re-sent after kill -9 (its PUBREC was received) is not routed twice', { timeout: 60_000 }, async () => {
    broker = await start(dataDir);
    let watch = await amqpWatch(broker, 'qos2-watch', 'exactly.once');
    const raw = await RawClient.open(broker.portOf('mqtt'));
    raw.send(raw.connectPacket({ clientId: 'eo-1', clean: false }));
    await raw.waitPacket('connack');
    const publish = { cmd: 'publish', topic: 'exactly/once', payload: Buffer.from('one'), qos: 2, messageId: 7, retain: false, dup: false } as Packet;
    raw.send(publish);
    const rec = await raw.waitPacket('pubrec');
    expect((rec as { messageId?: number }).messageId).toBe(7);
    await eventually(() => watch.bodies.length === 1, 5000, 'first delivery');
    await watch.conn.close().catch(() => {});
    raw.destroy();
    await broker.kill('SIGKILL');

    broker = await start(dataDir);
    watch = await amqpWatch(broker, 'qos2-watch-after', 'exactly.once'); // a new queue: only a second routing reaches it
    const raw2 = await RawClient.open(broker.portOf('mqtt'));
    raw2.send(raw2.connectPacket({ clientId: 'eo-1', clean: false }));
    const ack = (await raw2.waitPacket('connack')) as { sessionPresent?: boolean };
    expect(ack.sessionPresent).toBe(true);
    raw2.send({ ...publish, dup: true } as Packet); // the client did not see the PUBREC in its view: it re-sends
    await raw2.waitPacket('pubrec');
    raw2.send({ cmd: 'pubrel', messageId: 7 } as Packet);
    await raw2.waitPacket('pubcomp');
    // a new id with the same payload is a new message: it is routed (proves the watch works after the restart)
    raw2.send({ ...publish, messageId: 8, payload: Buffer.from('two') } as Packet);
    await eventually(() => raw2.packets.filter((p) => p.cmd === 'pubrec').length === 2, 5000, 'second PUBREC');
    await eventually(() => watch.bodies.includes('two'), 5000, 'second message');
    await sleep(200);
    expect(watch.bodies).toEqual(['two']); // 'one' was already routed (and consumed) before the kill: not again
    raw2.destroy();
    await watch.conn.close().catch(() => {});
  });

  it('retained messages survive kill -9 (exact and wildcard filters); a cleared one stays cleared', { timeout: 60_000 }, async () => {
    broker = await start(dataDir);
    const pub = await connect(url(broker), { clientId: 'ret-pub', protocolVersion: 5 });
    await pub.publishAsync('home/kitchen/temp', '21.5', { qos: 1, retain: true, properties: { contentType: 'text/plain', userProperties: { unit: 'C' } } });
    await pub.publishAsync('home/hall/temp', '19.0', { qos: 1, retain: true });
    await pub.publishAsync('home/hall/temp', '', { qos: 1, retain: true }); // clears it
    await end(pub);
    await broker.kill('SIGKILL');

    broker = await start(dataDir);
    const sub = await connect(url(broker), { clientId: 'ret-sub', protocolVersion: 5 });
    const got = collect(sub);
    await sub.subscribeAsync('home/+/temp', { qos: 1 });
    await eventually(() => got.length >= 1, 5000, 'retained message');
    await sleep(200);
    expect(got.map((g) => [g.topic, g.payload.toString(), g.packet.retain])).toEqual([['home/kitchen/temp', '21.5', true]]);
    expect(got[0]!.packet.properties?.contentType).toBe('text/plain');
    expect(got[0]!.packet.properties?.userProperties).toMatchObject({ unit: 'C' });
    await end(sub);
  });

  it('a delayed will pending at kill -9 is published after the restart, after its delay; a cancelled one is not', { timeout: 60_000 }, async () => {
    broker = await start(dataDir);
    const willOf = (id: string, delay: number) => ({
      clientId: id,
      protocolVersion: 5 as const,
      clean: true,
      properties: { sessionExpiryInterval: 60 },
      will: { topic: `status/${id}`, payload: Buffer.from(`${id} gone`), qos: 1 as const, retain: false, properties: { willDelayInterval: delay } },
    });
    const a = await connect(url(broker), willOf('will-a', 3));
    const b = await connect(url(broker), willOf('will-b', 3));
    const t0 = Date.now();
    a.stream.destroy(); // abnormal: the will is scheduled
    b.stream.destroy();
    await sleep(300); // the will records reach the disk
    await broker.kill('SIGKILL');

    broker = await start(dataDir);
    const watch = await amqpWatch(broker, 'will-watch', 'status.*');
    const back = await connect(url(broker), { ...willOf('will-b', 3), clean: false }); // will-b returns: its will is cancelled
    await eventually(() => watch.bodies.length >= 1, 10_000, 'the will');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    await sleep(1000);
    expect(watch.bodies).toEqual(['will-a gone']);
    await end(back);
    await watch.conn.close().catch(() => {});
  });
});
