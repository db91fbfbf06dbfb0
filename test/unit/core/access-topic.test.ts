/**
 * Topic permissions (RabbitMQ set_topic_permissions, rabbit_auth_backend_internal
 * check_topic_access, rabbit_channel check_topic_authorisation): matching,
 * variable expansion, "no entry = not restricted", only topic exchanges,
 * publish (routing key + CC/BCC) and bind/unbind checks, the management
 * operations, persistence triggers and the definitions round trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { F, createCore } from '../../../core/index.js';
import type { Core, CoreSession } from '../../../core/index.js';
import { exportDefinitions, importDefinitions } from '../../../core/durable/definitions.js';
import type { Definitions, SystemSessionFactory } from '../../../core/durable/definitions.js';
import { expectCode, msg, recordingEvents, withHeaders } from './helpers.js';

const ALL = { configure: '.*', write: '.*', read: '.*' };

function coreWith(user = 'u'): Core {
  const core = createCore();
  core.users.addUser(user, 'pw', []);
  core.users.setPermissions(user, '/', ALL);
  return core;
}

function open(core: Core, user = 'u', clientId?: string, vhost = '/'): CoreSession {
  return core
    .openConnection({
      vhost,
      user: { name: user, tags: [] },
      protocol: 'test',
      remoteAddress: '127.0.0.1',
      ...(clientId !== undefined ? { clientProperties: { clientId } } : {}),
    })
    .openSession(recordingEvents());
}

/** a session of a system administrator for set-up */
function admin(core: Core, vhost = '/'): CoreSession {
  return core.systemSession(vhost);
}

function refusedText(perm: string, key: string, x: string, user = 'u', vhost = '/'): string {
  return `${perm} access to topic '${key}' in exchange '${x}' in vhost '${vhost}' refused for user '${user}'`;
}

