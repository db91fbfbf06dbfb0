/**
 * The boundary between the routing core and the protocol adapters.
 *
 * Adapters call verbs (declare, bind, publish, consume, ack) on a
 * `CoreSession` and receive deliveries through a `ConsumerSink` plus batched
 * outcome events (`confirmed`, `rejected`, `blocked`) through `SessionEvents`.
 * Nothing here names a wire protocol; `protocol` is an opaque label for stats.
 *
 * Errors: every verb may throw `BrokerError` (see errors.ts) synchronously.
 */
import type { ErrorCode } from './errors.js';
import type { FieldTable } from './field-table.js';
import type { Message } from './message.js';

// ---------------------------------------------------------------- users

export interface AuthUser {
  readonly name: string;
  readonly tags: readonly string[];
}

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

/**
 * A topic permission (RabbitMQ `set_topic_permissions`): for one user, vhost
 * and exchange, the regular expressions routing keys must match. Only topic
 * exchanges are checked; a user with no topic permission on an exchange is
 * not restricted there (vhost permissions alone apply).
 * - `write`: the routing key of a publish (and each CC/BCC key);
 * - `read`: the binding key of queue.bind/unbind and exchange.bind/unbind
 *   with that exchange as the source (MQTT SUBSCRIBE, STOMP /topic SUBSCRIBE).
 * Patterns are unanchored JavaScript regular expressions ('' means '^$').
 * Before matching, `{username}`, `{vhost}` and — when the connection has one
 * (`ConnectionContext.clientProperties.clientId`, set by MQTT) —
 * `{client_id}` are replaced by their values, literally (not regex-escaped),
 * as RabbitMQ's rabbit_auth_backend_internal:expand_topic_permission does.
 * A refusal is ACCESS_REFUSED "write access to topic 'k' in exchange 'x' in
 * vhost '/' refused for user 'u'".
 */
