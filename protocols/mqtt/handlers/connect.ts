/**
 * CONNECT → CONNACK.
 *
 * - protocol name/level pairs: MQIsdp/3, MQTT/4, MQTT/5 [MQTT-3.1.2-1]
 *   [MQTT-3.1.2-2]; unsupported level → CONNACK 0x01 then close;
 * - client id: 3.1 requires 1..23 characters; 3.1.1 accepts an empty id
 *   only with clean session [MQTT-3.1.3-7] [MQTT-3.1.3-8] and assigns one
 *   [MQTT-3.1.3-6]; v5 assigns and returns it [MQTT-3.2.2-16 (v5)];
 * - auth against the core's users: `vhost:user` usernames, port → vhost,
 *   mqtt.vhost; anonymous only when allowed (default user); TLS certificate
 *   CN login; loopback-only users; password without username is malformed in
 *   3.1.1 [MQTT-3.1.2-22];
 * - takeover of a live connection with the same client id [MQTT-3.1.4-2];
 *   a pending delayed will is cancelled [MQTT-3.1.3-9 (v5)];
 * - clean session / Clean Start discards the stored session [MQTT-3.1.2-6];
 *   otherwise it resumes with session present [MQTT-3.2.2-2]; CONNACK codes
 *   other than 0 carry session present 0 and close [MQTT-3.2.2-4] [MQTT-3.2.2-5];
 * - v5 limits from the client: Receive Maximum, Maximum Packet Size, Topic
 *   Alias Maximum (0 for the first two is a protocol error [MQTT-3.1.2-?]);
 * - keepalive enforcement, capped by Server Keep Alive in v5;
 * - v5 enhanced authentication (Authentication Method): handlers/auth.ts
 *   runs the exchange, then calls finishConnect.
 */
import type { AuthUser } from '../../../core/index.js';
import { isBrokerError } from '../../../core/index.js';
import type { IConnackPacket, IConnectPacket, Packet } from 'mqtt-packet';
import { encode } from '../codec/writer.js';
import { AdapterContext } from '../context.js';
import type { Processor } from '../processor.js';
import { RC, connackV3 } from '../reason-codes.js';
import { newSessionState } from '../session.js';
import { topicNameError } from '../topics.js';
import { buildWill } from '../will.js';
import { resumeSession } from './subscribe.js';
import { beginConnectAuth, resolveLogin } from './auth.js';

/** A CONNECT that passed validation, waiting for its authentication to finish. */
export interface PendingConnect {
  readonly packet: IConnectPacket;
  readonly clientId: string;
  /** the server assigned the client id */
  readonly assigned: boolean;
}

/** CONNACK with a failure code, then close. */
export function connackFailure(p: Processor, version: number, reason: number, message?: string): void {
  const pkt: IConnackPacket =
    version === 5
      ? { cmd: 'connack', sessionPresent: false, reasonCode: reason, ...(message ? { properties: { reasonString: message } } : {}) }
      : { cmd: 'connack', sessionPresent: false, returnCode: connackV3(reason) };
  p.conn.write(encode(pkt, version === 5 ? 5 : 4));
  p.closeNow(message ?? `CONNACK ${reason}`);
}

const MAX_CLIENT_ID_BYTES = 233; // fits 'mqtt-subscription-' + id + 'qos1' in a 255-byte queue name

interface Credentials {
  vhost: string;
  user: AuthUser;
}

function authenticate(p: Processor, c: IConnectPacket): Credentials | number {
  const o = p.ctx.opts;
  const info = p.conn.transport.info;
  let username = c.username;
  let password = c.password?.toString('utf8');
  let certUser = false;
  if (username === undefined && password === undefined && o.sslCertLogin && info.peerCertCN) {
    username = info.peerCertCN;
    certUser = true;
  } else if (username === undefined && password === undefined) {
    if (!o.allowAnonymous || o.defaultUser === undefined) return RC.NOT_AUTHORIZED;
    username = o.defaultUser;
    password = o.defaultPass ?? '';
  }
  if (username === undefined) return RC.BAD_USER_NAME_OR_PASSWORD;
  let vhost = o.portToVhost[String(info.localPort)] ?? o.vhost;
  const colon = username.indexOf(':');
  if (colon >= 0) {
    vhost = username.slice(0, colon);
    username = username.slice(colon + 1);
  }
  if (certUser) return resolveLogin(p, username, vhost); // the certificate proved the identity
  const user = password === undefined ? null : p.ctx.core.users.authenticate(username, password);
  if (!user) return RC.BAD_USER_NAME_OR_PASSWORD;
  return resolveLogin(p, user.name, vhost); // loopback-only users
}