describe('topic permissions: publish', () => {
  it('no topic permission on the exchange = not restricted (vhost permissions alone)', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'other.topic', '^nothing$', '^nothing$');
    const s = open(core);
    admin(core).declareQueue({ name: 'q' });
    admin(core).bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: '#' });
    expect(s.publish(msg('amq.topic', 'anything.at.all')).routed).toBe(1);
  });

  it('the routing key must match the write pattern (unanchored); refusal is ACCESS_REFUSED with RabbitMQ\'s text', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^a\\.', '.*');
    admin(core).declareQueue({ name: 'q' });
    admin(core).bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: '#' });
    const s = open(core);
    expect(s.publish(msg('amq.topic', 'a.b')).routed).toBe(1);
    expectCode(() => s.publish(msg('amq.topic', 'b.a')), 'ACCESS_REFUSED', refusedText('write', 'b.a', 'amq.topic'));
    expectCode(() => s.publish(msg('amq.topic', 'xa.b')), 'ACCESS_REFUSED');
    // unanchored like re:run: 'b' matches anywhere
    core.users.setTopicPermissions('u', '/', 'amq.topic', 'b', '.*');
    expect(s.publish(msg('amq.topic', 'xxbxx')).routed).toBe(1);
    expect(core.inspect.listQueues('/').find((q) => q.name === 'q')!.messages).toBe(2);
  });

  it("an empty pattern means '^$': only the empty routing key", () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '', '');
    const s = open(core);
    expect(s.publish(msg('amq.topic', '')).routed).toBe(0);
    expectCode(() => s.publish(msg('amq.topic', 'a')), 'ACCESS_REFUSED');
    admin(core).declareQueue({ name: 'q' });
    expect(() => s.bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: '' })).not.toThrow();
    expectCode(() => s.bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: '#' }), 'ACCESS_REFUSED');
  });

  it('non-topic exchanges are not checked, even with a topic permission naming them', () => {
    const core = coreWith();
    const a = admin(core);
    for (const [name, type] of [['d', 'direct'], ['f', 'fanout'], ['h', 'headers']] as const) {
      a.declareExchange({ name, type });
      core.users.setTopicPermissions('u', '/', name, '^never$', '^never$');
    }
    core.users.setTopicPermissions('u', '/', 'amq.direct', '^never$', '^never$');
    core.users.setTopicPermissions('u', '/', '', '^never$', '^never$');
    a.declareQueue({ name: 'q' });
    const s = open(core);
    for (const x of ['d', 'f', 'h', 'amq.direct', '']) expect(() => s.publish(msg(x, 'q'))).not.toThrow();
    for (const x of ['d', 'f', 'h']) expect(() => s.bind({ source: x, destination: 'q', destinationType: 'queue', routingKey: 'k' })).not.toThrow();
  });

  it('an x-delayed-message exchange of delayed type topic is not a topic exchange (RabbitMQ checks type = topic only)', () => {
    const core = coreWith();
    admin(core).declareExchange({ name: 'dx', type: 'x-delayed-message', args: { 'x-delayed-type': F.str('topic') } });
    core.users.setTopicPermissions('u', '/', 'dx', '^never$', '^never$');
    expect(() => open(core).publish(msg('dx', 'k'))).not.toThrow();
  });

  it('every CC and BCC key must match too (rabbit_channel check_write_permitted_on_topics over mc:routing_keys)', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^ok\\.', '.*');
    const s = open(core);
    expect(() => s.publish(withHeaders('amq.topic', 'ok.1', { CC: F.array([F.str('ok.2')]), BCC: F.array([F.str('ok.3')]) }))).not.toThrow();
    expectCode(() => s.publish(withHeaders('amq.topic', 'ok.1', { CC: F.array([F.str('no.2')]) })), 'ACCESS_REFUSED', refusedText('write', 'no.2', 'amq.topic'));
    expectCode(() => s.publish(withHeaders('amq.topic', 'ok.1', { BCC: F.str('no.3') })), 'ACCESS_REFUSED', refusedText('write', 'no.3', 'amq.topic'));
  });

  it('order: write permission on the exchange, existence and internal come first', () => {
    const core = coreWith();
    core.users.setPermissions('u', '/', { configure: '.*', write: '^amq\\.topic$', read: '.*' });
    core.users.setTopicPermissions('u', '/', 'mine', '^never$', '^never$');
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^never$', '^never$');
    const s = open(core);
    expectCode(() => s.publish(msg('mine', 'k')), 'ACCESS_REFUSED', "access to exchange 'mine' in vhost '/' refused for user 'u'");
    core.users.setPermissions('u', '/', ALL);
    expectCode(() => s.publish(msg('mine', 'k')), 'NOT_FOUND');
    admin(core).declareExchange({ name: 'mine', type: 'topic', internal: true });
    expectCode(() => s.publish(msg('mine', 'k')), 'ACCESS_REFUSED', /cannot publish to internal/);
    expectCode(() => s.publish(msg('amq.topic', 'k')), 'ACCESS_REFUSED', refusedText('write', 'k', 'amq.topic'));
  });

  it('permissions are per user, vhost and exchange; the system session is never restricted', () => {
    const core = coreWith();
    core.users.addUser('v', 'pw', []);
    core.users.setPermissions('v', '/', ALL);
    core.vhosts.addVhost('v2');
    core.users.setPermissions('u', 'v2', ALL);
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^a$', '.*');
    expectCode(() => open(core, 'u').publish(msg('amq.topic', 'b')), 'ACCESS_REFUSED');
    expect(() => open(core, 'v').publish(msg('amq.topic', 'b'))).not.toThrow();
    expect(() => open(core, 'u', undefined, 'v2').publish(msg('amq.topic', 'b'))).not.toThrow();
    expect(() => admin(core).publish(msg('amq.topic', 'b'))).not.toThrow();
  });

  it('changes apply to open sessions at once', () => {
    const core = coreWith();
    const s = open(core);
    expect(() => s.publish(msg('amq.topic', 'b'))).not.toThrow();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^a$', '.*');
    expectCode(() => s.publish(msg('amq.topic', 'b')), 'ACCESS_REFUSED');
    core.users.clearTopicPermissions('u', '/', 'amq.topic');
    expect(() => s.publish(msg('amq.topic', 'b'))).not.toThrow();
  });

  it('property: with pattern ^<prefix>, a key is accepted exactly when it starts with the prefix', () => {
    const core = coreWith();
    const s = open(core);
    const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 4 }), (prefix, rest) => {
        core.users.setTopicPermissions('u', '/', 'amq.topic', `^${prefix}\\.`, '.*');
        const key = rest.join('.');
        let ok = true;
        try {
          s.publish(msg('amq.topic', key));
        } catch {
          ok = false;
        }
        return ok === key.startsWith(`${prefix}.`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('topic permissions: bind and unbind (read)', () => {
  it('queue.bind/unbind from a topic exchange need the read pattern to match the binding key', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '.*', '^sensors\\.');
    admin(core).declareQueue({ name: 'q' });
    const s = open(core);
    const b = (routingKey: string) => ({ source: 'amq.topic', destination: 'q', destinationType: 'queue' as const, routingKey });
    expect(() => s.bind(b('sensors.#'))).not.toThrow();
    expectCode(() => s.bind(b('#')), 'ACCESS_REFUSED', refusedText('read', '#', 'amq.topic'));
    expect(core.inspect.listBindings('/').filter((x) => x.source === 'amq.topic').map((x) => x.routingKey)).toEqual(['sensors.#']);
    // unbind is checked too (binding_action for both); a refused unbind keeps the binding
    admin(core).bind(b('other.#'));
    expectCode(() => s.unbind(b('other.#')), 'ACCESS_REFUSED', refusedText('read', 'other.#', 'amq.topic'));
    expect(core.inspect.listBindings('/').some((x) => x.routingKey === 'other.#')).toBe(true);
    expect(() => s.unbind(b('sensors.#'))).not.toThrow();
  });

  it('exchange.bind: the source topic exchange is checked, not the destination', () => {
    const core = coreWith();
    const a = admin(core);
    a.declareExchange({ name: 'src', type: 'topic' });
    a.declareExchange({ name: 'dst', type: 'topic' });
    core.users.setTopicPermissions('u', '/', 'src', '.*', '^ok$');
    core.users.setTopicPermissions('u', '/', 'dst', '^never$', '^never$');
    const s = open(core);
    expect(() => s.bind({ source: 'src', destination: 'dst', destinationType: 'exchange', routingKey: 'ok' })).not.toThrow();
    expectCode(() => s.bind({ source: 'src', destination: 'dst', destinationType: 'exchange', routingKey: 'no' }), 'ACCESS_REFUSED', refusedText('read', 'no', 'src'));
  });

  it('a missing source exchange is NOT_FOUND (no topic check without an exchange)', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'ghost', '^never$', '^never$');
    admin(core).declareQueue({ name: 'q' });
    expectCode(() => open(core).bind({ source: 'ghost', destination: 'q', destinationType: 'queue', routingKey: 'k' }), 'NOT_FOUND');
  });
});

