import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as h from '../../helpers/broker.js';

function close(c: { close(): Promise<void> }): Promise<void> {
  return c.close().catch(() => undefined);
}

describe('Gateway (in-process)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'polyport-gw-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('starts on a free port, creates the default user and vhost, stops', async () => {
    const b = await h.startBroker();
    try {
      expect(b.amqpPort).toBeGreaterThan(0);
      const ports = b.gateway.ports;
      expect(ports).toMatchObject({ amqp: b.amqpPort, mqtt: b.mqttPort });
      // STOMP, Web STOMP and Web MQTT are on by default too (port 0 in tests)
      for (const k of ['stomp', 'webStomp', 'webMqtt'] as const) expect(ports[k]).toBeGreaterThan(0);
      expect(Object.keys(ports).sort()).toEqual(['amqp', 'mqtt', 'stomp', 'webMqtt', 'webStomp']);
      expect(b.mqttPort).toBeGreaterThan(0);
      expect(b.url).toBe(`amqp://guest:guest@127.0.0.1:${b.amqpPort}`);
      expect(b.core.vhosts.hasVhost('/')).toBe(true);
      const guest = b.core.users.listUsers().find((u) => u.name === 'guest');
      expect(guest?.tags).toEqual(['administrator']);
      expect(b.core.users.listPermissions()).toContainEqual({
        user: 'guest',
        vhost: '/',
        permissions: { configure: '.*', write: '.*', read: '.*' },
      });
      expect(b.core.users.isLoopbackOnly('guest')).toBe(true);
      expect(b.core.users.authenticate('guest', 'guest')?.name).toBe('guest');
    } finally {
      await b.stop();
    }
    // stopped: the port no longer accepts
    await expect(
      new Promise((resolve, reject) => net.connect(b.amqpPort, '127.0.0.1', () => resolve('connected')).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('applies default_user/default_pass/default_vhost/loopback_users from the config', async () => {
    const b = await h.startBroker({
      config: { default_user: 'admin', default_pass: 's3cret', default_vhost: 'prod', 'loopback_users.guest': 'false' },
    });
    try {
      expect(b.core.vhosts.hasVhost('prod')).toBe(true);
      expect(b.core.users.authenticate('admin', 's3cret')?.tags).toEqual(['administrator']);
      expect(b.core.users.canAccessVhost('admin', 'prod')).toBe(true);
      expect(b.core.users.isLoopbackOnly('admin')).toBe(false);
      expect(b.url).toBe(`amqp://admin:s3cret@127.0.0.1:${b.amqpPort}`);
    } finally {
      await b.stop();
    }
  });

  it('product.name / product.version override the advertised server properties (RabbitMQ keys)', async () => {
    const amqp = await import('amqplib');
    const b = await h.startBroker({ config: { 'product.name': 'RabbitMQ', 'product.version': '3.13.7' } });
    try {
      const conn = await amqp.connect(b.url);
      const props = (conn.connection as unknown as { serverProperties: Record<string, unknown> }).serverProperties;
      expect(props['product']).toBe('RabbitMQ');
      expect(props['version']).toBe('3.13.7');
      await conn.close();
    } finally {
      await b.stop();
    }
  });

  it('an AMQP client can connect; stop closes it with 320 CONNECTION_FORCED', async () => {
    const amqp = await import('amqplib');
    const b = await h.startBroker();
    const conn = await amqp.connect(b.url);
    const closed = new Promise<unknown>((resolve) => conn.on('close', resolve));
    conn.on('error', () => undefined);
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    expect(q.queue).toMatch(/^amq\.gen-/);
    expect(b.gateway.connectionCount()).toBe(1);
    await b.stop();
    const err = (await closed) as { code?: number; message?: string };
    expect(err.code).toBe(320);
    expect(err.message).toContain('CONNECTION_FORCED');
    await close(conn);
  });

  // needs a non-loopback IPv4 address on this machine to connect from
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

  it.skipIf(!external)('loopback_users: guest is refused from a non-loopback address unless loopback_users = none', async () => {
    const amqp = await import('amqplib');
    const strict = await h.startBroker();
    try {
      await expect(amqp.connect(`amqp://guest:guest@${external}:${strict.amqpPort}`)).rejects.toThrow(/ACCESS_REFUSED|403/);
    } finally {
      await strict.stop();
    }
    const open = await h.startBroker({ config: { loopback_users: 'none' } });
    try {
      const conn = await amqp.connect(`amqp://guest:guest@${external}:${open.amqpPort}`);
      await close(conn);
    } finally {
      await open.stop();
    }
  });

  it('two listeners: listeners.tcp.default and a named one', async () => {
    const b = await h.startBroker({ config: { 'listeners.tcp.lo': '127.0.0.1:0' } });
    try {
      const ls = b.gateway.listeners();
      expect(ls.map((l) => [l.protocol, l.name, l.transport])).toEqual([
        ['amqp091', 'default', 'tcp'],
        ['amqp091', 'lo', 'tcp'],
        ['mqtt', 'default', 'tcp'],
        ['stomp', '1', 'tcp'],
      ]);
      expect(b.gateway.ports.amqp).toBe(ls[0]?.port);
      expect(ls[1]?.address).toBe('127.0.0.1');
    } finally {
      await b.stop();
    }
  });

  it('a port in use fails start-up with a clear error and leaves nothing listening', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(h.startBroker({ config: { 'listeners.tcp.default': '0', 'listeners.tcp.taken': `127.0.0.1:${port}` } })).rejects.toThrow(
        `cannot listen for amqp091 (tcp) on 127.0.0.1:${port}: EADDRINUSE`,
      );
    } finally {
      blocker.close();
    }
  });

  it('an unwritable data_dir stops start-up', async () => {
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, '');
    await expect(h.startBroker({ config: { data_dir: join(file, 'data') } })).rejects.toThrow(
      `data_dir ${join(file, 'data')} is not writable: ENOTDIR`,
    );
  });

  it('AMQPS: listeners.ssl.default with ssl_options serves amqplib over TLS', async () => {
    const cert = join(tmp, 'cert.pem');
    const key = join(tmp, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    const b = await h.startBroker({
      config: { 'listeners.ssl.default': '0', 'ssl_options.certfile': cert, 'ssl_options.keyfile': key },
    });
    try {
      expect(b.amqpsPort).toBeGreaterThan(0);
      expect(b.gateway.ports).toMatchObject({ amqp: b.amqpPort, amqps: b.amqpsPort, mqtt: b.mqttPort });
      const amqp = await import('amqplib');
      const conn = await amqp.connect(`amqps://guest:guest@127.0.0.1:${b.amqpsPort}`, { ca: [readFileSync(cert)] });
      const ch = await conn.createChannel();
      await ch.assertQueue('tls-q', { exclusive: true });
      await close(conn);
    } finally {
      await b.stop();
    }
  });

  it('stop() is idempotent', async () => {
    const b = await h.startBroker();
    await Promise.all([b.stop(), b.stop(), b.gateway.stop()]);
  });
});