export function handleConnect(p: Processor, c: IConnectPacket): void {
  const version = c.protocolVersion ?? 4;
  p.version = version;
  const v5 = version === 5;
  // [MQTT-3.1.2-1] protocol name must match the level
  if ((c.protocolId === 'MQIsdp') !== (version === 3)) {
    if (v5 || version === 4) return p.closeNow('protocol name does not match the protocol level');
    return connackFailure(p, 4, RC.UNSUPPORTED_PROTOCOL_VERSION);
  }
  // [MQTT-3.1.2-22] (3.1.1): password flag without username flag is malformed
  if (!v5 && c.password !== undefined && c.username === undefined) return p.closeNow('password without username');
  const will = c.will;
  if (will) {
    if ((will.qos ?? 0) > 2) return p.closeNow('will QoS 3'); // [MQTT-3.1.2-14]
    if (topicNameError(will.topic) !== null) {
      return v5 ? connackFailure(p, 5, RC.TOPIC_NAME_INVALID, 'invalid will topic') : p.closeNow('invalid will topic');
    }
  }
  const props = c.properties;
  if (v5 && props) {
    if (props.receiveMaximum === 0) return connackFailure(p, 5, RC.PROTOCOL_ERROR, 'Receive Maximum 0');
    if (props.maximumPacketSize === 0) return connackFailure(p, 5, RC.PROTOCOL_ERROR, 'Maximum Packet Size 0');
  }

  // client identifier
  let clientId = c.clientId;
  let assigned = false;
  if (clientId === '') {
    if (version === 3) return connackFailure(p, version, RC.CLIENT_IDENTIFIER_NOT_VALID); // 3.1: 1..23 characters
    if (version === 4 && !c.clean) return connackFailure(p, version, RC.CLIENT_IDENTIFIER_NOT_VALID); // [MQTT-3.1.3-8]
    clientId = p.ctx.assignClientId(); // [MQTT-3.1.3-6]
    assigned = true;
  }
  if (Buffer.byteLength(clientId) > MAX_CLIENT_ID_BYTES) return connackFailure(p, version, RC.CLIENT_IDENTIFIER_NOT_VALID);

  if (v5 && props?.authenticationMethod !== undefined) return beginConnectAuth(p, { packet: c, clientId, assigned });
  const auth = authenticate(p, c);
  if (typeof auth === 'number') {
    p.log.info({ clientId, username: c.username, reason: auth }, 'mqtt: authentication failed');
    return connackFailure(p, version, auth);
  }
  finishConnect(p, { packet: c, clientId, assigned }, auth);
}

