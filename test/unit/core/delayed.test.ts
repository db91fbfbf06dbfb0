/**
 * The x-delayed-message exchange (delayed-message plugin semantics): type
 * validation, hold and release order with one timer, the negated x-delay
 * header, confirms and mandatory at acceptance, exchange deletion.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { F } from '../../../core/index.js';
import type { CoreSession, FieldValue } from '../../../core/index.js';
import { expectCode, fixture, flush, msg } from './helpers.js';

const FAKE = { toFake: ['setTimeout', 'clearTimeout', 'Date'] as ('setTimeout' | 'clearTimeout' | 'Date')[] };

function delayedSetup(inner = 'direct', key = 'k') {
  const f = fixture();
  f.session.declareExchange({ name: 'dx', type: 'x-delayed-message', args: { 'x-delayed-type': F.str(inner) } });
  f.session.declareQueue({ name: 'q' });
  f.session.bind({ source: 'dx', destination: 'q', destinationType: 'queue', routingKey: key });
  return f;
}

function pub(s: CoreSession, body: string, delay?: FieldValue, key = 'k') {
  return s.publish(msg('dx', key, body, delay === undefined ? {} : { headers: { 'x-delay': delay } }));
}

function getAll(s: CoreSession): string[] {
  const out: string[] = [];
  for (let d = s.get('q', true); d; d = s.get('q', true)) out.push(d.message.body.toString());
  return out;
}

describe('x-delayed-message exchange', () => {
  beforeEach(() => vi.useFakeTimers(FAKE));
  afterEach(() => vi.useRealTimers());

  it('requires an existing x-delayed-type', () => {
    const f = fixture();
    const must = "Invalid argument, 'x-delayed-type' must be an existing exchange type";
    expectCode(() => f.session.declareExchange({ name: 'd', type: 'x-delayed-message' }), 'PRECONDITION_FAILED', must);
    const g = fixture();
    expectCode(
      () => g.session.declareExchange({ name: 'd', type: 'x-delayed-message', args: { 'x-delayed-type': F.str('nope') } }),
      'PRECONDITION_FAILED',
      must,
    );
    const h = fixture();
    expectCode(
      () => h.session.declareExchange({ name: 'd', type: 'x-delayed-message', args: { 'x-delayed-type': F.str('x-delayed-message') } }),
      'PRECONDITION_FAILED',
      "Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'",
    );
    const ok = fixture();
    ok.session.declareExchange({ name: 'd', type: 'x-delayed-message', args: { 'x-delayed-type': F.str('topic') } });
    expect(ok.core.inspect.listExchanges('/').find((x) => x.name === 'd')!.type).toBe('x-delayed-message');
  });

  it('routes at once without x-delay, with 0, a negative or a non-numeric delay', () => {
    const f = delayedSetup();
    pub(f.session, 'none');
    pub(f.session, 'zero', F.int(0));
    pub(f.session, 'negative', F.int(-5));
    pub(f.session, 'negative-string', F.str('-100'));
    pub(f.session, 'text', F.str('soon'));
    expect(getAll(f.session)).toEqual(['none', 'zero', 'negative', 'negative-string', 'text']);
  });

  it('takes a numeric string x-delay (STOMP headers, MQTT user properties) as the plugin does', () => {
    const f = delayedSetup();
    pub(f.session, 'string', F.str('100'));
    expect(getAll(f.session)).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(getAll(f.session)).toEqual(['string']);
  });

  it('holds messages and releases them in due order (FIFO on equal due times) with one timer', () => {
    const f = delayedSetup();
    pub(f.session, 'c', F.int(300));
    pub(f.session, 'a1', F.int(100));
    pub(f.session, 'b', F.long(200));
    pub(f.session, 'a2', F.int(100));
    for (let i = 0; i < 50; i++) pub(f.session, `late${i}`, F.int(10_000 + i));
    expect(vi.getTimerCount()).toBe(1);
    expect(getAll(f.session)).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(getAll(f.session)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(getAll(f.session)).toEqual(['a1', 'a2']);
    vi.advanceTimersByTime(200);
    expect(getAll(f.session)).toEqual(['b', 'c']);
    vi.advanceTimersByTime(10_000);
    expect(getAll(f.session)).toHaveLength(50);
  });

  it('a shorter delay published later is released first', () => {
    const f = delayedSetup();
    pub(f.session, 'slow', F.int(1000));
    pub(f.session, 'fast', F.int(10));
    vi.advanceTimersByTime(10);
    expect(getAll(f.session)).toEqual(['fast']);
  });

  it('the released message carries x-delay = -delay', () => {
    const f = delayedSetup();
    pub(f.session, 'm', F.int(100));
    vi.advanceTimersByTime(100);
    expect(f.session.get('q', true)!.message.properties.headers!['x-delay']).toEqual(F.long(-100));
  });

  it('routes like the x-delayed-type (topic) when due', () => {
    const f = delayedSetup('topic', 'a.*');
    pub(f.session, 'match', F.int(5), 'a.b');
    pub(f.session, 'miss', F.int(5), 'b.c');
    vi.advanceTimersByTime(5);
    expect(getAll(f.session)).toEqual(['match']);
  });

  it('confirms on acceptance and counts a held message as routed (mandatory)', async () => {
    const f = delayedSetup();
    expect(f.session.publish(msg('dx', 'unbound', 'm', { headers: { 'x-delay': F.int(1000) } }), { confirmId: 1, mandatory: true }).routed).toBe(1);
    await flush();
    expect(f.events.confirmedBatches).toEqual([[1]]);
  });

  it('deleting the exchange drops what it holds', () => {
    const f = delayedSetup();
    pub(f.session, 'm', F.int(100));
    f.session.deleteExchange('dx');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(getAll(f.session)).toEqual([]);
  });

  it('a delayed exchange as a DLX delays dead letters (first pass), then they route', () => {
    const f = delayedSetup();
    f.session.declareQueue({ name: 'work', args: { 'x-dead-letter-exchange': F.str('dx'), 'x-dead-letter-routing-key': F.str('k') } });
    f.session.publish(msg('', 'work', 'm', { headers: { 'x-delay': F.int(50) } }));
    const d = f.session.get('work', false)!;
    f.session.reject(d.tag, false, false);
    expect(getAll(f.session)).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(getAll(f.session)).toEqual(['m']);
  });
});
