import { describe, expect, it } from 'vitest';
import { createCore } from '../../../core/index.js';
import type { Core, CoreSession } from '../../../core/index.js';
import { hashPassword, verifyPassword } from '../../../core/password.js';
import { expectCode, msg, recordingEvents, recordingSink } from './helpers.js';

function sessionFor(core: Core, user: string): CoreSession {
  return core
    .openConnection({ vhost: '/', user: { name: user, tags: [] }, protocol: 'test', remoteAddress: '127.0.0.1' })
    .openSession(recordingEvents());
}

describe('password hashing (rabbit_password_hashing_sha256)', () => {
  it('verifies the RabbitMQ documentation example hash for "test12"', () => {
    const hash = 'kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR';
    expect(verifyPassword('test12', hash)).toBe(true);
    expect(verifyPassword('test13', hash)).toBe(false);
    const core = createCore();
    core.users.addUserWithHash('doc', hash, ['management']);
    expect(core.users.authenticate('doc', 'test12')).toEqual({ name: 'doc', tags: ['management'] });
    expect(core.users.authenticate('doc', 'nope')).toBeNull();
  });

  it('stores base64(4-byte salt ++ sha256(salt ++ password)) with a fresh salt', () => {
    const a = hashPassword('secret');
    const b = hashPassword('secret');
    expect(Buffer.from(a, 'base64')).toHaveLength(36);
    expect(a).not.toBe(b);
    expect(verifyPassword('secret', a)).toBe(true);
    const salt = Buffer.from([1, 2, 3, 4]);
    expect(hashPassword('x', salt)).toBe(hashPassword('x', salt));
    expect(verifyPassword('secret', 'too-short')).toBe(false);
  });

  it('user management: add/authenticate/change/delete, no password, loopback list', () => {
    const core = createCore();
    core.users.addUser('a', 'pw', ['administrator']);
    expect(core.users.authenticate('a', 'pw')?.tags).toEqual(['administrator']);
    expect(core.users.authenticate('a', 'PW')).toBeNull();
    expect(core.users.authenticate('ghost', 'pw')).toBeNull();
    expectCode(() => core.users.addUser('a', 'x'), 'PRECONDITION_FAILED');
    core.users.changePassword('a', 'pw2');
    expect(core.users.authenticate('a', 'pw')).toBeNull();
    expect(core.users.authenticate('a', 'pw2')).not.toBeNull();
    core.users.addUser('nopw', null);
    expect(core.users.authenticate('nopw', '')).toBeNull();
    expectCode(() => core.users.addUserWithHash('bad', 'abc'), 'INVALID_ARGUMENT');
    core.users.setLoopbackUsers(['a']);
    expect(core.users.isLoopbackOnly('a')).toBe(true);
    expect(core.users.isLoopbackOnly('nopw')).toBe(false);
    core.users.setPermissions('a', '/', { configure: '', write: '.*', read: '.*' });
    expect(core.users.canAccessVhost('a', '/')).toBe(true);
    expect(core.users.listPermissions()).toEqual([{ user: 'a', vhost: '/', permissions: { configure: '', write: '.*', read: '.*' } }]);
    expectCode(() => core.users.setPermissions('a', '/nope', { configure: '', write: '', read: '' }), 'NOT_FOUND');
    expectCode(() => core.users.setPermissions('a', '/', { configure: '(', write: '', read: '' }), 'INVALID_ARGUMENT');
    core.users.deleteUser('a');
    expect(core.users.canAccessVhost('a', '/')).toBe(false);
    expect(core.users.listUsers().map((u) => u.name)).toEqual(['nopw']);
  });
});

describe('vhost access', () => {
  it('unknown vhost → NOT_ALLOWED; no permissions → ACCESS_REFUSED', () => {
    const core = createCore();
    core.users.addUser('u', 'pw');
    const ctx = { user: { name: 'u', tags: [] }, protocol: 'test', remoteAddress: '::1' };
    expectCode(() => core.openConnection({ ...ctx, vhost: 'nope' }), 'NOT_ALLOWED', 'vhost nope not found');
    expectCode(() => core.openConnection({ ...ctx, vhost: '/' }), 'ACCESS_REFUSED', "access to vhost '/' refused for user 'u'");
    core.users.setPermissions('u', '/', { configure: '', write: '', read: '' });
    const c = core.openConnection({ ...ctx, vhost: '/' });
    expect(c.id).toMatch(/^conn-\d+$/);
    expect(c.vhost).toBe('/');
  });

  it('creates no user by itself; default vhost is configurable', () => {
    const core = createCore({ defaultVhost: 'main' });
    expect(core.users.listUsers()).toEqual([]);
    expect(core.vhosts.listVhosts()).toEqual(['main']);
    core.vhosts.addVhost('other');
    core.vhosts.addVhost('other');
    expect(core.vhosts.hasVhost('other')).toBe(true);
    core.vhosts.deleteVhost('other');
    expect(core.vhosts.listVhosts()).toEqual(['main']);
    expectCode(() => core.vhosts.deleteVhost('other'), 'NOT_FOUND');
  });
});

