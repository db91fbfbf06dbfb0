/**
 * src/stomp-web.ts called directly, as the gateway will: a core from
 * createCore, the gateway's Listeners (socketTransport), an MQTT adapter for
 * Web MQTT, port 0 everywhere.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@stomp/stompjs';
import type { IMessage } from '@stomp/stompjs';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { createCore } from '../../../core/index.js';
import type { Core } from '../../../core/index.js';
import { createMqttAdapter } from '../../../protocols/mqtt/index.js';
import type { MqttAdapter } from '../../../protocols/mqtt/index.js';
import { socketTransport } from '../../../protocols/shared/tcp.js';
import { Listeners } from '../../../src/listeners.js';
import { startStompAndWeb } from '../../../src/stomp-web.js';
import type { StompWeb, StompWebConfig } from '../../../src/stomp-web.js';
import { memoryLogger } from '../../helpers/amqp-server.js';
import type { LogRecord } from '../../helpers/amqp-server.js';
import { connectStompjs, RawClient, stompitConnect, stompitDisconnect, stompitSend, StompitSub, until } from '../stomp/util.js';

const NO_TLS = { verify: 'verify_none', failIfNoPeerCert: false } as const;
const LOCAL = '127.0.0.1';

function config(over: Partial<StompWebConfig> = {}): StompWebConfig {
  return {
    stomp: { listeners: { tcp: [{ name: '1', host: LOCAL, port: 0 }], ssl: [] } },
    webStomp: { port: 0, host: LOCAL },
    webMqtt: { port: 0, host: LOCAL },
    sslOptions: NO_TLS,
    ...over,
  };
}

interface Broker {
  core: Core;
  logs: LogRecord[];
  listeners: Listeners;
  mqtt: MqttAdapter;
  web: StompWeb;
  close(): Promise<void>;
}

async function start(over: Partial<StompWebConfig> = {}, withMqtt = true): Promise<Broker> {
  const logs: LogRecord[] = [];
  const logger = memoryLogger(logs);
  const core = createCore({ logger });
  core.users.addUser('guest', 'guest', ['administrator']);
  core.users.setPermissions('guest', '/', { configure: '.*', write: '.*', read: '.*' });
  const listeners = new Listeners(logger, socketTransport);
  const mqttAdapter = createMqttAdapter(core, { logger, allowAnonymous: true, defaultUser: 'guest', defaultPass: 'guest' });
  const web = await startStompAndWeb({ core, logger, listeners, config: config(over), mqttAdapter: withMqtt ? mqttAdapter : undefined });
  return {
    core,
    logs,
    listeners,
    mqtt: mqttAdapter,
    web,
    async close() {
      listeners.stopAccepting();
      web.stopAccepting();
      await mqttAdapter.closeAll();
      await web.close();
      await listeners.close();
      await core.shutdown();
    },
  };
}

let b: Broker;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  b = await start();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await b.close();
});

function stompjs(port: number): Promise<Client> {
  return connectStompjs(
    () => new WebSocket(`ws://${LOCAL}:${port}/ws`, ['v12.stomp']),
    (c) => cleanups.push(() => c.deactivate()),
  );
}

function listenerLines(logs: LogRecord[]): Record<string, unknown>[] {
  return logs.filter((l) => l.msg === 'listener started').map((l) => l.obj as Record<string, unknown>);
}

describe('startStompAndWeb', () => {
  it('binds STOMP TCP, Web STOMP and Web MQTT and logs one line per listener with the bound port', () => {
    const { ports } = b.web;
    expect(ports.stomp).toBeGreaterThan(0);
    expect(ports.webStomp).toBeGreaterThan(0);
    expect(ports.webMqtt).toBeGreaterThan(0);
    expect(ports.stomps).toBeUndefined();
    expect(ports.webStomps).toBeUndefined();
    const lines = listenerLines(b.logs).map((l) => ({ protocol: l['protocol'], transport: l['transport'], port: l['port'] }));
    expect(lines).toEqual([
      { protocol: 'stomp', transport: 'tcp', port: ports.stomp },
      { protocol: 'stomp', transport: 'ws', port: ports.webStomp },
      { protocol: 'mqtt', transport: 'ws', port: ports.webMqtt },
    ]);
    expect(b.listeners.bound().map((l) => [l.protocol, l.transport, l.name])).toEqual([['stomp', 'tcp', '1']]);
    expect(b.web.adapters.map((a) => a.name)).toEqual(['stomp']);
  });

  it('STOMP over TCP (stompit) reaches a Web STOMP (@stomp/stompjs) subscriber through the core', async () => {
    const ws = await stompjs(b.web.ports.webStomp!);
    const got: IMessage[] = [];
    ws.subscribe('/queue/wiring-1', (m) => got.push(m));
    const tcp = await stompitConnect(b.web.ports.stomp!);
    cleanups.push(() => stompitDisconnect(tcp));
    await stompitSend(tcp, { destination: '/queue/wiring-1', 'content-type': 'text/plain' }, 'over tcp', true);
    await until(() => got.length === 1, 3000, 'message over Web STOMP');
    expect(got[0]!.body).toBe('over tcp');
    expect(b.web.stomp.connectionCount()).toBe(2);
  });

  it('Web MQTT hands transports to the MQTT adapter: mqtt.js a/b meets STOMP /topic/a.b', async () => {
    const tcp = await stompitConnect(b.web.ports.stomp!);
    cleanups.push(() => stompitDisconnect(tcp));
    const sub = new StompitSub(tcp, { destination: '/topic/wiring.b', ack: 'auto' });
    await new Promise((r) => setTimeout(r, 100));
    const m = await mqtt.connectAsync(`ws://${LOCAL}:${b.web.ports.webMqtt}/ws`, { reconnectPeriod: 0 });
    cleanups.push(() => m.endAsync(true));
    expect(b.mqtt.connectionCount()).toBe(1);
    await m.publishAsync('wiring/b', 'from mqtt over ws', { qos: 1 });
    const msg = await sub.next();
    expect(msg.body.toString()).toBe('from mqtt over ws');
    expect(msg.headers['destination']).toBe('/topic/wiring.b');
  });

  it('a plain HTTP GET on a web port gets a 4xx, not a session', async () => {
    for (const port of [b.web.ports.webStomp!, b.web.ports.webMqtt!]) {
      const status = await new Promise<number>((resolve, reject) => {
        http.get({ host: LOCAL, port, path: '/ws' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });

  it('web_stomp.ws_frame: text by default, binary when configured', async () => {
    const frameType = async (port: number): Promise<boolean> => {
      const ws = new WebSocket(`ws://${LOCAL}:${port}/ws`, ['v12.stomp']);
      cleanups.push(() => ws.terminate());
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const got = new Promise<boolean>((resolve) => ws.once('message', (_d, isBinary) => resolve(isBinary)));
      ws.send('CONNECT\naccept-version:1.2\nlogin:guest\npasscode:guest\n\n\0');
      return got;
    };
    expect(await frameType(b.web.ports.webStomp!)).toBe(false);
    const bin = await start({ webStomp: { port: 0, host: LOCAL, wsFrame: 'binary' } });
    cleanups.push(() => bin.close());
    expect(await frameType(bin.web.ports.webStomp!)).toBe(true);
  });

  it('without an MQTT adapter Web MQTT is not started; port undefined = listener off', async () => {
    const only = await start({ stomp: { listeners: { tcp: [], ssl: [] } }, webStomp: {} }, false);
    cleanups.push(() => only.close());
    expect(only.web.ports).toEqual({});
    expect(listenerLines(only.logs)).toEqual([]);
  });

  it('close() closes Web STOMP sessions, the web servers, and STOMP connections', async () => {
    const x = await start();
    const ws = await stompjs(x.web.ports.webStomp!);
    const wsClosed = new Promise<void>((resolve) => (ws.onWebSocketClose = () => resolve()));
    const { c: tcp } = await RawClient.connected(x.web.ports.stomp!);
    expect(x.web.stomp.connectionCount()).toBe(2);
    await x.close();
    await wsClosed;
    expect((await tcp.next()).headers['message']).toBe('connection_forced');
    await tcp.closedP;
    expect(x.web.stomp.connectionCount()).toBe(0);
    for (const port of [x.web.ports.stomp!, x.web.ports.webStomp!, x.web.ports.webMqtt!]) {
      await expect(connects(port)).resolves.toBe(false);
    }
    await x.web.close(); // idempotent
  });

  it('a port in use fails start with a readable error and undoes the web servers it opened', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, LOCAL, resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const busy = (blocker.address() as net.AddressInfo).port;
    const logs: LogRecord[] = [];
    const logger = memoryLogger(logs);
    const core = createCore({ logger });
    const listeners = new Listeners(logger, socketTransport);
    const mqttAdapter = createMqttAdapter(core, { logger });
    const failed = startStompAndWeb({ core, logger, listeners, config: config({ webMqtt: { port: busy, host: LOCAL } }), mqttAdapter });
    await expect(failed).rejects.toThrow(`cannot listen for web_mqtt (ws) on ${LOCAL}:${busy}: EADDRINUSE`);
    const webStomp = listenerLines(logs).find((l) => l['transport'] === 'ws')?.['port'] as number;
    expect(webStomp).toBeGreaterThan(0);
    expect(await connects(webStomp)).toBe(false);
    await listeners.close();
    await core.shutdown();
  });

  it('a TLS web listener without ssl_options.certfile is a clear error', async () => {
    const logger = memoryLogger();
    const core = createCore({ logger });
    const listeners = new Listeners(logger, socketTransport);
    const failed = startStompAndWeb({ core, logger, listeners, config: config({ webStomp: { sslPort: 0 } }) });
    await expect(failed).rejects.toThrow('web_stomp.ssl needs ssl_options.certfile and keyfile');
    await listeners.close();
    await core.shutdown();
  });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, LOCAL);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
