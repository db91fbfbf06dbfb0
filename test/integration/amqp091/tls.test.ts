/**
 * AMQPS: the same adapter over tls.createServer → socketTransport(s, 'tls'),
 * with a throw-away self-signed certificate made by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmqpServer } from '../../helpers/amqp-server.js';
import type { AmqpTestServer } from '../../helpers/amqp-server.js';
import { Clients, collect, eventually, rejects } from './util.js';

let srv: AmqpTestServer;
let dir: string;
let cert: Buffer;
const clients = new Clients();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polyport-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'));
  srv = await startAmqpServer({ tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
});

afterAll(async () => {
  await clients.closeAll();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AMQP over TLS', () => {
  it('amqplib connects with amqps:// and the CA, publishes and consumes', async () => {
    expect(srv.url.startsWith('amqps://')).toBe(true);
    const conn = await clients.connect(srv.url, { ca: [cert], servername: 'localhost' });
    const ch = await conn.createChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const c = await collect(ch, q, { noAck: true });
    const big = Buffer.alloc(300_000, 9);
    ch.sendToQueue(q, Buffer.from('secure'));
    ch.sendToQueue(q, big);
    await eventually(() => c.msgs.length === 2);
    expect(c.msgs[0]!.content.toString()).toBe('secure');
    expect(c.msgs[1]!.content.equals(big)).toBe(true);
  });

  it('a client that does not trust the certificate fails the TLS handshake', async () => {
    await rejects(clients.connect(srv.url, { servername: 'localhost' }), /self[- ]signed|certificate/i);
  });
});
