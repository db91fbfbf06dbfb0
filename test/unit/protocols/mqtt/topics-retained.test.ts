import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Message } from '../../../../core/index.js';
import { MemoryRetainedStore } from '../../../../protocols/mqtt/retained.js';
import {
  filterToBindingKey,
  parseFilter,
  routingKeyToTopic,
  topicFilterError,
  topicMatches,
  topicNameError,
  topicToRoutingKey,
} from '../../../../protocols/mqtt/topics.js';

describe('topics', () => {
  it('translates as RabbitMQ by default', () => {
    expect(topicToRoutingKey('a/b/c', false)).toBe('a.b.c');
    expect(topicToRoutingKey('a.b/c', false)).toBe('a.b.c');
    expect(filterToBindingKey('a/+/#', false)).toBe('a.*.#');
    expect(routingKeyToTopic('a.b.c', false)).toBe('a/b/c');
    expect(topicToRoutingKey('/a//b/', false)).toBe('.a..b.');
  });

  it('escaping makes MQTT → AMQP → MQTT lossless', () => {
    expect(topicToRoutingKey('a.b/c*/%', true)).toBe('a%2Eb.c%2A.%25');
    expect(filterToBindingKey('a.b/+/#', true)).toBe('a%2Eb.*.#');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '.', '*', '%', '2', 'E', '/') }), { minLength: 1, maxLength: 5 }), (levels) => {
        const t = levels.join('/');
        expect(routingKeyToTopic(topicToRoutingKey(t, true), true)).toBe(t);
      }),
    );
  });

  it('validates names and filters', () => {
    expect(topicNameError('a/+')).toMatch(/wildcard/);
    expect(topicNameError('a/#')).toMatch(/wildcard/);
    expect(topicNameError('')).toMatch(/empty/);
    expect(topicNameError('', true)).toBeNull();
    expect(topicNameError('a\u0000b')).toMatch(/null/);
    expect(topicFilterError('a/#/b')).toMatch(/#/);
    expect(topicFilterError('a/b#')).toMatch(/#/);
    expect(topicFilterError('a/b+')).toMatch(/\+/);
    expect(topicFilterError('+/+/#')).toBeNull();
    expect(parseFilter('$share/g/a/+')).toEqual({ filter: 'a/+', group: 'g' });
    expect(parseFilter('$share/g')).toMatch(/shared/);
    expect(parseFilter('$share//a')).toMatch(/shared/);
    expect(parseFilter('$share/g+/a')).toMatch(/wildcard/);
  });

  it('matches with the $ rule', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/+', 'a/b')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('+/+', '/x')).toBe(true);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/x')).toBe(true);
  });
});

const msg = (body: string, expiration?: string): Message => ({
  exchange: 'amq.topic',
  routingKey: '',
  properties: expiration ? { expiration } : {},
  body: Buffer.from(body),
});

describe('retained store', () => {
  it('answers exact and wildcard filters', () => {
    const s = new MemoryRetainedStore();
    for (const t of ['a', 'a/b', 'a/c', 'a/b/c', '$SYS/x', 'x/b']) s.set(t, msg(t));
    const topics = (f: string): string[] => s.lookup(f).map((e) => e.topic).sort();
    expect(topics('a/b')).toEqual(['a/b']);
    expect(topics('a/+')).toEqual(['a/b', 'a/c']);
    expect(topics('a/#')).toEqual(['a', 'a/b', 'a/b/c', 'a/c']);
    expect(topics('+/b')).toEqual(['a/b', 'x/b']);
    expect(topics('#')).toEqual(['a', 'a/b', 'a/b/c', 'a/c', 'x/b']);
    expect(topics('$SYS/#')).toEqual(['$SYS/x']);
    s.set('a/b', msg(''));
    expect(topics('a/+')).toEqual(['a/c']);
    expect(s.size).toBe(5);
  });

  it('honours limits and drops expired messages', () => {
    const s = new MemoryRetainedStore({ maxMessages: 2, maxBytes: 10 });
    expect(s.set('a', msg('12345'))).toBe(true);
    expect(s.set('b', msg('123456'))).toBe(false); // bytes
    expect(s.set('b', msg('1'))).toBe(true);
    expect(s.set('c', msg('1'))).toBe(false); // count
    expect(s.set('a', msg('1234'))).toBe(true); // replacing is fine
    expect(s.bytes).toBe(5);
    s.set('e', msg('')); // clearing a missing topic is a no-op
    const t = new MemoryRetainedStore();
    t.set('x', msg('1', '0'));
    expect(t.lookup('x')).toEqual([]);
    expect(t.size).toBe(0);
  });
});
