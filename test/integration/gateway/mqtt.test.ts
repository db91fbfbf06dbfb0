/**
 * MQTT through the assembled gateway: mqtt.listeners.tcp/ssl wiring, the
 * mqtt.* config keys, cross-protocol AMQP ↔ MQTT on amq.topic (headers ↔ v5
 * user properties, content type, correlation data), MQTTS with a self-signed
 * certificate, and TLS client-certificate login (mqtt.ssl_cert_login).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as h from '../../helpers/broker.js';

const tmp = mkdtempSync(join(tmpdir(), 'polyport-gw-mqtt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore', cwd: tmp });
}

function connect(url: string, o: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...o });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

function end(c: MqttClient | undefined): Promise<void> {
  return c ? new Promise((r) => c.end(true, {}, () => r())) : Promise.resolve();
}

async function eventually(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MQTT on the gateway (mqtt.listeners.tcp)', () => {
  let b: h.TestBroker;
  beforeAll(async () => {
    b = await h.startBroker();
  });
  afterAll(() => b.stop());

  it('mqtt.js 3.1.1 and 5.0 connect to the MQTT port with the default user and exchange messages', async () => {
    expect(b.mqttPort).toBeGreaterThan(0);
    expect(b.gateway.ports.mqtt).toBe(b.mqttPort);
    const sub = await connect(b.mqttUrl, { username: 'guest', password: 'guest', protocolVersion: 5, clientId: 'gw-sub' });
    const pub = await connect(b.mqttUrl, { username: 'guest', password: 'guest', protocolVersion: 4, clientId: 'gw-pub' });
    try {
      const got: string[] = [];
      sub.on('message', (t, p) => got.push(`${t}=${p.toString()}`));
      await sub.subscribeAsync('gw/+/temp', { qos: 1 });
      await pub.publishAsync('gw/room1/temp', '21.5', { qos: 1 });
      await eventually(() => got.length === 1, 'delivery');
      expect(got).toEqual(['gw/room1/temp=21.5']);
      expect(b.gateway.connectionCount()).toBe(2);
    } finally {
      await Promise.all([end(sub), end(pub)]);
    }
  });

  it('anonymous CONNECT logs in as mqtt.default_user (guest) from loopback: RabbitMQ default allow_anonymous = true', async () => {
    const c = await connect(b.mqttUrl, { clientId: 'gw-anon' });
    await end(c);
  });

  it('a wrong password gets CONNACK 5 (3.1.1)', async () => {
    await expect(connect(b.mqttUrl, { username: 'guest', password: 'nope', clientId: 'gw-bad' })).rejects.toThrow(/Not authorized|Bad username/i);
  });

  it('mqtt.server_keep_alive and mqtt.receive_maximum reach a v5 CONNACK; defaults send neither', async () => {
    const connack = (url: string, clientId: string): Promise<{ c: MqttClient; props: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const c = mqtt.connect(url, { reconnectPeriod: 0, protocolVersion: 5, keepalive: 120, username: 'guest', password: 'guest', clientId });
        c.once('connect', (ack) => resolve({ c, props: (ack.properties ?? {}) as Record<string, unknown> }));
        c.once('error', reject);
      });
    const tuned = await h.startBroker({ config: { 'mqtt.server_keep_alive': '60', 'mqtt.receive_maximum': '100' } });
    try {
      const a = await connack(tuned.mqttUrl, 'gw-ka');
      expect(a.props['serverKeepAlive']).toBe(60);
      expect(a.props['receiveMaximum']).toBe(100);
      await end(a.c);
      const d = await connack(b.mqttUrl, 'gw-ka2');
      expect(d.props['serverKeepAlive']).toBeUndefined();
      expect(d.props['receiveMaximum']).toBeUndefined();
      await end(d.c);
    } finally {
      await tuned.stop();
    }
  });
});

describe('cross-protocol through the gateway (amq.topic)', () => {
  let b: h.TestBroker;
  beforeAll(async () => {
    b = await h.startBroker();
  });
  afterAll(() => b.stop());

  it('amqplib publishes to amq.topic a.b → mqtt.js v5 subscriber of a/b, headers as user properties', async () => {
    const amqp = await import('amqplib');
    const sub = await connect(b.mqttUrl, { username: 'guest', password: 'guest', protocolVersion: 5, clientId: 'x-sub' });
    const conn = await amqp.connect(b.url);
    try {
      const got: mqtt.IPublishPacket[] = [];
      sub.on('message', (_t, _p, pkt) => got.push(pkt));
      await sub.subscribeAsync('a/b', { qos: 1 });
      const ch = await conn.createConfirmChannel();
      ch.publish('amq.topic', 'a.b', Buffer.from('from-amqp'), {
        headers: { site: 'lab', n: 7 },
        contentType: 'text/plain',
        correlationId: 'corr-1',
        persistent: true,
      });
      await ch.waitForConfirms();
      await eventually(() => got.length === 1, 'MQTT delivery');
      const pkt = got[0]!;
      expect(pkt.topic).toBe('a/b');
      expect(pkt.payload.toString()).toBe('from-amqp');
      expect(pkt.qos).toBe(1); // persistent → QoS 1, subscription QoS 1
      expect(pkt.properties?.userProperties).toEqual({ site: 'lab', n: '7' });
      expect(pkt.properties?.contentType).toBe('text/plain');
      expect(pkt.properties?.correlationData?.toString()).toBe('corr-1');
    } finally {
      await conn.close().catch(() => undefined);
      await end(sub);
    }
  });

  it('mqtt.js v5 publish with user properties, content type, correlation data, response topic → amqplib consumer', async () => {
    const amqp = await import('amqplib');
    const conn = await amqp.connect(b.url);
    const pub = await connect(b.mqttUrl, { username: 'guest', password: 'guest', protocolVersion: 5, clientId: 'x-pub' });
    try {
      const ch = await conn.createChannel();
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      await ch.bindQueue(q, 'amq.topic', 'sensors.*.temp');
      const got: import('amqplib').ConsumeMessage[] = [];
      await ch.consume(q, (m) => m && got.push(m), { noAck: true });
      await pub.publishAsync('sensors/k1/temp', 'from-mqtt', {
        qos: 1,
        properties: {
          userProperties: { unit: 'C', tag: ['x', 'y'] },
          contentType: 'application/json',
          correlationData: Buffer.from('req-42'),
          responseTopic: 'replies/k1',
          messageExpiryInterval: 60,
        },
      });
      await eventually(() => got.length === 1, 'AMQP delivery');
      const m = got[0]!;
      expect(m.fields.exchange).toBe('amq.topic');
      expect(m.fields.routingKey).toBe('sensors.k1.temp');
      expect(m.content.toString()).toBe('from-mqtt');
      expect(m.properties.contentType).toBe('application/json');
      expect(m.properties.correlationId).toBe('req-42');
      expect(m.properties.deliveryMode).toBe(2); // QoS 1 → persistent
      expect(m.properties.expiration).toBe('60000');
      const headers = m.properties.headers ?? {};
      expect(headers['unit']).toBe('C');
      expect(headers['tag']).toEqual(['x', 'y']);
      expect(headers['x-reply-to-topic']).toBe('replies.k1');
      expect(headers['x-mqtt-publish-qos']).toBe(1);
    } finally {
      await conn.close().catch(() => undefined);
      await end(pub);
    }
  });

  it('stop() closes MQTT connections: a v5 client receives DISCONNECT 0x8B', async () => {
    const b2 = await h.startBroker();
    const c = await connect(b2.mqttUrl, { username: 'guest', password: 'guest', protocolVersion: 5, clientId: 'x-stop' });
    const disconnect = new Promise<number | undefined>((r) => c.once('disconnect', (p) => r(p.reasonCode)));
    c.on('error', () => undefined);
    expect(b2.gateway.connectionCount()).toBe(1);
    await b2.stop();
    expect(await disconnect).toBe(0x8b);
    await end(c);
  });
});

describe('MQTTS (mqtt.listeners.ssl) and certificate login', () => {
  let ca: Buffer;
  beforeAll(() => {
    // CA → server certificate for 127.0.0.1, client certificates CN=device-7 and CN=nobody
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=Test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    const leaf = (name: string, subj: string, ext: string[]): void => {
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subj, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.pem`, ...ext);
    };
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'self.key', '-out', 'self.pem');
    leaf('server', '/CN=localhost', []);
    leaf('device', '/CN=device-7', []);
    leaf('nobody', '/CN=nobody', []);
    ca = readFileSync(join(tmp, 'ca.pem'));
  });

  it('mqtt.js connects with mqtts:// and the self-signed certificate; an untrusting client fails', async () => {
    const b = await h.startBroker({
      config: { 'mqtt.listeners.ssl.default': '0', 'ssl_options.certfile': join(tmp, 'self.pem'), 'ssl_options.keyfile': join(tmp, 'self.key') },
    });
    try {
      expect(b.mqttsPort).toBeGreaterThan(0);
      expect(b.gateway.ports).toMatchObject({ amqp: b.amqpPort, mqtt: b.mqttPort, mqtts: b.mqttsPort });
      const url = `mqtts://127.0.0.1:${b.mqttsPort}`;
      const c = await connect(url, { username: 'guest', password: 'guest', ca: readFileSync(join(tmp, 'self.pem')), protocolVersion: 5 });
      const got: string[] = [];
      c.on('message', (_t, p) => got.push(p.toString()));
      await c.subscribeAsync('tls/t', { qos: 1 });
      await c.publishAsync('tls/t', Buffer.alloc(100_000, 'z'), { qos: 1 });
      await eventually(() => got.length === 1, 'TLS delivery');
      expect(got[0]!.length).toBe(100_000);
      await end(c);
      await expect(connect(url, { username: 'guest', password: 'guest' })).rejects.toThrow(/self[- ]signed|certificate/i);
    } finally {
      await b.stop();
    }
  });

  it('mqtt.ssl_cert_login = true with verify_peer: the client certificate CN is the username, no password sent', async () => {
    const b = await h.startBroker({
      config: {
        'mqtt.listeners.ssl.default': '0',
        'mqtt.ssl_cert_login': 'true',
        'mqtt.allow_anonymous': 'false',
        'ssl_options.certfile': join(tmp, 'server.pem'),
        'ssl_options.keyfile': join(tmp, 'server.key'),
        'ssl_options.cacertfile': join(tmp, 'ca.pem'),
        'ssl_options.verify': 'verify_peer',
        'ssl_options.fail_if_no_peer_cert': 'true',
      },
    });
    b.core.users.addUser('device-7', null, []);
    b.core.users.setPermissions('device-7', '/', { configure: '.*', write: '.*', read: '.*' });
    const url = `mqtts://127.0.0.1:${b.mqttsPort}`;
    const tlsFor = (name: string): IClientOptions => ({ ca, cert: readFileSync(join(tmp, `${name}.pem`)), key: readFileSync(join(tmp, `${name}.key`)), servername: 'localhost' });
    try {
      const c = await connect(url, { ...tlsFor('device'), protocolVersion: 5, clientId: 'dev7' });
      const got: string[] = [];
      c.on('message', (_t, p) => got.push(p.toString()));
      await c.subscribeAsync('dev/7', { qos: 1 });
      await c.publishAsync('dev/7', 'hello', { qos: 1 });
      await eventually(() => got.length === 1, 'cert-login delivery');
      expect(b.core.inspect.listConnections().filter((x) => x.protocol === 'mqtt50').map((x) => x.user)).toEqual(['device-7']);
      await end(c);
      // a certificate for a user that does not exist → CONNACK 0x86
      await expect(connect(url, { ...tlsFor('nobody'), protocolVersion: 5, clientId: 'nobody' })).rejects.toThrow(/Bad User Name or Password|Not authorized/i);
    } finally {
      await b.stop();
    }
  });
});
