/**
 * definitions.ts: export of the durable topology in RabbitMQ's format, and an
 * export → JSON → import → export round trip through a system-session factory
 * built on a real user with full permissions; best-effort import errors.
 */
import { describe, expect, it } from 'vitest';
import type { Core, CoreSession } from '../../../../core/index.js';
import { F, createCore } from '../../../../core/index.js';
import { exportDefinitions, importDefinitions } from '../../../../core/durable/definitions.js';
import type { Definitions, SystemSessionFactory } from '../../../../core/durable/definitions.js';

const noEvents = { confirmed() {}, rejected() {}, blocked() {}, unblocked() {} };

/** The stand-in for the lead's Core.systemSession: a real administrator with full permissions. */
function adminFactory(core: Core, user = 'admin'): SystemSessionFactory {
  return (vhost) =>
    core.openConnection({ vhost, user: { name: user, tags: ['administrator'] }, protocol: 'internal', remoteAddress: '' }).openSession(noEvents);
}

function populated(): Core {
  const core = createCore();
  core.vhosts.addVhost('v2');
  core.users.addUser('admin', 'secret', ['administrator']);
  core.users.addUser('alice', 'pw', ['management', 'monitoring']);
  core.users.addUser('nopass', null, []);
  for (const v of ['/', 'v2']) core.users.setPermissions('admin', v, { configure: '.*', write: '.*', read: '.*' });
  core.users.setPermissions('alice', 'v2', { configure: '^alice-', write: '.*', read: '' });
  core.users.setTopicPermissions('alice', 'v2', 'amq.topic', '^alice\\.{client_id}\\.', '');
  core.policies.setPolicy('/', 'limit-q', { pattern: '^q', applyTo: 'queues', priority: 3, definition: { 'max-length': 5 } });
  core.policies.setOperatorPolicy('/', 'cap', { pattern: '.*', applyTo: 'queues', priority: 0, definition: { 'message-ttl': 60000 } });
  core.vhosts.setLimits('v2', { maxQueues: 100 });
  const s: CoreSession = adminFactory(core)('/');
  s.declareExchange({ name: 'ex1', type: 'topic', durable: true, args: { 'alternate-exchange': F.str('ae') } });
  s.declareExchange({ name: 'ae', type: 'fanout', durable: true });
  s.declareExchange({ name: 'ex-auto', type: 'direct', durable: true, autoDelete: true, internal: true });
  s.declareExchange({ name: 'transient-x', type: 'fanout', durable: false });
  s.declareQueue({ name: 'q1', durable: true, args: { 'x-max-length': { type: 'int32', value: 10 }, 'x-dead-letter-exchange': F.str('ae') } });
  s.declareQueue({ name: 'q-auto', durable: true, autoDelete: true });
  s.declareQueue({ name: 'tq', durable: false });
  s.declareQueue({ name: 'excl', durable: true, exclusive: true });
  s.bind({ source: 'ex1', destination: 'q1', destinationType: 'queue', routingKey: 'a.#' });
  s.bind({ source: 'ex1', destination: 'ex-auto', destinationType: 'exchange', routingKey: 'k', args: { 'x-match': F.str('any') } });
  s.bind({ source: 'amq.topic', destination: 'q1', destinationType: 'queue', routingKey: 'b.*' });
  s.bind({ source: 'ex1', destination: 'tq', destinationType: 'queue', routingKey: 'x' }); // transient destination
  s.bind({ source: 'transient-x', destination: 'q1', destinationType: 'queue', routingKey: '' }); // transient source
  s.bind({ source: 'ae', destination: 'q-auto', destinationType: 'queue', routingKey: '' });
  const s2 = adminFactory(core)('v2');
  s2.declareQueue({ name: 'alice-q', durable: true });
  return core;
}

const strip = (d: Definitions) => ({ ...d, product_name: undefined });

