import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV, loadConfig, parseCommandLine } from '../../../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'polyport-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCommandLine', () => {
  it('takes --config, -c and --config=FILE', () => {
    expect(parseCommandLine(['--config', 'a.conf'], {}).configFile).toBe('a.conf');
    expect(parseCommandLine(['-c', 'b.conf'], {}).configFile).toBe('b.conf');
    expect(parseCommandLine(['--config=c.conf'], {}).configFile).toBe('c.conf');
  });

  it('falls back to POLYPORT_CONFIG_FILE, and the flag wins over it', () => {
    expect(parseCommandLine([], { [CONFIG_ENV]: 'env.conf' }).configFile).toBe('env.conf');
    expect(parseCommandLine(['--config', 'flag.conf'], { [CONFIG_ENV]: 'env.conf' }).configFile).toBe('flag.conf');
  });

  it('no flag and no env → no file', () => {
    expect(parseCommandLine([], {}).configFile).toBeUndefined();
    expect(parseCommandLine([], { [CONFIG_ENV]: '' }).configFile).toBeUndefined();
  });

  it('rejects unknown flags and positionals', () => {
    expect(() => parseCommandLine(['--nope'], {})).toThrow(/usage: polyport/);
    expect(() => parseCommandLine(['start'], {})).toThrow(/usage: polyport/);
  });

  it('knows --help and --version', () => {
    expect(parseCommandLine(['--help'], {}).help).toBe(true);
    expect(parseCommandLine(['-v'], {}).version).toBe(true);
  });
});

describe('loadConfig', () => {
  it('without a file returns the embedded defaults', () => {
    const c = loadConfig();
    expect(c.listeners.tcp).toEqual([{ name: 'default', port: 5672 }]);
    expect(c.dataDir).toBe('./data');
  });

  it('reads a file', () => {
    const f = join(dir, 'ok.conf');
    writeFileSync(f, 'listeners.tcp.default = 0\nheartbeat = 15\n');
    const c = loadConfig(f);
    expect(c.listeners.tcp[0]?.port).toBe(0);
    expect(c.heartbeat).toBe(15);
  });

  it('names the file and line of an unknown key', () => {
    const f = join(dir, 'polyport.conf');
    writeFileSync(f, ['# x', '', '', '', '', 'heartbeat = 5', 'listners.tcp.default = 5672'].join('\n'));
    expect(() => loadConfig(f)).toThrow(`${f}:7: unknown key 'listners.tcp.default'`);
  });

  it('a missing file is a clear error', () => {
    expect(() => loadConfig(join(dir, 'missing.conf'))).toThrow(/cannot read config file .*missing\.conf: ENOENT/);
  });
});
