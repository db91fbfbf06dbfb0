import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Binding, RouteTarget } from '../../../core/exchange/exchange.js';
import { bindingId } from '../../../core/exchange/exchange.js';
import { DirectRouter } from '../../../core/exchange/direct.js';
import { FanoutRouter } from '../../../core/exchange/fanout.js';
import { HeadersRouter } from '../../../core/exchange/headers.js';
import { TOPIC_CACHE_MAX, TopicRouter, topicWords } from '../../../core/exchange/topic.js';
import { F } from '../../../core/index.js';
import type { FieldTable } from '../../../core/index.js';

function binding(dest: string, key: string, args: FieldTable = {}): Binding {
  return { source: 'x', destination: dest, destinationType: 'queue', routingKey: key, args, id: bindingId('queue', dest, key, args) };
}

function target(): RouteTarget {
  return { queues: new Set(), exchanges: new Set() };
}

function routeTo(r: { route(k: string, h: FieldTable | undefined, out: RouteTarget): void }, key: string, headers?: FieldTable): string[] {
  const t = target();
  r.route(key, headers, t);
  return [...t.queues].sort();
}

describe('direct', () => {
  it('matches the exact key only', () => {
    const r = new DirectRouter();
    const b1 = binding('q1', 'a');
    r.bind(b1);
    r.bind(binding('q2', 'a'));
    r.bind(binding('q3', 'b'));
    expect(routeTo(r, 'a')).toEqual(['q1', 'q2']);
    expect(routeTo(r, 'A')).toEqual([]);
    r.unbind(b1);
    expect(routeTo(r, 'a')).toEqual(['q2']);
  });
});

describe('fanout', () => {
  it('ignores the key', () => {
    const r = new FanoutRouter();
    r.bind(binding('q1', 'ignored'));
    r.bind(binding('q2', ''));
    expect(routeTo(r, 'anything')).toEqual(['q1', 'q2']);
  });
});

describe('headers', () => {
  const h = (args: FieldTable) => {
    const r = new HeadersRouter();
    r.bind(binding('q', '', args));
    return (headers?: FieldTable) => routeTo(r, '', headers).length === 1;
  };

  it('all (default): every non-x key must match', () => {
    const m = h({ a: F.str('1'), b: F.int(2) });
    expect(m({ a: F.str('1'), b: F.int(2), c: F.str('z') })).toBe(true);
    expect(m({ a: F.str('1'), b: F.long(2) })).toBe(true); // integer widths compare numerically
    expect(m({ a: F.str('1') })).toBe(false);
    expect(m({ a: F.str('1'), b: F.str('2') })).toBe(false); // type matters: '2' is not 2
    expect(m(undefined)).toBe(false);
  });

  it('any: at least one key matches; x- keys ignored unless -with-x', () => {
    const any = h({ 'x-match': F.str('any'), a: F.str('1'), 'x-k': F.str('v') });
    expect(any({ a: F.str('0'), 'x-k': F.str('v') })).toBe(false);
    expect(any({ a: F.str('1') })).toBe(true);
    const anyX = h({ 'x-match': F.str('any-with-x'), a: F.str('1'), 'x-k': F.str('v') });
    expect(anyX({ a: F.str('0'), 'x-k': F.str('v') })).toBe(true);
    const allX = h({ 'x-match': F.str('all-with-x'), 'x-k': F.str('v') });
    expect(allX({})).toBe(false);
    expect(allX({ 'x-k': F.str('v') })).toBe(true);
    const all = h({ 'x-match': F.str('all'), 'x-k': F.str('v') });
    expect(all({})).toBe(true); // nothing left to compare: all matches
    const anyEmpty = h({ 'x-match': F.str('any') });
    expect(anyEmpty({ a: F.str('1') })).toBe(false);
  });

  it('void binding values match on presence', () => {
    const m = h({ a: { type: 'void' } });
    expect(m({ a: F.str('whatever') })).toBe(true);
    expect(m({ b: F.str('x') })).toBe(false);
  });

  it('refuses an invalid x-match', () => {
    const r = new HeadersRouter();
    expect(() => r.validate(binding('q', '', { 'x-match': F.str('some') }))).toThrow(/Invalid x-match field value/);
  });
});

// ---------------------------------------------------------------- topic

