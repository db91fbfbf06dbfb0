/**
 * AUTH (v5 enhanced authentication, §4.12) and the pluggable method registry.
 *
 * - methods implement `AuthMethod` (name + `begin(users)` → an exchange that
 *   consumes Authentication Data and answers continue / success / failure);
 *   SCRAM-SHA-256 is built in (auth-scram.ts); more come through the
 *   adapter option `authMethods`;
 * - CONNECT with an Authentication Method: unknown method → CONNACK 0x8C;
 *   otherwise the exchange runs with AUTH 0x18 (Continue Authentication)
 *   both ways [MQTT-4.12.0-2] until it succeeds (CONNACK 0x00 carrying the
 *   method and the final data) or fails (CONNACK 0x86/0x87/… then close);
 *   while it runs, only AUTH (same method, reason 0x18) is allowed
 *   [MQTT-4.12.0-1] [MQTT-4.12.0-5]; the login timeout still applies;
 * - re-authentication [MQTT-4.12.1-1]: a connected client that used enhanced
 *   authentication sends AUTH 0x19 with the same method; other packets keep
 *   flowing meanwhile; success → AUTH 0x00; failure → DISCONNECT 0x87 (0x86
 *   is not a DISCONNECT reason), another method → DISCONNECT 0x82, and the
 *   authenticated user may not change;
 * - AUTH from a client that did not use enhanced authentication, or any
 *   other reason code, is a protocol error [MQTT-3.15.2-1 (v5)]; AUTH on
 *   v3/v4 never parses (mqtt-packet rejects it).
 */
import type { AuthUser, UserManager } from '../../../core/index.js';
import type { IAuthPacket, Packet } from 'mqtt-packet';
import { isLoopback } from '../../shared/transport.js';
import { scramSha256 } from '../auth-scram.js';
import type { Processor } from '../processor.js';
import { RC } from '../reason-codes.js';
import { connackFailure, finishConnect } from './connect.js';
import type { PendingConnect } from './connect.js';

export type AuthStep =
  | { readonly kind: 'continue'; readonly data: Buffer }
  | { readonly kind: 'success'; readonly username: string; readonly vhost?: string; readonly data?: Buffer }
  | { readonly kind: 'failure'; readonly reason: number; readonly message: string };

/** One authentication exchange (one CONNECT or one re-authentication). */
export interface AuthExchange {
  /** Consumes the client's Authentication Data (absent when it sent none). */
  next(data: Buffer | undefined): AuthStep;
}

export interface AuthMethod {
  /** the Authentication Method property, e.g. SCRAM-SHA-256 */
  readonly name: string;
  begin(users: UserManager): AuthExchange;
}

export class AuthMethodRegistry {
  private readonly methods = new Map<string, AuthMethod>();

  constructor(methods: readonly AuthMethod[]) {
    for (const m of methods) this.methods.set(m.name, m);
  }

  get(name: string): AuthMethod | undefined {
    return this.methods.get(name);
  }

  names(): string[] {
    return [...this.methods.keys()];
  }
}

/** SCRAM-SHA-256 plus the given methods (a method with the same name replaces the built-in one). */
export function authMethodRegistry(extra: readonly AuthMethod[] = []): AuthMethodRegistry {
  return new AuthMethodRegistry([scramSha256, ...extra]);
}

export interface ResolvedLogin {
  readonly vhost: string;
  readonly user: AuthUser;
}

/** User and vhost for an already-proven name: `vhost` from the method, else port → vhost, else mqtt.vhost. */
export function resolveLogin(p: Processor, username: string, vhost: string | undefined): ResolvedLogin | number {
  const info = p.conn.transport.info;
  const user = p.ctx.core.users.lookup(username);
  if (!user) return RC.BAD_USER_NAME_OR_PASSWORD;
  if (p.ctx.core.users.isLoopbackOnly(user.name) && !isLoopback(info.remoteAddress)) return RC.NOT_AUTHORIZED;
  return { vhost: vhost ?? p.ctx.opts.portToVhost[String(info.localPort)] ?? p.ctx.opts.vhost, user };
}

function authPacket(method: string, reasonCode: number, data: Buffer | undefined): Packet {
  return { cmd: 'auth', reasonCode, properties: { authenticationMethod: method, ...(data ? { authenticationData: data } : {}) } } as Packet;
}

