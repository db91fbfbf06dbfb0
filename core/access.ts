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
 * - Topic permissions per (user, vhost, exchange): write/read regular
 *   expressions for routing keys on topic exchanges (rabbit_auth_backend_internal
 *   check_topic_access): no entry = not restricted; '' means '^$' (unlike
 *   vhost permissions, it matches the empty key); `{client_id}`, `{username}`
 *   and `{vhost}` are replaced literally, in that order (RabbitMQ folds its
 *   variable map in key order), before the match. Patterns without variables
 *   are compiled once; expanded ones are cached per pattern. A user without
 *   any topic permission costs one Map lookup (`topicPermission`).
 * - SCRAM-SHA-256 verifiers (RFC 5802/7677: random 16-byte salt, 4096
 *   iterations, StoredKey/ServerKey) are derived whenever a password is set,
 *   for SASL/MQTT 5 enhanced authentication. A user imported with only a
 *   RabbitMQ hash has none until its password is changed. The password is
 *   normalised with NFKC (the core of SASLprep, RFC 4013).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { AuthUser, Permissions, ScramCredentials, TopicPermission, UserManager } from './api.js';
import { BrokerError } from './errors.js';
import type { ResourceKind } from './names.js';
import { describe } from './names.js';
import { hashPassword, isValidPasswordHash, verifyPassword } from './password.js';

export type Permission = 'configure' | 'write' | 'read';

/** The internal actor of Core.systemSession: holds every permission; no real user can have this name (NUL). */
export const SYSTEM_USER = '\u0000system';

interface UserRecord {
  name: string;
  tags: string[];
  /** '' when the user has no password */
  passwordHash: string;
  auth: AuthUser;
  /** SCRAM-SHA-256 verifier; null when no clear-text password was ever set */
  scram: ScramCredentials | null;
}

export const SCRAM_ITERATIONS = 4096;

