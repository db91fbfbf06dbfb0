/**
 * Disk trouble end to end through the core (issue 4): an fdatasync that
 * fails with ENOSPC rejects exactly the publishes of that batch
 * (SessionEvents.rejected → basic.nack / PUBACK 0x80 / ERROR), raises the
 * disk alarm (every session is told `blocked`), and loses nothing that was
 * confirmed before; the next good commit clears the alarm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../../core/index.js';
import type { ErrorCode, Message } from '../../../../core/index.js';
import { durabilityHooks, openPersistence } from '../../../../core/durable/index.js';
import { cleanupTempDirs, tempDir, testFs } from '../store/helpers.js';

afterEach(() => cleanupTempDirs());

function persistent(body: string): Message {
  return { exchange: '', routingKey: 'q', properties: { deliveryMode: 2 }, body: Buffer.from(body) };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('disk trouble (ENOSPC on fdatasync)', () => {
  it('nacks the failed batch, raises then clears the disk alarm, keeps what was confirmed', async () => {
    const dataDir = tempDir('pp-diskfault-');
    const fs = testFs();
    const alarms: boolean[] = [];
    let core: ReturnType<typeof createCore> | undefined;
    const persistence = openPersistence(dataDir, {
      fs,
      onDiskAlarm: (on) => {
        alarms.push(on);
        core?.flow.setAlarm('disk', on);
      },
    });
    core = createCore({ durability: durabilityHooks(persistence) });
    core.users.addUser('u', 'p', []);
    core.users.setPermissions('u', '/', { configure: '.*', write: '.*', read: '.*' });
    persistence.finishRecovery();

    const confirmed: number[] = [];
    const rejected: [number, ErrorCode][] = [];
    const flow: string[] = [];
    const conn = core.openConnection({ vhost: '/', user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '127.0.0.1' });
    const s = conn.openSession({
      confirmed: (ids) => confirmed.push(...ids),
      rejected: (ids, code) => rejected.push(...ids.map((id): [number, ErrorCode] => [id, code])),
      blocked: (reason) => flow.push(`blocked ${reason}`),
      unblocked: () => flow.push('unblocked'),
    });
    s.declareQueue({ name: 'q', durable: true });

    s.publish(persistent('one'), { confirmId: 1 });
    await until(() => confirmed.includes(1));

    fs.faults.push({ op: 'fdatasync', code: 'ENOSPC', pathIncludes: '.seg', times: 1 });
    s.publish(persistent('two'), { confirmId: 2 });
    await until(() => rejected.length === 1);
    expect(rejected).toEqual([[2, 'STORE_FAILED']]);
    expect(confirmed).toEqual([1]);
    expect(alarms[0]).toBe(true);
    expect(flow[0]).toMatch(/^blocked low on disk/);

    // the disk recovers: the next batch commits, the alarm clears, the publisher is unblocked
    s.publish(persistent('three'), { confirmId: 3 });
    await until(() => confirmed.includes(3));
    await until(() => flow.includes('unblocked'));
    expect(alarms).toEqual([true, false]);

    // what was confirmed is all there, in order. The nacked one may still be
    // in memory (as in RabbitMQ, a nack means "not guaranteed", and delivery
    // can precede the confirm): the publisher republishes it, at least once.
    const bodies: string[] = [];
    for (let d = s.get('q', true); d; d = s.get('q', true)) bodies.push(d.message.body.toString());
    expect(bodies.filter((b) => b !== 'two')).toEqual(['one', 'three']);

    conn.close();
    await persistence.close();
    await core.shutdown();
  });
});
