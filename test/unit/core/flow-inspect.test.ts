import { describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { fixture, flush, msg, recordingEvents, recordingSink } from './helpers.js';

describe('flow alarms', () => {
  it('blocks every session once per transition and unblocks when all alarms clear', async () => {
    const f = fixture();
    const b = f.open();
    f.core.flow.setAlarm('memory', true);
    expect(f.events.flow).toEqual(['blocked:low on memory']);
    expect(b.events.flow).toEqual(['blocked:low on memory']);
    f.core.flow.setAlarm('disk', true); // already blocked: no second event
    expect(f.events.flow).toHaveLength(1);
    expect(f.core.flow.activeAlarms().sort()).toEqual(['disk', 'memory']);
    f.core.flow.setAlarm('memory', false);
    expect(f.events.flow).toHaveLength(1);
    // a session opened during an alarm hears about it (asynchronously)
    const late = recordingEvents();
    f.conn.openSession(late);
    expect(late.flow).toEqual([]);
    await Promise.resolve();
    expect(late.flow).toEqual(['blocked:low on disk']);
    f.core.flow.setAlarm('disk', false);
    expect(f.events.flow).toEqual(['blocked:low on memory', 'unblocked']);
    expect(late.flow).toEqual(['blocked:low on disk', 'unblocked']);
  });

  it('closed sessions hear nothing', () => {
    const f = fixture();
    f.session.close();
    f.core.flow.setAlarm('memory', true);
    expect(f.events.flow).toEqual([]);
  });
});

describe('inspector', () => {
  it('lists queues with counts, connections with session counts', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', durable: true, args: { 'x-max-length': F.int(5) } });
    f.session.publish(msg('', 'q'));
    f.session.publish(msg('', 'q'));
    f.session.publish(msg('', 'q'));
    f.session.consume('q', recordingSink(), { tag: 'c', noAck: false, credit: 1 });
    await flush();
    expect(f.core.inspect.listQueues('/')).toEqual([
      {
        name: 'q',
        durable: true,
        exclusive: false,
        autoDelete: false,
        args: { 'x-max-length': F.int(5) },
        messages: 3,
        messagesReady: 2,
        messagesUnacked: 1,
        consumers: 1,
      },
    ]);
    f.conn.openSession(recordingEvents());
    expect(f.core.inspect.listConnections()).toEqual([
      { id: f.conn.id, vhost: '/', user: 'u', protocol: 'test', remoteAddress: '127.0.0.1', sessions: 2 },
    ]);
    f.conn.close();
    expect(f.core.inspect.listConnections()).toEqual([]);
    expect(f.core.inspect.listQueues('/')[0]).toMatchObject({ messagesReady: 3, messagesUnacked: 0, consumers: 0 });
    expect(() => f.core.inspect.listQueues('nope')).toThrow(/no vhost 'nope'/);
  });

  it('shutdown closes connections', async () => {
    const f = fixture();
    await f.core.shutdown();
    expect(f.core.inspect.listConnections()).toEqual([]);
  });
});
