import { describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { expectCode, fixture, flush, msg, recordingSink } from './helpers.js';

describe('exchange declare', () => {
  it('has the predeclared exchanges, durable, with their types', () => {
    const { core } = fixture();
    const xs = new Map(core.inspect.listExchanges('/').map((x) => [x.name, x]));
    expect(xs.get('')?.type).toBe('direct');
    expect(xs.get('amq.direct')?.type).toBe('direct');
    expect(xs.get('amq.fanout')?.type).toBe('fanout');
    expect(xs.get('amq.topic')?.type).toBe('topic');
    expect(xs.get('amq.headers')?.type).toBe('headers');
    expect(xs.get('amq.match')?.type).toBe('headers');
    for (const x of xs.values()) expect(x.durable).toBe(true);
  });

  it('creates, redeclares equivalently, refuses inequivalent redeclare', () => {
    const { session } = fixture();
    session.declareExchange({ name: 'x', type: 'direct', durable: false });
    session.declareExchange({ name: 'x', type: 'direct', durable: false });
    expectCode(
      () => session.declareExchange({ name: 'x', type: 'direct', durable: true }),
      'PRECONDITION_FAILED',
      "inequivalent arg 'durable' for exchange 'x' in vhost '/': received 'true' but current is 'false'",
    );
    expectCode(
      () => session.declareExchange({ name: 'x', type: 'fanout' }),
      'PRECONDITION_FAILED',
      "inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'",
    );
    expectCode(() => session.declareExchange({ name: 'x', type: 'direct', autoDelete: true }), 'PRECONDITION_FAILED', /'auto_delete'/);
    expectCode(() => session.declareExchange({ name: 'x', type: 'direct', internal: true }), 'PRECONDITION_FAILED', /'internal'/);
    expectCode(
      () => session.declareExchange({ name: 'x', type: 'direct', args: { 'alternate-exchange': F.str('ae') } }),
      'PRECONDITION_FAILED',
      /inequivalent arg 'alternate-exchange' for exchange 'x' in vhost '\/': received the value 'ae' of type 'longstr' but current is none/,
    );
  });

  it('refuses the default exchange, reserved names, unknown types', () => {
    const { session } = fixture();
    expectCode(() => session.declareExchange({ name: '', type: 'direct' }), 'ACCESS_REFUSED', 'operation not permitted on the default exchange');
    expectCode(
      () => session.declareExchange({ name: 'amq.foo', type: 'direct' }),
      'ACCESS_REFUSED',
      "exchange name 'amq.foo' contains reserved prefix 'amq.*'",
    );
    session.declareExchange({ name: 'amq.direct', type: 'direct', durable: true }); // existing, equivalent: fine
    expectCode(() => session.declareExchange({ name: 'y', type: 'x-consistent-hash' }), 'COMMAND_INVALID', "unknown exchange type 'x-consistent-hash'");
  });

  it('passive declare checks existence only', () => {
    const { session } = fixture();
    expectCode(() => session.declareExchange({ name: 'nope', type: 'direct', passive: true }), 'NOT_FOUND', "no exchange 'nope' in vhost '/'");
    session.declareExchange({ name: 'e', type: 'topic' });
    session.declareExchange({ name: 'e', type: 'fanout', passive: true }); // type not compared when passive
  });

  it('delete is idempotent, honours ifUnused, protects amq.* and default', () => {
    const { session, core } = fixture();
    session.deleteExchange('missing');
    session.declareExchange({ name: 'x', type: 'fanout' });
    session.declareQueue({ name: 'q' });
    session.bind({ source: 'x', destination: 'q', destinationType: 'queue', routingKey: '' });
    expectCode(() => session.deleteExchange('x', { ifUnused: true }), 'PRECONDITION_FAILED', "exchange 'x' in vhost '/' in use");
    session.deleteExchange('x');
    expect(core.inspect.listExchanges('/').some((e) => e.name === 'x')).toBe(false);
    expect(core.inspect.listBindings('/').filter((b) => b.source !== '')).toEqual([]);
    expectCode(() => session.deleteExchange('amq.direct'), 'ACCESS_REFUSED', "deletion of system exchange 'amq.direct' in vhost '/' not allowed");
    expectCode(() => session.deleteExchange(''), 'ACCESS_REFUSED');
  });

  it('auto-delete exchange goes when its last source binding is removed', () => {
    const { session, core } = fixture();
    session.declareExchange({ name: 'ad', type: 'direct', autoDelete: true });
    session.declareQueue({ name: 'q1' });
    session.declareQueue({ name: 'q2' });
    session.bind({ source: 'ad', destination: 'q1', destinationType: 'queue', routingKey: 'a' });
    session.bind({ source: 'ad', destination: 'q2', destinationType: 'queue', routingKey: 'a' });
    const has = () => core.inspect.listExchanges('/').some((e) => e.name === 'ad');
    session.unbind({ source: 'ad', destination: 'q1', destinationType: 'queue', routingKey: 'a' });
    expect(has()).toBe(true);
    session.deleteQueue('q2'); // removes the last binding
    expect(has()).toBe(false);
  });
});

describe('queue declare', () => {
  it('server-names queues amq.gen- + 22 url-safe chars', () => {
    const { session } = fixture();
    const a = session.declareQueue({ name: '' });
    const b = session.declareQueue({ name: '' });
    expect(a.name).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    expect(a.name).not.toBe(b.name);
    expect(a).toEqual({ name: a.name, messageCount: 0, consumerCount: 0 });
  });

  it('reports counts, checks equivalence of durable/auto_delete/x-args', () => {
    const { session } = fixture();
    session.declareQueue({ name: 'q', durable: true, args: { 'x-max-length': F.int(10) } });
    session.publish(msg('', 'q'));
    expect(session.declareQueue({ name: 'q', durable: true, args: { 'x-max-length': F.long(10) } })).toEqual({
      name: 'q',
      messageCount: 1,
      consumerCount: 0,
    });
    expectCode(
      () => session.declareQueue({ name: 'q', durable: false, args: { 'x-max-length': F.int(10) } }),
      'PRECONDITION_FAILED',
      "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'",
    );
    expectCode(
      () => session.declareQueue({ name: 'q', durable: true, autoDelete: true, args: { 'x-max-length': F.int(10) } }),
      'PRECONDITION_FAILED',
      /inequivalent arg 'auto_delete'/,
    );
    expectCode(
      () => session.declareQueue({ name: 'q', durable: true, args: { 'x-max-length': F.int(11) } }),
      'PRECONDITION_FAILED',
      "inequivalent arg 'x-max-length' for queue 'q' in vhost '/': received the value '11' of type 'signedint' but current is the value '10' of type 'signedint'",
    );
    expectCode(
      () => session.declareQueue({ name: 'q', durable: true }),
      'PRECONDITION_FAILED',
      "inequivalent arg 'x-max-length' for queue 'q' in vhost '/': received none but current is the value '10' of type 'signedint'",
    );
    // args RabbitMQ does not compare are ignored; x-queue-type missing == classic
    session.declareQueue({ name: 'q', durable: true, args: { 'x-max-length': F.int(10), 'x-custom': F.str('a'), 'x-queue-type': F.str('classic') } });
  });

  it('refuses new amq.* names, 404s passive declare of a missing queue', () => {
    const { session } = fixture();
    expectCode(() => session.declareQueue({ name: 'amq.q' }), 'ACCESS_REFUSED', "queue name 'amq.q' contains reserved prefix 'amq.*'");
    expectCode(() => session.declareQueue({ name: 'q', passive: true }), 'NOT_FOUND', "no queue 'q' in vhost '/'");
    const gen = session.declareQueue({ name: '' }).name;
    session.declareQueue({ name: gen }); // redeclaring an existing server-named queue is fine
    expect(session.declareQueue({ name: gen, passive: true }).name).toBe(gen);
  });

  it('delete: idempotent, returns ready count, ifUnused/ifEmpty', () => {
    const { session } = fixture();
    expect(session.deleteQueue('missing')).toBe(0);
    session.declareQueue({ name: 'q' });
    session.publish(msg('', 'q'));
    session.publish(msg('', 'q'));
    expectCode(() => session.deleteQueue('q', { ifEmpty: true }), 'PRECONDITION_FAILED', "queue 'q' in vhost '/' not empty");
    const h = session.consume('q', recordingSink(), { tag: 'c', noAck: false, credit: 1 });
    expectCode(() => session.deleteQueue('q', { ifUnused: true }), 'PRECONDITION_FAILED', "queue 'q' in vhost '/' in use");
    h.cancel();
    expect(session.deleteQueue('q')).toBe(2);
    expectCode(() => session.declareQueue({ name: 'q', passive: true }), 'NOT_FOUND');
  });

  it('purge removes ready messages only', async () => {
    const { session } = fixture();
    session.declareQueue({ name: 'q' });
    for (let i = 0; i < 3; i++) session.publish(msg('', 'q'));
    expect(session.get('q', false)).not.toBeNull();
    expect(session.purgeQueue('q')).toBe(2);
    expect(session.unackedCount).toBe(1);
    expectCode(() => session.purgeQueue('nope'), 'NOT_FOUND');
  });
});

describe('exclusive queues', () => {
  const lockedMsg =
    "cannot obtain exclusive access to locked queue 'ex' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.";

  it('locks out other connections for every verb', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'ex', exclusive: true });
    const other = f.open().session;
    expectCode(() => other.declareQueue({ name: 'ex', exclusive: true }), 'RESOURCE_LOCKED', lockedMsg);
    expectCode(() => other.declareQueue({ name: 'ex' }), 'RESOURCE_LOCKED', lockedMsg);
    expectCode(() => other.declareQueue({ name: 'ex', passive: true }), 'RESOURCE_LOCKED');
    expectCode(() => other.consume('ex', recordingSink(), { tag: '', noAck: true, credit: 0 }), 'RESOURCE_LOCKED');
    expectCode(() => other.bind({ source: 'amq.direct', destination: 'ex', destinationType: 'queue', routingKey: 'k' }), 'RESOURCE_LOCKED');
    expectCode(() => other.purgeQueue('ex'), 'RESOURCE_LOCKED');
    expectCode(() => other.deleteQueue('ex'), 'RESOURCE_LOCKED');
    expectCode(() => other.get('ex', true), 'RESOURCE_LOCKED');
    // another session of the owning connection may use it
    const sibling = f.conn.openSession(f.events);
    expect(sibling.get('ex', true)).toBeNull();
    // the owner redeclaring it non-exclusive mismatches the exclusive property
    expectCode(() => f.session.declareQueue({ name: 'ex' }), 'RESOURCE_LOCKED');
    // publishing into it from anyone is allowed
    expect(other.publish(msg('', 'ex')).routed).toBe(1);
  });

  it('non-exclusive queue redeclared exclusive is locked', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'shared' });
    expectCode(() => f.session.declareQueue({ name: 'shared', exclusive: true }), 'RESOURCE_LOCKED');
  });

  it('is deleted when the owning connection closes', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'ex', exclusive: true });
    f.session.declareQueue({ name: 'keep' });
    f.conn.close();
    const names = f.core.inspect.listQueues('/').map((q) => q.name);
    expect(names).toEqual(['keep']);
  });
});

