/**
 * The one catalogue of core errors. Core code throws `BrokerError` with a
 * protocol-neutral `ErrorCode`; each adapter maps the code to its wire form
 * (AMQP reply code, MQTT reason code, STOMP ERROR frame).
 */
export type ErrorCode =
  | 'ACCESS_REFUSED' // AMQP 403
  | 'NOT_FOUND' // AMQP 404
  | 'RESOURCE_LOCKED' // AMQP 405
  | 'PRECONDITION_FAILED' // AMQP 406
  | 'NOT_ALLOWED' // AMQP 530 (connection level)
  | 'COMMAND_INVALID' // AMQP 503 (connection level), e.g. "unknown exchange type 'foo'"
  | 'NOT_IMPLEMENTED' // AMQP 540
  | 'RESOURCE_ERROR' // AMQP 506
  | 'INTERNAL_ERROR' // AMQP 541
  | 'INVALID_ARGUMENT' // AMQP 406 on a channel; bad values given by a client
  | 'UNROUTABLE' // no queue took the message (never thrown; used for reject events)
  | 'REJECTED_OVERFLOW' // x-overflow reject-publish
  | 'STORE_FAILED'; // the message store could not persist (disk trouble)

export class BrokerError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'BrokerError';
    this.code = code;
  }
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}
