/** UserManager additions: lookup() and SCRAM-SHA-256 verifiers (RFC 5802/7677). */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../../core/index.js';

function expected(password: string, salt: Buffer, i: number) {
  const salted = pbkdf2Sync(password, salt, i, 32, 'sha256');
  return {
    storedKey: createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

describe('UserManager.lookup / scramCredentials', () => {
  const core = createCore({});

  it('lookup returns the user without a password check; null when unknown', () => {
    core.users.addUser('u1', 'pw', ['monitoring']);
    expect(core.users.lookup('u1')).toEqual({ name: 'u1', tags: ['monitoring'] });
    expect(core.users.lookup('nobody')).toBeNull();
  });

  it('addUser stores a SCRAM-SHA-256 verifier: 16-byte salt, 4096 iterations, StoredKey/ServerKey', () => {
    const c = core.users.scramCredentials('u1')!;
    expect(c.salt).toHaveLength(16);
    expect(c.iterations).toBe(4096);
    expect(c).toMatchObject(expected('pw', c.salt, 4096));
  });

  it('changePassword derives a new verifier with a fresh salt', () => {
    const before = core.users.scramCredentials('u1')!;
    core.users.changePassword('u1', 'pw2');
    const after = core.users.scramCredentials('u1')!;
    expect(after.salt.equals(before.salt)).toBe(false);
    expect(after).toMatchObject(expected('pw2', after.salt, 4096));
  });

  it('no verifier for passwordless users, users imported with only a hash, unknown users', () => {
    core.users.addUser('nopw', null);
    core.users.addUserWithHash('imported', core.users.listUsers().find((u) => u.name === 'u1')!.passwordHash);
    expect(core.users.scramCredentials('nopw')).toBeNull();
    expect(core.users.scramCredentials('imported')).toBeNull();
    expect(core.users.scramCredentials('nobody')).toBeNull();
    expect(core.users.authenticate('imported', 'pw2')?.name).toBe('imported');
    core.users.changePassword('imported', 'new');
    expect(core.users.scramCredentials('imported')).not.toBeNull();
  });
});
