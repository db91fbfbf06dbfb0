/**
 * Gateway assembly with the core and the AMQP adapter replaced by recording
 * fakes: start order, default user, loopback users, listener wiring, stop
 * order, failure clean-up. The real modules are exercised by
 * test/integration/gateway.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { SHUTDOWN_REPLY_TEXT, startGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/logger.js';
import { version } from '../../../src/version.js';

const calls: string[] = [];
const accepted: { kind: string }[] = [];
let users: { name: string; tags: string[]; passwordHash: string }[] = [];
let connections = 0;

vi.mock('../../../core/index.js', () => ({
  createCore: (opts: { defaultVhost?: string }) => {
    calls.push(`createCore ${opts.defaultVhost}`);
    const vhosts = new Set<string>([opts.defaultVhost ?? '/']);
    return {
      users: {
        addUser: (n: string, p: string, tags: string[]) => {
          calls.push(`addUser ${n} ${p} ${tags.join(',')}`);
          users.push({ name: n, tags, passwordHash: 'x' });
        },
        listUsers: () => users,
        setPermissions: (u: string, v: string, p: object) => calls.push(`setPermissions ${u} ${v} ${JSON.stringify(p)}`),
        setLoopbackUsers: (names: string[]) => calls.push(`setLoopbackUsers ${names.join(',')}`),
      },
      vhosts: {
        hasVhost: (v: string) => vhosts.has(v),
        addVhost: (v: string) => {
          calls.push(`addVhost ${v}`);
          vhosts.add(v);
        },
      },
      shutdown: async () => void calls.push('core.shutdown'),
    };
  },
  // persistence is exercised by test/integration/durability; here it is inert
  openPersistence: () => ({
    definitions: { load: () => null, scheduleSave: () => undefined },
    finishRecovery: () => undefined,
    stateMap: () => ({ load: () => new Map(), set: async () => undefined, delete: async () => undefined, size: 0, close: async () => undefined }),
    close: async () => undefined,
  }),
  durabilityHooks: () => ({}),
  exportDefinitions: () => ({}),
  importDefinitions: () => ({ errors: [] }),
}));

vi.mock('../../../protocols/amqp091/index.js', () => ({
  createAmqpAdapter: (_core: unknown, o: Record<string, unknown>) => {
    const { logger: _l, ...rest } = o;
    calls.push(`createAmqpAdapter ${JSON.stringify(rest)}`);
    return {
      name: 'amqp091',
      accept: (t: { info: { kind: string } }) => {
        connections++;
        accepted.push({ kind: t.info.kind });
      },
      closeAll: async (code: number, text: string) => {
        calls.push(`closeAll ${code} ${text}`);
        connections = 0;
      },
      connectionCount: () => connections,
    };
  },
}));

vi.mock('../../../protocols/mqtt/index.js', () => ({
  createMqttAdapter: (_core: unknown, o: Record<string, unknown>) => {
    const { logger: _l, ...rest } = o;
    calls.push(`createMqttAdapter ${JSON.stringify(rest)}`);
    return {
      name: 'mqtt',
      accept: (t: { info: { kind: string } }) => {
        connections++;
        accepted.push({ kind: `mqtt-${t.info.kind}` });
      },
      closeAll: async () => {
        calls.push('mqtt closeAll');
      },
      connectionCount: () => 0,
    };
  },
}));

vi.mock('../../../protocols/shared/tcp.js', () => ({
  socketTransport: (socket: net.Socket, kind: string) => ({ info: { kind }, socket }),
}));


const tmp = mkdtempSync(join(tmpdir(), 'polyport-gwu-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function setup(...lines: string[]) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void logs.push(JSON.parse(s)) } });
  const config = loadConfigText([`data_dir = ${join(tmp, 'data')}`, 'listeners.tcp.default = 0', 'mqtt.listeners.tcp.default = 0', 'stomp.listeners.tcp = none', 'web_stomp.tcp.port = 0', 'web_mqtt.tcp.port = 0', ...lines].join('\n'));
  return { config, logger, logs };
}

beforeEach(() => {
  calls.length = 0;
  accepted.length = 0;
  users = [];
  connections = 0;
});

describe('Gateway with fake core and adapter', () => {
  it('starts in order: core, default user with full permissions, loopback users, adapter with config tuning', async () => {
    const { config, logger, logs } = setup('heartbeat = 30', 'frame_max = 65536', 'default_pass = pw-secret-2');
    const gw = await startGateway(config, { logger });
    try {
      expect(calls).toEqual([
        'createCore /',
        'addUser guest pw-secret-2 administrator',
        `setPermissions guest / ${JSON.stringify({ configure: '.*', write: '.*', read: '.*' })}`,
        'setLoopbackUsers guest',
        `createAmqpAdapter ${JSON.stringify({
          frameMax: 65536,
          channelMax: 2047,
          heartbeat: 30,
          handshakeTimeoutMs: 10000,
          maxMessageSize: 134217728,
          product: 'Polyport',
          version: version(),
        })}`,
        `createMqttAdapter ${JSON.stringify({
          exchange: 'amq.topic',
          vhost: '/',
          allowAnonymous: true,
          defaultUser: 'guest',
          defaultPass: 'guest',
          maxPacketSize: 268435456,
          prefetch: 10,
          topicEscaping: false,
          sslCertLogin: false,
          maxSessionExpirySeconds: 86400,
          topicAliasMaximum: 16,
          loginTimeoutMs: 10000,
          retainedLimit: { maxMessages: 1000000, maxBytes: 1073741824 },
          receiveMaximum: 65535,
          state: { size: 0 }, // persistence.stateMap('mqtt') (its functions drop out of the JSON)
        })}`,
      ]);
      expect(gw.ports.amqp).toBeGreaterThan(0);
      expect(gw.ports.amqps).toBeUndefined();
      expect(logs.find((l) => l['msg'] === 'listener started')).toMatchObject({ protocol: 'amqp091', transport: 'tcp', port: gw.ports.amqp });
      expect(gw.ports.mqtt).toBeGreaterThan(0);
      expect(logs.filter((l) => l['msg'] === 'listener started').map((l) => l['protocol'])).toEqual(['amqp091', 'mqtt', 'stomp', 'mqtt']);
      expect(logs.find((l) => l['msg'] === 'broker started')).toMatchObject({ ports: { amqp: gw.ports.amqp, mqtt: gw.ports.mqtt } });
      expect(JSON.stringify(logs)).not.toContain('pw-secret-2');
    } finally {
      await gw.stop();
    }
  });

  it('an existing default user is left alone; a new default vhost is added', async () => {
    users = [{ name: 'guest', tags: [], passwordHash: 'x' }];
    const { config, logger } = setup('default_vhost = prod', 'loopback_users = none');
    const gw = await startGateway(config, { logger });
    await gw.stop();
    expect(calls.filter((c) => c.startsWith('addUser'))).toEqual([]);
    expect(calls).toContain('setLoopbackUsers ');
    expect(calls[0]).toBe('createCore prod');
  });

  it('hands accepted sockets to the adapter; stop: closeAll(320) before core.shutdown, then the port is closed', async () => {
    const { config, logger, logs } = setup();
    const gw = await startGateway(config, { logger });
    const port = gw.ports.amqp ?? 0;
    const c = net.connect(port, '127.0.0.1');
    const clientClosed = new Promise((r) => c.once('close', r));
    await vi.waitFor(() => expect(accepted).toEqual([{ kind: 'tcp' }]));
    expect(gw.connectionCount()).toBe(1);
    await gw.stop();
    await clientClosed; // the fake adapter did not close it: the listener destroyed it
    const tail = calls.slice(-3);
    expect(tail).toEqual([`closeAll 320 ${SHUTDOWN_REPLY_TEXT}`, 'mqtt closeAll', 'core.shutdown']);
    expect(SHUTDOWN_REPLY_TEXT).toBe("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    expect(logs.map((l) => l['msg'])).toEqual(expect.arrayContaining(['stopping', 'listener stopped', 'stopped']));
    await expect(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1', () => resolve('connected')).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a failing listener undoes the start (adapter closed, core shut down) and rejects', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const { config, logger } = setup(`listeners.tcp.b = 127.0.0.1:${taken}`);
    await expect(startGateway(config, { logger })).rejects.toThrow(`127.0.0.1:${taken}: EADDRINUSE`);
    blocker.close();
    expect(calls.slice(-2)).toEqual([`closeAll 320 ${SHUTDOWN_REPLY_TEXT}`, 'core.shutdown']);
  });

  it('an unwritable data_dir fails before the core is created', async () => {
    const { logger } = setup();
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const config = loadConfigText(`data_dir = ${file}/data\nlisteners.tcp.default = 0\nmqtt.listeners.tcp.default = 0`);
    await expect(startGateway(config, { logger })).rejects.toThrow(`data_dir ${file}/data is not writable: ENOTDIR`);
    expect(calls).toEqual([]);
  });
});
