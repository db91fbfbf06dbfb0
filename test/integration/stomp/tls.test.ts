/**
 * STOMP over TLS (`stomp.listeners.ssl.*`: tls server → socketTransport(s,
 * 'tls')) with stompit, and Web STOMP over wss (`web_stomp.ssl.port`) with
 * @stomp/stompjs, both started by src/stomp-web.ts with a throw-away
 * self-signed certificate made by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@stomp/stompjs';
import type { IMessage } from '@stomp/stompjs';
import stompit from 'stompit';
import WebSocket from 'ws';
import { createCore } from '../../../core/index.js';
import type { Core } from '../../../core/index.js';
import { socketTransport } from '../../../protocols/shared/tcp.js';
import { Listeners } from '../../../src/listeners.js';
import { startStompAndWeb } from '../../../src/stomp-web.js';
import type { StompWeb } from '../../../src/stomp-web.js';
import { memoryLogger } from '../../helpers/amqp-server.js';
import type { LogRecord } from '../../helpers/amqp-server.js';
import { connectStompjs, stompitDisconnect, stompitSend, StompitSub, until } from './util.js';
import type { StompitClient } from './util.js';

const LOCAL = '127.0.0.1';
let dir: string;
let cert: Buffer;
let core: Core;
let listeners: Listeners;
let web: StompWeb;
const logs: LogRecord[] = [];
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polyport-stomp-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'));
  const logger = memoryLogger(logs);
  core = createCore({ logger });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  listeners = new Listeners(logger, socketTransport);
  web = await startStompAndWeb({
    core,
    logger,
    listeners,
    config: {
      stomp: { listeners: { tcp: [], ssl: [{ name: '1', host: LOCAL, port: 0 }] } },
      webStomp: { sslPort: 0, sslHost: LOCAL },
      webMqtt: {},
      sslOptions: { certfile: join(dir, 'cert.pem'), keyfile: join(dir, 'key.pem'), verify: 'verify_none', failIfNoPeerCert: false },
    },
  });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  listeners.stopAccepting();
  await web.close();
  await listeners.close();
  await core.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function stompitTls(opts: tls.ConnectionOptions): Promise<StompitClient> {
  return new Promise((resolve, reject) => {
    stompit.connect(
      {
        host: LOCAL,
        port: web.ports.stomps,
        ssl: true,
        servername: 'localhost',
        ...opts,
        connectHeaders: { host: '/', login: 'guest', passcode: 'guest', 'heart-beat': '0,0' },
      },
      (err: Error | null, client: StompitClient) => {
        if (err) reject(err);
        else {
          client.on('error', () => {});
          cleanups.push(() => stompitDisconnect(client));
          resolve(client);
        }
      },
    );
  });
}

function stompjsWss(ca: Buffer | undefined): Promise<Client> {
  let rejectConnect: (e: Error) => void = () => {};
  const p = connectStompjs(
    () => {
      // ws hands these to tls.connect; servername: the certificate is for localhost
      const opts: WebSocket.ClientOptions & tls.ConnectionOptions = { servername: 'localhost', ...(ca ? { ca } : {}) };
      return new WebSocket(`wss://${LOCAL}:${web.ports.webStomps}/ws`, ['v12.stomp'], opts);
    },
    (c) => cleanups.push(() => c.deactivate()),
    { onWebSocketClose: () => rejectConnect(new Error('websocket closed')) },
  );
  return new Promise((resolve, reject) => {
    rejectConnect = reject;
    p.then(resolve, reject);
  });
}

describe('STOMP over TLS and Web STOMP over wss', () => {
  it('binds the TLS listeners and logs them with the bound port', () => {
    expect(web.ports.stomps).toBeGreaterThan(0);
    expect(web.ports.webStomps).toBeGreaterThan(0);
    expect(web.ports.stomp).toBeUndefined();
    expect(web.ports.webStomp).toBeUndefined();
    const lines = logs.filter((l) => l.msg === 'listener started').map((l) => l.obj as Record<string, unknown>);
    expect(lines.map((l) => [l['protocol'], l['transport'], l['port']])).toEqual([
      ['stomp', 'tls', web.ports.stomps],
      ['stomp', 'wss', web.ports.webStomps],
    ]);
  });

  it('stompit over TLS (trusting the CA) sends with a receipt and receives, large bodies too', async () => {
    const c = await stompitTls({ ca: [cert] });
    const sub = new StompitSub(c, { destination: '/queue/tls-1' });
    const big = Buffer.alloc(300_000, 7);
    await stompitSend(c, { destination: '/queue/tls-1' }, 'secure', true);
    await stompitSend(c, { destination: '/queue/tls-1', 'content-length': String(big.length) }, big, true);
    const [a, b] = await sub.take(2);
    expect(a!.body.toString()).toBe('secure');
    expect(b!.body.equals(big)).toBe(true);
    const conn = logs.find((l) => (l.obj as Record<string, unknown>)['transport'] === 'tls' && l.msg !== 'listener started');
    expect(conn).toBeDefined();
  });

  it('a client that does not trust the certificate fails the TLS handshake', async () => {
    await expect(stompitTls({})).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('@stomp/stompjs over wss receives what stompit sent over TLS, and the reverse', async () => {
    const ws = await stompjsWss(cert);
    const got: IMessage[] = [];
    ws.subscribe('/topic/tls.x', (m) => got.push(m));
    const c = await stompitTls({ ca: [cert] });
    const sub = new StompitSub(c, { destination: '/topic/tls.y' });
    await new Promise((r) => setTimeout(r, 100));
    await stompitSend(c, { destination: '/topic/tls.x', 'content-type': 'text/plain' }, 'tls → wss', true);
    await until(() => got.length === 1, 3000, 'message over wss');
    expect(got[0]!.body).toBe('tls → wss');
    expect(got[0]!.headers['destination']).toBe('/topic/tls.x');
    ws.publish({ destination: '/topic/tls.y', body: 'wss → tls' });
    expect((await sub.next()).body.toString()).toBe('wss → tls');
  });

  it('a wss client without the CA is refused', async () => {
    await expect(stompjsWss(undefined)).rejects.toThrow(/websocket/);
  });
});
