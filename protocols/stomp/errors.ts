/**
 * STOMP ERROR catalogue: `StompError` carries the ERROR frame's `message`
 * header and a helpful body; core `BrokerError` codes map to RabbitMQ's
 * lower-case reason names ("not_found", "access_refused" …) with a body of
 * the form "NOT_FOUND - no queue 'q' in vhost '/'" as rabbit_stomp_processor
 * renders a channel error.
 *
 * Every ERROR is fatal (the connection closes after it, [STOMP 1.2 §ERROR])
 * unless `fatal` is false (a rejected receipted SEND).
 */
import { isBrokerError } from '../../core/index.js';
import type { ErrorCode } from '../../core/index.js';
import { isStompCodecError } from './codec.js';

export class StompError extends Error {
  /** the ERROR frame's `message` header */
  readonly header: string;
  /** the ERROR frame's body */
  readonly details: string;
  readonly fatal: boolean;
  constructor(header: string, details: string, fatal = true) {
    super(`${header}: ${details}`);
    this.name = 'StompError';
    this.header = header;
    this.details = details;
    this.fatal = fatal;
  }
}

const REASON: Record<ErrorCode, [string, string]> = {
  ACCESS_REFUSED: ['access_refused', 'ACCESS_REFUSED'],
  NOT_FOUND: ['not_found', 'NOT_FOUND'],
  RESOURCE_LOCKED: ['resource_locked', 'RESOURCE_LOCKED'],
  PRECONDITION_FAILED: ['precondition_failed', 'PRECONDITION_FAILED'],
  INVALID_ARGUMENT: ['precondition_failed', 'PRECONDITION_FAILED'],
  NOT_ALLOWED: ['not_allowed', 'NOT_ALLOWED'],
  COMMAND_INVALID: ['command_invalid', 'COMMAND_INVALID'],
  NOT_IMPLEMENTED: ['not_implemented', 'NOT_IMPLEMENTED'],
  RESOURCE_ERROR: ['resource_error', 'RESOURCE_ERROR'],
  INTERNAL_ERROR: ['internal_error', 'INTERNAL_ERROR'],
  UNROUTABLE: ['unroutable', 'NO_ROUTE'],
  REJECTED_OVERFLOW: ['rejected', 'REJECTED'],
  STORE_FAILED: ['internal_error', 'INTERNAL_ERROR'],
};

/** Any exception raised while processing a frame → the ERROR to send. */
export function toStompError(e: unknown): StompError {
  if (e instanceof StompError) return e;
  if (isStompCodecError(e)) return new StompError(e.message, e.details);
  if (isBrokerError(e)) {
    const [header, name] = REASON[e.code] ?? ['internal_error', 'INTERNAL_ERROR'];
    return new StompError(header, `${name} - ${e.message}`);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new StompError('internal_error', `INTERNAL_ERROR - ${msg}`);
}

export const Errors = {
  notConnected: () => new StompError('Illegal command', 'You must log in using CONNECT first'),
  alreadyConnected: () => new StompError('Unexpected frame', 'CONNECT received on a connected session'),
  versionMismatch: () => new StompError('Version mismatch', 'Supported versions are 1.0,1.1,1.2'),
  badCommand: (cmd: string) => new StompError('Bad command', `Could not interpret command ${JSON.stringify(cmd)}`),
  missingHeader: (cmd: string, header: string) =>
    new StompError(header === 'destination' ? 'Missing destination' : 'Missing header', `${cmd} must include a '${header}' header`),
  invalidHeader: (header: string, value: string, why: string) =>
    new StompError('Invalid header', `Invalid value ${JSON.stringify(value)} for header '${header}': ${why}`),
  badCredentials: (user: string) => new StompError('Bad CONNECT', `Access refused for user '${user}'`),
  missingCredentials: () => new StompError('Bad CONNECT', 'Missing login or passcode header(s)'),
  nonLoopback: () => new StompError('Bad CONNECT', 'non-loopback access denied'),
  vhostDenied: (vhost: string) => new StompError('Bad CONNECT', `Virtual host '${vhost}' access denied`),
  unknownDestination: (d: string) =>
    new StompError(
      'Unknown destination',
      `'${d}' is not a valid destination.\nValid destination types are: /exchange/, /topic/, /queue/, /amq/queue/, /temp-queue/ (reply-to only), /reply-queue/.`,
    ),
  badTransaction: (tx: string) => new StompError('Bad transaction', `Invalid transaction identifier: ${tx}`),
  duplicateSubscription: (id: string) => new StompError('Duplicated subscription identifier', `A subscription identified by '${id}' already exists.`),
  noSubscription: (id: string) => new StompError('No subscription found', `Subscription to '${id}' not found.`),
  invalidMessageId: (h: string, v: string) => new StompError('Invalid header', `${h} '${v}' does not name a message of this session`),
} as const;
