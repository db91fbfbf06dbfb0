/**
 * Persistence.stateMap: one cached KvLog per name at `<dataDir>/state/<name>.kv`,
 * round trip across a Persistence close/reopen, close flushing and closing the
 * maps, name checks, and the disk alarm fed by failing state-map writes.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPersistence } from '../../../../core/durable/persistence.js';
import { testFs } from '../store/helpers.js';
import { cleanupTempDirs, recordingLogger, tempDir } from './helpers.js';

afterEach(cleanupTempDirs);

describe('Persistence.stateMap', () => {
  it('the same map for the same name; contents survive a close and reopen of the persistence', async () => {
    const dataDir = tempDir();
    const p = openPersistence(dataDir);
    const m = p.stateMap('mqtt-sessions');
    expect(p.stateMap('mqtt-sessions')).toBe(m);
    const other = p.stateMap('retained');
    expect(other).not.toBe(m);
    expect(m.load().size).toBe(0);
    other.load();
    await m.set('client-1', Buffer.from('s1'));
    await other.set('a/b', Buffer.from('r'));
    const unflushed = [m.set('client-2', Buffer.from('s2')), m.delete('client-1')]; // flushed by close()
    await p.close();
    await Promise.all(unflushed);
    await expect(m.set('late', Buffer.from('x'))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(existsSync(path.join(dataDir, 'state', 'mqtt-sessions.kv'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'state', 'retained.kv'))).toBe(true);

    const p2 = openPersistence(dataDir);
    const m2 = p2.stateMap('mqtt-sessions');
    expect(m2).not.toBe(m);
    const s = m2.load();
    expect([...s].map(([k, v]) => `${k}=${v.toString()}`)).toEqual(['client-2=s2']);
    expect(m2.size).toBe(1);
    expect([...p2.stateMap('retained').load().keys()]).toEqual(['a/b']);
    await p2.close();
  });

  it('rejects names that are not plain file names, and new maps after close', async () => {
    const p = openPersistence(tempDir());
    for (const bad of ['', '.', '..', '../x', 'a/b', '.hidden', 'x'.repeat(101), 'sp ace']) {
      expect(() => p.stateMap(bad)).toThrow(RangeError);
    }
    const m = p.stateMap('ok_name-1.v2');
    await p.close();
    expect(p.stateMap('ok_name-1.v2')).toBe(m);
    expect(() => p.stateMap('new-after-close')).toThrow(/closed/);
  });

  it('a failing state-map batch raises the disk alarm; the next good one clears it', async () => {
    const dataDir = tempDir();
    const fs = testFs();
    const alarms: boolean[] = [];
    const logger = recordingLogger();
    const p = openPersistence(dataDir, { fs, logger, onDiskAlarm: (on) => alarms.push(on) });
    const m = p.stateMap('wills');
    m.load();
    await m.set('a', Buffer.from('1'));
    expect(alarms).toEqual([]);
    fs.faults.push({ op: 'fdatasync', code: 'ENOSPC', times: 1 });
    await expect(m.set('b', Buffer.from('2'))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(alarms).toEqual([true]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', obj: expect.objectContaining({ state: 'wills' }) }));
    await m.set('c', Buffer.from('3'));
    expect(alarms).toEqual([true, false]);
    await p.close();
    const p2 = openPersistence(dataDir);
    expect([...p2.stateMap('wills').load().keys()].sort()).toEqual(['a', 'c']);
    await p2.close();
  });
});
