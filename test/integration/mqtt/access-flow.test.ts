import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Packet } from 'mqtt-packet';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { RawClient, collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer({ allowAnonymous: true, defaultUser: 'guest', defaultPass: 'guest' });
  srv.core.users.addUser('ro', 'ro');
  // may declare/bind its own queues and read amq.topic, but not publish to it
  srv.core.users.setPermissions('ro', '/', { configure: '^mqtt-', write: '^mqtt-', read: '.*' });
});
afterAll(async () => {
  await srv.close();
});

describe('permissions', () => {
  it('anonymous connections use the default user when allowed', async () => {
    const c = await connect(srv.url, { clientId: 'anon', username: undefined, password: undefined });
    expect(c.connected).toBe(true);
    await end(c);
  });

  it('v5: a refused publish gets PUBACK 0x87; v3.1.1 is disconnected', async () => {
    const c5 = await connect(srv.url, { protocolVersion: 5, clientId: 'ro5', username: 'ro', password: 'ro' });
    const acks: { cmd: string; reasonCode?: number }[] = [];
    c5.on('packetreceive', (p) => acks.push(p as never));
    await c5.publishAsync('x/y', 'no', { qos: 1 }).catch(() => undefined);
    await eventually(() => acks.some((a) => a.cmd === 'puback'));
    expect(acks.find((a) => a.cmd === 'puback')!.reasonCode).toBe(0x87);
    await end(c5);
    const r = await RawClient.open(srv.port, 4);
    r.send(r.connectPacket({ clientId: 'ro4', username: 'ro', password: Buffer.from('ro') }));
    await r.waitPacket('connack');
    r.send({ cmd: 'publish', topic: 'x/y', payload: Buffer.from('no'), qos: 1, messageId: 1, retain: false, dup: false });
    await r.waitClosed();
  });

  it('SUBACK 0x87 (v5) / 0x80 (v3.1.1) for a filter the user may not bind', async () => {
    srv.core.users.addUser('nobind', 'nb');
    srv.core.users.setPermissions('nobind', '/', { configure: '.*', write: '.*', read: '^$' });
    for (const v of [4, 5] as const) {
      const r = await RawClient.open(srv.port, v);
      r.send(r.connectPacket({ protocolVersion: v, clientId: `nb${v}`, username: 'nobind', password: Buffer.from('nb') }), v);
      await r.waitPacket('connack');
      r.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'a/b', qos: 1 }] } as Packet, v);
      const s = (await r.waitPacket('suback')) as { granted: number[] };
      expect(s.granted).toEqual([v === 5 ? 0x87 : 0x80]);
      r.destroy();
    }
  });
});

describe('sessions and flow', () => {
  it('v5 session expiry: x-expires on the queue, session gone after the interval', async () => {
    const c = await connect(srv.url, { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 1 } });
    await c.subscribeAsync('exp/t', { qos: 1 });
    const q = srv.core.inspect.listQueues('/').find((x) => x.name === 'mqtt-subscription-expqos1')!;
    expect(q.durable).toBe(true);
    expect(q.exclusive).toBe(false);
    expect(q.args['x-expires']).toEqual({ type: 'int64', value: 1000n });
    await end(c);
    await sleep(200);
    expect(srv.core.inspect.listQueues('/').some((x) => x.name === 'mqtt-subscription-expqos1')).toBe(true);
    await eventually(() => !srv.core.inspect.listQueues('/').some((x) => x.name === 'mqtt-subscription-expqos1'), 3000);
    let present: boolean | undefined;
    const again = await connect(srv.url, { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 1 } }, (cl) =>
      cl.once('connect', (ack) => (present = ack.sessionPresent)),
    );
    expect(present).toBe(false);
    await end(again);
  });

  it('a resource alarm pauses reading from publishers', async () => {
    const sub = await connect(srv.url, { clientId: 'fl-s' });
    const got = collect(sub);
    await sub.subscribeAsync('fl/t', { qos: 0 });
    const pub = await connect(srv.url, { clientId: 'fl-p' });
    pub.publish('fl/t', 'before', { qos: 0 });
    await eventually(() => got.length === 1);
    srv.core.flow.setAlarm('memory', true);
    await sleep(20);
    pub.publish('fl/t', 'blocked', { qos: 0 });
    await sleep(200);
    expect(got.map((m) => m.payload.toString())).toEqual(['before']);
    srv.core.flow.setAlarm('memory', false);
    await eventually(() => got.length === 2);
    await end(sub, pub);
  });

  it('only publishers are blocked (RabbitMQ): a subscriber keeps reading, its PUBACKs flow past the prefetch window', async () => {
    const s2 = await startMqttServer({ prefetch: 2 });
    try {
      const first = await connect(s2.url, { clientId: 'al-s', clean: false });
      await first.subscribeAsync('al/t', { qos: 1 });
      await end(first);
      const pub = await connect(s2.url, { clientId: 'al-p' });
      for (let i = 0; i < 10; i++) await pub.publishAsync('al/t', `m${i}`, { qos: 1 });
      s2.core.flow.setAlarm('disk', true);
      await sleep(20);
      pub.publish('al/t', 'during', { qos: 1 }); // read, then nothing more: the publisher is blocked
      // a subscriber resumes its session under the alarm: 10 QoS 1 messages through a window of 2
      let got: ReturnType<typeof collect> = [];
      const sub = await connect(s2.url, { clientId: 'al-s', clean: false }, (c) => (got = collect(c)));
      await eventually(() => got.length >= 10, 3000, '10 deliveries under the alarm');
      // a new connection that never published can still SUBSCRIBE
      const fresh = await connect(s2.url, { clientId: 'al-f', protocolVersion: 5 });
      const granted = await fresh.subscribeAsync('al/other', { qos: 1 });
      expect(granted[0]?.qos).toBe(1);
      await sleep(100);
      expect(got.map((m) => m.payload.toString()).filter((x) => x === 'during')).toHaveLength(0);
      s2.core.flow.setAlarm('disk', false);
      await eventually(() => got.some((m) => m.payload.toString() === 'during'), 3000, 'the blocked publish');
      expect(got.slice(0, 10).map((m) => m.payload.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
      await end(sub, pub, fresh);
    } finally {
      await s2.close();
    }
  });
});
