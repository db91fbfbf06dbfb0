/**
 * AmqpCodecError: the single error type the AMQP 0-9-1 codec throws for bad
 * input (and for values it cannot put on the wire). `replyCode` is the AMQP
 * reply code the connection layer should close with:
 *   501 FRAME_ERROR      bad frame (end octet, type, size), undecodable or
 *                        truncated method/header/table, invalid UTF-8
 *   503 COMMAND_INVALID  unknown class or method id (RabbitMQ "unimplemented method")
 *   541 INTERNAL_ERROR   encode-side failure (e.g. shortstr longer than 255 bytes)
 * `classId`/`methodId` are set when the failing method is known, so that a
 * connection.close can carry them.
 */
export class AmqpCodecError extends Error {
  readonly replyCode: number;
  readonly classId: number | undefined;
  readonly methodId: number | undefined;

  constructor(replyCode: number, message: string, classId?: number, methodId?: number) {
    super(message);
    this.name = 'AmqpCodecError';
    this.replyCode = replyCode;
    this.classId = classId;
    this.methodId = methodId;
  }
}

export function isAmqpCodecError(e: unknown): e is AmqpCodecError {
  return e instanceof AmqpCodecError;
}

/** 501 FRAME_ERROR: the input cannot be decoded. */
export function frameError(message: string, classId?: number, methodId?: number): AmqpCodecError {
  return new AmqpCodecError(501, message, classId, methodId);
}

/** 541 INTERNAL_ERROR: a value given to an encoder cannot be represented on the wire. */
export function encodeError(message: string): AmqpCodecError {
  return new AmqpCodecError(541, message);
}
