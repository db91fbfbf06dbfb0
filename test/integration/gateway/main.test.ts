import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as h from '../../helpers/broker.js';

// runs dist/src/main.js: `npm test` builds it first (tsc -b); when running vitest alone, `npm run build` first

describe('polyport (dist/src/main.js as a child process)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'polyport-main-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('logs one listener line with the bound port, then broker started', async () => {
    const b = await h.spawnBroker(['default_pass = pw-secret-1']);
    try {
      expect(b.port).toBeGreaterThan(0);
      const started = b.logs.filter((l) => l.msg === 'listener started');
      expect(started.map((l) => `${l['protocol']}/${l['transport']}`)).toEqual(['amqp091/tcp', 'mqtt/tcp', 'stomp/tcp', 'stomp/ws', 'mqtt/ws']);
      expect(started[1]).toMatchObject({ level: 'info', protocol: 'mqtt', transport: 'tcp' });
      expect(started[1]?.['port']).toBeGreaterThan(0);
      expect(started[0]).toMatchObject({ level: 'info', protocol: 'amqp091', transport: 'tcp', port: b.port });
      expect(typeof started[0]?.['address']).toBe('string');
      expect(b.logs.some((l) => l.msg === 'broker started')).toBe(true);
      expect(JSON.stringify(b.logs)).not.toContain('pw-secret-1');
    } finally {
      expect(await b.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });

  it('SIGTERM: a connected amqplib client receives connection.close 320, the process exits 0', async () => {
    const amqp = await import('amqplib');
    const b = await h.spawnBroker();
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.port}`);
    conn.on('error', () => undefined);
    const closed = new Promise<{ code?: number; message?: string }>((resolve) => conn.on('close', resolve));
    const status = await b.kill('SIGTERM');
    const err = await closed;
    expect(err.code).toBe(320);
    expect(err.message).toContain("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'");
    expect(status).toEqual({ code: 0, signal: null });
    expect(b.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received, shutting down', 'stopped']));
  });

  it('stdout closed by the reader (EPIPE): SIGTERM still exits 0', async () => {
    const b = await h.spawnBroker();
    b.child.stdout?.destroy();
    expect(await b.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('SIGINT also stops gracefully', async () => {
    const b = await h.spawnBroker();
    expect(await b.kill('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('reads the config file named by POLYPORT_CONFIG_FILE', async () => {
    const b = await h.spawnBroker(['heartbeat = 7'], { viaEnv: true });
    try {
      expect(b.logs.some((l) => l.msg === 'config loaded' && String(l['configFile']).endsWith('polyport.conf'))).toBe(true);
    } finally {
      await b.kill();
    }
  });

  it('a config error prints file:line and exits 1', async () => {
    const f = join(tmp, 'bad.conf');
    writeFileSync(f, 'heartbeat = 10\nlistners.tcp.default = 5672\n');
    const r = await h.runPolyport(['--config', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`polyport: ${f}:2: unknown key 'listners.tcp.default'\n`);
  });

  it('a bad value prints key and line and exits 1', async () => {
    const f = join(tmp, 'bad-value.conf');
    writeFileSync(f, '# c\n\nheartbeat = soon\n');
    const r = await h.runPolyport(['--config', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f}:3: heartbeat: expected a non-negative integer`);
  });

  it('an unwritable data_dir prints a clear error and exits 1', async () => {
    const file = join(tmp, 'file');
    writeFileSync(file, '');
    const f = join(tmp, 'dd.conf');
    writeFileSync(f, `listeners.tcp.default = 0\ndata_dir = ${join(file, 'data')}\n`);
    const r = await h.runPolyport(['--config', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data_dir ${join(file, 'data')} is not writable: ENOTDIR`);
  });

  it('--version prints the package version', async () => {
    const r = await h.runPolyport(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