describe('topic permissions: variables', () => {
  it('{username} and {vhost} are expanded', () => {
    const core = coreWith('alice');
    core.vhosts.addVhost('site1');
    core.users.setPermissions('alice', 'site1', ALL);
    core.users.setTopicPermissions('alice', '/', 'amq.topic', '^users\\.{username}\\.', '.*');
    core.users.setTopicPermissions('alice', 'site1', 'amq.topic', '^{vhost}\\.{username}$', '.*');
    const s = open(core, 'alice');
    expect(() => s.publish(msg('amq.topic', 'users.alice.x'))).not.toThrow();
    expectCode(() => s.publish(msg('amq.topic', 'users.bob.x')), 'ACCESS_REFUSED', refusedText('write', 'users.bob.x', 'amq.topic', 'alice'));
    const s2 = open(core, 'alice', undefined, 'site1');
    expect(() => s2.publish(msg('amq.topic', 'site1.alice'))).not.toThrow();
    expectCode(() => s2.publish(msg('amq.topic', 'site2.alice')), 'ACCESS_REFUSED');
  });

  it('{client_id} comes from clientProperties.clientId; without one it stays literal (AMQP 0-9-1 in RabbitMQ)', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^devices\\.{client_id}\\.', '^devices\\.{client_id}\\.');
    admin(core).declareQueue({ name: 'q' });
    const d1 = open(core, 'u', 'dev1');
    expect(() => d1.publish(msg('amq.topic', 'devices.dev1.temp'))).not.toThrow();
    expectCode(() => d1.publish(msg('amq.topic', 'devices.dev2.temp')), 'ACCESS_REFUSED');
    expect(() => d1.bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: 'devices.dev1.#' })).not.toThrow();
    expectCode(() => d1.bind({ source: 'amq.topic', destination: 'q', destinationType: 'queue', routingKey: 'devices.dev2.#' }), 'ACCESS_REFUSED');
    const noId = open(core);
    expectCode(() => noId.publish(msg('amq.topic', 'devices.dev1.temp')), 'ACCESS_REFUSED');
    // a non-string clientId property is not an id
    const odd = core
      .openConnection({ vhost: '/', user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '', clientProperties: { clientId: 7 } })
      .openSession(recordingEvents());
    expectCode(() => odd.publish(msg('amq.topic', 'devices.7.temp')), 'ACCESS_REFUSED');
  });

  it('values are substituted literally, as binary:replace does (not regex-escaped); $-sequences stay literal', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^d\\.{client_id}$', '.*');
    // a regex metacharacter in the value takes effect (RabbitMQ behaves the same)
    expect(() => open(core, 'u', 'a.c').publish(msg('amq.topic', 'd.abc'))).not.toThrow();
    // '$&' is not a replacement pattern: with String.replace semantics the pattern would become
    // '^Ax{client_id}' and match this key; literally it is '^Ax$&', which matches nothing
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^A{client_id}', '.*');
    expectCode(() => open(core, 'u', 'x$&').publish(msg('amq.topic', 'Ax{client_id}')), 'ACCESS_REFUSED');
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^d\\.{client_id}$', '.*');
    // a value that makes the pattern invalid refuses
    expectCode(() => open(core, 'u', '(').publish(msg('amq.topic', 'd.(')), 'ACCESS_REFUSED');
  });

  it('expansion order is client_id, username, vhost (RabbitMQ folds its variable map in key order)', () => {
    const core = coreWith();
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^{client_id}$', '.*');
    // the client id contains '{username}', which is expanded afterwards
    expect(() => open(core, 'u', 'x{username}').publish(msg('amq.topic', 'xu'))).not.toThrow();
    expectCode(() => open(core, 'u', 'x{username}').publish(msg('amq.topic', 'x{username}')), 'ACCESS_REFUSED');
  });
});

