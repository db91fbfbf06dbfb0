/**
 * Dead-lettering: x-death exactly as RabbitMQ builds it, CC/BCC handling,
 * original-expiration, retry loops through a TTL queue, cycle detection,
 * a missing DLX.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { F } from '../../../core/index.js';
import type { CoreSession, FieldTable, FieldValue, Message } from '../../../core/index.js';
import { fixture, msg } from './helpers.js';

const FAKE = { toFake: ['setTimeout', 'clearTimeout', 'Date'] as ('setTimeout' | 'clearTimeout' | 'Date')[] };

function dlxArgs(dlx: string, dlrk?: string, extra: FieldTable = {}): FieldTable {
  const a: Record<string, FieldValue> = { 'x-dead-letter-exchange': F.str(dlx), ...extra };
  if (dlrk !== undefined) a['x-dead-letter-routing-key'] = F.str(dlrk);
  return a;
}

function deaths(m: Message): FieldTable[] {
  const v = m.properties.headers?.['x-death'];
  if (v?.type !== 'array') throw new Error('no x-death');
  return v.value.map((t) => (t as { value: FieldTable }).value);
}

function rejectOne(s: CoreSession, q: string): void {
  const d = s.get(q, false);
  if (!d) throw new Error(`queue ${q} empty`);
  s.reject(d.tag, false, false);
}

/** work → (reject) → dlx fanout → dead */
function deadLetterSetup(dlrk?: string) {
  const f = fixture();
  f.session.declareExchange({ name: 'dlx', type: 'fanout' });
  f.session.declareQueue({ name: 'dead' });
  f.session.bind({ source: 'dlx', destination: 'dead', destinationType: 'queue', routingKey: '' });
  f.session.declareQueue({ name: 'work', args: dlxArgs('dlx', dlrk) });
  return f;
}