export interface TopicPermission {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export interface UserManager {
  addUser(name: string, password: string | null, tags?: string[]): void;
  /** RabbitMQ's rabbit_password_hashing_sha256 format: base64(salt(4) + sha256(salt + password)) */
  addUserWithHash(name: string, passwordHash: string, tags?: string[]): void;
  deleteUser(name: string): void;
  changePassword(name: string, password: string): void;
  listUsers(): { name: string; tags: string[]; passwordHash: string }[];
  setPermissions(user: string, vhost: string, p: Permissions): void;
  clearPermissions(user: string, vhost: string): void;
  listPermissions(): { user: string; vhost: string; permissions: Permissions }[];
  /**
   * Sets (replaces) the user's topic permission on one exchange of a vhost.
   * NOT_FOUND for an unknown user or vhost; INVALID_ARGUMENT for a pattern
   * that is not a valid regular expression. The exchange need not exist.
   */
  setTopicPermissions(user: string, vhost: string, exchange: string, write: string, read: string): void;
  /** Clears the user's topic permission on `exchange`, or on every exchange of the vhost when omitted. No-op when none. */
  clearTopicPermissions(user: string, vhost: string, exchange?: string): void;
  listTopicPermissions(): TopicPermission[];
  /** Checks the password. Returns null when the user is unknown or the password is wrong. */
  authenticate(name: string, password: string): AuthUser | null;
  /** Users named in `loopback_users` may only connect from loopback. */
  setLoopbackUsers(names: string[]): void;
  isLoopbackOnly(name: string): boolean;
  /** True when the user has some permission on the vhost. */
  canAccessVhost(user: string, vhost: string): boolean;
  /**
   * The user, without a password check: for logins proven otherwise (TLS
   * client certificate, SASL mechanisms such as SCRAM). null when unknown.
   */
  lookup(name: string): AuthUser | null;
  /**
   * SCRAM-SHA-256 credentials (RFC 5802 / RFC 7677), derived whenever a
   * password is set (addUser, changePassword). null for unknown users,
   * passwordless users and users imported with only a password hash.
   */
  scramCredentials(name: string): ScramCredentials | null;
  /** Restores stored SCRAM credentials (definitions import); NOT_FOUND for unknown users. */
  setScramCredentials(name: string, c: ScramCredentials): void;
}

/** Stored SCRAM verifier: never the password itself. */
export interface ScramCredentials {
  readonly salt: Buffer;
  readonly iterations: number;
  /** H(HMAC(SaltedPassword, "Client Key")) */
  readonly storedKey: Buffer;
  /** HMAC(SaltedPassword, "Server Key") */
  readonly serverKey: Buffer;
}

// ---------------------------------------------------------------- topology

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers' | string;

export interface ExchangeDecl {
  name: string;
  type: ExchangeType;
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  args?: FieldTable;
  /** only check existence (AMQP passive); 404 when missing */
  passive?: boolean;
}

export interface QueueDecl {
  /** '' → server-named `amq.gen-…` */
  name: string;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  args?: FieldTable;
  passive?: boolean;
}

export interface QueueInfo {
  name: string;
  messageCount: number;
  consumerCount: number;
}

export interface BindingDecl {
  /** source exchange */
  source: string;
  /** destination queue or exchange */
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  args?: FieldTable;
}

// ---------------------------------------------------------------- publish

export interface PublishOptions {
  /** AMQP mandatory: the adapter wants to know when no queue took it */
  mandatory?: boolean;
  /**
   * When given, the outcome arrives later through `SessionEvents.confirmed`
   * or `SessionEvents.rejected` with this id (ids increase per session).
   * Unroutable messages are confirmed (as RabbitMQ does) after `PublishResult`
   * said `routed: 0`.
   */
  confirmId?: number;
}

export interface PublishResult {
  /** number of queues (and direct reply-to consumers) that took the message */
  routed: number;
}

// ---------------------------------------------------------------- consume

export interface ConsumeOptions {
  /** '' → server-generated `amq.ctag-…` */
  tag: string;
  noAck: boolean;
  exclusive?: boolean;
  /** consumer priority (AMQP x-priority) */
  priority?: number;
  args?: FieldTable;
  /** max unacked for this consumer: AMQP prefetch_count, MQTT Receive Maximum, STOMP prefetch-count. 0 = unlimited */
  credit: number;
}

export interface Delivery {
  /** session-wide delivery tag (AMQP delivery-tag); 1, 2, 3… per session */
  readonly tag: number;
  readonly message: Message;
  readonly redelivered: boolean;
  /** queue it came from ('' for direct reply-to) */
  readonly queue: string;
  readonly consumerTag: string;
  /** message count left in the queue (basic.get-ok) */
  readonly remaining?: number;
}

export interface ConsumerSink {
  /**
   * Encode and write. Return false when the transport is over its high-water
   * mark: the core then stops delivering to this consumer until `resume()`.
   * The delivery that returned false still counts as delivered.
   */
  deliver(d: Delivery): boolean;
  /** The server cancelled this consumer (queue deleted, …). */
  cancelled(reason: ErrorCode | 'QUEUE_DELETED'): void;
}

export interface ConsumerHandle {
  readonly tag: string;
  readonly queue: string;
  setCredit(n: number): void;
  /** The transport drained: deliver again. */
  resume(): void;
  /** Cancel; unacked deliveries stay unacked until acked or the session closes. */
  cancel(): void;
}

// ---------------------------------------------------------------- sessions

export interface SessionEvents {
  /** all target queues accepted (transient) or stored (persistent) these confirm ids; ascending */
  confirmed(ids: readonly number[]): void;
  /** these confirm ids were refused (overflow reject-publish, store failure); ascending */
  rejected(ids: readonly number[], code: ErrorCode): void;
  /** resource alarm: stop reading the publisher's socket */
  blocked(reason: string): void;
  unblocked(): void;
}

export interface ConnectionContext {
  vhost: string;
  user: AuthUser;
  /** opaque label for stats: amqp091, mqtt311, stomp… */
  protocol: string;
  /** remote address, for logs and management */
  remoteAddress: string;
  remotePort?: number;
  /** free-form properties for the management API (client properties, client id…) */
  clientProperties?: Record<string, unknown>;
}

export interface CoreConnection {
  readonly id: string;
  readonly vhost: string;
  readonly user: AuthUser;
  openSession(events: SessionEvents): CoreSession;
  /** Closes every session, deletes exclusive queues owned by this connection. */
  close(): void;
}

export interface CoreSession {
  readonly connection: CoreConnection;

