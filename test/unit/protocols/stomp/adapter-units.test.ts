import { describe, expect, it } from 'vitest';
import { F } from '../../../../core/index.js';
import { heartbeatMillis, negotiateHeartbeat, negotiateVersion } from '../../../../protocols/stomp/connect.js';
import {
  escapeName,
  parseDestination,
  queueArgs,
  queueDecl,
  QUEUE_DEFAULTS,
  renderReplyTo,
  subscriptionQueueName,
  synthesiseDestination,
  unescapeName,
} from '../../../../protocols/stomp/destinations.js';
import { StompError, toStompError } from '../../../../protocols/stomp/errors.js';
import { appendPropertyHeaders, propertiesFromHeaders, renderHeaderValue } from '../../../../protocols/stomp/headers.js';
import { Transactions } from '../../../../protocols/stomp/transactions.js';
import { BrokerError } from '../../../../core/index.js';

describe('version and heart-beat negotiation', () => {
  it('picks the highest common version', () => {
    expect(negotiateVersion('1.0,1.1,1.2')).toBe('1.2');
    expect(negotiateVersion('1.1, 1.0')).toBe('1.1');
    expect(negotiateVersion(undefined)).toBe('1.0');
    expect(() => negotiateVersion('2.0')).toThrow(/Supported versions are 1.0,1.1,1.2/);
  });

  it('rounds heart-beats as RabbitMQ does', () => {
    expect(heartbeatMillis(0)).toBe(0);
    expect(heartbeatMillis(1)).toBe(1000);
    expect(heartbeatMillis(999)).toBe(1000);
    expect(heartbeatMillis(1999)).toBe(1000);
    expect(heartbeatMillis(10_000)).toBe(10_000);
    expect(negotiateHeartbeat('4000,500')).toEqual({ header: '500,4000', sendMs: 1000, recvMs: 4000 });
    expect(negotiateHeartbeat(undefined)).toEqual({ header: '0,0', sendMs: 0, recvMs: 0 });
    expect(() => negotiateHeartbeat('1,2,3')).toThrow(StompError);
  });
});

describe('destinations', () => {
  it('parses every RabbitMQ prefix', () => {
    expect(parseDestination('/queue/a%2Fb')).toEqual({ kind: 'queue', name: 'a/b' });
    expect(parseDestination('/amq/queue/q')).toEqual({ kind: 'amqqueue', name: 'q' });
    expect(parseDestination('/topic/a.b.#')).toEqual({ kind: 'topic', key: 'a.b.#' });
    expect(parseDestination('/exchange/x')).toEqual({ kind: 'exchange', exchange: 'x', key: '' });
    expect(parseDestination('/exchange/x/a/b')).toEqual({ kind: 'exchange', exchange: 'x', key: 'a/b' });
    expect(parseDestination('/temp-queue/t')).toEqual({ kind: 'temp-queue', name: 't' });
    expect(parseDestination('/reply-queue/amq.gen-1')).toEqual({ kind: 'reply-queue', name: 'amq.gen-1' });
    expect(parseDestination('plain')).toEqual({ kind: 'queue', name: 'plain' });
    expect(() => parseDestination('/unknown/x')).toThrow(/not a valid destination/);
    expect(() => parseDestination('')).toThrow(StompError);
  });

  it('synthesises MESSAGE destinations and reply-to', () => {
    expect(synthesiseDestination('', 'q/1', 'amq.topic')).toBe('/queue/q%2F1');
    expect(synthesiseDestination('amq.topic', 'a.b', 'amq.topic')).toBe('/topic/a.b');
    expect(synthesiseDestination('x', '', 'amq.topic')).toBe('/exchange/x');
    expect(synthesiseDestination('x', 'k', 'amq.topic')).toBe('/exchange/x/k');
    expect(renderReplyTo('amq.gen-1')).toBe('/reply-queue/amq.gen-1');
    expect(renderReplyTo('/queue/r')).toBe('/queue/r');
  });

  it('%-escaping round-trips and tolerates malformed escapes', () => {
    expect(unescapeName(escapeName('a/b%c'))).toBe('a/b%c');
    expect(unescapeName('50%')).toBe('50%');
    expect(unescapeName('%zz')).toBe('%zz');
  });

  it('queue params from headers', () => {
    expect(queueArgs({ 'x-message-ttl': '5', 'x-overflow': 'reject-publish', 'x-single-active-consumer': 'true' })).toEqual({
      'x-message-ttl': F.int(5),
      'x-overflow': F.str('reject-publish'),
      'x-single-active-consumer': F.bool(true),
    });
    expect(() => queueArgs({ 'x-max-length': 'ten' })).toThrow(/integer/);
    expect(queueDecl('q', { persistent: 'false', exclusive: 'true' }, QUEUE_DEFAULTS.queue)).toMatchObject({
      name: 'q',
      durable: false,
      exclusive: true,
      autoDelete: false,
    });
    expect(() => queueDecl('q', { durable: 'yes' }, QUEUE_DEFAULTS.queue)).toThrow(StompError);
  });

  it('subscription queue names: stomp- prefix, durable ones are stable per (destination, id)', () => {
    expect(subscriptionQueueName()).toMatch(/^stomp-subscription-/);
    expect(subscriptionQueueName()).not.toBe(subscriptionQueueName());
    const a = subscriptionQueueName({ destination: '/topic/x', id: '1' });
    expect(a).toBe(subscriptionQueueName({ destination: '/topic/x', id: '1' }));
    expect(a).not.toBe(subscriptionQueueName({ destination: '/topic/x', id: '2' }));
  });
});