/** RFC 5802 §3: SaltedPassword = Hi(Normalize(password), salt, i); StoredKey, ServerKey. */
export function deriveScramCredentials(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): ScramCredentials {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    salt,
    iterations,
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
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

/** The variables a topic permission pattern may use. */
const TOPIC_VARIABLES = ['{client_id}', '{username}', '{vhost}'] as const;
/** expanded patterns kept per topic pattern before the cache is reset */
const MAX_EXPANDED = 1024;

/** One topic permission pattern: compiled once, or per expansion when it names a variable. */
class TopicPattern {
  /** as set (what definitions export) */
  readonly source: string;
  /** compiled once: the pattern names no variable */
  private readonly fixed: RegExp | null;
  /** expanded source → compiled (null: the expansion is not a valid regex) */
  private readonly expanded: Map<string, RegExp | null>;

  constructor(source: string, which: 'write' | 'read') {
    this.source = source;
    const effective = source === '' ? '^$' : source; // rabbit_auth_backend_internal: <<"">> -> <<"^$">>
    let re: RegExp;
    try {
      re = new RegExp(effective);
    } catch {
      throw new BrokerError('INVALID_ARGUMENT', `invalid ${which} topic permission regex '${source}'`);
    }
    this.fixed = TOPIC_VARIABLES.some((v) => effective.includes(v)) ? null : re;
    this.expanded = new Map();
  }

  test(routingKey: string, user: string, vhost: string, clientId: string | undefined): boolean {
    if (this.fixed) return this.fixed.test(routingKey);
    // literal replacement (binary:replace); a function keeps '$&' etc. in values literal
    let src = this.source;
    if (clientId !== undefined) src = src.replaceAll('{client_id}', () => clientId);
    src = src.replaceAll('{username}', () => user).replaceAll('{vhost}', () => vhost);
    const cache = this.expanded;
    let re = cache.get(src);
    if (re === undefined) {
      try {
        re = new RegExp(src);
      } catch {
        re = null; // a value made the pattern invalid: refuse (RabbitMQ's re:run fails too)
      }
      if (cache.size >= MAX_EXPANDED) cache.clear();
      cache.set(src, re);
    }
    return re !== null && re.test(routingKey);
  }
}

export interface CompiledTopicPermission {
  readonly write: TopicPattern;
  readonly read: TopicPattern;
}

export class UserStore implements UserManager {
  private readonly users = new Map<string, UserRecord>();
  /** user → vhost → permissions */
  private readonly perms = new Map<string, Map<string, CompiledPermissions>>();
  /** user → vhost → exchange → topic permission (users without any are absent) */
  private readonly topicPerms = new Map<string, Map<string, Map<string, CompiledTopicPermission>>>();
  private loopbackUsers = new Set<string>();
  private readonly hasVhost: (name: string) => boolean;
  /** called after every change to users or permissions (durable definitions) */
  private readonly changed: () => void;

  constructor(hasVhost: (name: string) => boolean, changed: () => void = () => {}) {
    this.hasVhost = hasVhost;
    this.changed = changed;
  }

  addUser(name: string, password: string | null, tags: string[] = []): void {
    this.addUserWithHash(name, password === null ? '' : hashPassword(password), tags);
    if (password !== null) this.users.get(name)!.scram = deriveScramCredentials(password);
  }

  setScramCredentials(name: string, c: ScramCredentials): void {
    this.mustGet(name).scram = c;
    this.changed();
  }

  addUserWithHash(name: string, passwordHash: string, tags: string[] = []): void {
    if (this.users.has(name)) throw new BrokerError('PRECONDITION_FAILED', `user '${name}' already exists`);
    if (name.includes('\u0000')) throw new BrokerError('INVALID_ARGUMENT', 'user names cannot contain NUL');
    if (passwordHash !== '' && !isValidPasswordHash(passwordHash)) {
      throw new BrokerError('INVALID_ARGUMENT', `password hash of user '${name}' is not a salted SHA-256 hash`);
    }
    const t = [...tags];
    this.users.set(name, { name, tags: t, passwordHash, auth: Object.freeze({ name, tags: Object.freeze([...t]) }), scram: null });
    this.changed();
  }

  deleteUser(name: string): void {
    if (!this.users.delete(name)) throw new BrokerError('NOT_FOUND', `no user '${name}'`);
    this.perms.delete(name);
    this.topicPerms.delete(name);
    this.changed();
  }

  changePassword(name: string, password: string): void {
    const u = this.mustGet(name);
    u.passwordHash = hashPassword(password);
    u.scram = deriveScramCredentials(password);
    this.changed();
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
    this.changed();
  }

  clearPermissions(user: string, vhost: string): void {
    if (this.perms.get(user)?.delete(vhost)) this.changed();
  }

  /** Drops every user's permissions on a deleted vhost. */
  clearVhost(vhost: string): void {
    for (const byVhost of this.perms.values()) byVhost.delete(vhost);
    for (const [user, byVhost] of this.topicPerms) {
      byVhost.delete(vhost);
      if (byVhost.size === 0) this.topicPerms.delete(user);
    }
  }

  listPermissions(): { user: string; vhost: string; permissions: Permissions }[] {
    const out: { user: string; vhost: string; permissions: Permissions }[] = [];
    for (const [user, byVhost] of this.perms) {
      for (const [vhost, c] of byVhost) out.push({ user, vhost, permissions: { ...c.source } });
    }
    return out;
  }

  setTopicPermissions(user: string, vhost: string, exchange: string, write: string, read: string): void {
    this.mustGet(user);
    if (!this.hasVhost(vhost)) throw new BrokerError('NOT_FOUND', `no vhost '${vhost}'`);
    const compiled: CompiledTopicPermission = { write: new TopicPattern(write, 'write'), read: new TopicPattern(read, 'read') };
    let byVhost = this.topicPerms.get(user);
    if (!byVhost) this.topicPerms.set(user, (byVhost = new Map()));
    let byExchange = byVhost.get(vhost);
    if (!byExchange) byVhost.set(vhost, (byExchange = new Map()));
    byExchange.set(exchange, compiled);
    this.changed();
  }

  clearTopicPermissions(user: string, vhost: string, exchange?: string): void {
    const byVhost = this.topicPerms.get(user);
    const byExchange = byVhost?.get(vhost);
    if (!byVhost || !byExchange) return;
    if (exchange === undefined) byExchange.clear();
    else if (!byExchange.delete(exchange)) return;
    if (byExchange.size === 0) byVhost.delete(vhost);
    if (byVhost.size === 0) this.topicPerms.delete(user);
    this.changed();
  }

  listTopicPermissions(): TopicPermission[] {
    const out: TopicPermission[] = [];
    for (const [user, byVhost] of this.topicPerms) {
      for (const [vhost, byExchange] of byVhost) {
        for (const [exchange, t] of byExchange) out.push({ user, vhost, exchange, write: t.write.source, read: t.read.source });
      }
    }
    return out;
  }

  /**
   * The user's topic permission on the exchange, or undefined (not
   * restricted). One Map lookup for a user without any topic permission.
   */
  topicPermission(user: string, vhost: string, exchange: string): CompiledTopicPermission | undefined {
    const byVhost = this.topicPerms.get(user);
    return byVhost === undefined ? undefined : byVhost.get(vhost)?.get(exchange);
  }

  /**
   * Throws ACCESS_REFUSED unless every key matches the user's `perm` topic
   * pattern on the exchange (rabbit_access_control:check_topic_access). The
   * caller checks that the exchange is a topic exchange.
   */
  checkTopic(user: string, vhost: string, exchange: string, perm: 'write' | 'read', keys: readonly string[], clientId: string | undefined): void {
    const t = this.topicPermission(user, vhost, exchange);
    if (t === undefined) return;
    const pattern = t[perm];
    for (const key of keys) {
      if (pattern.test(key, user, vhost, clientId)) continue;
      throw new BrokerError(
        'ACCESS_REFUSED',
        `${perm} access to topic '${key}' in exchange '${exchange}' in vhost '${vhost}' refused for user '${user}'`,
      );
    }
  }

  authenticate(name: string, password: string): AuthUser | null {
    const u = this.users.get(name);
    if (!u || u.passwordHash === '') {
      verifyPassword(password, DUMMY_HASH);
      return null;
    }
    return verifyPassword(password, u.passwordHash) ? u.auth : null;
  }

  lookup(name: string): AuthUser | null {
    return this.users.get(name)?.auth ?? null;
  }

  scramCredentials(name: string): ScramCredentials | null {
    return this.users.get(name)?.scram ?? null;
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
    if (user === SYSTEM_USER) return true;
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
