/**
 * Length limits: x-max-length(-bytes) with drop-head (with and without a
 * DLX), reject-publish (confirms nacked, other queues unaffected) and
 * reject-publish-dlx; only ready messages count.
 */
import { describe, expect, it } from 'vitest';
import { F } from '../../../core/index.js';
import type { FieldTable, FieldValue } from '../../../core/index.js';
import { fixture, flush, msg, recordingSink } from './helpers.js';

function bodies(f: ReturnType<typeof fixture>, q: string): string[] {
  const out: string[] = [];
  for (let d = f.session.get(q, true); d; d = f.session.get(q, true)) out.push(d.message.body.toString());
  return out;
}

function reason(f: ReturnType<typeof fixture>, q: string): FieldValue | undefined {
  return f.session.get(q, true)?.message.properties.headers?.['x-first-death-reason'];
}

function withDead(args: FieldTable) {
  const f = fixture();
  f.session.declareQueue({ name: 'dead' });
  f.session.declareQueue({ name: 'q', args: { 'x-dead-letter-exchange': F.str(''), 'x-dead-letter-routing-key': F.str('dead'), ...args } });
  return f;
}

describe('x-max-length drop-head', () => {
  it('drops the oldest ready messages without a DLX', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-length': F.int(2) } });
    for (const b of ['m0', 'm1', 'm2', 'm3']) f.session.publish(msg('', 'q', b));
    expect(bodies(f, 'q')).toEqual(['m2', 'm3']);
  });

  it('dead-letters dropped heads with reason maxlen when a DLX is set', () => {
    const f = withDead({ 'x-max-length': F.int(1) });
    for (const b of ['m0', 'm1', 'm2']) f.session.publish(msg('', 'q', b));
    expect(bodies(f, 'q')).toEqual(['m2']);
    f.session.publish(msg('', 'q', 'x')); // refill so 'dead' content can be checked
    expect(f.core.inspect.listQueues('/').find((q) => q.name === 'dead')!.messagesReady).toBe(2);
    expect(reason(f, 'dead')).toEqual(F.str('maxlen'));
  });

  it('x-max-length-bytes counts body bytes of ready messages', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-length-bytes': F.int(10) } });
    for (const b of ['aaaaa', 'bbbbb', 'ccccc']) f.session.publish(msg('', 'q', b));
    expect(bodies(f, 'q')).toEqual(['bbbbb', 'ccccc']);
  });

  it('x-max-length 0 keeps nothing, unless a consumer is waiting (direct delivery)', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-length': F.int(0) } });
    f.session.publish(msg('', 'q', 'lost'));
    expect(f.session.get('q', true)).toBeNull();
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    f.session.publish(msg('', 'q', 'taken'));
    expect(sink.bodies()).toEqual(['taken']);
  });

  it('unacked messages do not count; waiting consumers are served first', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-length': F.int(1) } });
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 1 });
    await flush();
    for (const b of ['m0', 'm1', 'm2']) f.session.publish(msg('', 'q', b));
    expect(sink.bodies()).toEqual(['m0']);
    const s = f.core.inspect.listQueues('/')[0]!;
    expect([s.messagesReady, s.messagesUnacked]).toEqual([1, 1]);
    f.session.ack(sink.deliveries[0]!.tag, false);
    await flush();
    expect(sink.bodies()).toEqual(['m0', 'm2']);
  });
});

describe('x-overflow reject-publish', () => {
  function setup(overflow: string) {
    const f = withDead({ 'x-max-length': F.int(1), 'x-overflow': F.str(overflow) });
    f.session.declareQueue({ name: 'other' });
    f.session.declareExchange({ name: 'fan', type: 'fanout' });
    f.session.bind({ source: 'fan', destination: 'q', destinationType: 'queue', routingKey: '' });
    f.session.bind({ source: 'fan', destination: 'other', destinationType: 'queue', routingKey: '' });
    return f;
  }

  it('nacks the confirm with REJECTED_OVERFLOW; the other target queue still gets the message', async () => {
    const f = setup('reject-publish');
    expect(f.session.publish(msg('fan', '', 'm1'), { confirmId: 1 }).routed).toBe(2);
    expect(f.session.publish(msg('fan', '', 'm2'), { confirmId: 2 }).routed).toBe(2); // counts as routed (mandatory)
    await flush();
    expect(f.events.confirmedBatches).toEqual([[1]]);
    expect(f.events.rejectedBatches).toEqual([{ ids: [2], code: 'REJECTED_OVERFLOW' }]);
    expect(bodies(f, 'q')).toEqual(['m1']);
    expect(bodies(f, 'other')).toEqual(['m1', 'm2']);
    expect(bodies(f, 'dead')).toEqual([]); // plain reject-publish does not dead-letter
  });

  it('without confirms the refused message is dropped silently', () => {
    const f = setup('reject-publish');
    f.session.publish(msg('', 'q', 'm1'));
    f.session.publish(msg('', 'q', 'm2'));
    expect(bodies(f, 'q')).toEqual(['m1']);
  });

  it('keeps the head (unlike drop-head) and accepts again once there is room', () => {
    const f = setup('reject-publish');
    f.session.publish(msg('', 'q', 'm1'));
    f.session.publish(msg('', 'q', 'm2'));
    expect(f.session.get('q', true)!.message.body.toString()).toBe('m1');
    f.session.publish(msg('', 'q', 'm3'));
    expect(bodies(f, 'q')).toEqual(['m3']);
  });

  it('reject-publish-dlx also dead-letters the refused message (reason maxlen)', async () => {
    const f = setup('reject-publish-dlx');
    f.session.publish(msg('', 'q', 'm1'), { confirmId: 1 });
    f.session.publish(msg('', 'q', 'm2'), { confirmId: 2 });
    await flush();
    expect(f.events.rejectedBatches).toEqual([{ ids: [2], code: 'REJECTED_OVERFLOW' }]);
    const dead = f.session.get('dead', true)!.message;
    expect(dead.body.toString()).toBe('m2');
    expect(dead.properties.headers!['x-first-death-reason']).toEqual(F.str('maxlen'));
    expect(bodies(f, 'q')).toEqual(['m1']);
  });

  it('x-max-length-bytes with reject-publish refuses a message that would not fit', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q', args: { 'x-max-length-bytes': F.int(8), 'x-overflow': F.str('reject-publish') } });
    f.session.publish(msg('', 'q', '12345'), { confirmId: 1 });
    f.session.publish(msg('', 'q', '1234'), { confirmId: 2 });
    f.session.publish(msg('', 'q', '123'), { confirmId: 3 });
    await flush();
    expect(f.events.confirmedBatches.flat()).toEqual([1, 3]);
    expect(f.events.rejectedBatches).toEqual([{ ids: [2], code: 'REJECTED_OVERFLOW' }]);
  });
});
