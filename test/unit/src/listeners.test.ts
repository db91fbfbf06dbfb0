import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../../protocols/shared/transport.js';
import { Listeners, type ProtocolAdapter, type ToTransport } from '../../../src/listeners.js';
import { createLogger } from '../../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { logger, lines };
}

/** Just enough of a Transport for listener tests. */
const toTransport: ToTransport = (socket, kind) =>
  ({
    info: { kind, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localPort: socket.localPort ?? 0 },
    start() {},
    write: (b: Buffer) => socket.write(b),
    pendingBytes: 0,
    writable: true,
    pauseReading() {},
    resumeReading() {},
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  }) satisfies Transport;

function fakeAdapter(name = 'fake') {
  const accepted: Transport[] = [];
  const adapter: ProtocolAdapter = {
    name,
    accept: (t) => {
      accepted.push(t);
      t.write(Buffer.from('hello'));
    },
    closeAll: async () => {},
    connectionCount: () => accepted.length,
  };
  return { adapter, accepted };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

function firstData(s: net.Socket): Promise<string> {
  return new Promise((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newListeners() {
  const { logger, lines } = capture();
  const l = new Listeners(logger, toTransport);
  cleanups.push(() => l.close());
  return { l, lines };
}

describe('TCP listener', () => {
  it('binds port 0 to a real port and logs one line with the bound port', async () => {
    const { l, lines } = newListeners();
    const { adapter } = fakeAdapter('amqp091');
    const b = await l.start({ adapter, kind: 'tcp', name: 'default', endpoint: { port: 0 } });
    expect(b.port).toBeGreaterThan(0);
    expect(l.bound()).toEqual([b]);
    const started = lines.filter((x) => x['msg'] === 'listener started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ level: 'info', protocol: 'amqp091', transport: 'tcp', port: b.port, address: b.address });
  });

  it('binds the given address', async () => {
    const { l } = newListeners();
    const b = await l.start({ adapter: fakeAdapter().adapter, kind: 'tcp', name: 'lo', endpoint: { host: '127.0.0.1', port: 0 } });
    expect(b.address).toBe('127.0.0.1');
  });

  it('hands each accepted socket to the adapter as a tcp transport', async () => {
    const { l } = newListeners();
    const { adapter, accepted } = fakeAdapter();
    const b = await l.start({ adapter, kind: 'tcp', name: 'default', endpoint: { port: 0 } });
    const c = await connect(b.port);
    cleanups.push(() => void c.destroy());
    expect(await firstData(c)).toBe('hello');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.info.kind).toBe('tcp');
    expect(l.socketCount()).toBe(1);
  });

  it('stopAccepting refuses new connections; close destroys open ones', async () => {
    const { l } = newListeners();
    const b = await l.start({ adapter: fakeAdapter().adapter, kind: 'tcp', name: 'default', endpoint: { host: '127.0.0.1', port: 0 } });
    const c = await connect(b.port);
    await firstData(c);
    const closed = new Promise((r) => c.once('close', r));
    l.stopAccepting();
    await expect(connect(b.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await l.close();
    await closed;
    expect(l.socketCount()).toBe(0);
  });

  it('a port in use is a readable error', async () => {
    const { l } = newListeners();
    const b = await l.start({ adapter: fakeAdapter().adapter, kind: 'tcp', name: 'a', endpoint: { host: '127.0.0.1', port: 0 } });
    await expect(l.start({ adapter: fakeAdapter('amqp091').adapter, kind: 'tcp', name: 'b', endpoint: { host: '127.0.0.1', port: b.port } })).rejects.toThrow(
      `cannot listen for amqp091 (tcp) on 127.0.0.1:${b.port}: EADDRINUSE`,
    );
  });

  it('an adapter that throws in accept gets the socket destroyed, the listener survives', async () => {
    const { l, lines } = newListeners();
    const adapter: ProtocolAdapter = {
      name: 'broken',
      accept: () => {
        throw new Error('boom');
      },
      closeAll: async () => {},
      connectionCount: () => 0,
    };
    const b = await l.start({ adapter, kind: 'tcp', name: 'default', endpoint: { port: 0 } });
    const c = await connect(b.port);
    await new Promise((r) => c.once('close', r));
    expect(lines.some((x) => x['msg'] === 'adapter failed to accept a connection')).toBe(true);
    const c2 = await connect(b.port);
    await new Promise((r) => c2.once('close', r));
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('TLS listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polyport-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  beforeAll(() => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function tlsConnect(port: number, o: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', ca: [readFileSync(cert)], ...o }, () => resolve(s));
      s.once('error', reject);
    });
  }

  it('accepts TLS clients and passes a tls transport; logs transport tls', async () => {
    const { l, lines } = newListeners();
    const { adapter, accepted } = fakeAdapter('amqp091');
    const b = await l.start({
      adapter, kind: 'tls', name: 'default', endpoint: { port: 0 },
      tls: { certfile: cert, keyfile: key, verify: 'verify_none', failIfNoPeerCert: false },
    });
    const c = await tlsConnect(b.port);
    cleanups.push(() => void c.destroy());
    expect(await firstData(c)).toBe('hello');
    expect(accepted[0]?.info.kind).toBe('tls');
    expect(lines.find((x) => x['msg'] === 'listener started')).toMatchObject({ transport: 'tls', port: b.port });
  });

  it('verify_peer + fail_if_no_peer_cert refuses a client without a certificate', async () => {
    const { l } = newListeners();
    const { adapter, accepted } = fakeAdapter();
    const b = await l.start({
      adapter, kind: 'tls', name: 'default', endpoint: { port: 0 },
      tls: { certfile: cert, keyfile: key, cacertfile: cert, verify: 'verify_peer', failIfNoPeerCert: true },
    });
    const outcome = await new Promise<string>((resolve) => {
      const s = tls.connect({ port: b.port, host: '127.0.0.1', ca: [readFileSync(cert)] });
      s.on('data', () => resolve('data'));
      s.on('error', () => resolve('error'));
      s.on('close', () => resolve('closed'));
    });
    expect(outcome).not.toBe('data');
    expect(accepted).toHaveLength(0);
  });

  it('a missing certfile is a readable error', async () => {
    const { l } = newListeners();
    await expect(
      l.start({
        adapter: fakeAdapter().adapter, kind: 'tls', name: 'default', endpoint: { port: 0 },
        tls: { certfile: join(dir, 'nope.pem'), keyfile: key, verify: 'verify_none', failIfNoPeerCert: false },
      }),
    ).rejects.toThrow(/ssl_options.certfile .*nope.pem: ENOENT/);
  });
});
