/**
 * AMQP 0-9-1 wire codec: the API the connection/channel layer codes against.
 *
 * - frames:      FrameParser (incremental, frame_max enforced before buffering),
 *                HEARTBEAT_FRAME, PROTOCOL_HEADER, FRAME_* constants
 * - methods:     decodeMethod(payload) → Method, encodeMethod(channel, name, args) → frame
 * - content:     decodeContentHeader, decodeProperties / encodeProperties,
 *                encodeContent, and single-buffer encodeDeliver / encodeGetOk / encodeReturn
 * - tables:      decodeTable / encodeTable (exact FieldValue round trip)
 * - errors:      AmqpCodecError {replyCode, classId?, methodId?}, REPLY, isHardError
 *
 * Every decode failure throws AmqpCodecError (501 FRAME_ERROR for malformed
 * input, 503 COMMAND_INVALID for unknown class/method ids); encoders throw
 * AmqpCodecError 541 for values that cannot be put on the wire.
 */
import { AmqpCodecError, encodeError } from './errors.js';
import { METHOD_ENCODERS, decodeMethodPayload } from './spec.generated.js';
import type { ArgsOf, Method, MethodName } from './spec.generated.js';

export type { Method, MethodName, ArgsOf, MethodArgs, MethodInfo } from './spec.generated.js';
export type * from './spec.generated.js';
export {
  CLASS, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, METHOD_INFO, REPLY, REPLY_CLASS,
  SPEC_FRAME_MIN_SIZE, isHardError, methodInfo,
} from './spec.generated.js';
export { AmqpCodecError, isAmqpCodecError } from './errors.js';
export { FrameParser } from './frame.js';
export type { FrameParserOptions } from './frame.js';
export {
  HEARTBEAT_FRAME, PROTOCOL_HEADER, decodeContentHeader, encodeContent, encodeDeliver, encodeGetOk, encodeReturn,
} from './content.js';
export type { ContentHeader } from './content.js';
export { EMPTY_PROPERTIES, decodeProperties, encodeProperties } from './properties.js';
export { decodeFields, decodeTable, encodeArray, decodeArrayAt, encodeTable } from './table.js';

/** RabbitMQ's minimum frame_max (the spec JSON says 4096; RabbitMQ enforces 8192). */
export const FRAME_MIN_SIZE = 8192;

/**
 * Decodes a method frame payload (class-id u16, method-id u16, arguments).
 * Throws AmqpCodecError: 503 unknown class/method, 501 undecodable arguments.
 */
export function decodeMethod(payload: Buffer): Method {
  return decodeMethodPayload(payload);
}

/**
 * Encodes a complete method frame (type 1, channel, size, payload, 0xCE).
 * Missing arguments take the spec default-value, else 0 / '' / false / {}.
 */
export function encodeMethod<N extends MethodName>(channel: number, name: N, args: Partial<ArgsOf<N>> = {}): Buffer {
  const encoder = METHOD_ENCODERS[name] as ((channel: number, args: Partial<ArgsOf<N>>) => Buffer) | undefined;
  if (encoder === undefined) throw encodeError(`unknown method '${String(name)}'`);
  try {
    return encoder(channel, args);
  } catch (e) {
    if (e instanceof AmqpCodecError) throw e;
    throw encodeError(`cannot encode ${name}: ${(e as Error).message}`);
  }
}