describe('definitions export', () => {
  it('lists users, vhosts, permissions, policies, limits, durable topology only', () => {
    const d = exportDefinitions(populated());
    expect(d.users.find((u) => u.name === 'alice')).toMatchObject({ hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'management,monitoring' });
    expect(d.users.find((u) => u.name === 'nopass')!.password_hash).toBe('');
    expect(d.vhosts).toEqual([{ name: '/' }, { name: 'v2' }]);
    expect(d.permissions).toContainEqual({ user: 'alice', vhost: 'v2', configure: '^alice-', write: '.*', read: '' });
    expect(d.topic_permissions).toEqual([{ user: 'alice', vhost: 'v2', exchange: 'amq.topic', write: '^alice\\.{client_id}\\.', read: '' }]);
    expect(d.policies).toEqual([{ vhost: '/', name: 'limit-q', pattern: '^q', 'apply-to': 'queues', definition: { 'max-length': 5 }, priority: 3 }]);
    expect(d.parameters).toContainEqual({ vhost: 'v2', component: 'vhost-limits', name: 'limits', value: { 'max-queues': 100 } });
    expect(d.parameters).toContainEqual({
      vhost: '/', component: 'operator_policy', name: 'cap', value: { pattern: '.*', 'apply-to': 'queues', definition: { 'message-ttl': 60000 }, priority: 0 },
    });
    expect(d.queues.map((q) => `${q.vhost}/${q.name}`).sort()).toEqual(['//q-auto', '//q1', 'v2/alice-q']);
    expect(d.queues.find((q) => q.name === 'q1')).toEqual({
      name: 'q1', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 10, 'x-dead-letter-exchange': 'ae' },
    });
    expect(d.exchanges.map((x) => x.name).sort()).toEqual(['ae', 'ex-auto', 'ex1']);
    expect(d.exchanges.find((x) => x.name === 'ex-auto')).toMatchObject({ type: 'direct', auto_delete: true, internal: true });
    expect(d.bindings.map((b) => `${b.source}->${b.destination}:${b.routing_key}`).sort()).toEqual([
      'ae->q-auto:', 'amq.topic->q1:b.*', 'ex1->ex-auto:k', 'ex1->q1:a.#',
    ]);
    expect(d.bindings.find((b) => b.destination === 'ex-auto')).toMatchObject({ destination_type: 'exchange', arguments: { 'x-match': 'any' } });
  });
});

describe('definitions import', () => {
  it('round-trips: export → JSON → import into an empty core → same export', () => {
    const first = exportDefinitions(populated());
    const json = JSON.parse(JSON.stringify(first)) as Definitions;
    const core2 = createCore();
    const report = importDefinitions(core2, json, adminFactory(core2));
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ vhosts: 2, users: 3, permissions: 3, topicPermissions: 1, policies: 1, operatorPolicies: 1, limits: 1, exchanges: 3, queues: 3, bindings: 4 });
    expect(strip(exportDefinitions(core2))).toEqual(strip(first));
    expect(core2.inspect.listConnections()).toEqual([]); // the import's connections are closed
    // the imported hash still authenticates
    expect(core2.users.authenticate('alice', 'pw')).not.toBeNull();
    // importing twice is harmless (redeclares are equivalent)
    expect(importDefinitions(core2, json, adminFactory(core2)).errors).toEqual([]);
  });

  it('is best effort: bad entries are reported, the rest is imported', () => {
    const core = createCore();
    core.users.addUser('admin', 'x', ['administrator']);
    core.users.setPermissions('admin', '/', { configure: '.*', write: '.*', read: '.*' });
    const report = importDefinitions(
      core,
      {
        users: [
          { name: 'md5user', password_hash: 'abc', hashing_algorithm: 'rabbit_password_hashing_md5', tags: '' },
          { name: 'arraytags', password_hash: '', tags: ['management', 'policymaker'] },
          { password_hash: '' },
        ],
        exchanges: [
          { name: 'weird', vhost: '/', type: 'x-no-such-type', durable: true },
          { name: 'good', vhost: '/', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} },
          { name: 'amq.direct', vhost: '/', type: 'direct', durable: true },
        ],
        queues: [
          { name: 'good-q', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-priority': 5 } },
          { name: 'nowhere', vhost: 'missing-vhost', durable: true },
          { name: 'bad-arg', vhost: '/', durable: true, arguments: { 'x-max-length': 'many' } },
        ],
        bindings: [
          { source: 'good', vhost: '/', destination: 'good-q', destination_type: 'queue', routing_key: '', arguments: {} },
          { source: 'missing', vhost: '/', destination: 'good-q', destination_type: 'queue', routing_key: '', arguments: {} },
        ],
        parameters: [{ vhost: '/', component: 'federation-upstream', name: 'x', value: {} }],
      },
      adminFactory(core),
    );
    expect(report).toMatchObject({ users: 1, exchanges: 1, queues: 1, bindings: 1 });
    expect(report.errors, report.errors.join("\n")).toHaveLength(7);
    expect(report.errors.join('\n')).toMatch(/unsupported hashing_algorithm/);
    expect(report.errors.join('\n')).toMatch(/exchange 'weird' in vhost '\/'/);
    expect(core.users.listUsers().find((u) => u.name === 'arraytags')!.tags).toEqual(['management', 'policymaker']);
    expect(core.inspect.listQueues('/').map((q) => q.name)).toContain('good-q');
  });

  it('replaces an existing user whose hash or tags differ, keeping its permissions', () => {
    const core = createCore();
    core.users.addUser('bob', 'old', []);
    core.users.setPermissions('bob', '/', { configure: 'b', write: 'b', read: 'b' });
    const donor = createCore();
    donor.users.addUser('bob', 'new', ['monitoring']);
    const hash = donor.users.listUsers()[0]!.passwordHash;
    const r = importDefinitions(core, { users: [{ name: 'bob', password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: 'monitoring' }] }, adminFactory(core));
    expect(r.errors).toEqual([]);
    expect(core.users.authenticate('bob', 'new')).not.toBeNull();
    expect(core.users.listPermissions()).toEqual([{ user: 'bob', vhost: '/', permissions: { configure: 'b', write: 'b', read: 'b' } }]);
  });

  it('rejects a non-object input without throwing', () => {
    const core = createCore();
    expect(importDefinitions(core, [1, 2], adminFactory(core)).errors).toEqual(['definitions: not a JSON object']);
  });
});

