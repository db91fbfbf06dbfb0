/**
 * Durable topology as RabbitMQ's definitions.json (the format of
 * `rabbitmqctl export_definitions` / the management API), used both as the
 * broker's own snapshot (definitions-saver.ts) and for import/export by operators.
 *
 * Export (`exportDefinitions`) reads the public Core API only: users (sha256
 * hashes, tags as a comma-separated string as RabbitMQ 3.x), vhosts,
 * permissions, topic permissions, policies, operator policies and vhost limits (as RabbitMQ's
 * runtime `parameters`, components `operator_policy` and `vhost-limits`),
 * durable non-exclusive queues, durable exchanges except '' and the
 * predeclared amq.*, and the bindings whose source and destination are both
 * durable. Arguments become plain JSON (field-table.ts tableToPlain), so
 * integer widths and Buffer-vs-string are not kept — as in RabbitMQ's export.
 *
 * Import (`importDefinitions`) is best effort, in dependency order (vhosts,
 * users, permissions, topic permissions, policies, exchanges, queues, bindings, then limits and
 * operator policies): a bad entry is skipped and reported in `errors`, never
 * thrown. Declares go through a `SystemSessionFactory` (a session that needs
 * no user permissions; see the report/wiring notes); each session's
 * connection is closed at the end. Existing objects are redeclared
 * (equivalent → no-op; not equivalent → an error entry); an existing user
 * with a different hash or tags is replaced, keeping its permissions and
 * topic permissions.
 */
import type { Core, CoreSession, PolicyApplyTo, PolicyDefinition } from '../api.js';
import { plainToTable, tableToPlain } from '../field-table.js';

export const HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

export interface UserDefinition {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  /** comma-separated (RabbitMQ 3.x); import also accepts an array (RabbitMQ 3.13+/4.x) */
  tags: string | string[];
  limits?: Record<string, unknown>;
  /**
   * Polyport extension (RabbitMQ ignores unknown keys on import): the
   * SCRAM-SHA-256 verifier derived when the password was set, so MQTT 5
   * enhanced authentication keeps working after a restart. Never the password.
   */
  scram_sha256?: { salt: string; iterations: number; stored_key: string; server_key: string };
}
export interface VhostDefinition {
  name: string;
}
export interface PermissionDefinition {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}
/** RabbitMQ's `topic_permissions` entry (rabbit_definitions add_topic_permission) */
export interface TopicPermissionDefinition {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}
export interface PolicyDefinitionJson {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': PolicyApplyTo;
  definition: Record<string, unknown>;
  priority: number;
}
export interface ParameterDefinition {
  vhost: string;
  component: string;
  name: string;
  value: Record<string, unknown>;
}
export interface QueueDefinition {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}
export interface ExchangeDefinition {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}
export interface BindingDefinition {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: Record<string, unknown>;
}

export interface Definitions {
  product_name?: string;
  users: UserDefinition[];
  vhosts: VhostDefinition[];
  permissions: PermissionDefinition[];
  topic_permissions: TopicPermissionDefinition[];
  parameters: ParameterDefinition[];
  global_parameters: unknown[];
  policies: PolicyDefinitionJson[];
  queues: QueueDefinition[];
  exchanges: ExchangeDefinition[];
  bindings: BindingDefinition[];
}

/** Opens a session on `vhost` that may declare anything (no user permission checks). */
export type SystemSessionFactory = (vhost: string) => CoreSession;

export interface ImportReport {
  vhosts: number;
  users: number;
  permissions: number;
  topicPermissions: number;
  policies: number;
  operatorPolicies: number;
  limits: number;
  exchanges: number;
  queues: number;
  bindings: number;
  /** one line per skipped entry */
  errors: string[];
}

// ---------------------------------------------------------------- export

const isPredeclared = (name: string): boolean => name === '' || name.startsWith('amq.');