  declareExchange(d: ExchangeDecl): void;
  /** ifUnused: 406 when the exchange has bindings as a source */
  deleteExchange(name: string, o?: { ifUnused?: boolean }): void;
  declareQueue(d: QueueDecl): QueueInfo;
  /** returns the number of messages deleted */
  deleteQueue(name: string, o?: { ifUnused?: boolean; ifEmpty?: boolean }): number;
  purgeQueue(name: string): number;
  bind(b: BindingDecl): void;
  unbind(b: BindingDecl): void;

  /** Routing is synchronous; the confirm is not (see PublishOptions.confirmId). */
  publish(msg: Message, o?: PublishOptions): PublishResult;

  consume(queue: string, sink: ConsumerSink, o: ConsumeOptions): ConsumerHandle;
  /** basic.get: null when empty. noAck=false → the delivery must be acked/rejected by tag. */
  get(queue: string, noAck: boolean): Delivery | null;

  ack(tag: number, multiple: boolean): void;
  /** requeue=false → dead-letter (or drop); requeue=true → back at its position, redelivered */
  reject(tag: number, multiple: boolean, requeue: boolean): void;
  /** basic.recover(requeue=true): requeue every unacked delivery of this session */
  recover(): void;
  /** channel-wide credit (AMQP basic.qos global=true). 0 = unlimited */
  setSessionCredit(n: number): void;
  /** Deliveries unacked on this session. */
  readonly unackedCount: number;