describe('users across a restart', () => {
  it('SCRAM-SHA-256 credentials survive export → import (MQTT 5 enhanced auth after a restart); the password never appears', () => {
    const a = createCore();
    a.users.addUser('admin', 'secret', ['administrator']);
    a.users.setPermissions('admin', '/', { configure: '.*', write: '.*', read: '.*' });
    a.users.addUser('dev', 'pa55word', []);
    const json = JSON.stringify(exportDefinitions(a));
    expect(json).not.toContain('pa55word');
    expect(json).toContain('scram_sha256');

    const b = createCore();
    b.users.addUser('admin', 'secret', ['administrator']);
    b.users.setPermissions('admin', '/', { configure: '.*', write: '.*', read: '.*' });
    const r = importDefinitions(b, JSON.parse(json) as Definitions, adminFactory(b));
    expect(r.errors).toEqual([]);
    const before = a.users.scramCredentials('dev')!;
    const after = b.users.scramCredentials('dev')!;
    expect(after.iterations).toBe(before.iterations);
    expect(after.salt.equals(before.salt)).toBe(true);
    expect(after.storedKey.equals(before.storedKey)).toBe(true);
    expect(after.serverKey.equals(before.serverKey)).toBe(true);
    expect(b.users.authenticate('dev', 'pa55word')?.name).toBe('dev');
  });

  it('user, permission and vhost-limit changes schedule a definitions save', () => {
    let saves = 0;
    const core = createCore({
      durability: {
        queueStore: () => null,
        dropQueue: () => undefined,
        dropVhost: () => undefined,
        definitionsChanged: () => void saves++,
      } as never,
    });
    const steps: [string, () => void][] = [
      ['addUser', () => core.users.addUser('u', 'p', [])],
      ['setPermissions', () => core.users.setPermissions('u', '/', { configure: '', write: '.*', read: '.*' })],
      ['changePassword', () => core.users.changePassword('u', 'p2')],
      ['clearPermissions', () => core.users.clearPermissions('u', '/')],
      ['deleteUser', () => core.users.deleteUser('u')],
      ['setLimits', () => core.vhosts.setLimits('/', { maxQueues: 5 })],
    ];
    for (const [name, step] of steps) {
      const n = saves;
      step();
      expect(saves, name).toBeGreaterThan(n);
    }
  });
});