describe('dead-lettering', () => {
  beforeEach(() => vi.useFakeTimers(FAKE));
  afterEach(() => vi.useRealTimers());

  it('reject requeue=false republishes through the DLX with one x-death entry of exact types', () => {
    vi.setSystemTime(new Date('2026-01-02T03:04:05.678Z'));
    const f = deadLetterSetup();
    f.session.publish(
      msg('', 'work', 'body', { expiration: '60000', headers: { CC: F.array([F.str('cc-key')]), app: F.str('keep') } }),
    );
    rejectOne(f.session, 'work');
    const d = f.session.get('dead', true)!;
    const m = d.message;
    expect(m.exchange).toBe('dlx');
    expect(m.routingKey).toBe('work');
    expect(m.body.toString()).toBe('body');
    expect(m.properties.expiration).toBeUndefined(); // removed, recorded as original-expiration
    expect(m.wire).toBeUndefined();
    expect(deaths(m)).toEqual([
      {
        count: { type: 'int64', value: 1n },
        reason: { type: 'string', value: 'rejected' },
        queue: { type: 'string', value: 'work' },
        time: { type: 'timestamp', value: BigInt(Math.floor(Date.parse('2026-01-02T03:04:05Z') / 1000)) },
        exchange: { type: 'string', value: '' },
        'routing-keys': { type: 'array', value: [F.str('work'), F.str('cc-key')] },
        'original-expiration': { type: 'string', value: '60000' },
      },
    ]);
    const h = m.properties.headers!;
    expect(h['x-first-death-queue']).toEqual(F.str('work'));
    expect(h['x-first-death-reason']).toEqual(F.str('rejected'));
    expect(h['x-first-death-exchange']).toEqual(F.str(''));
    expect(h['x-last-death-queue']).toEqual(F.str('work'));
    expect(h['x-last-death-reason']).toEqual(F.str('rejected'));
    expect(h['x-last-death-exchange']).toEqual(F.str(''));
    expect(h['CC']).toEqual(F.array([F.str('cc-key')])); // kept without a dead-letter routing key
    expect(h['app']).toEqual(F.str('keep'));
  });

  it('nack via multiple and basic.get rejects dead-letter too; requeue=true does not', () => {
    const f = deadLetterSetup();
    for (const b of ['a', 'b', 'c']) f.session.publish(msg('', 'work', b));
    const tags = [f.session.get('work', false)!.tag, f.session.get('work', false)!.tag, f.session.get('work', false)!.tag];
    f.session.reject(tags[0]!, false, true);
    f.session.reject(tags[2]!, true, false);
    expect(f.core.inspect.listQueues('/').find((q) => q.name === 'dead')!.messagesReady).toBe(2);
    expect(f.session.get('work', true)!.message.body.toString()).toBe('a');
  });

  it('with x-dead-letter-routing-key: routes with that key and removes CC; routing-keys keep the originals', () => {
    const f = fixture();
    f.session.declareExchange({ name: 'dlx', type: 'direct' });
    f.session.declareQueue({ name: 'by-key' });
    f.session.declareQueue({ name: 'by-cc' });
    f.session.bind({ source: 'dlx', destination: 'by-key', destinationType: 'queue', routingKey: 'dead' });
    f.session.bind({ source: 'dlx', destination: 'by-cc', destinationType: 'queue', routingKey: 'cc-key' });
    f.session.declareQueue({ name: 'work', args: dlxArgs('dlx', 'dead') });
    f.session.publish(msg('', 'work', 'b', { headers: { CC: F.str('cc-key') } }));
    rejectOne(f.session, 'work');
    expect(f.session.get('by-cc', true)).toBeNull();
    const m = f.session.get('by-key', true)!.message;
    expect(m.routingKey).toBe('dead');
    expect(m.properties.headers!['CC']).toBeUndefined();
    expect(deaths(m)[0]!['routing-keys']).toEqual(F.array([F.str('work'), F.str('cc-key')]));
  });

  it('without a dead-letter routing key the CC keys route the dead letter too', () => {
    const f = fixture();
    f.session.declareExchange({ name: 'dlx', type: 'topic' });
    f.session.declareQueue({ name: 'cc-target' });
    f.session.bind({ source: 'dlx', destination: 'cc-target', destinationType: 'queue', routingKey: 'audit.#' });
    f.session.declareQueue({ name: 'work', args: dlxArgs('dlx') });
    f.session.publish(msg('', 'work', 'b', { headers: { CC: F.array([F.str('audit.x')]) } }));
    rejectOne(f.session, 'work');
    expect(f.session.get('cc-target', true)!.message.routingKey).toBe('work');
  });

  it('BCC never reaches the dead-lettered copy', () => {
    const f = deadLetterSetup();
    f.session.publish(msg('', 'work', 'b', { headers: { BCC: F.array([F.str('nowhere')]) } }));
    rejectOne(f.session, 'work');
    const m = f.session.get('dead', true)!.message;
    expect(m.properties.headers!['BCC']).toBeUndefined();
    expect(deaths(m)[0]!['routing-keys']).toEqual(F.array([F.str('work')]));
  });

  it('expiry dead-letters with reason expired', () => {
    const f = fixture();
    f.session.declareExchange({ name: 'dlx', type: 'fanout' });
    f.session.declareQueue({ name: 'dead' });
    f.session.bind({ source: 'dlx', destination: 'dead', destinationType: 'queue', routingKey: '' });
    f.session.declareQueue({ name: 'ttl', args: dlxArgs('dlx', undefined, { 'x-message-ttl': F.int(100) }) });
    f.session.publish(msg('', 'ttl', 'b'));
    vi.advanceTimersByTime(100);
    const m = f.session.get('dead', true)!.message;
    expect(deaths(m)[0]!['reason']).toEqual(F.str('expired'));
    expect(deaths(m)[0]!['original-expiration']).toBeUndefined(); // no per-message expiration
  });

  it('a missing dead-letter exchange drops the message silently', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'work', args: dlxArgs('nope') });
    f.session.publish(msg('', 'work', 'b'));
    rejectOne(f.session, 'work');
    expect(f.core.inspect.listQueues('/')[0]!.messages).toBe(0);
  });

  it('retry loop through a TTL queue: the message returns with x-death counts 1, then 2, most recent first', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'work', args: dlxArgs('', 'retry') });
    f.session.declareQueue({ name: 'retry', args: dlxArgs('', 'work', { 'x-message-ttl': F.int(50) }) });
    f.session.publish(msg('', 'work', 'job'));

    rejectOne(f.session, 'work');
    vi.advanceTimersByTime(50);
    let d = f.session.get('work', false)!;
    let x = deaths(d.message);
    expect(x.map((e) => [e['queue'], e['reason'], e['count']])).toEqual([
      [F.str('retry'), F.str('expired'), F.long(1)],
      [F.str('work'), F.str('rejected'), F.long(1)],
    ]);
    expect(x[0]!['exchange']).toEqual(F.str('')); // retry got it from the default exchange (the DLX '')
    f.session.reject(d.tag, false, false);
    vi.advanceTimersByTime(50);
    d = f.session.get('work', false)!;
    x = deaths(d.message);
    expect(x.map((e) => [e['queue'], e['reason'], e['count']])).toEqual([
      [F.str('retry'), F.str('expired'), F.long(2)],
      [F.str('work'), F.str('rejected'), F.long(2)],
    ]);
    const h = d.message.properties.headers!;
    expect([h['x-first-death-queue'], h['x-first-death-reason']]).toEqual([F.str('work'), F.str('rejected')]);
    expect([h['x-last-death-queue'], h['x-last-death-reason']]).toEqual([F.str('retry'), F.str('expired')]);
    expect(d.redelivered).toBe(false); // a dead letter is a new message
  });

  it('an incremented entry keeps its first-occurrence time and moves to the front', () => {
    vi.setSystemTime(10_000);
    const f = fixture();
    f.session.declareQueue({ name: 'a', args: dlxArgs('', 'b') });
    f.session.declareQueue({ name: 'b', args: dlxArgs('', 'a') });
    f.session.publish(msg('', 'a', 'm'));
    rejectOne(f.session, 'a'); // → b
    vi.setSystemTime(20_000);
    rejectOne(f.session, 'b'); // → a
    vi.setSystemTime(30_000);
    rejectOne(f.session, 'a'); // → b, {a, rejected} count 2
    const x = deaths(f.session.get('b', true)!.message);
    expect(x.map((e) => [e['queue'], e['count'], e['time']])).toEqual([
      [F.str('a'), F.long(2), F.timestamp(10)],
      [F.str('b'), F.long(1), F.timestamp(20)],
    ]);
  });

  it('cycle detection: an automatic cycle (expiry only) is dropped', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'a', args: dlxArgs('', 'b', { 'x-message-ttl': F.int(10) }) });
    f.session.declareQueue({ name: 'b', args: dlxArgs('', 'a', { 'x-message-ttl': F.int(10) }) });
    f.session.publish(msg('', 'a', 'm'));
    vi.advanceTimersByTime(10);
    expect(f.core.inspect.listQueues('/').map((q) => q.messages)).toEqual([0, 1]);
    vi.advanceTimersByTime(10); // would re-enter a without a rejection in between
    expect(f.core.inspect.listQueues('/').map((q) => q.messages)).toEqual([0, 0]);
  });

  it('cycle detection: a queue dead-lettering to itself on expiry drops; on rejection it loops', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'self', args: dlxArgs('', 'self', { 'x-message-ttl': F.int(10) }) });
    f.session.publish(msg('', 'self', 'm'));
    vi.advanceTimersByTime(10);
    expect(f.session.get('self', true)).toBeNull();

    f.session.declareQueue({ name: 'r', args: dlxArgs('', 'r') });
    f.session.publish(msg('', 'r', 'm'));
    rejectOne(f.session, 'r');
    rejectOne(f.session, 'r');
    expect(deaths(f.session.get('r', true)!.message)[0]!['count']).toEqual(F.long(2));
  });

  it('cycle detection is per target queue: other queues still get the dead letter', () => {
    const f = fixture();
    f.session.declareExchange({ name: 'dlx', type: 'fanout' });
    f.session.declareQueue({ name: 'a', args: dlxArgs('dlx', undefined, { 'x-message-ttl': F.int(10) }) });
    f.session.declareQueue({ name: 'sink' });
    f.session.bind({ source: 'dlx', destination: 'a', destinationType: 'queue', routingKey: '' });
    f.session.bind({ source: 'dlx', destination: 'sink', destinationType: 'queue', routingKey: '' });
    f.session.publish(msg('', 'a', 'm'));
    vi.advanceTimersByTime(10);
    const counts = Object.fromEntries(f.core.inspect.listQueues('/').map((q) => [q.name, q.messages]));
    expect(counts).toEqual({ a: 0, sink: 1 });
  });
});