  /** Requeues unacked deliveries, cancels consumers. */
  close(): void;
}

// ---------------------------------------------------------------- core

/**
 * Vhost limits (RabbitMQ `rabbitmqctl set_vhost_limits`): absent or negative
 * = unlimited; 0 = none allowed.
 */
export interface VhostLimits {
  maxConnections?: number;
  maxQueues?: number;
}

export interface VhostManager {
  addVhost(name: string, o?: { description?: string }): void;
  deleteVhost(name: string): void;
  hasVhost(name: string): boolean;
  listVhosts(): string[];
  /**
   * Replaces the vhost's limits (like set_vhost_limits, keys not given are cleared).
   * Exceeding max-connections: openConnection → NOT_ALLOWED; max-queues: declareQueue → PRECONDITION_FAILED.
   * NOT_FOUND for an unknown vhost; INVALID_ARGUMENT for a non-integer value.
   */
  setLimits(vhost: string, limits: VhostLimits): void;
  getLimits(vhost: string): VhostLimits;
}

// ---------------------------------------------------------------- policies

export type PolicyApplyTo = 'queues' | 'exchanges' | 'all';

/**
 * A policy (RabbitMQ semantics): `pattern` is a regular expression matched
 * against queue/exchange names (unanchored, JavaScript syntax); the
 * highest-priority matching policy applies (ties: the name that sorts first).
 * Definition keys: message-ttl, expires, dead-letter-exchange,
 * dead-letter-routing-key, max-length, max-length-bytes, overflow,
 * alternate-exchange. Operator policies accept message-ttl, expires,
 * max-length, max-length-bytes and cap them (the lower value applies).
 */
export interface PolicyDefinition {
  pattern: string;
  applyTo: PolicyApplyTo;
  priority: number;
  definition: Record<string, unknown>;
}

export interface PolicyInfo extends PolicyDefinition {
  vhost: string;
  name: string;
}

/**
 * Policy operations (the management API and definitions import call these).
 * setX/clearX: NOT_FOUND for an unknown vhost; INVALID_ARGUMENT "Validation
 * failed…" for a bad pattern, priority, apply-to or definition. Effective
 * queue/exchange settings are recomputed at once. Kept in memory for now.
 */
export interface PolicyManager {
  setPolicy(vhost: string, name: string, p: PolicyDefinition): void;
  /** NOT_FOUND when there is no such policy */
  clearPolicy(vhost: string, name: string): void;
  /** every vhost when `vhost` is omitted */
  listPolicies(vhost?: string): PolicyInfo[];
  setOperatorPolicy(vhost: string, name: string, p: PolicyDefinition): void;
  clearOperatorPolicy(vhost: string, name: string): void;
  listOperatorPolicies(vhost?: string): PolicyInfo[];
}

/** pino-compatible structured logger (never log passwords or message bodies) */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface CoreOptions {
  /** durability (core/durable/hooks.ts): queue stores and definitions saves; absent = everything in memory */
  durability?: import('./durable/hooks.js').DurabilityHooks;
  /** created at start with full permissions for the default user; default '/' */
  defaultVhost?: string;
  logger?: Logger;
}

// ---------------------------------------------------------------- inspection

export interface QueueSummary {
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  args: FieldTable;
  /** ready + unacked */
  messages: number;
  messagesReady: number;
  messagesUnacked: number;
  consumers: number;
  /** name of the policy applied, if any */
  policy?: string;
  /** name of the operator policy applied, if any */
  operatorPolicy?: string;
  /** the merged policy + operator policy definition in effect (RabbitMQ effective_policy_definition) */
  effectivePolicyDefinition?: Record<string, unknown>;
}

export interface ExchangeSummary {
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  args: FieldTable;
}

export interface BindingSummary {
  /** '' for the default exchange's implicit bindings (one per queue, as RabbitMQ lists them) */
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  args: FieldTable;
}

export interface ConnectionSummary {
  id: string;
  vhost: string;
  user: string;
  protocol: string;
  remoteAddress: string;
  sessions: number;
}

/** Read-only views for tests and the management API. Unknown vhost → NOT_FOUND. */
export interface CoreInspector {
  listQueues(vhost: string): QueueSummary[];
  listExchanges(vhost: string): ExchangeSummary[];
  listBindings(vhost: string): BindingSummary[];
  listConnections(): ConnectionSummary[];
}

/** Resource alarms (memory, disk…): while any is on, every session gets `blocked("low on <name>")`. */
export interface FlowControl {
  setAlarm(name: string, on: boolean): void;
  /** names of the alarms currently on */
  activeAlarms(): string[];
}

export interface Core {
  readonly users: UserManager;
  readonly vhosts: VhostManager;
  readonly inspect: CoreInspector;
  readonly flow: FlowControl;
  readonly policies: PolicyManager;
  /**
   * NOT_ALLOWED when the vhost is unknown or its max-connections limit is
   * reached; ACCESS_REFUSED when the user has no access to it.
   */
  openConnection(ctx: ConnectionContext): CoreConnection;
  /** A session on `vhost` that needs no user permissions (definitions import). NOT_FOUND for an unknown vhost. */
  systemSession(vhost: string): CoreSession;
  /** Closes everything (connections are expected to have been closed by adapters first). */
  shutdown(): Promise<void>;
}

// ---------------------------------------------------------------- adapter state

/**
 * A small durable key → value map that adapters keep their own state in
 * (MQTT persistent sessions, QoS 2 packet ids, retained messages, delayed
 * wills). Opened by the gateway from Persistence (`persistence.stateMap(name)`).
 *
 * - `load()` reads what is on disk; called once by the owner at start. The
 *   map keeps no values in memory afterwards (only what compaction needs).
 * - `set` replaces a key's value, `delete` removes it; writes issued in one
 *   event-loop turn share one fdatasync (group commit). The promise resolves
 *   once the write is on disk and rejects if it failed (nothing is retried).
 *   Writes are applied in call order: a later set/delete of a key wins.
 *   They throw at once (not reject) when called before `load()`, and a
 *   RangeError for a key over 65535 UTF-8 bytes or with a lone surrogate.
 *   A value over 64 KiB is referenced until the promise settles: don't mutate it.
 * - `close()` flushes pending writes and closes the file; later writes reject.
 */
export interface StateMap {
  load(): Map<string, Buffer>;
  set(key: string, value: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
  /** live keys, counting writes issued but not yet on disk (a failed write is taken back) */
  readonly size: number;
  close(): Promise<void>;
}