describe('topic permissions: management', () => {
  it('set/list/clear; validation; user and vhost deletion drop them; every change notifies', () => {
    let changes = 0;
    const core = createCore({
      durability: {
        queueStore: () => {
          throw new Error('no durable queues in this test');
        },
        dropQueue() {},
        dropVhost() {},
        definitionsChanged: () => void changes++,
      },
    });
    core.users.addUser('u', 'pw');
    core.vhosts.addVhost('v2');
    expectCode(() => core.users.setTopicPermissions('ghost', '/', 'amq.topic', '.*', '.*'), 'NOT_FOUND', "no user 'ghost'");
    expectCode(() => core.users.setTopicPermissions('u', 'nope', 'amq.topic', '.*', '.*'), 'NOT_FOUND', "no vhost 'nope'");
    expectCode(() => core.users.setTopicPermissions('u', '/', 'amq.topic', '(', '.*'), 'INVALID_ARGUMENT', "invalid write topic permission regex '('");
    expectCode(() => core.users.setTopicPermissions('u', '/', 'amq.topic', '.*', '[z-a]'), 'INVALID_ARGUMENT', "invalid read topic permission regex '[z-a]'");
    expect(core.users.listTopicPermissions()).toEqual([]);

    let before = changes;
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^a', '^b');
    core.users.setTopicPermissions('u', '/', 'x2', 'w', 'r');
    core.users.setTopicPermissions('u', 'v2', 'amq.topic', '', '');
    expect(changes - before).toBe(3);
    expect(core.users.listTopicPermissions()).toEqual([
      { user: 'u', vhost: '/', exchange: 'amq.topic', write: '^a', read: '^b' },
      { user: 'u', vhost: '/', exchange: 'x2', write: 'w', read: 'r' },
      { user: 'u', vhost: 'v2', exchange: 'amq.topic', write: '', read: '' },
    ]);
    // replace
    core.users.setTopicPermissions('u', '/', 'amq.topic', '^c', '^d');
    expect(core.users.listTopicPermissions()[0]).toEqual({ user: 'u', vhost: '/', exchange: 'amq.topic', write: '^c', read: '^d' });

    before = changes;
    core.users.clearTopicPermissions('u', '/', 'nothing-here');
    core.users.clearTopicPermissions('nobody', '/');
    expect(changes).toBe(before); // nothing cleared, nothing saved
    core.users.clearTopicPermissions('u', '/', 'x2');
    expect(changes).toBe(before + 1);
    expect(core.users.listTopicPermissions().map((t) => `${t.vhost}/${t.exchange}`)).toEqual(['//amq.topic', 'v2/amq.topic']);
    core.users.setTopicPermissions('u', '/', 'x3', 'w', 'r');
    core.users.clearTopicPermissions('u', '/'); // every exchange of the vhost
    expect(core.users.listTopicPermissions().map((t) => `${t.vhost}/${t.exchange}`)).toEqual(['v2/amq.topic']);

    core.vhosts.deleteVhost('v2');
    expect(core.users.listTopicPermissions()).toEqual([]);
    core.users.setTopicPermissions('u', '/', 'amq.topic', '.*', '.*');
    core.users.deleteUser('u');
    expect(core.users.listTopicPermissions()).toEqual([]);
    // a re-created user starts without the old topic permissions
    core.users.addUser('u', 'pw');
    expect(core.users.listTopicPermissions()).toEqual([]);
  });
});