describe('auto-delete queues', () => {
  it('are deleted when the last consumer is cancelled, not before the first consumer', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'ad', autoDelete: true });
    f.session.publish(msg('', 'ad'));
    const names = () => f.core.inspect.listQueues('/').map((q) => q.name);
    expect(names()).toEqual(['ad']);
    const a = f.session.consume('ad', recordingSink(), { tag: 'a', noAck: false, credit: 0 });
    const b = f.session.consume('ad', recordingSink(), { tag: 'b', noAck: false, credit: 0 });
    a.cancel();
    expect(names()).toEqual(['ad']);
    b.cancel();
    expect(names()).toEqual([]);
  });

  it('are deleted when the consuming session closes', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'ad', autoDelete: true });
    f.session.consume('ad', recordingSink(), { tag: 'a', noAck: true, credit: 0 });
    f.session.close();
    expect(f.core.inspect.listQueues('/')).toEqual([]);
  });

  it('queue deletion cancels consumers with QUEUE_DELETED and drops its bindings', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.bind({ source: 'amq.fanout', destination: 'q', destinationType: 'queue', routingKey: '' });
    const s1 = recordingSink();
    f.session.consume('q', s1, { tag: 'c1', noAck: false, credit: 0 });
    const other = f.open().session;
    const s2 = recordingSink();
    other.consume('q', s2, { tag: 'c1', noAck: false, credit: 0 }); // tags are per session
    other.deleteQueue('q');
    expect(s1.cancelledWith).toEqual(['QUEUE_DELETED']);
    expect(s2.cancelledWith).toEqual(['QUEUE_DELETED']);
    expect(f.core.inspect.listBindings('/')).toEqual([]);
    // the tag is free again on both sessions
    f.session.declareQueue({ name: 'q2' });
    f.session.consume('q2', recordingSink(), { tag: 'c1', noAck: true, credit: 0 });
    expect(f.session.publish(msg('amq.fanout', '')).routed).toBe(0);
    await flush();
  });
});
