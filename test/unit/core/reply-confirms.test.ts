import { describe, expect, it } from 'vitest';
import { expectCode, fixture, flush, msg, recordingSink } from './helpers.js';

describe('direct reply-to', () => {
  it('rewrites reply-to and delivers replies straight to the consumer', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'rpc' });
    const replies = recordingSink();
    const h = f.session.consume('amq.rabbitmq.reply-to', replies, { tag: 'r', noAck: true, credit: 0 });
    expect(h.queue).toBe('amq.rabbitmq.reply-to');
    expect(f.session.publish(msg('', 'rpc', 'req', { replyTo: 'amq.rabbitmq.reply-to', correlationId: '7' })).routed).toBe(1);

    const server = f.open().session;
    const req = server.get('rpc', true)!;
    const replyTo = req.message.properties.replyTo!;
    expect(replyTo).toMatch(/^amq\.rabbitmq\.reply-to\..+/);
    expect(req.message.properties.correlationId).toBe('7');
    expect(req.message.wire).toBeUndefined();

    const res = server.publish(msg('', replyTo, 'resp'));
    expect(res.routed).toBe(1);
    expect(replies.bodies()).toEqual(['resp']); // synchronous, no queue
    expect(replies.deliveries[0]).toMatchObject({ consumerTag: 'r', redelivered: false, queue: '' });
    expect(f.session.unackedCount).toBe(0);

    h.cancel();
    expect(server.publish(msg('', replyTo, 'late')).routed).toBe(0);
    expectCode(() => f.session.publish(msg('', 'rpc', 'req', { replyTo: 'amq.rabbitmq.reply-to' })), 'PRECONDITION_FAILED', 'fast reply consumer does not exist');
  });

  it('requires no-ack, one per session, and a consumer on the publishing session', () => {
    const f = fixture();
    expectCode(
      () => f.session.consume('amq.rabbitmq.reply-to', recordingSink(), { tag: 'r', noAck: false, credit: 0 }),
      'PRECONDITION_FAILED',
      'reply consumer cannot acknowledge',
    );
    f.session.consume('amq.rabbitmq.reply-to', recordingSink(), { tag: 'r', noAck: true, credit: 0 });
    expectCode(
      () => f.session.consume('amq.rabbitmq.reply-to', recordingSink(), { tag: 'r2', noAck: true, credit: 0 }),
      'PRECONDITION_FAILED',
      'reply consumer already set',
    );
    const other = f.conn.openSession(f.events);
    expectCode(() => other.publish(msg('', 'x', '', { replyTo: 'amq.rabbitmq.reply-to' })), 'PRECONDITION_FAILED');
  });

  it('closing the session unregisters the reply address', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'rpc' });
    const replies = recordingSink();
    f.session.consume('amq.rabbitmq.reply-to', replies, { tag: 'r', noAck: true, credit: 0 });
    f.session.publish(msg('', 'rpc', 'req', { replyTo: 'amq.rabbitmq.reply-to' }));
    const server = f.open().session;
    const replyTo = server.get('rpc', true)!.message.properties.replyTo!;
    f.session.close();
    expect(server.publish(msg('', replyTo, 'resp')).routed).toBe(0);
    expect(replies.deliveries).toHaveLength(0);
  });
});

describe('publisher confirms', () => {
  it('confirms routed and unroutable publishes in one ascending batch per tick', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.declareQueue({ name: 'q2' });
    f.session.bind({ source: 'amq.fanout', destination: 'q', destinationType: 'queue', routingKey: '' });
    f.session.bind({ source: 'amq.fanout', destination: 'q2', destinationType: 'queue', routingKey: '' });
    expect(f.session.publish(msg('', 'q'), { confirmId: 1 }).routed).toBe(1);
    expect(f.session.publish(msg('', 'nowhere'), { confirmId: 2, mandatory: true }).routed).toBe(0);
    expect(f.session.publish(msg('amq.fanout', ''), { confirmId: 3 }).routed).toBe(2);
    expect(f.events.confirmedBatches).toEqual([]); // never synchronous
    await Promise.resolve();
    expect(f.events.confirmedBatches).toEqual([[1, 2, 3]]);
    f.session.publish(msg('', 'q'), { confirmId: 4 });
    f.session.publish(msg('', 'q')); // no confirm id: not reported
    await flush();
    expect(f.events.confirmedBatches).toEqual([[1, 2, 3], [4]]);
    expect(f.events.rejectedBatches).toEqual([]);
  });

  it('a publish that throws confirms nothing; a closed session emits nothing', async () => {
    const f = fixture();
    expectCode(() => f.session.publish(msg('nox', 'k'), { confirmId: 1 }), 'NOT_FOUND');
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q'), { confirmId: 2 });
    f.session.close();
    await flush();
    expect(f.events.confirmedBatches).toEqual([]);
    expectCode(() => f.session.publish(msg('', 'q')), 'INTERNAL_ERROR');
  });

  it('sessions confirm independently', async () => {
    const f = fixture();
    const b = f.open();
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q'), { confirmId: 1 });
    b.session.publish(msg('', 'q'), { confirmId: 1 });
    b.session.publish(msg('', 'q'), { confirmId: 2 });
    await flush();
    expect(f.events.confirmedBatches).toEqual([[1]]);
    expect(b.events.confirmedBatches).toEqual([[1, 2]]);
  });
});
