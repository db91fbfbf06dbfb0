/**
 * Users and their per-vhost permissions (RabbitMQ's internal auth backend).
 *
 * - Users: name, tags, password hash (see password.ts). A user added with a
 *   null password cannot log in with a password (RabbitMQ: passwordless user).
 * - Permissions per (user, vhost): configure/write/read regular expressions,
 *   matched unanchored against the resource name as RabbitMQ's `re:run` does.
 *   An empty pattern grants nothing (RabbitMQ rewrites '' to '^$').
 * - The default exchange '' is checked under the name 'amq.default'
 *   (rabbit_access_control:check_resource_access/4).
 * - Failures throw ACCESS_REFUSED "access to queue 'q' in vhost '/' refused for user 'u'".
 */
import { randomBytes } from 'node:crypto';
import type { AuthUser, Permissions, UserManager } from './api.js';
import { BrokerError } from './errors.js';
import type { ResourceKind } from './names.js';
import { describe } from './names.js';
import { hashPassword, isValidPasswordHash, verifyPassword } from './password.js';

export type Permission = 'configure' | 'write' | 'read';

interface UserRecord {
  name: string;
  tags: string[];
  /** '' when the user has no password */
  passwordHash: string;
  auth: AuthUser;
}

interface CompiledPermissions {
  source: Permissions;
  configure: RegExp | null;
  write: RegExp | null;
  read: RegExp | null;
}

/** A hash of a random password: makes unknown-user logins cost the same as wrong passwords. */
const DUMMY_HASH = hashPassword(randomBytes(12).toString('hex'));

function compile(pattern: string, which: Permission): RegExp | null {
  if (pattern === '') return null; // RabbitMQ: '' means no access
  try {
    return new RegExp(pattern);
  } catch {
    throw new BrokerError('INVALID_ARGUMENT', `invalid ${which} permission regex '${pattern}'`);
  }
}

export class UserStore implements UserManager {
  private readonly users = new Map<string, UserRecord>();
  /** user → vhost → permissions */
  private readonly perms = new Map<string, Map<string, CompiledPermissions>>();
  private loopbackUsers = new Set<string>();
  private readonly hasVhost: (name: string) => boolean;

  constructor(hasVhost: (name: string) => boolean) {
    this.hasVhost = hasVhost;
  }

  addUser(name: string, password: string | null, tags: string[] = []): void {
    this.addUserWithHash(name, password === null ? '' : hashPassword(password), tags);
  }

  addUserWithHash(name: string, passwordHash: string, tags: string[] = []): void {
    if (this.users.has(name)) throw new BrokerError('PRECONDITION_FAILED', `user '${name}' already exists`);
    if (passwordHash !== '' && !isValidPasswordHash(passwordHash)) {
      throw new BrokerError('INVALID_ARGUMENT', `password hash of user '${name}' is not a salted SHA-256 hash`);
    }
    const t = [...tags];
    this.users.set(name, { name, tags: t, passwordHash, auth: Object.freeze({ name, tags: Object.freeze([...t]) }) });
  }

  deleteUser(name: string): void {
    if (!this.users.delete(name)) throw new BrokerError('NOT_FOUND', `no user '${name}'`);
    this.perms.delete(name);
  }

  changePassword(name: string, password: string): void {
    const u = this.mustGet(name);
    u.passwordHash = hashPassword(password);
  }

  listUsers(): { name: string; tags: string[]; passwordHash: string }[] {
    return [...this.users.values()].map((u) => ({ name: u.name, tags: [...u.tags], passwordHash: u.passwordHash }));
  }

  setPermissions(user: string, vhost: string, p: Permissions): void {
    this.mustGet(user);
    if (!this.hasVhost(vhost)) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    const compiled: CompiledPermissions = {
      source: { configure: p.configure, write: p.write, read: p.read },
      configure: compile(p.configure, 'configure'),
      write: compile(p.write, 'write'),
      read: compile(p.read, 'read'),
    };
    let byVhost = this.perms.get(user);
    if (!byVhost) this.perms.set(user, (byVhost = new Map()));
    byVhost.set(vhost, compiled);
  }

  clearPermissions(user: string, vhost: string): void {
    this.perms.get(user)?.delete(vhost);
  }

  /** Drops every user's permissions on a deleted vhost. */
  clearVhost(vhost: string): void {
    for (const byVhost of this.perms.values()) byVhost.delete(vhost);
  }

  listPermissions(): { user: string; vhost: string; permissions: Permissions }[] {
    const out: { user: string; vhost: string; permissions: Permissions }[] = [];
    for (const [user, byVhost] of this.perms) {
      for (const [vhost, c] of byVhost) out.push({ user, vhost, permissions: { ...c.source } });
    }
    return out;
  }

  authenticate(name: string, password: string): AuthUser | null {
    const u = this.users.get(name);
    if (!u || u.passwordHash === '') {
      verifyPassword(password, DUMMY_HASH);
      return null;
    }
    return verifyPassword(password, u.passwordHash) ? u.auth : null;
  }

  setLoopbackUsers(names: string[]): void {
    this.loopbackUsers = new Set(names);
  }

  isLoopbackOnly(name: string): boolean {
    return this.loopbackUsers.has(name);
  }

  canAccessVhost(user: string, vhost: string): boolean {
    return this.users.has(user) && this.perms.get(user)?.has(vhost) === true;
  }

  /** True when `user` holds `perm` on the named resource. */
  permitted(user: string, vhost: string, perm: Permission, kind: ResourceKind, name: string): boolean {
    const p = this.perms.get(user)?.get(vhost);
    if (!p) return false;
    const re = p[perm];
    if (!re) return false;
    return re.test(kind === 'exchange' && name === '' ? 'amq.default' : name);
  }

  /** Throws ACCESS_REFUSED unless `user` holds `perm` on the resource. */
  check(user: string, vhost: string, perm: Permission, kind: ResourceKind, name: string): void {
    if (this.permitted(user, vhost, perm, kind, name)) return;
    const shown = kind === 'exchange' && name === '' ? 'amq.default' : name;
    throw new BrokerError('ACCESS_REFUSED', `access to ${describe(kind, shown, vhost)} refused for user '${user}'`);
  }

  private mustGet(name: string): UserRecord {
    const u = this.users.get(name);
    if (!u) throw new BrokerError('NOT_FOUND', `no user '${name}'`);
    return u;
  }
}
