/**
 * Policies and operator policies: matching (pattern, apply-to, priority,
 * ties), precedence against queue arguments, operator caps, recompute on
 * change, alternate-exchange by policy, validation, and vhost limits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { F } from '../../../core/index.js';
import type { PolicyDefinition, QueueSummary } from '../../../core/index.js';
import { expectCode, fixture, msg } from './helpers.js';

const FAKE = { toFake: ['setTimeout', 'clearTimeout', 'Date'] as ('setTimeout' | 'clearTimeout' | 'Date')[] };

function pol(pattern: string, definition: Record<string, unknown>, priority = 0, applyTo: PolicyDefinition['applyTo'] = 'queues'): PolicyDefinition {
  return { pattern, applyTo, priority, definition };
}

function summary(f: ReturnType<typeof fixture>, name: string): QueueSummary {
  return f.core.inspect.listQueues('/').find((q) => q.name === name)!;
}

function fill(f: ReturnType<typeof fixture>, q: string, n: number): void {
  for (let i = 0; i < n; i++) f.session.publish(msg('', q, `m${i}`));
}

describe('policies', () => {
  beforeEach(() => vi.useFakeTimers(FAKE));
  afterEach(() => vi.useRealTimers());

  it('a matching policy applies its definition; QueueSummary names it', () => {
    const f = fixture();
    f.core.policies.setPolicy('/', 'ttl', pol('^ttl\\.', { 'message-ttl': 100 }));
    f.session.declareQueue({ name: 'ttl.q' });
    f.session.declareQueue({ name: 'plain' });
    f.session.publish(msg('', 'ttl.q', 'm'));
    f.session.publish(msg('', 'plain', 'm'));
    vi.advanceTimersByTime(100);
    expect(summary(f, 'ttl.q')).toMatchObject({ messages: 0, policy: 'ttl', effectivePolicyDefinition: { 'message-ttl': 100 } });
    expect(summary(f, 'plain').messages).toBe(1);
    expect(summary(f, 'plain').policy).toBeUndefined();
  });

  it('the highest priority wins; ties go to the name that sorts first', () => {
    const f = fixture();
    f.core.policies.setPolicy('/', 'b-low', pol('.*', { 'max-length': 1 }, 1));
    f.core.policies.setPolicy('/', 'high', pol('^q', { 'max-length': 3 }, 5));
    f.session.declareQueue({ name: 'q' });
    expect(summary(f, 'q').policy).toBe('high');
    f.core.policies.setPolicy('/', 'a-same', pol('.*', { 'max-length': 2 }, 5));
    expect(summary(f, 'q').policy).toBe('a-same');
    fill(f, 'q', 5);
    expect(summary(f, 'q').messages).toBe(2);
  });

  it('apply-to: exchanges-only policies skip queues; all applies to both', () => {
    const f = fixture();
    f.core.policies.setPolicy('/', 'ex', pol('.*', { 'alternate-exchange': 'ae' }, 10, 'exchanges'));
    f.core.policies.setPolicy('/', 'qs', pol('.*', { 'max-length': 1 }, 0, 'queues'));
    f.session.declareQueue({ name: 'q' });
    expect(summary(f, 'q').policy).toBe('qs');
    f.core.policies.setPolicy('/', 'everything', pol('.*', { 'max-length': 4 }, 20, 'all'));
    expect(summary(f, 'q').policy).toBe('everything');
  });

  it('numeric keys: the lower of argument and policy applies; DLX/overflow: the argument wins', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'sink-arg' });
    f.session.declareQueue({ name: 'sink-pol' });
    f.core.policies.setPolicy(
      '/',
      'p',
      pol('^q', { 'max-length': 3, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'sink-pol', overflow: 'reject-publish' }),
    );
    f.session.declareQueue({ name: 'q-low-arg', args: { 'x-max-length': F.int(1) } });
    f.session.declareQueue({ name: 'q-high-arg', args: { 'x-max-length': F.int(10) } });
    f.session.declareQueue({
      name: 'q-dlx-arg',
      args: { 'x-dead-letter-exchange': F.str(''), 'x-dead-letter-routing-key': F.str('sink-arg'), 'x-overflow': F.str('drop-head') },
    });
    fill(f, 'q-low-arg', 5);
    fill(f, 'q-high-arg', 5);
    fill(f, 'q-dlx-arg', 5);
    expect(summary(f, 'q-low-arg').messages).toBe(1);
    expect(summary(f, 'q-high-arg').messages).toBe(3);
    expect(summary(f, 'q-dlx-arg').messages).toBe(3);
    expect(summary(f, 'sink-arg').messages).toBe(2); // drop-head from the argument, DLX from the argument
    expect(summary(f, 'sink-pol').messages).toBe(0); // reject-publish from the policy for the others: no dead letters
  });

  it('operator policies cap arguments and policies (the lower value applies)', () => {
    const f = fixture();
    f.core.policies.setPolicy('/', 'user', pol('.*', { 'max-length': 10, 'message-ttl': 50 }));
    f.core.policies.setOperatorPolicy('/', 'cap', pol('.*', { 'max-length': 2, 'message-ttl': 1000 }));
    f.session.declareQueue({ name: 'q', args: { 'x-max-length': F.int(100) } });
    const s = summary(f, 'q');
    expect(s.policy).toBe('user');
    expect(s.operatorPolicy).toBe('cap');
    expect(s.effectivePolicyDefinition).toEqual({ 'max-length': 2, 'message-ttl': 50 });
    fill(f, 'q', 5);
    expect(summary(f, 'q').messages).toBe(2);
    vi.advanceTimersByTime(50);
    expect(summary(f, 'q').messages).toBe(0);
  });

  it('is recomputed when policies are set and cleared (a lowered max-length trims at once)', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'q' });
    fill(f, 'q', 5);
    f.core.policies.setPolicy('/', 'p', pol('^q$', { 'max-length': 2 }));
    expect(summary(f, 'q').messages).toBe(2);
    f.core.policies.clearPolicy('/', 'p');
    expect(summary(f, 'q').policy).toBeUndefined();
    fill(f, 'q', 5);
    expect(summary(f, 'q').messages).toBe(7);
    f.core.policies.setOperatorPolicy('/', 'op', pol('.*', { 'max-length': 3 }));
    expect(summary(f, 'q').messages).toBe(3);
    f.core.policies.clearOperatorPolicy('/', 'op');
    expect(summary(f, 'q').operatorPolicy).toBeUndefined();
  });

  it('expires and dead-letter-exchange by policy: an expired message is dead-lettered', () => {
    const f = fixture();
    f.session.declareQueue({ name: 'dead' });
    f.core.policies.setPolicy('/', 'dl', pol('^work$', { 'message-ttl': 10, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'dead' }));
    f.core.policies.setPolicy('/', 'tmp', pol('^tmp$', { expires: 100 }));
    f.session.declareQueue({ name: 'work' });
    f.session.declareQueue({ name: 'tmp' });
    f.session.publish(msg('', 'work', 'm'));
    vi.advanceTimersByTime(100);
    expect(f.session.get('dead', true)!.message.properties.headers!['x-first-death-reason']).toEqual(F.str('expired'));
    expect(f.core.inspect.listQueues('/').map((q) => q.name)).not.toContain('tmp');
  });

  it('alternate-exchange by policy; the exchange argument wins over it', () => {
    const f = fixture();
    for (const q of ['by-policy', 'by-arg']) f.session.declareQueue({ name: q });
    f.session.declareExchange({ name: 'ae-p', type: 'fanout' });
    f.session.declareExchange({ name: 'ae-a', type: 'fanout' });
    f.session.bind({ source: 'ae-p', destination: 'by-policy', destinationType: 'queue', routingKey: '' });
    f.session.bind({ source: 'ae-a', destination: 'by-arg', destinationType: 'queue', routingKey: '' });
    f.session.declareExchange({ name: 'x1', type: 'direct' });
    f.session.declareExchange({ name: 'x2', type: 'direct', args: { 'alternate-exchange': F.str('ae-a') } });
    f.core.policies.setPolicy('/', 'ae', pol('^x', { 'alternate-exchange': 'ae-p' }, 0, 'exchanges'));
    expect(f.session.publish(msg('x1', 'nowhere', 'a')).routed).toBe(1);
    expect(f.session.publish(msg('x2', 'nowhere', 'b')).routed).toBe(1);
    expect(summary(f, 'by-policy').messages).toBe(1);
    expect(summary(f, 'by-arg').messages).toBe(1);
    f.core.policies.clearPolicy('/', 'ae');
    expect(f.session.publish(msg('x1', 'nowhere', 'c')).routed).toBe(0);
  });

  it('lists policies per vhost and overall', () => {
    const f = fixture();
    f.core.vhosts.addVhost('other');
    f.core.policies.setPolicy('/', 'a', pol('.*', { 'max-length': 1 }));
    f.core.policies.setPolicy('other', 'b', pol('x', { 'message-ttl': 5 }, 3, 'all'));
    f.core.policies.setOperatorPolicy('other', 'c', pol('.*', { expires: 1000 }));
    expect(f.core.policies.listPolicies('/')).toEqual([
      { vhost: '/', name: 'a', pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'max-length': 1 } },
    ]);
    expect(f.core.policies.listPolicies().map((p) => p.name)).toEqual(['a', 'b']);
    expect(f.core.policies.listOperatorPolicies().map((p) => `${p.vhost}/${p.name}`)).toEqual(['other/c']);
    f.core.vhosts.deleteVhost('other');
    expect(f.core.policies.listPolicies().map((p) => p.name)).toEqual(['a']);
  });

  it('validates like RabbitMQ: INVALID_ARGUMENT "Validation failed"', () => {
    const f = fixture();
    const p = f.core.policies;
    expectCode(() => p.setPolicy('/', 'x', pol('(', { 'max-length': 1 })), 'INVALID_ARGUMENT', /is not a valid regular expression/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { 'max-length': -1 })), 'INVALID_ARGUMENT', 'Validation failed\n\n-1 is not a valid maximum length\n');
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { 'message-ttl': 'ten' })), 'INVALID_ARGUMENT', /<<"ten">> is not a valid message TTL/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { expires: 0 })), 'INVALID_ARGUMENT', /0 is not a valid queue expiry/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { overflow: 'drop-tail' })), 'INVALID_ARGUMENT', /not a valid overflow value/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { 'max-priority': 5 })), 'INVALID_ARGUMENT', /\[<<"max-priority">>\] are not recognised policy settings/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', {})), 'INVALID_ARGUMENT', /no policy provided/);
    expectCode(() => p.setPolicy('/', 'x', { ...pol('.*', { 'max-length': 1 }), applyTo: 'streams' as 'all' }), 'INVALID_ARGUMENT', /apply-to/);
    expectCode(() => p.setPolicy('/', 'x', pol('.*', { 'max-length': 1 }, 1.5)), 'INVALID_ARGUMENT', /priority/);
    expectCode(() => p.setOperatorPolicy('/', 'x', pol('.*', { 'dead-letter-exchange': 'd' })), 'INVALID_ARGUMENT', /not recognised/);
    expectCode(() => p.setPolicy('nope', 'x', pol('.*', { 'max-length': 1 })), 'NOT_FOUND', "no vhost 'nope'");
    expectCode(() => p.clearPolicy('/', 'missing'), 'NOT_FOUND', "no policy 'missing' in vhost '/'");
    expect(p.listPolicies('/')).toEqual([]);
  });
});

describe('vhost limits', () => {
  it('max-connections: NOT_ALLOWED once reached; a slot frees on close; negative = unlimited', () => {
    const f = fixture(); // one connection open
    f.core.vhosts.setLimits('/', { maxConnections: 2 });
    const second = f.open();
    expectCode(() => f.open(), 'NOT_ALLOWED', "access to vhost '/' refused for user 'u': connection limit (2) is reached");
    second.conn.close();
    f.open();
    f.core.vhosts.setLimits('/', { maxConnections: -1 });
    f.open();
    expect(f.core.vhosts.getLimits('/')).toEqual({ maxConnections: -1 });
  });

  it('max-queues: PRECONDITION_FAILED for a new queue; redeclare and passive still work', () => {
    const f = fixture();
    f.core.vhosts.setLimits('/', { maxQueues: 2 });
    f.session.declareQueue({ name: 'q1' });
    f.session.declareQueue({ name: 'q2' });
    expectCode(
      () => f.session.declareQueue({ name: 'q3' }),
      'PRECONDITION_FAILED',
      "cannot declare queue 'q3': queue limit in vhost '/' (2) is reached",
    );
    const g = f.open();
    g.session.declareQueue({ name: 'q1' });
    g.session.declareQueue({ name: 'q2', passive: true });
    g.session.deleteQueue('q1');
    g.session.declareQueue({ name: 'q3' });
    f.core.vhosts.setLimits('/', { maxQueues: 0 });
    expectCode(() => g.session.declareQueue({ name: '' }), 'PRECONDITION_FAILED', /queue limit in vhost '\/' \(0\) is reached/);
  });

  it('refuses unknown vhosts and non-integer values', () => {
    const f = fixture();
    expectCode(() => f.core.vhosts.setLimits('nope', {}), 'NOT_FOUND');
    expectCode(() => f.core.vhosts.getLimits('nope'), 'NOT_FOUND');
    expectCode(() => f.core.vhosts.setLimits('/', { maxQueues: 1.5 }), 'INVALID_ARGUMENT');
  });
});