export function exportDefinitions(core: Core, o: { productName?: string } = {}): Definitions {
  const vhosts = core.vhosts.listVhosts();
  const d: Definitions = {
    product_name: o.productName ?? 'Polyport',
    users: core.users.listUsers().map((u) => {
      const scram = core.users.scramCredentials(u.name);
      const def: UserDefinition = {
        name: u.name,
        password_hash: u.passwordHash,
        hashing_algorithm: HASHING_ALGORITHM,
        tags: u.tags.join(','),
        limits: {},
      };
      if (scram) {
        def.scram_sha256 = {
          salt: scram.salt.toString('base64'),
          iterations: scram.iterations,
          stored_key: scram.storedKey.toString('base64'),
          server_key: scram.serverKey.toString('base64'),
        };
      }
      return def;
    }),
    vhosts: vhosts.map((name) => ({ name })),
    permissions: core.users.listPermissions().map((p) => ({ user: p.user, vhost: p.vhost, ...p.permissions })),
    topic_permissions: core.users.listTopicPermissions().map((t) => ({
      user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read,
    })),
    parameters: [],
    global_parameters: [],
    policies: core.policies.listPolicies().map((p) => ({
      vhost: p.vhost,
      name: p.name,
      pattern: p.pattern,
      'apply-to': p.applyTo,
      definition: { ...p.definition },
      priority: p.priority,
    })),
    queues: [],
    exchanges: [],
    bindings: [],
  };
  for (const p of core.policies.listOperatorPolicies()) {
    d.parameters.push({
      vhost: p.vhost,
      component: 'operator_policy',
      name: p.name,
      value: { pattern: p.pattern, 'apply-to': p.applyTo, definition: { ...p.definition }, priority: p.priority },
    });
  }
  for (const vhost of vhosts) {
    const limits = core.vhosts.getLimits(vhost);
    const value: Record<string, unknown> = {};
    if (limits.maxConnections !== undefined) value['max-connections'] = limits.maxConnections;
    if (limits.maxQueues !== undefined) value['max-queues'] = limits.maxQueues;
    if (Object.keys(value).length > 0) d.parameters.push({ vhost, component: 'vhost-limits', name: 'limits', value });

    const durableQueues = new Set<string>();
    for (const q of core.inspect.listQueues(vhost)) {
      if (!q.durable || q.exclusive) continue;
      durableQueues.add(q.name);
      d.queues.push({ name: q.name, vhost, durable: true, auto_delete: q.autoDelete, arguments: tableToPlain(q.args) });
    }
    const durableExchanges = new Set<string>();
    for (const x of core.inspect.listExchanges(vhost)) {
      if (!x.durable) continue;
      durableExchanges.add(x.name);
      if (isPredeclared(x.name)) continue;
      d.exchanges.push({
        name: x.name, vhost, type: x.type, durable: true, auto_delete: x.autoDelete, internal: x.internal, arguments: tableToPlain(x.args),
      });
    }
    for (const b of core.inspect.listBindings(vhost)) {
      if (b.source === '' || !durableExchanges.has(b.source)) continue;
      const destDurable = b.destinationType === 'queue' ? durableQueues.has(b.destination) : durableExchanges.has(b.destination);
      if (!destDurable) continue;
      d.bindings.push({
        source: b.source, vhost, destination: b.destination, destination_type: b.destinationType, routing_key: b.routingKey,
        arguments: tableToPlain(b.args),
      });
    }
  }
  return d;
}

// ---------------------------------------------------------------- import

function list(defs: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = defs[key];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

function str(e: Record<string, unknown>, key: string, fallback?: string): string {
  const v = e[key];
  if (typeof v === 'string') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new Error(`'${key}' must be a string`);
}

function bool(e: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = e[key];
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  throw new Error(`'${key}' must be a boolean`);
}

function obj(e: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = e[key];
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`'${key}' must be an object`);
}

function tagsOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((t): t is string => typeof t === 'string' && t !== '');
  if (typeof v === 'string') return v.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return [];
}

