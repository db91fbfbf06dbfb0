/**
 * STOMP, Web STOMP and Web MQTT through the assembled gateway: the listeners
 * the config turns on by default, and one message crossing all three
 * protocols through the one core (STOMP /topic/a.b ↔ AMQP amq.topic a.b ↔
 * MQTT a/b), each side a real client over a real socket.
 */
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { Client } from '@stomp/stompjs';
import type { IMessage } from '@stomp/stompjs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as h from '../../helpers/broker.js';
import { stompitConnect, stompitDisconnect, stompitSend, StompitSub } from '../stomp/util.js';

describe('STOMP on the gateway', () => {
  let b: Awaited<ReturnType<typeof h.startBroker>>;
  beforeAll(async () => {
    b = await h.startBroker();
  });
  afterAll(async () => {
    await b.stop();
  });

  it('binds STOMP (tcp), Web STOMP and Web MQTT on the ports the config names', () => {
    const ports = b.gateway.ports;
    expect(ports.stomp).toBeGreaterThan(0);
    expect(ports.webStomp).toBeGreaterThan(0);
    expect(ports.webMqtt).toBeGreaterThan(0);
    const stompListener = b.gateway.listeners().find((l) => l.protocol === 'stomp');
    expect(stompListener).toMatchObject({ transport: 'tcp', name: '1', port: ports.stomp });
  });

  it('a STOMP SEND to /topic/a.b reaches an AMQP consumer (amq.topic a.b) and an MQTT subscriber (a/b)', async () => {
    const conn = await amqp.connect(b.url);
    const ch = await conn.createChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(q, 'amq.topic', 'a.b');
    const amqpGot = new Promise<amqp.ConsumeMessage>((resolve) => void ch.consume(q, (m) => m && resolve(m), { noAck: true }));

    const m = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.gateway.ports.mqtt}`, { username: 'guest', password: 'guest', protocolVersion: 5 });
    await m.subscribeAsync('a/b', { qos: 1 });
    const mqttGot = new Promise<{ topic: string; payload: Buffer; props: unknown }>((resolve) =>
      m.once('message', (topic, payload, packet) => resolve({ topic, payload, props: packet.properties })),
    );

    const s = await stompitConnect(b.gateway.ports.stomp!);
    await stompitSend(s, { destination: '/topic/a.b', 'content-type': 'text/plain', 'x-origin': 'stomp' }, 'hello from stomp', true);

    const a = await amqpGot;
    expect(a.content.toString()).toBe('hello from stomp');
    expect(a.properties.contentType).toBe('text/plain');
    expect(a.properties.headers?.['x-origin']).toBe('stomp');
    const got = await mqttGot;
    expect(got.topic).toBe('a/b');
    expect(got.payload.toString()).toBe('hello from stomp');

    await stompitDisconnect(s);
    await m.endAsync();
    await conn.close();
  });

  it('Web STOMP (@stomp/stompjs over ws) receives what an MQTT client publishes, and a STOMP TCP subscriber gets a Web STOMP send', async () => {
    const ws = new Client({
      webSocketFactory: () => new WebSocket(`ws://127.0.0.1:${b.gateway.ports.webStomp}/ws`, ['v12.stomp']),
      connectHeaders: { login: 'guest', passcode: 'guest', host: '/' },
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
    });
    const connected = new Promise<void>((resolve) => (ws.onConnect = () => resolve()));
    ws.activate();
    await connected;
    const wsGot = new Promise<IMessage>((resolve) => ws.subscribe('/topic/sensors.t1', (msg) => resolve(msg)));

    const tcp = await stompitConnect(b.gateway.ports.stomp!);
    const tcpSub = new StompitSub(tcp, { destination: '/queue/gw-web-to-tcp', ack: 'auto' });
    // let both subscriptions reach the broker before publishing
    await new Promise((r) => setTimeout(r, 100));

    const m = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.gateway.ports.mqtt}`, { username: 'guest', password: 'guest' });
    await m.publishAsync('sensors/t1', '21.5', { qos: 1 });
    expect((await wsGot).body).toBe('21.5');

    ws.publish({ destination: '/queue/gw-web-to-tcp', body: 'from the browser side' });
    const fromWeb = await tcpSub.next();
    expect(fromWeb.body.toString()).toBe('from the browser side');

    await m.endAsync();
    await ws.deactivate();
    await stompitDisconnect(tcp);
  });

  it('Web MQTT (mqtt.js over ws) is served by the same MQTT adapter', async () => {
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${b.gateway.ports.webMqtt}/ws`, { username: 'guest', password: 'guest' });
    await c.subscribeAsync('ws/echo', { qos: 1 });
    const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(p.toString())));
    await c.publishAsync('ws/echo', 'over websocket', { qos: 1 });
    expect(await got).toBe('over websocket');
    await c.endAsync();
  });
});

describe('Web STOMP origin check (web_stomp.allow_origins.*)', () => {
  it('refuses an upgrade from an origin that is not listed, accepts a listed one', async () => {
    const b = await h.startBroker({ config: { 'web_stomp.allow_origins.1': 'https://app.example' } });
    try {
      const url = `ws://127.0.0.1:${b.gateway.ports.webStomp}/ws`;
      const status = await new Promise<number | string>((resolve) => {
        const ws = new WebSocket(url, ['v12.stomp'], { origin: 'https://evil.example' });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('error', () => undefined);
      });
      expect(status).toBe(403);
      const ok = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url, ['v12.stomp'], { origin: 'https://app.example' });
        ws.once('open', () => {
          resolve(ws.protocol);
          ws.close();
        });
        ws.once('error', reject);
      });
      expect(ok).toBe('v12.stomp');
    } finally {
      await b.stop();
    }
  });
});
