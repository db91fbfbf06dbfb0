/** ConfirmTracker: holds per id, the publish's own hold kept out of the map, batches per microtask. */
import { describe, expect, it } from 'vitest';
import { ConfirmTracker } from '../../../core/confirms.js';
import { recordingEvents } from './helpers.js';

const tick = (): Promise<void> => new Promise<void>((r) => queueMicrotask(r));

describe('ConfirmTracker', () => {
  it('confirms an id settled within its publish, in one ascending batch per microtask', async () => {
    const ev = recordingEvents();
    const t = new ConfirmTracker(ev);
    for (const id of [1, 2, 3]) {
      t.begin(id);
      expect(t.pendingCount).toBe(1);
      t.release(id);
      expect(t.pendingCount).toBe(0);
    }
    expect(ev.confirmedBatches).toEqual([]);
    await tick();
    expect(ev.confirmedBatches).toEqual([[1, 2, 3]]);
  });

  it('waits for every hold a queue took (a durable queue settles after fsync)', async () => {
    const ev = recordingEvents();
    const t = new ConfirmTracker(ev);
    t.begin(1);
    t.hold(1);
    t.hold(1);
    t.release(1);
    t.begin(2);
    t.release(2);
    await tick();
    expect(ev.confirmedBatches).toEqual([[2]]);
    expect(t.pendingCount).toBe(1);
    t.release(1);
    t.release(1);
    t.release(1); // extra releases are ignored
    await tick();
    expect(ev.confirmedBatches).toEqual([[2], [1]]);
    expect(t.pendingCount).toBe(0);
  });

  it('a rejected id is nacked once, whether still in its publish or held by a queue', async () => {
    const ev = recordingEvents();
    const t = new ConfirmTracker(ev);
    t.begin(1);
    t.reject(1, 'REJECTED_OVERFLOW');
    t.release(1);
    t.begin(2);
    t.hold(2);
    t.release(2);
    t.reject(2, 'STORE_FAILED');
    t.release(2);
    await tick();
    expect(ev.confirmedBatches).toEqual([]);
    expect(ev.rejectedBatches).toEqual([{ ids: [1], code: 'REJECTED_OVERFLOW' }, { ids: [2], code: 'STORE_FAILED' }]);
    expect(t.pendingCount).toBe(0);
  });

  it('an id whose publish never released (it threw) stays pending when the next one begins', async () => {
    const ev = recordingEvents();
    const t = new ConfirmTracker(ev);
    t.begin(1);
    t.begin(2);
    t.release(2);
    expect(t.pendingCount).toBe(1);
    await tick();
    expect(ev.confirmedBatches).toEqual([[2]]);
    t.release(1);
    await tick();
    expect(ev.confirmedBatches).toEqual([[2], [1]]);
  });

  it('emits nothing after close', async () => {
    const ev = recordingEvents();
    const t = new ConfirmTracker(ev);
    t.begin(1);
    t.begin(2);
    t.release(2);
    t.close();
    t.release(1);
    await tick();
    expect(ev.confirmedBatches).toEqual([]);
    expect(t.pendingCount).toBe(0);
  });
});