function policyOf(v: Record<string, unknown>): PolicyDefinition {
  const priority = v['priority'] ?? 0;
  if (typeof priority !== 'number') throw new Error("'priority' must be a number");
  return { pattern: str(v, 'pattern'), applyTo: str(v, 'apply-to', 'all') as PolicyApplyTo, priority, definition: obj(v, 'definition') };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

export function importDefinitions(core: Core, input: unknown, systemSession: SystemSessionFactory): ImportReport {
  const r: ImportReport = {
    vhosts: 0, users: 0, permissions: 0, topicPermissions: 0, policies: 0, operatorPolicies: 0, limits: 0, exchanges: 0, queues: 0, bindings: 0, errors: [],
  };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    r.errors.push('definitions: not a JSON object');
    return r;
  }
  const defs = input as Record<string, unknown>;
  const sessions = new Map<string, CoreSession>();
  const session = (vhost: string): CoreSession => {
    let s = sessions.get(vhost);
    if (!s) sessions.set(vhost, (s = systemSession(vhost)));
    return s;
  };
  const each = (key: string, what: (e: Record<string, unknown>) => string, apply: (e: Record<string, unknown>) => void): void => {
    for (const e of list(defs, key)) {
      try {
        apply(e);
      } catch (err) {
        let label: string;
        try {
          label = what(e);
        } catch {
          label = JSON.stringify(e).slice(0, 120);
        }
        r.errors.push(`${label}: ${(err as Error).message}`);
      }
    }
  };
  const inVhost = (kind: string, e: Record<string, unknown>, nameKey = 'name'): string =>
    `${kind} '${String(e[nameKey])}' in vhost '${String(e['vhost'])}'`;

  each('vhosts', (e) => `vhost '${String(e['name'])}'`, (e) => {
    core.vhosts.addVhost(str(e, 'name'));
    r.vhosts++;
  });

  each('users', (e) => `user '${String(e['name'])}'`, (e) => {
    const name = str(e, 'name');
    const algo = e['hashing_algorithm'];
    if (algo !== undefined && algo !== HASHING_ALGORITHM) throw new Error(`unsupported hashing_algorithm '${String(algo)}'`);
    const hash = str(e, 'password_hash', '');
    const tags = tagsOf(e['tags']);
    const existing = core.users.listUsers().find((u) => u.name === name);
    if (existing && existing.passwordHash === hash && sameTags(existing.tags, tags)) {
      // unchanged: keep the user (and its permissions) as they are
    } else if (existing) {
      const perms = core.users.listPermissions().filter((p) => p.user === name);
      const topicPerms = core.users.listTopicPermissions().filter((t) => t.user === name);
      core.users.deleteUser(name);
      core.users.addUserWithHash(name, hash, tags);
      for (const p of perms) core.users.setPermissions(name, p.vhost, p.permissions);
      for (const t of topicPerms) core.users.setTopicPermissions(name, t.vhost, t.exchange, t.write, t.read);
    } else {
      core.users.addUserWithHash(name, hash, tags);
    }
    const scram = e['scram_sha256'];
    if (scram !== null && typeof scram === 'object') {
      const o = scram as Record<string, unknown>;
      if (typeof o['iterations'] === 'number' && typeof o['salt'] === 'string' && typeof o['stored_key'] === 'string' && typeof o['server_key'] === 'string') {
        core.users.setScramCredentials(name, {
          salt: Buffer.from(o['salt'], 'base64'),
          iterations: o['iterations'],
          storedKey: Buffer.from(o['stored_key'], 'base64'),
          serverKey: Buffer.from(o['server_key'], 'base64'),
        });
      }
    }
    r.users++;
  });

  each('permissions', (e) => `permissions of '${String(e['user'])}' on vhost '${String(e['vhost'])}'`, (e) => {
    core.users.setPermissions(str(e, 'user'), str(e, 'vhost'), {
      configure: str(e, 'configure', ''), write: str(e, 'write', ''), read: str(e, 'read', ''),
    });
    r.permissions++;
  });

  each(
    'topic_permissions',
    (e) => `topic permissions of '${String(e['user'])}' on exchange '${String(e['exchange'])}' in vhost '${String(e['vhost'])}'`,
    (e) => {
      core.users.setTopicPermissions(str(e, 'user'), str(e, 'vhost'), str(e, 'exchange'), str(e, 'write'), str(e, 'read'));
      r.topicPermissions++;
    },
  );

  each('policies', (e) => inVhost('policy', e), (e) => {
    core.policies.setPolicy(str(e, 'vhost'), str(e, 'name'), policyOf(e));
    r.policies++;
  });

  each('exchanges', (e) => inVhost('exchange', e), (e) => {
    const name = str(e, 'name');
    if (isPredeclared(name)) return;
    session(str(e, 'vhost')).declareExchange({
      name, type: str(e, 'type'), durable: true, autoDelete: bool(e, 'auto_delete', false), internal: bool(e, 'internal', false),
      args: plainToTable(obj(e, 'arguments')),
    });
    r.exchanges++;
  });

  each('queues', (e) => inVhost('queue', e), (e) => {
    if (!bool(e, 'durable', true)) return; // a transient queue has nothing to restore
    session(str(e, 'vhost')).declareQueue({
      name: str(e, 'name'), durable: true, autoDelete: bool(e, 'auto_delete', false), args: plainToTable(obj(e, 'arguments')),
    });
    r.queues++;
  });

  each('bindings', (e) => `binding '${String(e['source'])}' → '${String(e['destination'])}' in vhost '${String(e['vhost'])}'`, (e) => {
    const type = str(e, 'destination_type', 'queue');
    if (type !== 'queue' && type !== 'exchange') throw new Error(`bad destination_type '${type}'`);
    session(str(e, 'vhost')).bind({
      source: str(e, 'source'), destination: str(e, 'destination'), destinationType: type,
      routingKey: str(e, 'routing_key', ''), args: plainToTable(obj(e, 'arguments')),
    });
    r.bindings++;
  });

  each('parameters', (e) => `parameter '${String(e['component'])}/${String(e['name'])}' in vhost '${String(e['vhost'])}'`, (e) => {
    const component = str(e, 'component');
    const vhost = str(e, 'vhost');
    const value = obj(e, 'value');
    if (component === 'vhost-limits') {
      const n = (k: string): number | undefined => (typeof value[k] === 'number' ? (value[k] as number) : undefined);
      const maxConnections = n('max-connections');
      const maxQueues = n('max-queues');
      core.vhosts.setLimits(vhost, {
        ...(maxConnections !== undefined ? { maxConnections } : {}),
        ...(maxQueues !== undefined ? { maxQueues } : {}),
      });
      r.limits++;
    } else if (component === 'operator_policy') {
      core.policies.setOperatorPolicy(vhost, str(e, 'name'), policyOf(value));
      r.operatorPolicies++;
    } else {
      throw new Error(`unsupported runtime parameter component '${component}'`);
    }
  });

  for (const s of sessions.values()) {
    try {
      s.connection.close();
    } catch {
      // already closed
    }
  }
  return r;
}
