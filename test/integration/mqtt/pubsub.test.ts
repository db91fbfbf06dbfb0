import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../../core/index.js';
import { startMqttServer } from '../../helpers/mqtt-server.js';
import type { MqttTestServer } from '../../helpers/mqtt-server.js';
import { collect, connect, end, eventually, sleep } from './util.js';

let srv: MqttTestServer;
beforeAll(async () => {
  srv = await startMqttServer();
});
afterAll(async () => {
  await srv.close();
});

const NOOP = { confirmed() {}, rejected() {}, blocked() {}, unblocked() {} };
function coreSession() {
  const user = srv.core.users.authenticate('guest', 'guest')!;
  const conn = srv.core.openConnection({ vhost: '/', user, protocol: 'test', remoteAddress: '127.0.0.1' });
  return { conn, s: conn.openSession(NOOP) };
}

describe.each([3, 4, 5] as const)('publish/subscribe v%i', (protocolVersion) => {
  it('QoS 0 and 1 round trip with wildcard filters', async () => {
    const sub = await connect(srv.url, { protocolVersion, clientId: `sub-${protocolVersion}` });
    const got = collect(sub);
    await sub.subscribeAsync([`t${protocolVersion}/+/x`, `t${protocolVersion}/#`].map((t) => t), { qos: 1 });
    const pub = await connect(srv.url, { protocolVersion, clientId: `pub-${protocolVersion}` });
    await pub.publishAsync(`t${protocolVersion}/a/x`, 'one', { qos: 0 });
    await pub.publishAsync(`t${protocolVersion}/b/c/d`, 'two', { qos: 1 });
    await eventually(() => got.length >= 2);
    await sleep(50);
    expect(got.map((g) => [g.topic, g.payload.toString(), g.packet.qos])).toEqual([
      [`t${protocolVersion}/a/x`, 'one', 0],
      [`t${protocolVersion}/b/c/d`, 'two', 1],
    ]);
    await end(sub, pub);
  });

  it('downgrades to the subscription QoS and names queues as RabbitMQ', async () => {
    const sub = await connect(srv.url, { protocolVersion, clientId: `dg-${protocolVersion}` });
    const got = collect(sub);
    await sub.subscribeAsync(`dg${protocolVersion}/q0`, { qos: 0 });
    await sub.subscribeAsync(`dg${protocolVersion}/q1`, { qos: 1 });
    const names = srv.core.inspect.listQueues('/').map((q) => q.name);
    expect(names).toContain(`mqtt-subscription-dg-${protocolVersion}qos0`);
    expect(names).toContain(`mqtt-subscription-dg-${protocolVersion}qos1`);
    const pub = await connect(srv.url, { protocolVersion, clientId: `dgp-${protocolVersion}` });
    await pub.publishAsync(`dg${protocolVersion}/q0`, 'a', { qos: 1 });
    await pub.publishAsync(`dg${protocolVersion}/q1`, 'b', { qos: 0 });
    await eventually(() => got.length >= 2);
    expect(got.map((g) => g.packet.qos)).toEqual([0, 0]);
    await end(sub, pub);
  });

  it('unsubscribe stops deliveries', async () => {
    const c = await connect(srv.url, { protocolVersion, clientId: `un-${protocolVersion}` });
    const got = collect(c);
    await c.subscribeAsync(`un${protocolVersion}/t`, { qos: 1 });
    await c.publishAsync(`un${protocolVersion}/t`, '1', { qos: 1 });
    await eventually(() => got.length === 1);
    await c.unsubscribeAsync(`un${protocolVersion}/t`);
    await c.publishAsync(`un${protocolVersion}/t`, '2', { qos: 1 });
    await sleep(100);
    expect(got).toHaveLength(1);
    await end(c);
  });

  it('persistent session: messages queued while offline arrive with session present', async () => {
    const clientId = `ps-${protocolVersion}`;
    const opts = protocolVersion === 5 ? { clean: false, properties: { sessionExpiryInterval: 60 } } : { clean: false };
    const a = await connect(srv.url, { protocolVersion, clientId, ...opts });
    await a.subscribeAsync(`ps${protocolVersion}/#`, { qos: 1 });
    await end(a);
    const pub = await connect(srv.url, { protocolVersion, clientId: `psp-${protocolVersion}` });
    await pub.publishAsync(`ps${protocolVersion}/x`, 'offline', { qos: 1 });
    let present: boolean | undefined;
    let got: ReturnType<typeof collect> = [];
    const b = await connect(srv.url, { protocolVersion, clientId, ...opts }, (c) => {
      got = collect(c);
      c.once('connect', (ack) => (present = ack.sessionPresent));
    });
    await eventually(() => got.length === 1);
    expect(present).toBe(true);
    expect(got[0]!.payload.toString()).toBe('offline');
    await end(b, pub);
  });

  it('clean session: the queue is gone after disconnect', async () => {
    const c = await connect(srv.url, { protocolVersion, clientId: `cl-${protocolVersion}`, clean: true });
    await c.subscribeAsync(`cl${protocolVersion}/t`, { qos: 1 });
    await end(c);
    await eventually(() => !srv.core.inspect.listQueues('/').some((q) => q.name === `mqtt-subscription-cl-${protocolVersion}qos1`));
  });
});