/** Reference matcher: plain recursion over word arrays, no trie, no cache. */
function naiveMatch(pattern: readonly string[], key: readonly string[]): boolean {
  if (pattern.length === 0) return key.length === 0;
  const [p, ...rest] = pattern;
  if (p === '#') {
    for (let i = 0; i <= key.length; i++) if (naiveMatch(rest, key.slice(i))) return true;
    return false;
  }
  if (key.length === 0) return false;
  return (p === '*' || p === key[0]) && naiveMatch(rest, key.slice(1));
}

describe('topic', () => {
  it('matches the documented examples', () => {
    const r = new TopicRouter();
    const pats = ['*.orange.*', '*.*.rabbit', 'lazy.#', '#', 'a.#.z', '', '#.b'];
    pats.forEach((p, i) => r.bind(binding(`q${i}`, p)));
    expect(routeTo(r, 'quick.orange.rabbit')).toEqual(['q0', 'q1', 'q3']);
    expect(routeTo(r, 'lazy')).toEqual(['q2', 'q3']);
    expect(routeTo(r, 'lazy.orange.male.rabbit')).toEqual(['q2', 'q3']);
    expect(routeTo(r, 'a.z')).toEqual(['q3', 'q4']);
    expect(routeTo(r, 'a.x.y.z')).toEqual(['q3', 'q4']);
    expect(routeTo(r, '')).toEqual(['q3', 'q5']);
    expect(routeTo(r, 'b')).toEqual(['q3', 'q6']);
    expect(routeTo(r, 'quick.orange')).toEqual(['q3']);
  });

  it('splits like RabbitMQ: "" is no words, empty words are words', () => {
    expect(topicWords('')).toEqual([]);
    expect(topicWords('a..b')).toEqual(['a', '', 'b']);
    const r = new TopicRouter();
    r.bind(binding('q', 'a.*.b'));
    expect(routeTo(r, 'a..b')).toEqual(['q']);
  });

  const word = fc.constantFrom('a', 'b', 'c', '');
  const patWord = fc.constantFrom('a', 'b', 'c', '*', '#', '');
  const pattern = fc.array(patWord, { maxLength: 6 }).map((ws) => ws.join('.'));
  const key = fc.array(word, { maxLength: 7 }).map((ws) => ws.join('.'));

  it('agrees with a naive matcher (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(pattern, { maxLength: 12 }), fc.array(key, { maxLength: 20 }), (patterns, keys) => {
        const r = new TopicRouter();
        patterns.forEach((p, i) => r.bind(binding(`q${i}`, p)));
        for (const k of keys) {
          const expected = patterns
            .map((p, i) => (naiveMatch(topicWords(p), topicWords(k)) ? `q${i}` : null))
            .filter((x): x is string => x !== null)
            .sort();
          expect(routeTo(r, k)).toEqual(expected);
          expect(routeTo(r, k)).toEqual(expected); // second time from the cache
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the naive matcher after random unbinds (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(pattern, { minLength: 1, maxLength: 10 }), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), fc.array(key, { maxLength: 10 }), (patterns, drop, keys) => {
        const r = new TopicRouter();
        const bs = patterns.map((p, i) => binding(`q${i}`, p));
        bs.forEach((b) => r.bind(b));
        for (const k of keys) routeTo(r, k); // warm the cache
        bs.forEach((b, i) => drop[i] && r.unbind(b));
        for (const k of keys) {
          const expected = patterns
            .map((p, i) => (!drop[i] && naiveMatch(topicWords(p), topicWords(k)) ? `q${i}` : null))
            .filter((x): x is string => x !== null)
            .sort();
          expect(routeTo(r, k)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('invalidates the cache on bind and unbind', () => {
    const r = new TopicRouter();
    const b1 = binding('q1', 'a.*');
    r.bind(b1);
    expect(routeTo(r, 'a.b')).toEqual(['q1']);
    expect(r.cacheSize).toBe(1);
    const g = r.generation;
    const b2 = binding('q2', '#');
    r.bind(b2);
    expect(r.generation).toBeGreaterThan(g);
    expect(r.cacheSize).toBe(0);
    expect(routeTo(r, 'a.b')).toEqual(['q1', 'q2']);
    r.unbind(b1);
    expect(routeTo(r, 'a.b')).toEqual(['q2']);
  });

  it('keeps the cache bounded', () => {
    const r = new TopicRouter();
    r.bind(binding('q', '#'));
    for (let i = 0; i < TOPIC_CACHE_MAX + 100; i++) routeTo(r, `k.${i}`);
    expect(r.cacheSize).toBe(TOPIC_CACHE_MAX);
    expect(routeTo(r, 'k.0')).toEqual(['q']);
  });
});
