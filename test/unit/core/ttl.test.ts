/**
 * TTL (x-message-ttl, per-message expiration, TTL 0, expiry at the head)
 * and queue expiry (x-expires), plus queue argument validation.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { F } from '../../../core/index.js';
import type { CoreSession, FieldTable } from '../../../core/index.js';
import { expectCode, fixture, flush, msg, recordingSink } from './helpers.js';

const FAKE = { toFake: ['setTimeout', 'clearTimeout', 'Date'] as ('setTimeout' | 'clearTimeout' | 'Date')[] };

function queueNames(f: ReturnType<typeof fixture>): string[] {
  return f.core.inspect.listQueues('/').map((q) => q.name);
}

function drainGet(s: CoreSession, q: string): string[] {
  const out: string[] = [];
  for (let d = s.get(q, true); d; d = s.get(q, true)) out.push(d.message.body.toString());
  return out;
}

function declare(s: CoreSession, name: string, args: FieldTable): void {
  s.declareQueue({ name, args });
}

describe('message TTL', () => {
  beforeEach(() => vi.useFakeTimers(FAKE));
  afterEach(() => vi.useRealTimers());

  it('x-message-ttl expires messages at the head with one timer; basic.get never returns them', () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-message-ttl': F.int(100) });
    f.session.publish(msg('', 'q', 'a'));
    vi.advanceTimersByTime(50);
    f.session.publish(msg('', 'q', 'b'));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50); // a is due
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(1);
    vi.advanceTimersByTime(49);
    expect(drainGet(f.session, 'q')).toEqual(['b']);
    f.session.publish(msg('', 'q', 'c'));
    vi.advanceTimersByTime(100);
    expect(f.session.get('q', true)).toBeNull();
  });

  it('per-message expiration shorter than the queue TTL wins', () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-message-ttl': F.int(1000) });
    f.session.publish(msg('', 'q', 'short', { expiration: '100' }));
    vi.advanceTimersByTime(100);
    expect(f.session.get('q', true)).toBeNull();
  });

  it('per-message expiration longer than the queue TTL: the queue TTL wins', () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-message-ttl': F.int(100) });
    f.session.publish(msg('', 'q', 'long', { expiration: '5000' }));
    vi.advanceTimersByTime(99);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(1);
    vi.advanceTimersByTime(1);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(0);
  });

  it('a message behind the head expires only when it reaches the head (classic queue)', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q', 'head'));
    f.session.publish(msg('', 'q', 'behind', { expiration: '10' }));
    vi.advanceTimersByTime(50);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(2); // still counted behind the head
    expect(f.session.get('q', true)!.message.body.toString()).toBe('head');
    expect(f.session.get('q', true)).toBeNull(); // expired at the head, never handed out
  });

  it('the head timer expires a message promptly once it becomes the head', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q', 'head'));
    f.session.publish(msg('', 'q', 'behind', { expiration: '10' }));
    vi.advanceTimersByTime(50);
    f.session.get('q', true);
    vi.advanceTimersByTime(1);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(0);
  });

  it('expired messages never reach consumers', async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q', 'old', { expiration: '10' }));
    f.session.publish(msg('', 'q', 'fresh'));
    vi.advanceTimersByTime(20);
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    expect(sink.bodies()).toEqual(['fresh']);
  });

  it('a requeued message keeps its original expiry', async () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-message-ttl': F.int(100) });
    f.session.publish(msg('', 'q', 'm'));
    const d = f.session.get('q', false)!;
    vi.advanceTimersByTime(150);
    f.session.reject(d.tag, false, true);
    expect(f.session.get('q', true)).toBeNull();
  });

  it('TTL 0: delivered to a consumer waiting with capacity, otherwise expired', async () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-message-ttl': F.int(0) });
    f.session.publish(msg('', 'q', 'nobody'));
    expect(f.session.get('q', true)).toBeNull();
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: false, credit: 1 });
    await flush();
    f.session.publish(msg('', 'q', 'taken'));
    f.session.publish(msg('', 'q', 'no-capacity'));
    await flush();
    expect(sink.bodies()).toEqual(['taken']);
    expect(f.core.inspect.listQueues('/')[0]!.messagesReady).toBe(0);
  });

  it("per-message expiration '0' behaves like TTL 0", async () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    f.session.publish(msg('', 'q', 'gone', { expiration: '0' }));
    expect(f.session.get('q', true)).toBeNull();
    const sink = recordingSink();
    f.session.consume('q', sink, { tag: 'c', noAck: true, credit: 0 });
    await flush();
    f.session.publish(msg('', 'q', 'kept', { expiration: '0' }));
    expect(sink.bodies()).toEqual(['kept']);
  });

  it('invalid expiration is PRECONDITION_FAILED at publish, as RabbitMQ words it', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    expectCode(() => f.session.publish(msg('', 'q', 'x', { expiration: 'abc' })), 'PRECONDITION_FAILED', "invalid expiration 'abc': no_integer");
    const g = fixture();
    g.session.declareQueue({ name: 'q' });
    expectCode(() => g.session.publish(msg('', 'q', 'x', { expiration: '-5' })), 'PRECONDITION_FAILED', "invalid expiration '-5': {value_negative,-5}");
    const h = fixture();
    h.session.declareQueue({ name: 'q' });
    expectCode(() => h.session.publish(msg('', 'q', 'x', { expiration: '10x' })), 'PRECONDITION_FAILED', 'invalid expiration \'10x\': {leftover_string,"x"}');
  });
});

describe('x-expires', () => {
  beforeEach(() => vi.useFakeTimers(FAKE));
  afterEach(() => vi.useRealTimers());

  it('deletes the queue after it has been unused for that long, with its messages', () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-expires': F.int(1000) });
    f.session.publish(msg('', 'q', 'm'));
    vi.advanceTimersByTime(999);
    expect(queueNames(f)).toEqual(['q']);
    vi.advanceTimersByTime(1);
    expect(queueNames(f)).toEqual([]);
  });

  it('basic.get and redeclare (active or passive) count as use', () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-expires': F.int(1000) });
    vi.advanceTimersByTime(800);
    f.session.get('q', true);
    vi.advanceTimersByTime(800);
    declare(f.session, 'q', { 'x-expires': F.int(1000) });
    vi.advanceTimersByTime(800);
    f.session.declareQueue({ name: 'q', passive: true });
    vi.advanceTimersByTime(999);
    expect(queueNames(f)).toEqual(['q']);
    vi.advanceTimersByTime(1);
    expect(queueNames(f)).toEqual([]);
  });

  it('a queue with consumers never expires; the clock starts when the last one leaves', async () => {
    const f = fixture();
    declare(f.session, 'q', { 'x-expires': F.int(1000) });
    const h = f.session.consume('q', recordingSink(), { tag: 'c', noAck: true, credit: 0 });
    vi.advanceTimersByTime(5000);
    expect(queueNames(f)).toEqual(['q']);
    h.cancel();
    vi.advanceTimersByTime(999);
    expect(queueNames(f)).toEqual(['q']);
    vi.advanceTimersByTime(1);
    expect(queueNames(f)).toEqual([]);
  });
});

describe('queue argument validation (rabbit_amqqueue:check_arguments)', () => {
  const cases: [string, FieldTable, string][] = [
    ['x-message-ttl', { 'x-message-ttl': F.int(-1) }, '{value_negative,-1}'],
    ['x-message-ttl', { 'x-message-ttl': F.str('10') }, '{unacceptable_type,longstr}'],
    ['x-message-ttl', { 'x-message-ttl': F.long(4294967296) }, '{value_too_large,4294967296}'],
    ['x-expires', { 'x-expires': F.int(0) }, '{value_zero,0}'],
    ['x-expires', { 'x-expires': F.int(-3) }, '{value_negative,-3}'],
    ['x-max-length', { 'x-max-length': F.int(-1) }, '{value_negative,-1}'],
    ['x-max-length', { 'x-max-length': { type: 'double', value: 1.5 } }, '{unacceptable_type,double}'],
    ['x-max-length-bytes', { 'x-max-length-bytes': F.bool(true) }, '{unacceptable_type,bool}'],
    ['x-max-priority', { 'x-max-priority': F.int(256) }, '{max_value_exceeded,256}'],
    ['x-max-priority', { 'x-max-priority': F.int(-1) }, '{value_negative,-1}'],
    ['x-overflow', { 'x-overflow': F.str('drop-tail') }, 'invalid_overflow'],
    ['x-dead-letter-routing-key', { 'x-dead-letter-routing-key': F.str('k') }, 'routing_key_but_no_dlx_defined'],
    ['x-single-active-consumer', { 'x-single-active-consumer': F.str('true') }, '{unacceptable_type,longstr}'],
  ];
  for (const [key, args, term] of cases) {
    it(`${key} ${term}`, () => {
      const f = fixture();
      expectCode(
        () => f.session.declareQueue({ name: 'q', args }),
        'PRECONDITION_FAILED',
        `invalid arg '${key}' for queue 'q' in vhost '/': ${term}`,
      );
    });
  }

  it('a non-string x-dead-letter-exchange is refused by the channel check first (rabbit_channel)', () => {
    const f = fixture();
    expectCode(
      () => f.session.declareQueue({ name: 'q', args: { 'x-dead-letter-exchange': F.int(1) } }),
      'PRECONDITION_FAILED',
      "invalid type 'signedint' for arg 'x-dead-letter-exchange' in queue 'q' in vhost '/'",
    );
  });

  it('accepts every integer width and the limits themselves', () => {
    const f = fixture();
    f.session.declareQueue({
      name: 'q',
      args: {
        'x-message-ttl': { type: 'uint8', value: 0 },
        'x-expires': F.long(4294967295),
        'x-max-length': { type: 'int16', value: 0 },
        'x-max-priority': F.int(255),
        'x-overflow': F.str('reject-publish-dlx'),
        'x-dead-letter-exchange': F.str(''),
        'x-dead-letter-routing-key': F.str('k'),
        'x-single-active-consumer': F.bool(true),
      },
    });
  });
});