/** CONNECT carried an Authentication Method: run its exchange. */
export function beginConnectAuth(p: Processor, pending: PendingConnect): void {
  const name = pending.packet.properties!.authenticationMethod!;
  const method = p.ctx.authMethods.get(name);
  if (!method) return connackFailure(p, 5, RC.BAD_AUTHENTICATION_METHOD, `unsupported authentication method ${name}`);
  p.authMethod = name;
  p.authExchange = method.begin(p.ctx.core.users);
  p.pendingConnect = pending;
  connectStep(p, p.authExchange.next(pending.packet.properties?.authenticationData));
}

function connectStep(p: Processor, step: AuthStep): void {
  const method = p.authMethod!;
  if (step.kind === 'continue') {
    p.phase = 'authenticating';
    p.send(authPacket(method, RC.CONTINUE_AUTHENTICATION, step.data));
    return;
  }
  p.authExchange = undefined;
  const pending = p.pendingConnect!;
  p.pendingConnect = undefined;
  if (step.kind === 'failure') {
    p.log.info({ clientId: pending.clientId, method, reason: step.reason, message: step.message }, 'mqtt: enhanced authentication failed');
    return connackFailure(p, 5, step.reason, step.message);
  }
  const login = resolveLogin(p, step.username, step.vhost);
  if (typeof login === 'number') return connackFailure(p, 5, login);
  finishConnect(p, pending, login, { method, data: step.data });
}

export function handleAuth(p: Processor, pkt: IAuthPacket): void {
  const reason = pkt.reasonCode ?? RC.SUCCESS;
  const method = pkt.properties?.authenticationMethod;
  const data = pkt.properties?.authenticationData;
  if (p.phase === 'authenticating') {
    if (reason !== RC.CONTINUE_AUTHENTICATION) return connackFailure(p, 5, RC.PROTOCOL_ERROR, `AUTH reason ${reason} during authentication`);
    if (method !== p.authMethod) return connackFailure(p, 5, RC.PROTOCOL_ERROR, 'AUTH with another authentication method');
    return connectStep(p, p.authExchange!.next(data));
  }
  if (p.authMethod === undefined) return p.fail(RC.PROTOCOL_ERROR, 'AUTH without enhanced authentication in CONNECT');
  // 0x8C is listed for DISCONNECT in §2.4 but not in §3.14.2.1, and clients (mqtt-packet) refuse it: Protocol Error
  if (method !== p.authMethod) return p.fail(RC.PROTOCOL_ERROR, 'AUTH with another authentication method'); // [MQTT-4.12.1-1]
  if (reason === RC.REAUTHENTICATE) {
    if (p.authExchange) return p.fail(RC.PROTOCOL_ERROR, 're-authentication already in progress');
    p.authExchange = p.ctx.authMethods.get(method)!.begin(p.ctx.core.users);
  } else if (reason !== RC.CONTINUE_AUTHENTICATION || !p.authExchange) {
    return p.fail(RC.PROTOCOL_ERROR, `unexpected AUTH reason ${reason}`);
  }
  reauthStep(p, p.authExchange.next(data));
}

function reauthStep(p: Processor, step: AuthStep): void {
  const method = p.authMethod!;
  if (step.kind === 'continue') {
    p.send(authPacket(method, RC.CONTINUE_AUTHENTICATION, step.data));
    return;
  }
  p.authExchange = undefined;
  if (step.kind === 'failure') {
    const reason = step.reason === RC.BAD_USER_NAME_OR_PASSWORD ? RC.NOT_AUTHORIZED : step.reason;
    return p.fail(reason, `re-authentication failed: ${step.message}`);
  }
  const login = resolveLogin(p, step.username, step.vhost);
  if (typeof login === 'number') return p.fail(RC.NOT_AUTHORIZED, 're-authentication failed');
  if (login.user.name !== p.user?.name || login.vhost !== p.vhost) return p.fail(RC.NOT_AUTHORIZED, 're-authentication as another user');
  p.user = login.user;
  p.log.debug({ clientId: p.clientId, user: login.user.name }, 'mqtt: re-authenticated');
  p.send(authPacket(method, RC.SUCCESS, step.data));
}