describe('topic permissions: definitions', () => {
  const adminFactory = (core: Core): SystemSessionFactory => (vhost) => core.systemSession(vhost);

  it('export in RabbitMQ format → JSON → import → same export, and the imported ones are enforced', () => {
    const core = coreWith('dev');
    core.vhosts.addVhost('iot');
    core.users.setPermissions('dev', 'iot', ALL);
    core.users.setTopicPermissions('dev', '/', 'amq.topic', '^devices\\.{client_id}\\.', '^cmd\\.{client_id}\\.');
    core.users.setTopicPermissions('dev', 'iot', 'telemetry', '.*', '');
    const first = exportDefinitions(core);
    expect(first.topic_permissions).toEqual([
      { user: 'dev', vhost: '/', exchange: 'amq.topic', write: '^devices\\.{client_id}\\.', read: '^cmd\\.{client_id}\\.' },
      { user: 'dev', vhost: 'iot', exchange: 'telemetry', write: '.*', read: '' },
    ]);
    const json = JSON.parse(JSON.stringify(first)) as Definitions;
    const core2 = createCore();
    const r = importDefinitions(core2, json, adminFactory(core2));
    expect(r.errors).toEqual([]);
    expect(r.topicPermissions).toBe(2);
    const strip = (d: Definitions) => ({ ...d, product_name: undefined });
    expect(strip(exportDefinitions(core2))).toEqual(strip(first));
    const s = open(core2, 'dev', 'd1');
    expect(() => s.publish(msg('amq.topic', 'devices.d1.t'))).not.toThrow();
    expectCode(() => s.publish(msg('amq.topic', 'devices.d2.t')), 'ACCESS_REFUSED');
  });

  it('imports a hand-written RabbitMQ file; bad entries are reported, not applied', () => {
    const core = createCore();
    const r = importDefinitions(
      core,
      {
        users: [{ name: 'm', password_hash: '', tags: '' }],
        permissions: [{ user: 'm', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
        topic_permissions: [
          { user: 'm', vhost: '/', exchange: 'amq.topic', write: '^m\\.', read: '^m\\.' },
          { user: 'ghost', vhost: '/', exchange: 'amq.topic', write: '.*', read: '.*' },
          { user: 'm', vhost: '/', exchange: 'x', write: '(', read: '.*' },
          { user: 'm', vhost: '/', exchange: 'y', read: '.*' },
        ],
      },
      adminFactory(core),
    );
    expect(r.topicPermissions).toBe(1);
    expect(r.errors).toHaveLength(3);
    expect(r.errors.join('\n')).toMatch(/topic permissions of 'ghost' on exchange 'amq.topic' in vhost '\/': no user 'ghost'/);
    expect(r.errors.join('\n')).toMatch(/invalid write topic permission regex/);
    expect(r.errors.join('\n')).toMatch(/'write' must be a string/);
    expect(core.users.listTopicPermissions()).toEqual([{ user: 'm', vhost: '/', exchange: 'amq.topic', write: '^m\\.', read: '^m\\.' }]);
  });

  it('a user replaced by an import (new hash) keeps its topic permissions', () => {
    const core = coreWith('bob');
    core.users.setTopicPermissions('bob', '/', 'amq.topic', '^b', '^b');
    const donor = createCore();
    donor.users.addUser('bob', 'new', ['monitoring']);
    const hash = donor.users.listUsers()[0]!.passwordHash;
    const r = importDefinitions(core, { users: [{ name: 'bob', password_hash: hash, tags: 'monitoring' }] }, adminFactory(core));
    expect(r.errors).toEqual([]);
    expect(core.users.authenticate('bob', 'new')).not.toBeNull();
    expect(core.users.listTopicPermissions()).toEqual([{ user: 'bob', vhost: '/', exchange: 'amq.topic', write: '^b', read: '^b' }]);
  });
});