describe('headers ↔ properties', () => {
  it('maps SEND headers and forwards the rest as longstr', () => {
    const p = propertiesFromHeaders({ destination: '/queue/a', receipt: 'r', persistent: 'true', priority: '3', foo: 'bar', 'message-id': 'x' }, undefined);
    expect(p).toEqual({ deliveryMode: 2, priority: 3, headers: { foo: F.str('bar') } });
    expect(() => propertiesFromHeaders({ priority: 'high' }, undefined)).toThrow(StompError);
    expect(() => propertiesFromHeaders({ expiration: '-1' }, undefined)).toThrow(StompError);
  });

  it('renders header values', () => {
    expect(renderHeaderValue(F.str(Buffer.from('b')))).toBe('b');
    expect(renderHeaderValue({ type: 'uint64', value: 2n ** 63n })).toBe('9223372036854775808');
    expect(renderHeaderValue(F.bool(true))).toBeUndefined();
    const out: [string, string][] = [];
    appendPropertyHeaders(out, { exchange: '', routingKey: 'q', body: Buffer.alloc(0), properties: { userId: 'u', headers: { 'content-length': F.str('9'), k: F.int(1) } } }, new Set());
    expect(out).toEqual([['user-id', 'u'], ['k', '1']]);
  });
});

describe('errors and transactions', () => {
  it('maps BrokerError codes to RabbitMQ reason names', () => {
    const e = toStompError(new BrokerError('NOT_FOUND', "no queue 'q' in vhost '/'"));
    expect(e.header).toBe('not_found');
    expect(e.details).toBe("NOT_FOUND - no queue 'q' in vhost '/'");
    expect(toStompError(new BrokerError('INVALID_ARGUMENT', 'x')).header).toBe('precondition_failed');
    expect(toStompError(new Error('boom')).header).toBe('internal_error');
  });

  it('buffers frames and enforces limits', () => {
    const t = new Transactions(1, 2);
    t.begin('a');
    expect(() => t.begin('a')).toThrow(/already active/);
    expect(() => t.begin('b')).toThrow(/at most 1/);
    const f = { command: 'SEND', headers: {}, body: Buffer.alloc(0) };
    t.add('a', f);
    t.add('a', f);
    expect(() => t.add('a', f)).toThrow(/at most 2/);
    expect(t.commit('a')).toHaveLength(2);
    expect(() => t.commit('a')).toThrow(/Invalid transaction identifier/);
    expect(() => t.abort('zzz')).toThrow(/Bad transaction|Invalid transaction/);
  });
});
