import { describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import { expectCode, fixture, flush, msg, recordingSink, withHeaders } from './helpers.js';

function setup() {
  const f = fixture();
  const depth = (q: string) => f.core.inspect.listQueues('/').find((x) => x.name === q)?.messagesReady;
  return { ...f, depth };
}

describe('bindings', () => {
  it('need existing source and destination; binding twice is a no-op; unbind is idempotent', () => {
    const { session, core } = setup();
    session.declareQueue({ name: 'q' });
    expectCode(
      () => session.bind({ source: 'nox', destination: 'q', destinationType: 'queue', routingKey: 'k' }),
      'NOT_FOUND',
      "no exchange 'nox' in vhost '/'",
    );
    expectCode(
      () => session.bind({ source: 'amq.direct', destination: 'noq', destinationType: 'queue', routingKey: 'k' }),
      'NOT_FOUND',
      "no queue 'noq' in vhost '/'",
    );
    expectCode(
      () => session.bind({ source: 'amq.direct', destination: 'nox', destinationType: 'exchange', routingKey: 'k' }),
      'NOT_FOUND',
      "no exchange 'nox' in vhost '/'",
    );
    const b = { source: 'amq.direct', destination: 'q', destinationType: 'queue' as const, routingKey: 'k' };
    session.bind(b);
    session.bind(b);
    const explicit = () => core.inspect.listBindings('/').filter((x) => x.source !== '');
    expect(explicit()).toHaveLength(1);
    // same key, different args: a distinct binding
    session.bind({ ...b, args: { a: F.str('1') } });
    expect(explicit()).toHaveLength(2);
    session.unbind(b);
    session.unbind(b);
    expect(explicit()).toHaveLength(1);
    // the default exchange takes no explicit bindings
    expectCode(() => session.bind({ ...b, source: '' }), 'ACCESS_REFUSED', 'operation not permitted on the default exchange');
    expectCode(
      () => session.bind({ source: 'amq.direct', destination: '', destinationType: 'exchange', routingKey: '' }),
      'ACCESS_REFUSED',
    );
  });

  it('lists the implicit default-exchange binding per queue', () => {
    const { session, core } = setup();
    session.declareQueue({ name: 'q' });
    expect(core.inspect.listBindings('/')).toEqual([
      { source: '', destination: 'q', destinationType: 'queue', routingKey: 'q', args: {} },
    ]);
  });
});

describe('publish routing', () => {
  it('default exchange routes by queue name; unknown/internal exchanges are refused', () => {
    const { session, depth } = setup();
    session.declareQueue({ name: 'q' });
    expect(session.publish(msg('', 'q')).routed).toBe(1);
    expect(session.publish(msg('', 'other')).routed).toBe(0);
    expect(depth('q')).toBe(1);
    expectCode(() => session.publish(msg('nox', 'q')), 'NOT_FOUND', "no exchange 'nox' in vhost '/'");
    session.declareExchange({ name: 'int', type: 'fanout', internal: true });
    expectCode(() => session.publish(msg('int', '')), 'ACCESS_REFUSED', "cannot publish to internal exchange 'int' in vhost '/'");
  });

  it('follows exchange-to-exchange bindings and terminates on cycles, one copy per queue', () => {
    const { session, depth } = setup();
    session.declareExchange({ name: 'a', type: 'fanout' });
    session.declareExchange({ name: 'b', type: 'fanout' });
    session.declareExchange({ name: 'c', type: 'topic', internal: true });
    session.declareQueue({ name: 'q' });
    session.bind({ source: 'a', destination: 'b', destinationType: 'exchange', routingKey: '' });
    session.bind({ source: 'b', destination: 'a', destinationType: 'exchange', routingKey: '' }); // cycle
    session.bind({ source: 'b', destination: 'c', destinationType: 'exchange', routingKey: '' });
    session.bind({ source: 'c', destination: 'q', destinationType: 'queue', routingKey: 'k.#' });
    session.bind({ source: 'a', destination: 'q', destinationType: 'queue', routingKey: '' });
    session.bind({ source: 'c', destination: 'c', destinationType: 'exchange', routingKey: '#' }); // self loop
    expect(session.publish(msg('a', 'k.x')).routed).toBe(1);
    expect(depth('q')).toBe(1);
    expect(session.publish(msg('b', 'zzz')).routed).toBe(1); // via b → a → q
    expect(depth('q')).toBe(2);
  });

  it('uses the alternate exchange for unroutable messages, following chains and stopping on cycles', () => {
    const { session, depth } = setup();
    session.declareExchange({ name: 'ae2', type: 'fanout' });
    session.declareExchange({ name: 'ae1', type: 'direct', args: { 'alternate-exchange': F.str('ae2') } });
    session.declareExchange({ name: 'main', type: 'direct', args: { 'alternate-exchange': F.str('ae1') } });
    session.declareQueue({ name: 'routed' });
    session.declareQueue({ name: 'unrouted' });
    session.bind({ source: 'main', destination: 'routed', destinationType: 'queue', routingKey: 'ok' });
    session.bind({ source: 'ae2', destination: 'unrouted', destinationType: 'queue', routingKey: '' });
    expect(session.publish(msg('main', 'ok')).routed).toBe(1);
    expect(session.publish(msg('main', 'nope')).routed).toBe(1);
    expect(depth('routed')).toBe(1);
    expect(depth('unrouted')).toBe(1);
    // cycle of alternates with nothing bound: terminates, unroutable
    session.declareExchange({ name: 'c1', type: 'direct', args: { 'alternate-exchange': F.str('c2') } });
    session.declareExchange({ name: 'c2', type: 'direct', args: { 'alternate-exchange': F.str('c1') } });
    expect(session.publish(msg('c1', 'x')).routed).toBe(0);
    // a missing alternate exchange is ignored
    session.declareExchange({ name: 'm', type: 'direct', args: { 'alternate-exchange': F.str('ghost') } });
    expect(session.publish(msg('m', 'x')).routed).toBe(0);
  });

  it('CC and BCC add routing keys; BCC is stripped, CC kept', async () => {
    const { session } = setup();
    for (const q of ['main', 'cc1', 'cc2', 'bcc']) {
      session.declareQueue({ name: q });
      session.bind({ source: 'amq.direct', destination: q, destinationType: 'queue', routingKey: q });
    }
    const m = withHeaders('amq.direct', 'main', {
      CC: F.array([F.str('cc1'), F.str('cc2')]),
      BCC: F.array([F.str('bcc')]),
      other: F.int(1),
    });
    expect(session.publish(m).routed).toBe(4);
    const got: Record<string, unknown> = {};
    for (const q of ['main', 'cc1', 'cc2', 'bcc']) {
      const d = session.get(q, true)!;
      expect(d.message.routingKey).toBe('main');
      got[q] = Object.keys(d.message.properties.headers ?? {}).sort();
    }
    for (const q of ['main', 'cc1', 'cc2', 'bcc']) expect(got[q]).toEqual(['CC', 'other']);
    // a single string is accepted too; duplicate keys reach a queue once
    expect(session.publish(withHeaders('amq.direct', 'main', { CC: F.str('main') })).routed).toBe(1);
    expectCode(() => session.publish(withHeaders('amq.direct', 'main', { CC: F.int(3) })), 'PRECONDITION_FAILED');
    await flush();
  });

  it('refuses a user-id property naming someone else', () => {
    const { session } = setup();
    session.declareQueue({ name: 'q' });
    expect(session.publish(msg('', 'q', 'x', { userId: 'u' })).routed).toBe(1);
    expectCode(
      () => session.publish(msg('', 'q', 'x', { userId: 'mallory' })),
      'PRECONDITION_FAILED',
      "user_id property set to 'mallory' but authenticated user was 'u'",
    );
  });

  it('delivers published messages to consumers with exchange and key intact', async () => {
    const { session } = setup();
    session.declareQueue({ name: 'q' });
    session.bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: 'a.*' });
    const sink = recordingSink();
    session.consume('q', sink, { tag: 't', noAck: true, credit: 0 });
    session.publish(msg('amq.topic', 'a.b', 'hello'));
    await flush();
    expect(sink.deliveries).toHaveLength(1);
    const d = sink.deliveries[0]!;
    expect(d).toMatchObject({ queue: 'q', consumerTag: 't', redelivered: false, tag: 1 });
    expect(d.message.exchange).toBe('amq.topic');
    expect(d.message.routingKey).toBe('a.b');
    expect(d.message.body.toString()).toBe('hello');
  });

  it('reaches each queue once however many bindings match, with few or many target queues', () => {
    const { session, depth } = setup();
    for (const n of [1, 3, 8, 9, 20]) {
      const names = Array.from({ length: n }, (_, i) => `q${n}-${i}`);
      for (const q of names) {
        session.declareQueue({ name: q });
        // two patterns that both match, plus a duplicate CC key below
        session.bind({ source: 'amq.topic', destination: q, destinationType: 'queue', routingKey: `n${n}.*` });
        session.bind({ source: 'amq.topic', destination: q, destinationType: 'queue', routingKey: `n${n}.#` });
      }
      expect(session.publish(withHeaders('amq.topic', `n${n}.x`, { CC: F.str(`n${n}.y`) })).routed).toBe(n);
      for (const q of names) expect(depth(q)).toBe(1);
    }
    // routing again after a large result starts from an empty set
    expect(session.publish(msg('amq.topic', 'n1.z')).routed).toBe(1);
    expect(session.publish(msg('amq.topic', 'nobody.here')).routed).toBe(0);
  });
});
