/**
 * AMQP 0-9-1 error catalogue for the adapter.
 *
 * Responsibilities
 * - `AmqpError`: what the connection/channel processors throw; carries the
 *   reply code, the full reply text ("NOT_FOUND - no queue 'q' in vhost '/'",
 *   RabbitMQ's `~s - ~s` format) and the class/method id of the failing method.
 * - Map core `ErrorCode`s to reply codes (ACCESS_REFUSED 403, NOT_FOUND 404,
 *   RESOURCE_LOCKED 405, PRECONDITION_FAILED/INVALID_ARGUMENT 406 are soft and
 *   close the channel; NOT_ALLOWED 530, NOT_IMPLEMENTED 540, COMMAND_INVALID
 *   503, RESOURCE_ERROR 506, INTERNAL_ERROR 541 are hard and close the
 *   connection).
 * - Soft vs hard: the spec's constant classes; any error on channel 0 is a
 *   connection error whatever its class (rabbit_binary_generator:map_exception).
 */
import type { ErrorCode } from '../../core/index.js';
import { isBrokerError } from '../../core/index.js';

export const REPLY_NAMES: { readonly [code: number]: string } = {
  200: 'REPLY_SUCCESS',
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

/** Hard-error reply codes (spec class "hard-error"): they close the connection. */
const HARD = new Set([320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541]);

export function isHardReplyCode(code: number): boolean {
  return HARD.has(code);
}

/** "NAME - detail", truncated to fit a shortstr (255 bytes) as RabbitMQ does. */
export function replyText(code: number, detail: string): string {
  const name = REPLY_NAMES[code] ?? 'INTERNAL_ERROR';
  const full = detail.startsWith(`${name} - `) ? detail : `${name} - ${detail}`;
  if (Buffer.byteLength(full) <= 255) return full;
  let s = full.slice(0, 255);
  while (Buffer.byteLength(s) > 255) s = s.slice(0, -1);
  return s;
}

export class AmqpError extends Error {
  readonly replyCode: number;
  /** full reply text including the "NAME - " prefix */
  readonly replyText: string;
  classId: number;
  methodId: number;

  constructor(replyCode: number, detail: string, classId = 0, methodId = 0) {
    super(detail);
    this.name = 'AmqpError';
    this.replyCode = replyCode;
    this.replyText = replyText(replyCode, detail);
    this.classId = classId;
    this.methodId = methodId;
  }

  get hard(): boolean {
    return isHardReplyCode(this.replyCode);
  }
}

/** Reply code for a core ErrorCode (or 'COMMAND_INVALID', which the core may add). */
export function replyCodeFor(code: ErrorCode | 'COMMAND_INVALID' | string): number {
  switch (code) {
    case 'ACCESS_REFUSED': return 403;
    case 'NOT_FOUND': return 404;
    case 'RESOURCE_LOCKED': return 405;
    case 'PRECONDITION_FAILED':
    case 'INVALID_ARGUMENT':
    case 'REJECTED_OVERFLOW':
      return 406;
    case 'NOT_ALLOWED': return 530;
    case 'NOT_IMPLEMENTED': return 540;
    case 'COMMAND_INVALID': return 503;
    case 'RESOURCE_ERROR': return 506;
    case 'UNROUTABLE': return 312;
    case 'INTERNAL_ERROR':
    case 'STORE_FAILED':
    default:
      return 541;
  }
}

/**
 * Turn anything thrown while processing a method into an AmqpError tagged with
 * that method's ids. Codec errors carry `replyCode`; core errors carry `code`;
 * anything else is a 541 INTERNAL_ERROR (RabbitMQ closes the connection too).
 */
export function toAmqpError(e: unknown, classId: number, methodId: number): AmqpError {
  if (e instanceof AmqpError) {
    if (e.classId === 0 && e.methodId === 0) {
      e.classId = classId;
      e.methodId = methodId;
    }
    return e;
  }
  if (isBrokerError(e)) return new AmqpError(replyCodeFor(e.code), e.message, classId, methodId);
  if (e !== null && typeof e === 'object' && 'replyCode' in e && typeof e.replyCode === 'number') {
    const ce = e as { replyCode: number; message?: string; classId?: number; methodId?: number };
    return new AmqpError(ce.replyCode, ce.message ?? 'error', ce.classId ?? classId, ce.methodId ?? methodId);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new AmqpError(541, msg, classId, methodId);
}

// ---- frequently thrown errors, with RabbitMQ's texts ----

export function channelError(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(504, detail, classId, methodId);
}

export function unexpectedFrame(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(505, detail, classId, methodId);
}

export function commandInvalid(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(503, detail, classId, methodId);
}

export function notImplemented(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(540, detail, classId, methodId);
}

export function notAllowed(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(530, detail, classId, methodId);
}

export function preconditionFailed(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(406, detail, classId, methodId);
}

export function notFound(detail: string, classId = 0, methodId = 0): AmqpError {
  return new AmqpError(404, detail, classId, methodId);
}