/** Authenticated: open the core connection and session, resume or create the MQTT session, CONNACK. */
export function finishConnect(p: Processor, pending: PendingConnect, auth: Credentials, enhanced?: { method: string; data: Buffer | undefined }): void {
  const { packet: c, clientId, assigned } = pending;
  const version = p.version;
  const v5 = version === 5;
  const props = c.properties;
  const will = c.will;
  const o = p.ctx.opts;
  const info = p.conn.transport.info;
  try {
    p.coreConn = p.ctx.core.openConnection({
      vhost: auth.vhost,
      user: auth.user,
      protocol: version === 5 ? 'mqtt50' : version === 4 ? 'mqtt311' : 'mqtt310',
      remoteAddress: info.remoteAddress,
      remotePort: info.remotePort,
      clientProperties: { clientId, protocolVersion: version },
    });
  } catch (e) {
    p.log.info({ clientId, vhost: auth.vhost, err: String(e) }, 'mqtt: vhost access refused');
    return connackFailure(p, version, RC.NOT_AUTHORIZED, isBrokerError(e) ? e.message : undefined);
  }
  p.clientId = clientId;
  p.vhost = auth.vhost;
  p.user = auth.user;
  const key = AdapterContext.key(auth.vhost, clientId);

  // takeover [MQTT-3.1.4-2], then pending delayed will [MQTT-3.1.3-9 (v5)]
  p.ctx.live.get(key)?.takeover();
  p.ctx.cancelWill(auth.vhost, clientId);

  // session expiry: v5 property; v3/v4: clean=false lasts mqtt.max_session_expiry_interval_seconds
  const requested = v5 ? (props?.sessionExpiryInterval ?? 0) : c.clean ? 0 : o.maxSessionExpirySeconds;
  const expiry = Math.min(requested, o.maxSessionExpirySeconds);
  let state = p.ctx.sessions.get(auth.vhost, clientId);
  if (state && c.clean) {
    p.ctx.endSession(state, p.session); // [MQTT-3.1.2-6] discard the old session
    state = undefined;
  }
  const sessionPresent = state !== undefined;
  if (state) {
    if (state.expiryTimer) clearTimeout(state.expiryTimer);
    state.expiryTimer = undefined;
    state.user = auth.user;
  } else {
    state = newSessionState(auth.vhost, clientId, auth.user);
  }
  state.expirySeconds = expiry;
  p.state = state;
  p.persistent = expiry > 0;
  p.ctx.sessions.put(state);
  if (p.persistent) p.ctx.saveSession(state); // connected: no offline time (a crash restarts its expiry at the next boot)
  else if (sessionPresent) p.ctx.durable?.deleteSession(state); // it ends with this connection now

  if (will) p.will = buildWill(will, o.exchange, o.topicEscaping);
  if (v5 && props) {
    p.clientReceiveMaximum = props.receiveMaximum ?? 65535;
    p.clientMaxPacketSize = props.maximumPacketSize ?? 268_435_460;
    p.clientTopicAliasMax = props.topicAliasMaximum ?? 0;
  }
  let keepalive = c.keepalive ?? 0;
  let serverKeepAlive: number | undefined;
  if (v5 && o.maxKeepAlive !== undefined && (keepalive === 0 || keepalive > o.maxKeepAlive)) {
    keepalive = o.maxKeepAlive;
    serverKeepAlive = keepalive; // [MQTT-3.2.2-21 (v5)]
  }

  p.phase = 'connected';
  p.ctx.live.set(key, p);
  p.conn.connected();
  p.conn.setKeepalive(keepalive, o.keepaliveFactor);
  if (p.hasSession) p.session!.setSessionCredit(p.clientReceiveMaximum); // else: set when it opens (processor.session)
  // mqtt-packet parses later packets with this connection's version already (it keeps the CONNECT as settings)

  const ack: IConnackPacket = { cmd: 'connack', sessionPresent, returnCode: 0 };
  if (v5) {
    delete ack.returnCode;
    ack.reasonCode = RC.SUCCESS;
    ack.properties = {
      topicAliasMaximum: o.topicAliasMaximum,
      maximumPacketSize: o.maxPacketSize,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
    };
    if (o.receiveMaximum < 65535) ack.properties.receiveMaximum = o.receiveMaximum;
    if (assigned) ack.properties.assignedClientIdentifier = clientId;
    if (serverKeepAlive !== undefined) ack.properties.serverKeepAlive = serverKeepAlive;
    if (requested !== expiry) ack.properties.sessionExpiryInterval = expiry;
    if (o.topicAliasMaximum === 0) delete ack.properties.topicAliasMaximum;
    if (enhanced) {
      ack.properties.authenticationMethod = enhanced.method;
      if (enhanced.data) ack.properties.authenticationData = enhanced.data;
    }
  }
  p.send(ack as Packet);
  p.log.debug({ clientId, vhost: auth.vhost, version, sessionPresent }, 'mqtt: connected');
  if (sessionPresent) resumeSession(p);
}
