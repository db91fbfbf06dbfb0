import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Packet } from 'mqtt-packet';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer({ maxKeepAlive: 30 });
});
afterAll(async () => {
  await srv.close();
});

const V5 = { protocolVersion: 5 as const };

describe('MQTT 5 properties', () => {
  it('forwards user properties, content type, correlation data, response topic, payload format, expiry', async () => {
    const sub = await connect(srv.url, { ...V5, clientId: 'pr-s' });
    const got = collect(sub);
    await sub.subscribeAsync('pr/t', { qos: 1 });
    const pub = await connect(srv.url, { ...V5, clientId: 'pr-p' });
    const corr = Buffer.from([0xff, 0x00, 0x01]);
    await pub.publishAsync('pr/t', 'body', {
      qos: 1,
      properties: {
        userProperties: { a: '1', multi: ['x', 'y'] },
        contentType: 'application/json',
        correlationData: corr,
        responseTopic: 'reply/here',
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
      },
    });
    await eventually(() => got.length === 1);
    const p = got[0]!.packet.properties!;
    expect(p.userProperties).toEqual({ a: '1', multi: ['x', 'y'] });
    expect(p.contentType).toBe('application/json');
    expect(Buffer.from(p.correlationData!).equals(corr)).toBe(true);
    expect(p.responseTopic).toBe('reply/here');
    expect(p.payloadFormatIndicator).toBe(true);
    expect(p.messageExpiryInterval).toBeGreaterThan(55);
    expect(p.messageExpiryInterval).toBeLessThanOrEqual(60);
    await end(sub, pub);
  });

  it('subscription identifiers and no-local', async () => {
    const c = await connect(srv.url, { ...V5, clientId: 'sid' });
    const got = collect(c);
    await c.subscribeAsync('sid/+', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await c.subscribeAsync('nl/t', { qos: 1, nl: true });
    await c.publishAsync('sid/x', 'm', { qos: 1 });
    await c.publishAsync('nl/t', 'mine', { qos: 1 });
    await eventually(() => got.length >= 1);
    await sleep(100);
    expect(got).toHaveLength(1);
    expect(got[0]!.packet.properties?.subscriptionIdentifier).toBe(7);
    const other = await connect(srv.url, { ...V5, clientId: 'nl-other' });
    await other.publishAsync('nl/t', 'theirs', { qos: 1 });
    await eventually(() => got.length === 2);
    expect(got[1]!.payload.toString()).toBe('theirs');
    await end(c, other);
  });

  it('topic aliases from the client and towards the client', async () => {
    const sub = await connect(srv.url, { ...V5, clientId: 'ta-s', properties: { topicAliasMaximum: 4 } });
    const raw: Packet[] = [];
    sub.on('packetreceive', (p) => raw.push(p as Packet));
    const got = collect(sub);
    await sub.subscribeAsync('ta/#', { qos: 0 });
    const r = await RawClient.open(srv.port, 5);
    r.send(r.connectPacket({ protocolVersion: 5, clientId: 'ta-p' }), 5);
    await r.waitPacket('connack');
    r.send({ cmd: 'publish', topic: 'ta/long/topic', payload: Buffer.from('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 2 } }, 5);
    r.send({ cmd: 'publish', topic: '', payload: Buffer.from('2'), qos: 0, retain: false, dup: false, properties: { topicAlias: 2 } }, 5);
    await eventually(() => got.length === 2);
    expect(got.map((g) => g.topic)).toEqual(['ta/long/topic', 'ta/long/topic']);
    const pubs = raw.filter((p) => p.cmd === 'publish') as { topic: string; properties?: { topicAlias?: number } }[];
    expect(pubs[0]!.properties?.topicAlias).toBe(1);
    expect(pubs[1]!.properties?.topicAlias).toBe(1);
    r.destroy();
    await end(sub);
  });

  it('server keep alive caps the client keep alive', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send(r.connectPacket({ protocolVersion: 5, clientId: 'ska', keepalive: 0 }), 5);
    const ack = (await r.waitPacket('connack')) as { properties?: { serverKeepAlive?: number } };
    expect(ack.properties?.serverKeepAlive).toBe(30);
    r.destroy();
  });

  it('honours the client Receive Maximum', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send(r.connectPacket({ protocolVersion: 5, clientId: 'rm', properties: { receiveMaximum: 2 } } as never), 5);
    await r.waitPacket('connack');
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rm/t', qos: 1, nl: false, rap: false, rh: 0 }] } as Packet, 5);
    await r.waitPacket('suback');
    const pub = await connect(srv.url, { ...V5, clientId: 'rm-p' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('rm/t', `${i}`, { qos: 1 });
    await sleep(150);
    const pubs = () => r.packets.filter((p) => p.cmd === 'publish') as { messageId: number }[];
    expect(pubs()).toHaveLength(2);
    r.send({ cmd: 'puback', messageId: pubs()[0]!.messageId, reasonCode: 0 } as Packet, 5);
    await eventually(() => pubs().length === 3);
    r.destroy();
    await end(pub);
  });

  it("drops messages above the client's Maximum Packet Size", async () => {
    const sub = await connect(srv.url, { ...V5, clientId: 'cmps', properties: { maximumPacketSize: 200 } });
    const got = collect(sub);
    await sub.subscribeAsync('cmps/t', { qos: 1 });
    await sub.publishAsync('cmps/t', Buffer.alloc(500), { qos: 1 });
    await sub.publishAsync('cmps/t', 'small', { qos: 1 });
    await eventually(() => got.length === 1);
    expect(got[0]!.payload.toString()).toBe('small');
    await eventually(() => srv.core.inspect.listQueues('/').find((q) => q.name === 'mqtt-subscription-cmpsqos1')?.messages === 0);
    await end(sub);
  });

  it('refuses enhanced authentication methods it does not know (0x8C)', async () => {
    const r = await RawClient.open(srv.port, 5);
    r.send(r.connectPacket({ protocolVersion: 5, clientId: 'auth', properties: { authenticationMethod: 'KERBEROS' } } as never), 5);
    const ack = (await r.waitPacket('connack')) as { reasonCode?: number };
    expect(ack.reasonCode).toBe(0x8c);
    await r.waitClosed();
  });
});

describe('shared subscriptions', () => {
  it('split messages across the group and keep them when a member leaves', async () => {
    const a = await connect(srv.url, { ...V5, clientId: 'sh-a' });
    const b = await connect(srv.url, { protocolVersion: 4, clientId: 'sh-b' });
    const ga = collect(a);
    const gb = collect(b);
    await a.subscribeAsync('$share/g1/sh/+', { qos: 1 });
    await b.subscribeAsync('$share/g1/sh/+', { qos: 1 });
    const pub = await connect(srv.url, { ...V5, clientId: 'sh-p' });
    for (let i = 0; i < 20; i++) await pub.publishAsync(`sh/${i % 3}`, `${i}`, { qos: 1 });
    await eventually(() => ga.length + gb.length === 20);
    expect(ga.length).toBeGreaterThan(0);
    expect(gb.length).toBeGreaterThan(0);
    expect(srv.core.inspect.listQueues('/').filter((q) => q.name.startsWith('mqtt-shared-g1-'))).toHaveLength(1);

    // a member that leaves without acking: its messages go to the other member
    const r = await RawClient.open(srv.port, 4);
    r.send(r.connectPacket({ clientId: 'sh-c' }), 4);
    await r.waitPacket('connack');
    await a.unsubscribeAsync('$share/g1/sh/+');
    await end(b);
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$share/g1/sh/+', qos: 1 }] } as Packet, 4);
    await r.waitPacket('suback');
    for (let i = 0; i < 3; i++) await pub.publishAsync('sh/x', `late${i}`, { qos: 1 });
    await eventually(() => r.packets.filter((p) => p.cmd === 'publish').length === 3);
    const d = await connect(srv.url, { ...V5, clientId: 'sh-d' });
    const gd = collect(d);
    await d.subscribeAsync('$share/g1/sh/+', { qos: 1 });
    await sleep(50);
    expect(gd).toHaveLength(0);
    r.destroy(); // never acked: requeued to the remaining member
    await eventually(() => gd.length === 3);
    expect(gd.map((m) => m.payload.toString()).sort()).toEqual(['late0', 'late1', 'late2']);
    await d.unsubscribeAsync('$share/g1/sh/+');
    await eventually(() => !srv.core.inspect.listQueues('/').some((q) => q.name.startsWith('mqtt-shared-g1-')));
    await end(a, d, pub);
  });
});