describe('resource permissions', () => {
  function setup(p: { configure: string; write: string; read: string }) {
    const core = createCore();
    core.users.addUser('admin', 'pw');
    core.users.setPermissions('admin', '/', { configure: '.*', write: '.*', read: '.*' });
    core.users.addUser('u', 'pw');
    core.users.setPermissions('u', '/', p);
    const admin = sessionFor(core, 'admin');
    admin.declareQueue({ name: 'q' });
    admin.declareQueue({ name: 'mine-q' });
    admin.declareExchange({ name: 'x', type: 'direct' });
    admin.declareExchange({ name: 'mine-x', type: 'direct' });
    return { core, admin, u: sessionFor(core, 'u') };
  }

  const refused = (kind: string, name: string) => `access to ${kind} '${name}' in vhost '/' refused for user 'u'`;

  it('configure: declare and delete of queues and exchanges', () => {
    const { u } = setup({ configure: '^mine-', write: '.*', read: '.*' });
    u.declareQueue({ name: 'mine-new' });
    expectCode(() => u.declareQueue({ name: 'other' }), 'ACCESS_REFUSED', refused('queue', 'other'));
    expectCode(() => u.declareQueue({ name: '' }), 'ACCESS_REFUSED', /access to queue 'amq\.gen-[A-Za-z0-9_-]{22}' in vhost/);
    u.declareQueue({ name: 'q', passive: true }); // passive needs no permission
    expectCode(() => u.deleteQueue('q'), 'ACCESS_REFUSED', refused('queue', 'q'));
    u.deleteQueue('mine-q');
    u.declareExchange({ name: 'mine-y', type: 'fanout' });
    expectCode(() => u.declareExchange({ name: 'y', type: 'fanout' }), 'ACCESS_REFUSED', refused('exchange', 'y'));
    expectCode(() => u.deleteExchange('x'), 'ACCESS_REFUSED', refused('exchange', 'x'));
    u.deleteExchange('mine-x');
  });

  it('write: publish to the exchange; bind needs write on the destination', () => {
    const { u } = setup({ configure: '.*', write: '^mine-', read: '.*' });
    expectCode(() => u.publish(msg('x', 'k')), 'ACCESS_REFUSED', refused('exchange', 'x'));
    u.publish(msg('mine-x', 'k'));
    // the default exchange is checked as 'amq.default'
    expectCode(() => u.publish(msg('', 'q')), 'ACCESS_REFUSED', refused('exchange', 'amq.default'));
    expectCode(() => u.bind({ source: 'x', destination: 'q', destinationType: 'queue', routingKey: '' }), 'ACCESS_REFUSED', refused('queue', 'q'));
    u.bind({ source: 'x', destination: 'mine-q', destinationType: 'queue', routingKey: '' });
    expectCode(() => u.bind({ source: 'x', destination: 'x', destinationType: 'exchange', routingKey: '' }), 'ACCESS_REFUSED', refused('exchange', 'x'));
    u.bind({ source: 'x', destination: 'mine-x', destinationType: 'exchange', routingKey: '' });
    expectCode(() => u.unbind({ source: 'x', destination: 'q', destinationType: 'queue', routingKey: '' }), 'ACCESS_REFUSED');
  });

  it('read: consume, get, purge, and the source of a binding', () => {
    const { u, admin } = setup({ configure: '.*', write: '.*', read: '^mine-' });
    admin.publish(msg('', 'q'));
    expectCode(() => u.consume('q', recordingSink(), { tag: '', noAck: true, credit: 0 }), 'ACCESS_REFUSED', refused('queue', 'q'));
    expectCode(() => u.get('q', true), 'ACCESS_REFUSED', refused('queue', 'q'));
    expectCode(() => u.purgeQueue('q'), 'ACCESS_REFUSED', refused('queue', 'q'));
    u.consume('mine-q', recordingSink(), { tag: '', noAck: true, credit: 0 });
    expect(u.get('mine-q', true)).toBeNull();
    expect(u.purgeQueue('mine-q')).toBe(0);
    expectCode(() => u.bind({ source: 'x', destination: 'q', destinationType: 'queue', routingKey: '' }), 'ACCESS_REFUSED', refused('exchange', 'x'));
    u.bind({ source: 'mine-x', destination: 'q', destinationType: 'queue', routingKey: '' });
  });

  it('an empty pattern grants nothing; patterns are unanchored', () => {
    const { u } = setup({ configure: '', write: 'ne-', read: '' });
    expectCode(() => u.declareQueue({ name: 'mine-z' }), 'ACCESS_REFUSED');
    u.publish(msg('mine-x', 'k')); // 'ne-' matches inside 'mine-x'
    expectCode(() => u.publish(msg('x', 'k')), 'ACCESS_REFUSED');
  });

  it('impersonator tag may set another user-id', () => {
    const core = createCore();
    core.users.addUser('svc', 'pw', ['impersonator']);
    core.users.setPermissions('svc', '/', { configure: '.*', write: '.*', read: '.*' });
    const s = core
      .openConnection({ vhost: '/', user: core.users.authenticate('svc', 'pw')!, protocol: 't', remoteAddress: '' })
      .openSession(recordingEvents());
    s.declareQueue({ name: 'q' });
    expect(s.publish(msg('', 'q', 'b', { userId: 'someone' })).routed).toBe(1);
  });
});
