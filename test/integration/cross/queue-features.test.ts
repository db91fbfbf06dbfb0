/**
 * Issue 5, cross-protocol queue features through the assembled gateway (one
 * core, real clients on real sockets):
 * - a message published over MQTT expires in a queue bound to amq.topic and is
 *   dead-lettered by a policy (message-ttl + dead-letter-exchange); amqplib
 *   reads it from the dead-letter queue with x-death reason 'expired' and the
 *   MQTT payload intact;
 * - a STOMP SEND to /exchange/<delayed exchange>/<key> with header x-delay
 *   is held by the x-delayed-message exchange and reaches an AMQP consumer
 *   no earlier than the delay.
 * (MQTT publishes always go to amq.topic, so an MQTT delayed publish is the
 * TTL + DLX pattern of the first test; see docs/queue-features.md.)
 */
import amqp from 'amqplib';
import type { ChannelModel, ConsumeMessage, GetMessage } from 'amqplib';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as h from '../../helpers/broker.js';
import { stompitConnect, stompitDisconnect, stompitSend } from '../stomp/util.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function mqttConnect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, username: 'guest', password: 'guest', ...o });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

function mqttEnd(c: MqttClient): Promise<void> {
  return new Promise((r) => c.end(false, {}, () => r()));
}

function mqttPublish(c: MqttClient, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => c.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}

describe('queue features across protocols (gateway)', () => {
  let b: h.TestBroker;
  let conn: ChannelModel;
  beforeAll(async () => {
    b = await h.startBroker();
    conn = await amqp.connect(b.url);
    conn.on('error', () => {});
  });
  afterAll(async () => {
    await conn?.close().catch(() => {});
    await b?.stop();
  });

  it.each([4, 5] as const)('an MQTT %s publish expires and is dead-lettered by a policy (x-death expired, payload intact)', async (version) => {
    const src = `mqtt-ttl-src-v${version}`;
    const dlq = `mqtt-ttl-dlq-v${version}`;
    const dlx = `mqtt-dlx-v${version}`;
    const ch = await conn.createChannel();
    await ch.assertExchange(dlx, 'fanout', { durable: false });
    await ch.assertQueue(dlq, { durable: false });
    await ch.bindQueue(dlq, dlx, '');
    await ch.assertQueue(src, { durable: false });
    await ch.bindQueue(src, 'amq.topic', `sensors.v${version}.*`);
    b.core.policies.setPolicy('/', `ttl-dlx-v${version}`, {
      pattern: `^${src}$`,
      applyTo: 'queues',
      priority: 1,
      definition: { 'message-ttl': 200, 'dead-letter-exchange': dlx },
    });

    const payload = Buffer.from([0, 1, 2, 0xff, 0xfe, ...Buffer.from(` reading from mqtt v${version} ✓`)]);
    const client = await mqttConnect(b.mqttUrl, { protocolVersion: version, clientId: `ttl-pub-v${version}` });
    const t0 = Date.now();
    try {
      await mqttPublish(client, `sensors/v${version}/t1`, payload);
    } finally {
      await mqttEnd(client);
    }
    expect((await ch.checkQueue(src)).messageCount).toBe(1); // nobody consumes
    expect((await ch.checkQueue(dlq)).messageCount).toBe(0);

    let dead: GetMessage | false = false;
    const end = Date.now() + 3000;
    while (!dead && Date.now() < end) {
      dead = await ch.get(dlq, { noAck: true });
      if (!dead) await sleep(20);
    }
    expect(dead).not.toBe(false);
    const m = dead as GetMessage;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(Buffer.compare(m.content, payload)).toBe(0);
    const deaths = m.properties.headers?.['x-death'] as unknown as Record<string, unknown>[];
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toMatchObject({ reason: 'expired', queue: src, exchange: 'amq.topic', count: 1, 'routing-keys': [`sensors.v${version}.t1`] });
    expect(m.properties.headers?.['x-first-death-reason']).toBe('expired');
    expect(m.fields.exchange).toBe(dlx);
    expect(m.fields.routingKey).toBe(`sensors.v${version}.t1`);
    expect((await ch.checkQueue(src)).messageCount).toBe(0);
    b.core.policies.clearPolicy('/', `ttl-dlx-v${version}`);
    await ch.close();
  });

  it('a STOMP SEND to /exchange/<x-delayed-message>/<key> with x-delay:300 reaches an AMQP consumer after >= 300 ms', async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('stomp-delayed', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'direct' } });
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'stomp-delayed', 'later');
    const got: { m: ConsumeMessage; at: number }[] = [];
    await ch.consume(q, (m) => void (m && got.push({ m, at: Date.now() })), { noAck: true });

    const client = await stompitConnect(b.gateway.ports.stomp!);
    const t0 = Date.now();
    try {
      await stompitSend(client, { destination: '/exchange/stomp-delayed/later', 'x-delay': '300', 'content-type': 'text/plain' }, 'delayed via stomp', true);
      await stompitSend(client, { destination: '/exchange/stomp-delayed/later', 'content-type': 'text/plain' }, 'not delayed', true);
    } finally {
      await stompitDisconnect(client);
    }
    const end = Date.now() + 3000;
    while (got.length < 2 && Date.now() < end) await sleep(10);
    expect(got.map((g) => g.m.content.toString())).toEqual(['not delayed', 'delayed via stomp']);
    const delayed = got[1]!;
    expect(delayed.at - t0).toBeGreaterThanOrEqual(300);
    expect(delayed.m.properties.headers?.['x-delay']).toBe(-300);
    expect(delayed.m.properties.contentType).toBe('text/plain');
    await ch.close();
  });
});
