/**
 * Connection handshake pieces (pure functions, no I/O).
 *
 * Responsibilities
 * - connection.start server-properties: product, version, platform,
 *   copyright, information, cluster_name and the nine RabbitMQ
 *   `capabilities` (all true), as rabbit_reader:server_properties/1 sends.
 * - SASL responses: PLAIN ("authzid\0user\0password") and AMQPLAIN (field
 *   table entries LOGIN/PASSWORD without the 4-byte length prefix, which is
 *   what amqplib and the Java client send).
 * - connection.tune-ok validation with RabbitMQ's rules and texts
 *   (530 NOT_ALLOWED "negotiated frame_max = N is higher than the maximum
 *   allowed value (M)"; FRAME_MIN_SIZE is 8192 in RabbitMQ, not the spec's 4096).
 * - Client capabilities lookup (connection.blocked, consumer_cancel_notify,
 *   authentication_failure_close…).
 */
import type { FieldTable, FieldValue } from '../../core/index.js';
import { fieldBool, fieldString } from '../../core/index.js';
import { FRAME_MIN_SIZE, PROTOCOL_HEADER, decodeFields, encodeMethod } from './codec/index.js';
import { commandInvalid, notAllowed } from './errors.js';

/** rabbit_reader CHANNEL_MIN */
export const CHANNEL_MIN = 1;

export const MECHANISMS = 'PLAIN AMQPLAIN';
export const LOCALES = 'en_US';

export const SERVER_CAPABILITIES = [
  'publisher_confirms',
  'exchange_exchange_bindings',
  'basic.nack',
  'consumer_cancel_notify',
  'connection.blocked',
  'consumer_priorities',
  'authentication_failure_close',
  'per_consumer_qos',
  'direct_reply_to',
] as const;

export interface ServerInfo {
  product: string;
  version: string;
  clusterName: string;
}

const str = (value: string): FieldValue => ({ type: 'string', value });

export function serverProperties(s: ServerInfo): FieldTable {
  const caps: Record<string, FieldValue> = {};
  for (const c of SERVER_CAPABILITIES) caps[c] = { type: 'boolean', value: true };
  return {
    capabilities: { type: 'table', value: caps },
    cluster_name: str(s.clusterName),
    copyright: str('Copyright (c) Polyport contributors'),
    information: str('Licensed under the MIT licence'),
    platform: str(`Node.js ${process.version}`),
    product: str(s.product),
    version: str(s.version),
  };
}

/** 'partial' while fewer than 8 bytes that could still be "AMQP\0\0\x09\x01" arrived. */
export function checkProtocolHeader(have: Buffer): 'ok' | 'partial' | 'bad' {
  const n = Math.min(have.length, 8);
  if (!have.subarray(0, n).equals(PROTOCOL_HEADER.subarray(0, n))) return 'bad';
  return n < 8 ? 'partial' : 'ok';
}

/** The connection.start frame. */
export function startMethod(s: ServerInfo): Buffer {
  return encodeMethod(0, 'connection.start', {
    versionMajor: 0,
    versionMinor: 9,
    serverProperties: serverProperties(s),
    mechanisms: MECHANISMS,
    locales: LOCALES,
  });
}

export interface SaslCredentials {
  username: string;
  password: string;
}

/**
 * Parse a start-ok response. Unknown mechanism → 503 COMMAND_INVALID
 * "unknown authentication mechanism 'X'" (rabbit_reader). Returns null when
 * the response is malformed (treated as a failed login).
 */
export function parseSasl(mechanism: string, response: Buffer): SaslCredentials | null {
  if (mechanism === 'PLAIN') {
    // [authzid] NUL authcid NUL passwd (RFC 4616)
    const first = response.indexOf(0);
    if (first < 0) return null;
    const second = response.indexOf(0, first + 1);
    if (second < 0) return null;
    return {
      username: response.toString('utf8', first + 1, second),
      password: response.toString('utf8', second + 1),
    };
  }
  if (mechanism === 'AMQPLAIN') {
    let t: FieldTable;
    try {
      t = decodeFields(response);
    } catch {
      return null;
    }
    const username = fieldString(t['LOGIN']);
    const password = fieldString(t['PASSWORD']);
    if (username === undefined || password === undefined) return null;
    return { username, password };
  }
  throw commandInvalid(`unknown authentication mechanism '${mechanism}'`, 10, 11);
}

export interface TuneLimits {
  frameMax: number;
  channelMax: number;
}

/** rabbit_reader:validate_negotiated_integer_value/3 semantics. */
function validateNegotiated(field: 'frame_max' | 'channel_max', min: number, server: number, client: number): void {
  const detail = field === 'channel_max' && client === 0 ? ' (no limit)' : '';
  if (client !== 0 && client < min) {
    throw notAllowed(`negotiated ${field} = ${client}${detail} is lower than the minimum allowed value (${min})`, 10, 31);
  }
  if (server !== 0 && (client === 0 || client > server)) {
    throw notAllowed(`negotiated ${field} = ${client}${detail} is higher than the maximum allowed value (${server})`, 10, 31);
  }
}

export function validateTuneOk(server: TuneLimits, client: TuneLimits): void {
  validateNegotiated('frame_max', FRAME_MIN_SIZE, server.frameMax, client.frameMax);
  validateNegotiated('channel_max', CHANNEL_MIN, server.channelMax, client.channelMax);
}

export interface ClientCapabilities {
  connectionBlocked: boolean;
  consumerCancelNotify: boolean;
  authenticationFailureClose: boolean;
  publisherConfirms: boolean;
}

export function clientCapabilities(props: FieldTable | undefined): ClientCapabilities {
  const c = props?.['capabilities'];
  const t: FieldTable = c && c.type === 'table' ? c.value : {};
  return {
    connectionBlocked: fieldBool(t['connection.blocked']) === true,
    consumerCancelNotify: fieldBool(t['consumer_cancel_notify']) === true,
    authenticationFailureClose: fieldBool(t['authentication_failure_close']) === true,
    publisherConfirms: fieldBool(t['publisher_confirms']) === true,
  };
}