describe('cross-protocol through the core', () => {
  it('a core publish to amq.topic with key a.b reaches the MQTT subscriber of a/b', async () => {
    const c = await connect(srv.url, { protocolVersion: 5, clientId: 'x-sub' });
    const got = collect(c);
    await c.subscribeAsync('xa/b', { qos: 1 });
    const { conn, s } = coreSession();
    s.publish({
      exchange: 'amq.topic',
      routingKey: 'xa.b',
      properties: { deliveryMode: 2, contentType: 'text/plain', headers: { k: { type: 'string', value: 'v' } } },
      body: Buffer.from('from amqp'),
    });
    await eventually(() => got.length === 1);
    expect(got[0]!.topic).toBe('xa/b');
    expect(got[0]!.packet.qos).toBe(1);
    expect(got[0]!.packet.properties?.contentType).toBe('text/plain');
    expect(got[0]!.packet.properties?.userProperties).toEqual({ k: 'v' });
    conn.close();
    await end(c);
  });

  it('an MQTT publish reaches a core queue bound to amq.topic with the translated key', async () => {
    const { conn, s } = coreSession();
    s.declareQueue({ name: 'x-q', exclusive: true });
    s.bind({ source: 'amq.topic', destination: 'x-q', destinationType: 'queue', routingKey: 'xm.*.z' });
    const got: Delivery[] = [];
    s.consume('x-q', { deliver: (d) => (got.push(d), true), cancelled() {} }, { tag: '', noAck: true, credit: 0 });
    const c = await connect(srv.url, { protocolVersion: 5, clientId: 'x-pub' });
    await c.publishAsync('xm/y/z', 'hi', {
      qos: 1,
      properties: { userProperties: { a: '1' }, correlationData: Buffer.from('c1'), responseTopic: 'r/t', messageExpiryInterval: 30, contentType: 'app/x' },
    });
    await eventually(() => got.length === 1);
    const m = got[0]!.message;
    expect(m.routingKey).toBe('xm.y.z');
    expect(m.properties.deliveryMode).toBe(2);
    expect(m.properties.correlationId).toBe('c1');
    expect(m.properties.expiration).toBe('30000');
    expect(m.properties.contentType).toBe('app/x');
    expect(m.properties.headers?.['a']).toEqual({ type: 'string', value: '1' });
    expect(m.properties.headers?.['x-reply-to-topic']).toEqual({ type: 'string', value: 'r.t' });
    conn.close();
    await end(c);
  });
});

describe('PUBACK after the core confirm', () => {
  it('v5 PUBACK says 0x10 when no queue took the message', async () => {
    const c = await connect(srv.url, { protocolVersion: 5, clientId: 'nomatch' });
    const acks: { cmd: string; reasonCode?: number }[] = [];
    c.on('packetreceive', (p) => acks.push(p as never));
    await c.publishAsync('nobody/listens', 'x', { qos: 1 });
    expect(acks.find((p) => p.cmd === 'puback')?.reasonCode).toBe(0x10);
    await end(c);
  });
});
