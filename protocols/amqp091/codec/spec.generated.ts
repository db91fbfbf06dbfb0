// generated — do not edit. Source: amqp-rabbitmq-0.9.1.json (rabbitmq-codegen, see
// LICENSE-amqp-spec.txt); generator: gen.ts (npx tsx protocols/amqp091/codec/gen.ts).
/**
 * AMQP 0-9-1 method definitions: argument types, the `Method` union, decoders
 * (method frame payload → Method) and encoders (args → complete method frame),
 * method metadata, frame constants and reply codes.
 */
import type { FieldTable } from '../../../core/index.js';
import { AmqpCodecError } from './errors.js';
import { decodeTable, tableSize, writeTable } from './table.js';
import {
  readLongstrBytes, readLongstrText, readShortstr, readU16, readU32, readU64Number, readU8,
  shortstrLength, truncated, writeFrameHeader, writeShortstr, writeU16, writeU32, writeU64Number,
} from './wire.js';

const EMPTY: Buffer = Buffer.alloc(0);

// ---- constants ----
export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const SPEC_FRAME_MIN_SIZE = 4096;
export const FRAME_END = 206;

/** Reply codes (connection.close / channel.close / basic.return). */
export const REPLY = {
  SUCCESS: 200,
  CONTENT_TOO_LARGE: 311,
  NO_ROUTE: 312,
  NO_CONSUMERS: 313,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  FRAME_ERROR: 501,
  SYNTAX_ERROR: 502,
  COMMAND_INVALID: 503,
  CHANNEL_ERROR: 504,
  UNEXPECTED_FRAME: 505,
  RESOURCE_ERROR: 506,
  NOT_ALLOWED: 530,
  NOT_IMPLEMENTED: 540,
  INTERNAL_ERROR: 541,
} as const;

/** Reply-code class from the spec: 'soft' closes the channel, 'hard' the connection. */
export const REPLY_CLASS: { readonly [code: number]: 'soft' | 'hard' | undefined } = {
  311: 'soft',
  312: 'soft',
  313: 'soft',
  403: 'soft',
  404: 'soft',
  405: 'soft',
  406: 'soft',
  320: 'hard',
  402: 'hard',
  501: 'hard',
  502: 'hard',
  503: 'hard',
  504: 'hard',
  505: 'hard',
  506: 'hard',
  530: 'hard',
  540: 'hard',
  541: 'hard',
};

/** True for codes of the spec class hard-error (they close the connection). */
export function isHardError(code: number): boolean {
  return REPLY_CLASS[code] === 'hard';
}

export const CLASS = {
  BASIC: 60,
  CONNECTION: 10,
  CHANNEL: 20,
  ACCESS: 30,
  EXCHANGE: 40,
  QUEUE: 50,
  TX: 90,
  CONFIRM: 85,
} as const;

// ---- argument types ----
/** basic.qos (60/10) — synchronous */
export interface BasicQosArgs {
  prefetchSize: number;
  prefetchCount: number;
  global: boolean;
}
/** basic.qos-ok (60/11) */
export type BasicQosOkArgs = Record<never, never>;
/** basic.consume (60/20) — synchronous */
export interface BasicConsumeArgs {
  ticket: number;
  queue: string;
  consumerTag: string;
  noLocal: boolean;
  noAck: boolean;
  exclusive: boolean;
  nowait: boolean;
  arguments: FieldTable;
}
/** basic.consume-ok (60/21) */
export interface BasicConsumeOkArgs {
  consumerTag: string;
}
/** basic.cancel (60/30) — synchronous */
export interface BasicCancelArgs {
  consumerTag: string;
  nowait: boolean;
}
/** basic.cancel-ok (60/31) */
export interface BasicCancelOkArgs {
  consumerTag: string;
}
/** basic.publish (60/40) — carries content */
export interface BasicPublishArgs {
  ticket: number;
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  immediate: boolean;
}
/** basic.return (60/50) — carries content */
export interface BasicReturnArgs {
  replyCode: number;
  replyText: string;
  exchange: string;
  routingKey: string;
}
/** basic.deliver (60/60) — carries content */
export interface BasicDeliverArgs {
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
}
/** basic.get (60/70) — synchronous */
export interface BasicGetArgs {
  ticket: number;
  queue: string;
  noAck: boolean;
}
/** basic.get-ok (60/71) — carries content */
export interface BasicGetOkArgs {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  messageCount: number;
}
/** basic.get-empty (60/72) */
export interface BasicGetEmptyArgs {
  clusterId: string;
}
/** basic.ack (60/80) */
export interface BasicAckArgs {
  deliveryTag: number;
  multiple: boolean;
}
/** basic.reject (60/90) */
export interface BasicRejectArgs {
  deliveryTag: number;
  requeue: boolean;
}
/** basic.recover-async (60/100) */
export interface BasicRecoverAsyncArgs {
  requeue: boolean;
}
/** basic.recover (60/110) — synchronous */
export interface BasicRecoverArgs {
  requeue: boolean;
}
/** basic.recover-ok (60/111) */
export type BasicRecoverOkArgs = Record<never, never>;
/** basic.nack (60/120) */
export interface BasicNackArgs {
  deliveryTag: number;
  multiple: boolean;
  requeue: boolean;
}
/** connection.start (10/10) — synchronous */
export interface ConnectionStartArgs {
  versionMajor: number;
  versionMinor: number;
  serverProperties: FieldTable;
  mechanisms: string;
  locales: string;
}
/** connection.start-ok (10/11) */
export interface ConnectionStartOkArgs {
  clientProperties: FieldTable;
  mechanism: string;
  response: Buffer;
  locale: string;
}
/** connection.secure (10/20) — synchronous */
export interface ConnectionSecureArgs {
  challenge: Buffer;
}
/** connection.secure-ok (10/21) */
export interface ConnectionSecureOkArgs {
  response: Buffer;
}
/** connection.tune (10/30) — synchronous */
export interface ConnectionTuneArgs {
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}
/** connection.tune-ok (10/31) */
export interface ConnectionTuneOkArgs {
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}
/** connection.open (10/40) — synchronous */
export interface ConnectionOpenArgs {
  virtualHost: string;
  capabilities: string;
  insist: boolean;
}
/** connection.open-ok (10/41) */
export interface ConnectionOpenOkArgs {
  knownHosts: string;
}
/** connection.close (10/50) — synchronous */
export interface ConnectionCloseArgs {
  replyCode: number;
  replyText: string;
  failingClassId: number;
  failingMethodId: number;
}
/** connection.close-ok (10/51) */
export type ConnectionCloseOkArgs = Record<never, never>;
/** connection.blocked (10/60) */
export interface ConnectionBlockedArgs {
  reason: string;
}
/** connection.unblocked (10/61) */
export type ConnectionUnblockedArgs = Record<never, never>;
/** connection.update-secret (10/70) — synchronous */
export interface ConnectionUpdateSecretArgs {
  newSecret: Buffer;
  reason: string;
}
/** connection.update-secret-ok (10/71) */
export type ConnectionUpdateSecretOkArgs = Record<never, never>;
/** channel.open (20/10) — synchronous */
export interface ChannelOpenArgs {
  outOfBand: string;
}
/** channel.open-ok (20/11) */
export interface ChannelOpenOkArgs {
  channelId: string;
}
/** channel.flow (20/20) — synchronous */
export interface ChannelFlowArgs {
  active: boolean;
}
/** channel.flow-ok (20/21) */
export interface ChannelFlowOkArgs {
  active: boolean;
}
/** channel.close (20/40) — synchronous */
export interface ChannelCloseArgs {
  replyCode: number;
  replyText: string;
  failingClassId: number;
  failingMethodId: number;
}
/** channel.close-ok (20/41) */
export type ChannelCloseOkArgs = Record<never, never>;
/** access.request (30/10) — synchronous */
export interface AccessRequestArgs {
  realm: string;
  exclusive: boolean;
  passive: boolean;
  active: boolean;
  write: boolean;
  read: boolean;
}
/** access.request-ok (30/11) */
export interface AccessRequestOkArgs {
  ticket: number;
}
/** exchange.declare (40/10) — synchronous */
export interface ExchangeDeclareArgs {
  ticket: number;
  exchange: string;
  type: string;
  passive: boolean;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  nowait: boolean;
  arguments: FieldTable;
}
/** exchange.declare-ok (40/11) */
export type ExchangeDeclareOkArgs = Record<never, never>;
/** exchange.delete (40/20) — synchronous */
export interface ExchangeDeleteArgs {
  ticket: number;
  exchange: string;
  ifUnused: boolean;
  nowait: boolean;
}
/** exchange.delete-ok (40/21) */
export type ExchangeDeleteOkArgs = Record<never, never>;
/** exchange.bind (40/30) — synchronous */
export interface ExchangeBindArgs {
  ticket: number;
  destination: string;
  source: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}
/** exchange.bind-ok (40/31) */
export type ExchangeBindOkArgs = Record<never, never>;
/** exchange.unbind (40/40) — synchronous */
export interface ExchangeUnbindArgs {
  ticket: number;
  destination: string;
  source: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}
/** exchange.unbind-ok (40/51) */
export type ExchangeUnbindOkArgs = Record<never, never>;
/** queue.declare (50/10) — synchronous */
export interface QueueDeclareArgs {
  ticket: number;
  queue: string;
  passive: boolean;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  nowait: boolean;
  arguments: FieldTable;
}
/** queue.declare-ok (50/11) */
export interface QueueDeclareOkArgs {
  queue: string;
  messageCount: number;
  consumerCount: number;
}
/** queue.bind (50/20) — synchronous */
export interface QueueBindArgs {
  ticket: number;
  queue: string;
  exchange: string;
  routingKey: string;
  nowait: boolean;
  arguments: FieldTable;
}
/** queue.bind-ok (50/21) */
export type QueueBindOkArgs = Record<never, never>;
/** queue.purge (50/30) — synchronous */
export interface QueuePurgeArgs {
  ticket: number;
  queue: string;
  nowait: boolean;
}
/** queue.purge-ok (50/31) */
export interface QueuePurgeOkArgs {
  messageCount: number;
}
/** queue.delete (50/40) — synchronous */
export interface QueueDeleteArgs {
  ticket: number;
  queue: string;
  ifUnused: boolean;
  ifEmpty: boolean;
  nowait: boolean;
}
/** queue.delete-ok (50/41) */
export interface QueueDeleteOkArgs {
  messageCount: number;
}
/** queue.unbind (50/50) — synchronous */
export interface QueueUnbindArgs {
  ticket: number;
  queue: string;
  exchange: string;
  routingKey: string;
  arguments: FieldTable;
}
/** queue.unbind-ok (50/51) */
export type QueueUnbindOkArgs = Record<never, never>;
/** tx.select (90/10) — synchronous */
export type TxSelectArgs = Record<never, never>;
/** tx.select-ok (90/11) */
export type TxSelectOkArgs = Record<never, never>;
/** tx.commit (90/20) — synchronous */
export type TxCommitArgs = Record<never, never>;
/** tx.commit-ok (90/21) */
export type TxCommitOkArgs = Record<never, never>;
/** tx.rollback (90/30) — synchronous */
export type TxRollbackArgs = Record<never, never>;
/** tx.rollback-ok (90/31) */
export type TxRollbackOkArgs = Record<never, never>;
/** confirm.select (85/10) — synchronous */
export interface ConfirmSelectArgs {
  nowait: boolean;
}
/** confirm.select-ok (85/11) */
export type ConfirmSelectOkArgs = Record<never, never>;

/** Method name → argument type. */
export interface MethodArgs {
  'basic.qos': BasicQosArgs;
  'basic.qos-ok': BasicQosOkArgs;
  'basic.consume': BasicConsumeArgs;
  'basic.consume-ok': BasicConsumeOkArgs;
  'basic.cancel': BasicCancelArgs;
  'basic.cancel-ok': BasicCancelOkArgs;
  'basic.publish': BasicPublishArgs;
  'basic.return': BasicReturnArgs;
  'basic.deliver': BasicDeliverArgs;
  'basic.get': BasicGetArgs;
  'basic.get-ok': BasicGetOkArgs;
  'basic.get-empty': BasicGetEmptyArgs;
  'basic.ack': BasicAckArgs;
  'basic.reject': BasicRejectArgs;
  'basic.recover-async': BasicRecoverAsyncArgs;
  'basic.recover': BasicRecoverArgs;
  'basic.recover-ok': BasicRecoverOkArgs;
  'basic.nack': BasicNackArgs;
  'connection.start': ConnectionStartArgs;
  'connection.start-ok': ConnectionStartOkArgs;
  'connection.secure': ConnectionSecureArgs;
  'connection.secure-ok': ConnectionSecureOkArgs;
  'connection.tune': ConnectionTuneArgs;
  'connection.tune-ok': ConnectionTuneOkArgs;
  'connection.open': ConnectionOpenArgs;
  'connection.open-ok': ConnectionOpenOkArgs;
  'connection.close': ConnectionCloseArgs;
  'connection.close-ok': ConnectionCloseOkArgs;
  'connection.blocked': ConnectionBlockedArgs;
  'connection.unblocked': ConnectionUnblockedArgs;
  'connection.update-secret': ConnectionUpdateSecretArgs;
  'connection.update-secret-ok': ConnectionUpdateSecretOkArgs;
  'channel.open': ChannelOpenArgs;
  'channel.open-ok': ChannelOpenOkArgs;
  'channel.flow': ChannelFlowArgs;
  'channel.flow-ok': ChannelFlowOkArgs;
  'channel.close': ChannelCloseArgs;
  'channel.close-ok': ChannelCloseOkArgs;
  'access.request': AccessRequestArgs;
  'access.request-ok': AccessRequestOkArgs;
  'exchange.declare': ExchangeDeclareArgs;
  'exchange.declare-ok': ExchangeDeclareOkArgs;
  'exchange.delete': ExchangeDeleteArgs;
  'exchange.delete-ok': ExchangeDeleteOkArgs;
  'exchange.bind': ExchangeBindArgs;
  'exchange.bind-ok': ExchangeBindOkArgs;
  'exchange.unbind': ExchangeUnbindArgs;
  'exchange.unbind-ok': ExchangeUnbindOkArgs;
  'queue.declare': QueueDeclareArgs;
  'queue.declare-ok': QueueDeclareOkArgs;
  'queue.bind': QueueBindArgs;
  'queue.bind-ok': QueueBindOkArgs;
  'queue.purge': QueuePurgeArgs;
  'queue.purge-ok': QueuePurgeOkArgs;
  'queue.delete': QueueDeleteArgs;
  'queue.delete-ok': QueueDeleteOkArgs;
  'queue.unbind': QueueUnbindArgs;
  'queue.unbind-ok': QueueUnbindOkArgs;
  'tx.select': TxSelectArgs;
  'tx.select-ok': TxSelectOkArgs;
  'tx.commit': TxCommitArgs;
  'tx.commit-ok': TxCommitOkArgs;
  'tx.rollback': TxRollbackArgs;
  'tx.rollback-ok': TxRollbackOkArgs;
  'confirm.select': ConfirmSelectArgs;
  'confirm.select-ok': ConfirmSelectOkArgs;
}
export type MethodName = keyof MethodArgs;
export type ArgsOf<N extends MethodName> = MethodArgs[N];

/** A decoded method: name and ids plus its arguments. Discriminate on `name`. */
export type Method =
  | ({ name: 'basic.qos'; classId: 60; methodId: 10 } & BasicQosArgs)
  | ({ name: 'basic.qos-ok'; classId: 60; methodId: 11 } & BasicQosOkArgs)
  | ({ name: 'basic.consume'; classId: 60; methodId: 20 } & BasicConsumeArgs)
  | ({ name: 'basic.consume-ok'; classId: 60; methodId: 21 } & BasicConsumeOkArgs)
  | ({ name: 'basic.cancel'; classId: 60; methodId: 30 } & BasicCancelArgs)
  | ({ name: 'basic.cancel-ok'; classId: 60; methodId: 31 } & BasicCancelOkArgs)
  | ({ name: 'basic.publish'; classId: 60; methodId: 40 } & BasicPublishArgs)
  | ({ name: 'basic.return'; classId: 60; methodId: 50 } & BasicReturnArgs)
  | ({ name: 'basic.deliver'; classId: 60; methodId: 60 } & BasicDeliverArgs)
  | ({ name: 'basic.get'; classId: 60; methodId: 70 } & BasicGetArgs)
  | ({ name: 'basic.get-ok'; classId: 60; methodId: 71 } & BasicGetOkArgs)
  | ({ name: 'basic.get-empty'; classId: 60; methodId: 72 } & BasicGetEmptyArgs)
  | ({ name: 'basic.ack'; classId: 60; methodId: 80 } & BasicAckArgs)
  | ({ name: 'basic.reject'; classId: 60; methodId: 90 } & BasicRejectArgs)
  | ({ name: 'basic.recover-async'; classId: 60; methodId: 100 } & BasicRecoverAsyncArgs)
  | ({ name: 'basic.recover'; classId: 60; methodId: 110 } & BasicRecoverArgs)
  | ({ name: 'basic.recover-ok'; classId: 60; methodId: 111 } & BasicRecoverOkArgs)
  | ({ name: 'basic.nack'; classId: 60; methodId: 120 } & BasicNackArgs)
  | ({ name: 'connection.start'; classId: 10; methodId: 10 } & ConnectionStartArgs)
  | ({ name: 'connection.start-ok'; classId: 10; methodId: 11 } & ConnectionStartOkArgs)
  | ({ name: 'connection.secure'; classId: 10; methodId: 20 } & ConnectionSecureArgs)
  | ({ name: 'connection.secure-ok'; classId: 10; methodId: 21 } & ConnectionSecureOkArgs)
  | ({ name: 'connection.tune'; classId: 10; methodId: 30 } & ConnectionTuneArgs)
  | ({ name: 'connection.tune-ok'; classId: 10; methodId: 31 } & ConnectionTuneOkArgs)
  | ({ name: 'connection.open'; classId: 10; methodId: 40 } & ConnectionOpenArgs)
  | ({ name: 'connection.open-ok'; classId: 10; methodId: 41 } & ConnectionOpenOkArgs)
  | ({ name: 'connection.close'; classId: 10; methodId: 50 } & ConnectionCloseArgs)
  | ({ name: 'connection.close-ok'; classId: 10; methodId: 51 } & ConnectionCloseOkArgs)
  | ({ name: 'connection.blocked'; classId: 10; methodId: 60 } & ConnectionBlockedArgs)
  | ({ name: 'connection.unblocked'; classId: 10; methodId: 61 } & ConnectionUnblockedArgs)
  | ({ name: 'connection.update-secret'; classId: 10; methodId: 70 } & ConnectionUpdateSecretArgs)
  | ({ name: 'connection.update-secret-ok'; classId: 10; methodId: 71 } & ConnectionUpdateSecretOkArgs)
  | ({ name: 'channel.open'; classId: 20; methodId: 10 } & ChannelOpenArgs)
  | ({ name: 'channel.open-ok'; classId: 20; methodId: 11 } & ChannelOpenOkArgs)
  | ({ name: 'channel.flow'; classId: 20; methodId: 20 } & ChannelFlowArgs)
  | ({ name: 'channel.flow-ok'; classId: 20; methodId: 21 } & ChannelFlowOkArgs)
  | ({ name: 'channel.close'; classId: 20; methodId: 40 } & ChannelCloseArgs)
  | ({ name: 'channel.close-ok'; classId: 20; methodId: 41 } & ChannelCloseOkArgs)
  | ({ name: 'access.request'; classId: 30; methodId: 10 } & AccessRequestArgs)
  | ({ name: 'access.request-ok'; classId: 30; methodId: 11 } & AccessRequestOkArgs)
  | ({ name: 'exchange.declare'; classId: 40; methodId: 10 } & ExchangeDeclareArgs)
  | ({ name: 'exchange.declare-ok'; classId: 40; methodId: 11 } & ExchangeDeclareOkArgs)
  | ({ name: 'exchange.delete'; classId: 40; methodId: 20 } & ExchangeDeleteArgs)
  | ({ name: 'exchange.delete-ok'; classId: 40; methodId: 21 } & ExchangeDeleteOkArgs)
  | ({ name: 'exchange.bind'; classId: 40; methodId: 30 } & ExchangeBindArgs)
  | ({ name: 'exchange.bind-ok'; classId: 40; methodId: 31 } & ExchangeBindOkArgs)
  | ({ name: 'exchange.unbind'; classId: 40; methodId: 40 } & ExchangeUnbindArgs)
  | ({ name: 'exchange.unbind-ok'; classId: 40; methodId: 51 } & ExchangeUnbindOkArgs)
  | ({ name: 'queue.declare'; classId: 50; methodId: 10 } & QueueDeclareArgs)
  | ({ name: 'queue.declare-ok'; classId: 50; methodId: 11 } & QueueDeclareOkArgs)
  | ({ name: 'queue.bind'; classId: 50; methodId: 20 } & QueueBindArgs)
  | ({ name: 'queue.bind-ok'; classId: 50; methodId: 21 } & QueueBindOkArgs)
  | ({ name: 'queue.purge'; classId: 50; methodId: 30 } & QueuePurgeArgs)
  | ({ name: 'queue.purge-ok'; classId: 50; methodId: 31 } & QueuePurgeOkArgs)
  | ({ name: 'queue.delete'; classId: 50; methodId: 40 } & QueueDeleteArgs)
  | ({ name: 'queue.delete-ok'; classId: 50; methodId: 41 } & QueueDeleteOkArgs)
  | ({ name: 'queue.unbind'; classId: 50; methodId: 50 } & QueueUnbindArgs)
  | ({ name: 'queue.unbind-ok'; classId: 50; methodId: 51 } & QueueUnbindOkArgs)
  | ({ name: 'tx.select'; classId: 90; methodId: 10 } & TxSelectArgs)
  | ({ name: 'tx.select-ok'; classId: 90; methodId: 11 } & TxSelectOkArgs)
  | ({ name: 'tx.commit'; classId: 90; methodId: 20 } & TxCommitArgs)
  | ({ name: 'tx.commit-ok'; classId: 90; methodId: 21 } & TxCommitOkArgs)
  | ({ name: 'tx.rollback'; classId: 90; methodId: 30 } & TxRollbackArgs)
  | ({ name: 'tx.rollback-ok'; classId: 90; methodId: 31 } & TxRollbackOkArgs)
  | ({ name: 'confirm.select'; classId: 85; methodId: 10 } & ConfirmSelectArgs)
  | ({ name: 'confirm.select-ok'; classId: 85; methodId: 11 } & ConfirmSelectOkArgs);

export interface MethodInfo {
  readonly name: MethodName;
  readonly classId: number;
  readonly methodId: number;
  /** the sender waits for a reply method */
  readonly synchronous: boolean;
  /** followed by a content header and body frames */
  readonly content: boolean;
}

export const METHOD_INFO: { readonly [N in MethodName]: MethodInfo } = {
  'basic.qos': { name: 'basic.qos', classId: 60, methodId: 10, synchronous: true, content: false },
  'basic.qos-ok': { name: 'basic.qos-ok', classId: 60, methodId: 11, synchronous: false, content: false },
  'basic.consume': { name: 'basic.consume', classId: 60, methodId: 20, synchronous: true, content: false },
  'basic.consume-ok': { name: 'basic.consume-ok', classId: 60, methodId: 21, synchronous: false, content: false },
  'basic.cancel': { name: 'basic.cancel', classId: 60, methodId: 30, synchronous: true, content: false },
  'basic.cancel-ok': { name: 'basic.cancel-ok', classId: 60, methodId: 31, synchronous: false, content: false },
  'basic.publish': { name: 'basic.publish', classId: 60, methodId: 40, synchronous: false, content: true },
  'basic.return': { name: 'basic.return', classId: 60, methodId: 50, synchronous: false, content: true },
  'basic.deliver': { name: 'basic.deliver', classId: 60, methodId: 60, synchronous: false, content: true },
  'basic.get': { name: 'basic.get', classId: 60, methodId: 70, synchronous: true, content: false },
  'basic.get-ok': { name: 'basic.get-ok', classId: 60, methodId: 71, synchronous: false, content: true },
  'basic.get-empty': { name: 'basic.get-empty', classId: 60, methodId: 72, synchronous: false, content: false },
  'basic.ack': { name: 'basic.ack', classId: 60, methodId: 80, synchronous: false, content: false },
  'basic.reject': { name: 'basic.reject', classId: 60, methodId: 90, synchronous: false, content: false },
  'basic.recover-async': { name: 'basic.recover-async', classId: 60, methodId: 100, synchronous: false, content: false },
  'basic.recover': { name: 'basic.recover', classId: 60, methodId: 110, synchronous: true, content: false },
  'basic.recover-ok': { name: 'basic.recover-ok', classId: 60, methodId: 111, synchronous: false, content: false },
  'basic.nack': { name: 'basic.nack', classId: 60, methodId: 120, synchronous: false, content: false },
  'connection.start': { name: 'connection.start', classId: 10, methodId: 10, synchronous: true, content: false },
  'connection.start-ok': { name: 'connection.start-ok', classId: 10, methodId: 11, synchronous: false, content: false },
  'connection.secure': { name: 'connection.secure', classId: 10, methodId: 20, synchronous: true, content: false },
  'connection.secure-ok': { name: 'connection.secure-ok', classId: 10, methodId: 21, synchronous: false, content: false },
  'connection.tune': { name: 'connection.tune', classId: 10, methodId: 30, synchronous: true, content: false },
  'connection.tune-ok': { name: 'connection.tune-ok', classId: 10, methodId: 31, synchronous: false, content: false },
  'connection.open': { name: 'connection.open', classId: 10, methodId: 40, synchronous: true, content: false },
  'connection.open-ok': { name: 'connection.open-ok', classId: 10, methodId: 41, synchronous: false, content: false },
  'connection.close': { name: 'connection.close', classId: 10, methodId: 50, synchronous: true, content: false },
  'connection.close-ok': { name: 'connection.close-ok', classId: 10, methodId: 51, synchronous: false, content: false },
  'connection.blocked': { name: 'connection.blocked', classId: 10, methodId: 60, synchronous: false, content: false },
  'connection.unblocked': { name: 'connection.unblocked', classId: 10, methodId: 61, synchronous: false, content: false },
  'connection.update-secret': { name: 'connection.update-secret', classId: 10, methodId: 70, synchronous: true, content: false },
  'connection.update-secret-ok': { name: 'connection.update-secret-ok', classId: 10, methodId: 71, synchronous: false, content: false },
  'channel.open': { name: 'channel.open', classId: 20, methodId: 10, synchronous: true, content: false },
  'channel.open-ok': { name: 'channel.open-ok', classId: 20, methodId: 11, synchronous: false, content: false },
  'channel.flow': { name: 'channel.flow', classId: 20, methodId: 20, synchronous: true, content: false },
  'channel.flow-ok': { name: 'channel.flow-ok', classId: 20, methodId: 21, synchronous: false, content: false },
  'channel.close': { name: 'channel.close', classId: 20, methodId: 40, synchronous: true, content: false },
  'channel.close-ok': { name: 'channel.close-ok', classId: 20, methodId: 41, synchronous: false, content: false },
  'access.request': { name: 'access.request', classId: 30, methodId: 10, synchronous: true, content: false },
  'access.request-ok': { name: 'access.request-ok', classId: 30, methodId: 11, synchronous: false, content: false },
  'exchange.declare': { name: 'exchange.declare', classId: 40, methodId: 10, synchronous: true, content: false },
  'exchange.declare-ok': { name: 'exchange.declare-ok', classId: 40, methodId: 11, synchronous: false, content: false },
  'exchange.delete': { name: 'exchange.delete', classId: 40, methodId: 20, synchronous: true, content: false },
  'exchange.delete-ok': { name: 'exchange.delete-ok', classId: 40, methodId: 21, synchronous: false, content: false },
  'exchange.bind': { name: 'exchange.bind', classId: 40, methodId: 30, synchronous: true, content: false },
  'exchange.bind-ok': { name: 'exchange.bind-ok', classId: 40, methodId: 31, synchronous: false, content: false },
  'exchange.unbind': { name: 'exchange.unbind', classId: 40, methodId: 40, synchronous: true, content: false },
  'exchange.unbind-ok': { name: 'exchange.unbind-ok', classId: 40, methodId: 51, synchronous: false, content: false },
  'queue.declare': { name: 'queue.declare', classId: 50, methodId: 10, synchronous: true, content: false },
  'queue.declare-ok': { name: 'queue.declare-ok', classId: 50, methodId: 11, synchronous: false, content: false },
  'queue.bind': { name: 'queue.bind', classId: 50, methodId: 20, synchronous: true, content: false },
  'queue.bind-ok': { name: 'queue.bind-ok', classId: 50, methodId: 21, synchronous: false, content: false },
  'queue.purge': { name: 'queue.purge', classId: 50, methodId: 30, synchronous: true, content: false },
  'queue.purge-ok': { name: 'queue.purge-ok', classId: 50, methodId: 31, synchronous: false, content: false },
  'queue.delete': { name: 'queue.delete', classId: 50, methodId: 40, synchronous: true, content: false },
  'queue.delete-ok': { name: 'queue.delete-ok', classId: 50, methodId: 41, synchronous: false, content: false },
  'queue.unbind': { name: 'queue.unbind', classId: 50, methodId: 50, synchronous: true, content: false },
  'queue.unbind-ok': { name: 'queue.unbind-ok', classId: 50, methodId: 51, synchronous: false, content: false },
  'tx.select': { name: 'tx.select', classId: 90, methodId: 10, synchronous: true, content: false },
  'tx.select-ok': { name: 'tx.select-ok', classId: 90, methodId: 11, synchronous: false, content: false },
  'tx.commit': { name: 'tx.commit', classId: 90, methodId: 20, synchronous: true, content: false },
  'tx.commit-ok': { name: 'tx.commit-ok', classId: 90, methodId: 21, synchronous: false, content: false },
  'tx.rollback': { name: 'tx.rollback', classId: 90, methodId: 30, synchronous: true, content: false },
  'tx.rollback-ok': { name: 'tx.rollback-ok', classId: 90, methodId: 31, synchronous: false, content: false },
  'confirm.select': { name: 'confirm.select', classId: 85, methodId: 10, synchronous: true, content: false },
  'confirm.select-ok': { name: 'confirm.select-ok', classId: 85, methodId: 11, synchronous: false, content: false },
};

const INFO_BY_ID = new Map<number, MethodInfo>(Object.values(METHOD_INFO).map((i) => [i.classId * 65536 + i.methodId, i]));

/** Metadata for a class/method id pair, or undefined when unknown. */
export function methodInfo(classId: number, methodId: number): MethodInfo | undefined {
  return INFO_BY_ID.get(classId * 65536 + methodId);
}

// ---- decoders: payload = class-id, method-id, arguments ----
function decBasicQos(b: Buffer): Method {
  let o = 4;
  const prefetchSize = readU32(b, o);
  o += 4;
  const prefetchCount = readU16(b, o);
  o += 2;
  const bits1 = readU8(b, o);
  const global = (bits1 & 1) !== 0;
  return { name: 'basic.qos', classId: 60, methodId: 10, prefetchSize, prefetchCount, global };
}
function decBasicQosOk(b: Buffer): Method {
  return { name: 'basic.qos-ok', classId: 60, methodId: 11 };
}
function decBasicConsume(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const consumerTag = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const noLocal = (bits1 & 1) !== 0;
  const noAck = (bits1 & 2) !== 0;
  const exclusive = (bits1 & 4) !== 0;
  const nowait = (bits1 & 8) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'basic.consume', classId: 60, methodId: 20, ticket, queue, consumerTag, noLocal, noAck, exclusive, nowait, arguments: args };
}
function decBasicConsumeOk(b: Buffer): Method {
  let o = 4;
  const consumerTag = readShortstr(b, o);
  return { name: 'basic.consume-ok', classId: 60, methodId: 21, consumerTag };
}
function decBasicCancel(b: Buffer): Method {
  let o = 4;
  const consumerTag = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  return { name: 'basic.cancel', classId: 60, methodId: 30, consumerTag, nowait };
}
function decBasicCancelOk(b: Buffer): Method {
  let o = 4;
  const consumerTag = readShortstr(b, o);
  return { name: 'basic.cancel-ok', classId: 60, methodId: 31, consumerTag };
}
function decBasicPublish(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const mandatory = (bits1 & 1) !== 0;
  const immediate = (bits1 & 2) !== 0;
  return { name: 'basic.publish', classId: 60, methodId: 40, ticket, exchange, routingKey, mandatory, immediate };
}
function decBasicReturn(b: Buffer): Method {
  let o = 4;
  const replyCode = readU16(b, o);
  o += 2;
  const replyText = readShortstr(b, o);
  o += 1 + b[o]!;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  return { name: 'basic.return', classId: 60, methodId: 50, replyCode, replyText, exchange, routingKey };
}
function decBasicDeliver(b: Buffer): Method {
  let o = 4;
  const consumerTag = readShortstr(b, o);
  o += 1 + b[o]!;
  const deliveryTag = readU64Number(b, o);
  o += 8;
  const bits1 = readU8(b, o);
  const redelivered = (bits1 & 1) !== 0;
  o += 1;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  return { name: 'basic.deliver', classId: 60, methodId: 60, consumerTag, deliveryTag, redelivered, exchange, routingKey };
}
function decBasicGet(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const noAck = (bits1 & 1) !== 0;
  return { name: 'basic.get', classId: 60, methodId: 70, ticket, queue, noAck };
}
function decBasicGetOk(b: Buffer): Method {
  let o = 4;
  const deliveryTag = readU64Number(b, o);
  o += 8;
  const bits1 = readU8(b, o);
  const redelivered = (bits1 & 1) !== 0;
  o += 1;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const messageCount = readU32(b, o);
  return { name: 'basic.get-ok', classId: 60, methodId: 71, deliveryTag, redelivered, exchange, routingKey, messageCount };
}
function decBasicGetEmpty(b: Buffer): Method {
  let o = 4;
  const clusterId = readShortstr(b, o);
  return { name: 'basic.get-empty', classId: 60, methodId: 72, clusterId };
}
function decBasicAck(b: Buffer): Method {
  let o = 4;
  const deliveryTag = readU64Number(b, o);
  o += 8;
  const bits1 = readU8(b, o);
  const multiple = (bits1 & 1) !== 0;
  return { name: 'basic.ack', classId: 60, methodId: 80, deliveryTag, multiple };
}
function decBasicReject(b: Buffer): Method {
  let o = 4;
  const deliveryTag = readU64Number(b, o);
  o += 8;
  const bits1 = readU8(b, o);
  const requeue = (bits1 & 1) !== 0;
  return { name: 'basic.reject', classId: 60, methodId: 90, deliveryTag, requeue };
}
function decBasicRecoverAsync(b: Buffer): Method {
  let o = 4;
  const bits1 = readU8(b, o);
  const requeue = (bits1 & 1) !== 0;
  return { name: 'basic.recover-async', classId: 60, methodId: 100, requeue };
}
function decBasicRecover(b: Buffer): Method {
  let o = 4;
  const bits1 = readU8(b, o);
  const requeue = (bits1 & 1) !== 0;
  return { name: 'basic.recover', classId: 60, methodId: 110, requeue };
}
function decBasicRecoverOk(b: Buffer): Method {
  return { name: 'basic.recover-ok', classId: 60, methodId: 111 };
}
function decBasicNack(b: Buffer): Method {
  let o = 4;
  const deliveryTag = readU64Number(b, o);
  o += 8;
  const bits1 = readU8(b, o);
  const multiple = (bits1 & 1) !== 0;
  const requeue = (bits1 & 2) !== 0;
  return { name: 'basic.nack', classId: 60, methodId: 120, deliveryTag, multiple, requeue };
}
function decConnectionStart(b: Buffer): Method {
  let o = 4;
  const versionMajor = readU8(b, o);
  o += 1;
  const versionMinor = readU8(b, o);
  o += 1;
  const serverProperties = decodeTable(b, o);
  o += 4 + b.readUInt32BE(o);
  const mechanisms = readLongstrText(b, o);
  o += 4 + b.readUInt32BE(o);
  const locales = readLongstrText(b, o);
  return { name: 'connection.start', classId: 10, methodId: 10, versionMajor, versionMinor, serverProperties, mechanisms, locales };
}
function decConnectionStartOk(b: Buffer): Method {
  let o = 4;
  const clientProperties = decodeTable(b, o);
  o += 4 + b.readUInt32BE(o);
  const mechanism = readShortstr(b, o);
  o += 1 + b[o]!;
  const response = readLongstrBytes(b, o);
  o += 4 + b.readUInt32BE(o);
  const locale = readShortstr(b, o);
  return { name: 'connection.start-ok', classId: 10, methodId: 11, clientProperties, mechanism, response, locale };
}
function decConnectionSecure(b: Buffer): Method {
  let o = 4;
  const challenge = readLongstrBytes(b, o);
  return { name: 'connection.secure', classId: 10, methodId: 20, challenge };
}
function decConnectionSecureOk(b: Buffer): Method {
  let o = 4;
  const response = readLongstrBytes(b, o);
  return { name: 'connection.secure-ok', classId: 10, methodId: 21, response };
}
function decConnectionTune(b: Buffer): Method {
  let o = 4;
  const channelMax = readU16(b, o);
  o += 2;
  const frameMax = readU32(b, o);
  o += 4;
  const heartbeat = readU16(b, o);
  return { name: 'connection.tune', classId: 10, methodId: 30, channelMax, frameMax, heartbeat };
}
function decConnectionTuneOk(b: Buffer): Method {
  let o = 4;
  const channelMax = readU16(b, o);
  o += 2;
  const frameMax = readU32(b, o);
  o += 4;
  const heartbeat = readU16(b, o);
  return { name: 'connection.tune-ok', classId: 10, methodId: 31, channelMax, frameMax, heartbeat };
}
function decConnectionOpen(b: Buffer): Method {
  let o = 4;
  const virtualHost = readShortstr(b, o);
  o += 1 + b[o]!;
  const capabilities = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const insist = (bits1 & 1) !== 0;
  return { name: 'connection.open', classId: 10, methodId: 40, virtualHost, capabilities, insist };
}
function decConnectionOpenOk(b: Buffer): Method {
  let o = 4;
  const knownHosts = readShortstr(b, o);
  return { name: 'connection.open-ok', classId: 10, methodId: 41, knownHosts };
}
function decConnectionClose(b: Buffer): Method {
  let o = 4;
  const replyCode = readU16(b, o);
  o += 2;
  const replyText = readShortstr(b, o);
  o += 1 + b[o]!;
  const failingClassId = readU16(b, o);
  o += 2;
  const failingMethodId = readU16(b, o);
  return { name: 'connection.close', classId: 10, methodId: 50, replyCode, replyText, failingClassId, failingMethodId };
}
function decConnectionCloseOk(b: Buffer): Method {
  return { name: 'connection.close-ok', classId: 10, methodId: 51 };
}
function decConnectionBlocked(b: Buffer): Method {
  let o = 4;
  const reason = readShortstr(b, o);
  return { name: 'connection.blocked', classId: 10, methodId: 60, reason };
}
function decConnectionUnblocked(b: Buffer): Method {
  return { name: 'connection.unblocked', classId: 10, methodId: 61 };
}
function decConnectionUpdateSecret(b: Buffer): Method {
  let o = 4;
  const newSecret = readLongstrBytes(b, o);
  o += 4 + b.readUInt32BE(o);
  const reason = readShortstr(b, o);
  return { name: 'connection.update-secret', classId: 10, methodId: 70, newSecret, reason };
}
function decConnectionUpdateSecretOk(b: Buffer): Method {
  return { name: 'connection.update-secret-ok', classId: 10, methodId: 71 };
}
function decChannelOpen(b: Buffer): Method {
  let o = 4;
  const outOfBand = readShortstr(b, o);
  return { name: 'channel.open', classId: 20, methodId: 10, outOfBand };
}
function decChannelOpenOk(b: Buffer): Method {
  let o = 4;
  const channelId = readLongstrText(b, o);
  return { name: 'channel.open-ok', classId: 20, methodId: 11, channelId };
}
function decChannelFlow(b: Buffer): Method {
  let o = 4;
  const bits1 = readU8(b, o);
  const active = (bits1 & 1) !== 0;
  return { name: 'channel.flow', classId: 20, methodId: 20, active };
}
function decChannelFlowOk(b: Buffer): Method {
  let o = 4;
  const bits1 = readU8(b, o);
  const active = (bits1 & 1) !== 0;
  return { name: 'channel.flow-ok', classId: 20, methodId: 21, active };
}
function decChannelClose(b: Buffer): Method {
  let o = 4;
  const replyCode = readU16(b, o);
  o += 2;
  const replyText = readShortstr(b, o);
  o += 1 + b[o]!;
  const failingClassId = readU16(b, o);
  o += 2;
  const failingMethodId = readU16(b, o);
  return { name: 'channel.close', classId: 20, methodId: 40, replyCode, replyText, failingClassId, failingMethodId };
}
function decChannelCloseOk(b: Buffer): Method {
  return { name: 'channel.close-ok', classId: 20, methodId: 41 };
}
function decAccessRequest(b: Buffer): Method {
  let o = 4;
  const realm = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const exclusive = (bits1 & 1) !== 0;
  const passive = (bits1 & 2) !== 0;
  const active = (bits1 & 4) !== 0;
  const write = (bits1 & 8) !== 0;
  const read = (bits1 & 16) !== 0;
  return { name: 'access.request', classId: 30, methodId: 10, realm, exclusive, passive, active, write, read };
}
function decAccessRequestOk(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  return { name: 'access.request-ok', classId: 30, methodId: 11, ticket };
}
function decExchangeDeclare(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const type = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const passive = (bits1 & 1) !== 0;
  const durable = (bits1 & 2) !== 0;
  const autoDelete = (bits1 & 4) !== 0;
  const internal = (bits1 & 8) !== 0;
  const nowait = (bits1 & 16) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'exchange.declare', classId: 40, methodId: 10, ticket, exchange, type, passive, durable, autoDelete, internal, nowait, arguments: args };
}
function decExchangeDeclareOk(b: Buffer): Method {
  return { name: 'exchange.declare-ok', classId: 40, methodId: 11 };
}
function decExchangeDelete(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const ifUnused = (bits1 & 1) !== 0;
  const nowait = (bits1 & 2) !== 0;
  return { name: 'exchange.delete', classId: 40, methodId: 20, ticket, exchange, ifUnused, nowait };
}
function decExchangeDeleteOk(b: Buffer): Method {
  return { name: 'exchange.delete-ok', classId: 40, methodId: 21 };
}
function decExchangeBind(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const destination = readShortstr(b, o);
  o += 1 + b[o]!;
  const source = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'exchange.bind', classId: 40, methodId: 30, ticket, destination, source, routingKey, nowait, arguments: args };
}
function decExchangeBindOk(b: Buffer): Method {
  return { name: 'exchange.bind-ok', classId: 40, methodId: 31 };
}
function decExchangeUnbind(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const destination = readShortstr(b, o);
  o += 1 + b[o]!;
  const source = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'exchange.unbind', classId: 40, methodId: 40, ticket, destination, source, routingKey, nowait, arguments: args };
}
function decExchangeUnbindOk(b: Buffer): Method {
  return { name: 'exchange.unbind-ok', classId: 40, methodId: 51 };
}
function decQueueDeclare(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const passive = (bits1 & 1) !== 0;
  const durable = (bits1 & 2) !== 0;
  const exclusive = (bits1 & 4) !== 0;
  const autoDelete = (bits1 & 8) !== 0;
  const nowait = (bits1 & 16) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'queue.declare', classId: 50, methodId: 10, ticket, queue, passive, durable, exclusive, autoDelete, nowait, arguments: args };
}
function decQueueDeclareOk(b: Buffer): Method {
  let o = 4;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const messageCount = readU32(b, o);
  o += 4;
  const consumerCount = readU32(b, o);
  return { name: 'queue.declare-ok', classId: 50, methodId: 11, queue, messageCount, consumerCount };
}
function decQueueBind(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  o += 1;
  const args = decodeTable(b, o);
  return { name: 'queue.bind', classId: 50, methodId: 20, ticket, queue, exchange, routingKey, nowait, arguments: args };
}
function decQueueBindOk(b: Buffer): Method {
  return { name: 'queue.bind-ok', classId: 50, methodId: 21 };
}
function decQueuePurge(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  return { name: 'queue.purge', classId: 50, methodId: 30, ticket, queue, nowait };
}
function decQueuePurgeOk(b: Buffer): Method {
  let o = 4;
  const messageCount = readU32(b, o);
  return { name: 'queue.purge-ok', classId: 50, methodId: 31, messageCount };
}
function decQueueDelete(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const bits1 = readU8(b, o);
  const ifUnused = (bits1 & 1) !== 0;
  const ifEmpty = (bits1 & 2) !== 0;
  const nowait = (bits1 & 4) !== 0;
  return { name: 'queue.delete', classId: 50, methodId: 40, ticket, queue, ifUnused, ifEmpty, nowait };
}
function decQueueDeleteOk(b: Buffer): Method {
  let o = 4;
  const messageCount = readU32(b, o);
  return { name: 'queue.delete-ok', classId: 50, methodId: 41, messageCount };
}
function decQueueUnbind(b: Buffer): Method {
  let o = 4;
  const ticket = readU16(b, o);
  o += 2;
  const queue = readShortstr(b, o);
  o += 1 + b[o]!;
  const exchange = readShortstr(b, o);
  o += 1 + b[o]!;
  const routingKey = readShortstr(b, o);
  o += 1 + b[o]!;
  const args = decodeTable(b, o);
  return { name: 'queue.unbind', classId: 50, methodId: 50, ticket, queue, exchange, routingKey, arguments: args };
}
function decQueueUnbindOk(b: Buffer): Method {
  return { name: 'queue.unbind-ok', classId: 50, methodId: 51 };
}
function decTxSelect(b: Buffer): Method {
  return { name: 'tx.select', classId: 90, methodId: 10 };
}
function decTxSelectOk(b: Buffer): Method {
  return { name: 'tx.select-ok', classId: 90, methodId: 11 };
}
function decTxCommit(b: Buffer): Method {
  return { name: 'tx.commit', classId: 90, methodId: 20 };
}
function decTxCommitOk(b: Buffer): Method {
  return { name: 'tx.commit-ok', classId: 90, methodId: 21 };
}
function decTxRollback(b: Buffer): Method {
  return { name: 'tx.rollback', classId: 90, methodId: 30 };
}
function decTxRollbackOk(b: Buffer): Method {
  return { name: 'tx.rollback-ok', classId: 90, methodId: 31 };
}
function decConfirmSelect(b: Buffer): Method {
  let o = 4;
  const bits1 = readU8(b, o);
  const nowait = (bits1 & 1) !== 0;
  return { name: 'confirm.select', classId: 85, methodId: 10, nowait };
}
function decConfirmSelectOk(b: Buffer): Method {
  return { name: 'confirm.select-ok', classId: 85, methodId: 11 };
}

/**
 * Decodes a method frame payload. Unknown class/method → AmqpCodecError 503;
 * truncated or malformed arguments → 501 (with classId/methodId set).
 */
export function decodeMethodPayload(b: Buffer): Method {
  if (b.length < 4) truncated('method frame');
  const c = (b[0]! << 8) | b[1]!;
  const m = (b[2]! << 8) | b[3]!;
  try {
    switch (c) {
      case 60:
        switch (m) {
          case 10: return decBasicQos(b);
          case 11: return decBasicQosOk(b);
          case 20: return decBasicConsume(b);
          case 21: return decBasicConsumeOk(b);
          case 30: return decBasicCancel(b);
          case 31: return decBasicCancelOk(b);
          case 40: return decBasicPublish(b);
          case 50: return decBasicReturn(b);
          case 60: return decBasicDeliver(b);
          case 70: return decBasicGet(b);
          case 71: return decBasicGetOk(b);
          case 72: return decBasicGetEmpty(b);
          case 80: return decBasicAck(b);
          case 90: return decBasicReject(b);
          case 100: return decBasicRecoverAsync(b);
          case 110: return decBasicRecover(b);
          case 111: return decBasicRecoverOk(b);
          case 120: return decBasicNack(b);
        }
        break;
      case 10:
        switch (m) {
          case 10: return decConnectionStart(b);
          case 11: return decConnectionStartOk(b);
          case 20: return decConnectionSecure(b);
          case 21: return decConnectionSecureOk(b);
          case 30: return decConnectionTune(b);
          case 31: return decConnectionTuneOk(b);
          case 40: return decConnectionOpen(b);
          case 41: return decConnectionOpenOk(b);
          case 50: return decConnectionClose(b);
          case 51: return decConnectionCloseOk(b);
          case 60: return decConnectionBlocked(b);
          case 61: return decConnectionUnblocked(b);
          case 70: return decConnectionUpdateSecret(b);
          case 71: return decConnectionUpdateSecretOk(b);
        }
        break;
      case 20:
        switch (m) {
          case 10: return decChannelOpen(b);
          case 11: return decChannelOpenOk(b);
          case 20: return decChannelFlow(b);
          case 21: return decChannelFlowOk(b);
          case 40: return decChannelClose(b);
          case 41: return decChannelCloseOk(b);
        }
        break;
      case 30:
        switch (m) {
          case 10: return decAccessRequest(b);
          case 11: return decAccessRequestOk(b);
        }
        break;
      case 40:
        switch (m) {
          case 10: return decExchangeDeclare(b);
          case 11: return decExchangeDeclareOk(b);
          case 20: return decExchangeDelete(b);
          case 21: return decExchangeDeleteOk(b);
          case 30: return decExchangeBind(b);
          case 31: return decExchangeBindOk(b);
          case 40: return decExchangeUnbind(b);
          case 51: return decExchangeUnbindOk(b);
        }
        break;
      case 50:
        switch (m) {
          case 10: return decQueueDeclare(b);
          case 11: return decQueueDeclareOk(b);
          case 20: return decQueueBind(b);
          case 21: return decQueueBindOk(b);
          case 30: return decQueuePurge(b);
          case 31: return decQueuePurgeOk(b);
          case 40: return decQueueDelete(b);
          case 41: return decQueueDeleteOk(b);
          case 50: return decQueueUnbind(b);
          case 51: return decQueueUnbindOk(b);
        }
        break;
      case 90:
        switch (m) {
          case 10: return decTxSelect(b);
          case 11: return decTxSelectOk(b);
          case 20: return decTxCommit(b);
          case 21: return decTxCommitOk(b);
          case 30: return decTxRollback(b);
          case 31: return decTxRollbackOk(b);
        }
        break;
      case 85:
        switch (m) {
          case 10: return decConfirmSelect(b);
          case 11: return decConfirmSelectOk(b);
        }
        break;
    }
  } catch (e) {
    if (e instanceof AmqpCodecError && e.classId === undefined) throw new AmqpCodecError(e.replyCode, e.message, c, m);
    throw e;
  }
  throw new AmqpCodecError(503, `unknown method ${c}/${m}`, c, m);
}

// ---- encoders: args → complete method frame (header, payload, frame-end) ----
function encBasicQos(ch: number, a: Partial<BasicQosArgs>): Buffer {
  const prefetchSize = a.prefetchSize ?? 0;
  const prefetchCount = a.prefetchCount ?? 0;
  const global = a.global ?? false;
  const size = 11;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932170); // 60/10
  o = writeU32(b, o, prefetchSize);
  o = writeU16(b, o, prefetchCount);
  b[o++] = (global ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicQosOk(ch: number, _a: Partial<BasicQosOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932171); // 60/11
  b[o] = FRAME_END;
  return b;
}
function encBasicConsume(ch: number, a: Partial<BasicConsumeArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const consumerTag = a.consumerTag ?? '';
  const consumerTagLen = shortstrLength(consumerTag, 'consumer-tag');
  const noLocal = a.noLocal ?? false;
  const noAck = a.noAck ?? false;
  const exclusive = a.exclusive ?? false;
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 13 + queueLen + consumerTagLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932180); // 60/20
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  o = writeShortstr(b, o, consumerTag, consumerTagLen);
  b[o++] = (noLocal ? 1 : 0) | (noAck ? 2 : 0) | (exclusive ? 4 : 0) | (nowait ? 8 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encBasicConsumeOk(ch: number, a: Partial<BasicConsumeOkArgs>): Buffer {
  const consumerTag = a.consumerTag ?? '';
  const consumerTagLen = shortstrLength(consumerTag, 'consumer-tag');
  const size = 5 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932181); // 60/21
  o = writeShortstr(b, o, consumerTag, consumerTagLen);
  b[o] = FRAME_END;
  return b;
}
function encBasicCancel(ch: number, a: Partial<BasicCancelArgs>): Buffer {
  const consumerTag = a.consumerTag ?? '';
  const consumerTagLen = shortstrLength(consumerTag, 'consumer-tag');
  const nowait = a.nowait ?? false;
  const size = 6 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932190); // 60/30
  o = writeShortstr(b, o, consumerTag, consumerTagLen);
  b[o++] = (nowait ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicCancelOk(ch: number, a: Partial<BasicCancelOkArgs>): Buffer {
  const consumerTag = a.consumerTag ?? '';
  const consumerTagLen = shortstrLength(consumerTag, 'consumer-tag');
  const size = 5 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932191); // 60/31
  o = writeShortstr(b, o, consumerTag, consumerTagLen);
  b[o] = FRAME_END;
  return b;
}
function encBasicPublish(ch: number, a: Partial<BasicPublishArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const mandatory = a.mandatory ?? false;
  const immediate = a.immediate ?? false;
  const size = 9 + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932200); // 60/40
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o++] = (mandatory ? 1 : 0) | (immediate ? 2 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicReturn(ch: number, a: Partial<BasicReturnArgs>): Buffer {
  const replyCode = a.replyCode ?? 0;
  const replyText = a.replyText ?? '';
  const replyTextLen = shortstrLength(replyText, 'reply-text');
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const size = 9 + replyTextLen + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932210); // 60/50
  o = writeU16(b, o, replyCode);
  o = writeShortstr(b, o, replyText, replyTextLen);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o] = FRAME_END;
  return b;
}
function encBasicDeliver(ch: number, a: Partial<BasicDeliverArgs>): Buffer {
  const consumerTag = a.consumerTag ?? '';
  const consumerTagLen = shortstrLength(consumerTag, 'consumer-tag');
  const deliveryTag = a.deliveryTag ?? 0;
  const redelivered = a.redelivered ?? false;
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const size = 16 + consumerTagLen + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932220); // 60/60
  o = writeShortstr(b, o, consumerTag, consumerTagLen);
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = (redelivered ? 1 : 0);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o] = FRAME_END;
  return b;
}
function encBasicGet(ch: number, a: Partial<BasicGetArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const noAck = a.noAck ?? false;
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932230); // 60/70
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  b[o++] = (noAck ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicGetOk(ch: number, a: Partial<BasicGetOkArgs>): Buffer {
  const deliveryTag = a.deliveryTag ?? 0;
  const redelivered = a.redelivered ?? false;
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const messageCount = a.messageCount ?? 0;
  const size = 19 + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932231); // 60/71
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = (redelivered ? 1 : 0);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  o = writeU32(b, o, messageCount);
  b[o] = FRAME_END;
  return b;
}
function encBasicGetEmpty(ch: number, a: Partial<BasicGetEmptyArgs>): Buffer {
  const clusterId = a.clusterId ?? '';
  const clusterIdLen = shortstrLength(clusterId, 'cluster-id');
  const size = 5 + clusterIdLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932232); // 60/72
  o = writeShortstr(b, o, clusterId, clusterIdLen);
  b[o] = FRAME_END;
  return b;
}
function encBasicAck(ch: number, a: Partial<BasicAckArgs>): Buffer {
  const deliveryTag = a.deliveryTag ?? 0;
  const multiple = a.multiple ?? false;
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932240); // 60/80
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = (multiple ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicReject(ch: number, a: Partial<BasicRejectArgs>): Buffer {
  const deliveryTag = a.deliveryTag ?? 0;
  const requeue = a.requeue ?? true;
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932250); // 60/90
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = (requeue ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicRecoverAsync(ch: number, a: Partial<BasicRecoverAsyncArgs>): Buffer {
  const requeue = a.requeue ?? false;
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932260); // 60/100
  b[o++] = (requeue ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicRecover(ch: number, a: Partial<BasicRecoverArgs>): Buffer {
  const requeue = a.requeue ?? false;
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932270); // 60/110
  b[o++] = (requeue ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encBasicRecoverOk(ch: number, _a: Partial<BasicRecoverOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932271); // 60/111
  b[o] = FRAME_END;
  return b;
}
function encBasicNack(ch: number, a: Partial<BasicNackArgs>): Buffer {
  const deliveryTag = a.deliveryTag ?? 0;
  const multiple = a.multiple ?? false;
  const requeue = a.requeue ?? true;
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3932280); // 60/120
  o = writeU64Number(b, o, deliveryTag);
  b[o++] = (multiple ? 1 : 0) | (requeue ? 2 : 0);
  b[o] = FRAME_END;
  return b;
}
function encConnectionStart(ch: number, a: Partial<ConnectionStartArgs>): Buffer {
  const versionMajor = a.versionMajor ?? 0;
  const versionMinor = a.versionMinor ?? 9;
  const serverProperties = a.serverProperties ?? {};
  const serverPropertiesSize = tableSize(serverProperties);
  const mechanisms = a.mechanisms ?? 'PLAIN';
  const mechanismsLen = Buffer.byteLength(mechanisms, 'utf8');
  const locales = a.locales ?? 'en_US';
  const localesLen = Buffer.byteLength(locales, 'utf8');
  const size = 18 + serverPropertiesSize + mechanismsLen + localesLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655370); // 10/10
  b.writeUInt8(versionMajor, o++);
  b.writeUInt8(versionMinor, o++);
  o = writeTable(b, o, serverProperties);
  o = writeU32(b, o, mechanismsLen);
  o += b.write(mechanisms, o, mechanismsLen, 'utf8');
  o = writeU32(b, o, localesLen);
  o += b.write(locales, o, localesLen, 'utf8');
  b[o] = FRAME_END;
  return b;
}
function encConnectionStartOk(ch: number, a: Partial<ConnectionStartOkArgs>): Buffer {
  const clientProperties = a.clientProperties ?? {};
  const clientPropertiesSize = tableSize(clientProperties);
  const mechanism = a.mechanism ?? 'PLAIN';
  const mechanismLen = shortstrLength(mechanism, 'mechanism');
  const response = a.response ?? EMPTY;
  const locale = a.locale ?? 'en_US';
  const localeLen = shortstrLength(locale, 'locale');
  const size = 14 + clientPropertiesSize + mechanismLen + response.length + localeLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655371); // 10/11
  o = writeTable(b, o, clientProperties);
  o = writeShortstr(b, o, mechanism, mechanismLen);
  o = writeU32(b, o, response.length);
  o += response.copy(b, o);
  o = writeShortstr(b, o, locale, localeLen);
  b[o] = FRAME_END;
  return b;
}
function encConnectionSecure(ch: number, a: Partial<ConnectionSecureArgs>): Buffer {
  const challenge = a.challenge ?? EMPTY;
  const size = 8 + challenge.length;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655380); // 10/20
  o = writeU32(b, o, challenge.length);
  o += challenge.copy(b, o);
  b[o] = FRAME_END;
  return b;
}
function encConnectionSecureOk(ch: number, a: Partial<ConnectionSecureOkArgs>): Buffer {
  const response = a.response ?? EMPTY;
  const size = 8 + response.length;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655381); // 10/21
  o = writeU32(b, o, response.length);
  o += response.copy(b, o);
  b[o] = FRAME_END;
  return b;
}
function encConnectionTune(ch: number, a: Partial<ConnectionTuneArgs>): Buffer {
  const channelMax = a.channelMax ?? 0;
  const frameMax = a.frameMax ?? 0;
  const heartbeat = a.heartbeat ?? 0;
  const size = 12;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655390); // 10/30
  o = writeU16(b, o, channelMax);
  o = writeU32(b, o, frameMax);
  o = writeU16(b, o, heartbeat);
  b[o] = FRAME_END;
  return b;
}
function encConnectionTuneOk(ch: number, a: Partial<ConnectionTuneOkArgs>): Buffer {
  const channelMax = a.channelMax ?? 0;
  const frameMax = a.frameMax ?? 0;
  const heartbeat = a.heartbeat ?? 0;
  const size = 12;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655391); // 10/31
  o = writeU16(b, o, channelMax);
  o = writeU32(b, o, frameMax);
  o = writeU16(b, o, heartbeat);
  b[o] = FRAME_END;
  return b;
}
function encConnectionOpen(ch: number, a: Partial<ConnectionOpenArgs>): Buffer {
  const virtualHost = a.virtualHost ?? '/';
  const virtualHostLen = shortstrLength(virtualHost, 'virtual-host');
  const capabilities = a.capabilities ?? '';
  const capabilitiesLen = shortstrLength(capabilities, 'capabilities');
  const insist = a.insist ?? false;
  const size = 7 + virtualHostLen + capabilitiesLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655400); // 10/40
  o = writeShortstr(b, o, virtualHost, virtualHostLen);
  o = writeShortstr(b, o, capabilities, capabilitiesLen);
  b[o++] = (insist ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encConnectionOpenOk(ch: number, a: Partial<ConnectionOpenOkArgs>): Buffer {
  const knownHosts = a.knownHosts ?? '';
  const knownHostsLen = shortstrLength(knownHosts, 'known-hosts');
  const size = 5 + knownHostsLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655401); // 10/41
  o = writeShortstr(b, o, knownHosts, knownHostsLen);
  b[o] = FRAME_END;
  return b;
}
function encConnectionClose(ch: number, a: Partial<ConnectionCloseArgs>): Buffer {
  const replyCode = a.replyCode ?? 0;
  const replyText = a.replyText ?? '';
  const replyTextLen = shortstrLength(replyText, 'reply-text');
  const failingClassId = a.failingClassId ?? 0;
  const failingMethodId = a.failingMethodId ?? 0;
  const size = 11 + replyTextLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655410); // 10/50
  o = writeU16(b, o, replyCode);
  o = writeShortstr(b, o, replyText, replyTextLen);
  o = writeU16(b, o, failingClassId);
  o = writeU16(b, o, failingMethodId);
  b[o] = FRAME_END;
  return b;
}
function encConnectionCloseOk(ch: number, _a: Partial<ConnectionCloseOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655411); // 10/51
  b[o] = FRAME_END;
  return b;
}
function encConnectionBlocked(ch: number, a: Partial<ConnectionBlockedArgs>): Buffer {
  const reason = a.reason ?? '';
  const reasonLen = shortstrLength(reason, 'reason');
  const size = 5 + reasonLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655420); // 10/60
  o = writeShortstr(b, o, reason, reasonLen);
  b[o] = FRAME_END;
  return b;
}
function encConnectionUnblocked(ch: number, _a: Partial<ConnectionUnblockedArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655421); // 10/61
  b[o] = FRAME_END;
  return b;
}
function encConnectionUpdateSecret(ch: number, a: Partial<ConnectionUpdateSecretArgs>): Buffer {
  const newSecret = a.newSecret ?? EMPTY;
  const reason = a.reason ?? '';
  const reasonLen = shortstrLength(reason, 'reason');
  const size = 9 + newSecret.length + reasonLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655430); // 10/70
  o = writeU32(b, o, newSecret.length);
  o += newSecret.copy(b, o);
  o = writeShortstr(b, o, reason, reasonLen);
  b[o] = FRAME_END;
  return b;
}
function encConnectionUpdateSecretOk(ch: number, _a: Partial<ConnectionUpdateSecretOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 655431); // 10/71
  b[o] = FRAME_END;
  return b;
}
function encChannelOpen(ch: number, a: Partial<ChannelOpenArgs>): Buffer {
  const outOfBand = a.outOfBand ?? '';
  const outOfBandLen = shortstrLength(outOfBand, 'out-of-band');
  const size = 5 + outOfBandLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310730); // 20/10
  o = writeShortstr(b, o, outOfBand, outOfBandLen);
  b[o] = FRAME_END;
  return b;
}
function encChannelOpenOk(ch: number, a: Partial<ChannelOpenOkArgs>): Buffer {
  const channelId = a.channelId ?? '';
  const channelIdLen = Buffer.byteLength(channelId, 'utf8');
  const size = 8 + channelIdLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310731); // 20/11
  o = writeU32(b, o, channelIdLen);
  o += b.write(channelId, o, channelIdLen, 'utf8');
  b[o] = FRAME_END;
  return b;
}
function encChannelFlow(ch: number, a: Partial<ChannelFlowArgs>): Buffer {
  const active = a.active ?? false;
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310740); // 20/20
  b[o++] = (active ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encChannelFlowOk(ch: number, a: Partial<ChannelFlowOkArgs>): Buffer {
  const active = a.active ?? false;
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310741); // 20/21
  b[o++] = (active ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encChannelClose(ch: number, a: Partial<ChannelCloseArgs>): Buffer {
  const replyCode = a.replyCode ?? 0;
  const replyText = a.replyText ?? '';
  const replyTextLen = shortstrLength(replyText, 'reply-text');
  const failingClassId = a.failingClassId ?? 0;
  const failingMethodId = a.failingMethodId ?? 0;
  const size = 11 + replyTextLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310760); // 20/40
  o = writeU16(b, o, replyCode);
  o = writeShortstr(b, o, replyText, replyTextLen);
  o = writeU16(b, o, failingClassId);
  o = writeU16(b, o, failingMethodId);
  b[o] = FRAME_END;
  return b;
}
function encChannelCloseOk(ch: number, _a: Partial<ChannelCloseOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1310761); // 20/41
  b[o] = FRAME_END;
  return b;
}
function encAccessRequest(ch: number, a: Partial<AccessRequestArgs>): Buffer {
  const realm = a.realm ?? '/data';
  const realmLen = shortstrLength(realm, 'realm');
  const exclusive = a.exclusive ?? false;
  const passive = a.passive ?? true;
  const active = a.active ?? true;
  const write = a.write ?? true;
  const read = a.read ?? true;
  const size = 6 + realmLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1966090); // 30/10
  o = writeShortstr(b, o, realm, realmLen);
  b[o++] = (exclusive ? 1 : 0) | (passive ? 2 : 0) | (active ? 4 : 0) | (write ? 8 : 0) | (read ? 16 : 0);
  b[o] = FRAME_END;
  return b;
}
function encAccessRequestOk(ch: number, a: Partial<AccessRequestOkArgs>): Buffer {
  const ticket = a.ticket ?? 1;
  const size = 6;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 1966091); // 30/11
  o = writeU16(b, o, ticket);
  b[o] = FRAME_END;
  return b;
}
function encExchangeDeclare(ch: number, a: Partial<ExchangeDeclareArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const type = a.type ?? 'direct';
  const typeLen = shortstrLength(type, 'type');
  const passive = a.passive ?? false;
  const durable = a.durable ?? false;
  const autoDelete = a.autoDelete ?? false;
  const internal = a.internal ?? false;
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 13 + exchangeLen + typeLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621450); // 40/10
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, type, typeLen);
  b[o++] = (passive ? 1 : 0) | (durable ? 2 : 0) | (autoDelete ? 4 : 0) | (internal ? 8 : 0) | (nowait ? 16 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encExchangeDeclareOk(ch: number, _a: Partial<ExchangeDeclareOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621451); // 40/11
  b[o] = FRAME_END;
  return b;
}
function encExchangeDelete(ch: number, a: Partial<ExchangeDeleteArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const ifUnused = a.ifUnused ?? false;
  const nowait = a.nowait ?? false;
  const size = 8 + exchangeLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621460); // 40/20
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, exchange, exchangeLen);
  b[o++] = (ifUnused ? 1 : 0) | (nowait ? 2 : 0);
  b[o] = FRAME_END;
  return b;
}
function encExchangeDeleteOk(ch: number, _a: Partial<ExchangeDeleteOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621461); // 40/21
  b[o] = FRAME_END;
  return b;
}
function encExchangeBind(ch: number, a: Partial<ExchangeBindArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const destination = a.destination ?? '';
  const destinationLen = shortstrLength(destination, 'destination');
  const source = a.source ?? '';
  const sourceLen = shortstrLength(source, 'source');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 14 + destinationLen + sourceLen + routingKeyLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621470); // 40/30
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, destination, destinationLen);
  o = writeShortstr(b, o, source, sourceLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o++] = (nowait ? 1 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encExchangeBindOk(ch: number, _a: Partial<ExchangeBindOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621471); // 40/31
  b[o] = FRAME_END;
  return b;
}
function encExchangeUnbind(ch: number, a: Partial<ExchangeUnbindArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const destination = a.destination ?? '';
  const destinationLen = shortstrLength(destination, 'destination');
  const source = a.source ?? '';
  const sourceLen = shortstrLength(source, 'source');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 14 + destinationLen + sourceLen + routingKeyLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621480); // 40/40
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, destination, destinationLen);
  o = writeShortstr(b, o, source, sourceLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o++] = (nowait ? 1 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encExchangeUnbindOk(ch: number, _a: Partial<ExchangeUnbindOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 2621491); // 40/51
  b[o] = FRAME_END;
  return b;
}
function encQueueDeclare(ch: number, a: Partial<QueueDeclareArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const passive = a.passive ?? false;
  const durable = a.durable ?? false;
  const exclusive = a.exclusive ?? false;
  const autoDelete = a.autoDelete ?? false;
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 12 + queueLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276810); // 50/10
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  b[o++] = (passive ? 1 : 0) | (durable ? 2 : 0) | (exclusive ? 4 : 0) | (autoDelete ? 8 : 0) | (nowait ? 16 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encQueueDeclareOk(ch: number, a: Partial<QueueDeclareOkArgs>): Buffer {
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const messageCount = a.messageCount ?? 0;
  const consumerCount = a.consumerCount ?? 0;
  const size = 13 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276811); // 50/11
  o = writeShortstr(b, o, queue, queueLen);
  o = writeU32(b, o, messageCount);
  o = writeU32(b, o, consumerCount);
  b[o] = FRAME_END;
  return b;
}
function encQueueBind(ch: number, a: Partial<QueueBindArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const nowait = a.nowait ?? false;
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 14 + queueLen + exchangeLen + routingKeyLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276820); // 50/20
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  b[o++] = (nowait ? 1 : 0);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encQueueBindOk(ch: number, _a: Partial<QueueBindOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276821); // 50/21
  b[o] = FRAME_END;
  return b;
}
function encQueuePurge(ch: number, a: Partial<QueuePurgeArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const nowait = a.nowait ?? false;
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276830); // 50/30
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  b[o++] = (nowait ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encQueuePurgeOk(ch: number, a: Partial<QueuePurgeOkArgs>): Buffer {
  const messageCount = a.messageCount ?? 0;
  const size = 8;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276831); // 50/31
  o = writeU32(b, o, messageCount);
  b[o] = FRAME_END;
  return b;
}
function encQueueDelete(ch: number, a: Partial<QueueDeleteArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const ifUnused = a.ifUnused ?? false;
  const ifEmpty = a.ifEmpty ?? false;
  const nowait = a.nowait ?? false;
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276840); // 50/40
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  b[o++] = (ifUnused ? 1 : 0) | (ifEmpty ? 2 : 0) | (nowait ? 4 : 0);
  b[o] = FRAME_END;
  return b;
}
function encQueueDeleteOk(ch: number, a: Partial<QueueDeleteOkArgs>): Buffer {
  const messageCount = a.messageCount ?? 0;
  const size = 8;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276841); // 50/41
  o = writeU32(b, o, messageCount);
  b[o] = FRAME_END;
  return b;
}
function encQueueUnbind(ch: number, a: Partial<QueueUnbindArgs>): Buffer {
  const ticket = a.ticket ?? 0;
  const queue = a.queue ?? '';
  const queueLen = shortstrLength(queue, 'queue');
  const exchange = a.exchange ?? '';
  const exchangeLen = shortstrLength(exchange, 'exchange');
  const routingKey = a.routingKey ?? '';
  const routingKeyLen = shortstrLength(routingKey, 'routing-key');
  const args = a.arguments ?? {};
  const argsSize = tableSize(args);
  const size = 13 + queueLen + exchangeLen + routingKeyLen + argsSize;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276850); // 50/50
  o = writeU16(b, o, ticket);
  o = writeShortstr(b, o, queue, queueLen);
  o = writeShortstr(b, o, exchange, exchangeLen);
  o = writeShortstr(b, o, routingKey, routingKeyLen);
  o = writeTable(b, o, args);
  b[o] = FRAME_END;
  return b;
}
function encQueueUnbindOk(ch: number, _a: Partial<QueueUnbindOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 3276851); // 50/51
  b[o] = FRAME_END;
  return b;
}
function encTxSelect(ch: number, _a: Partial<TxSelectArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898250); // 90/10
  b[o] = FRAME_END;
  return b;
}
function encTxSelectOk(ch: number, _a: Partial<TxSelectOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898251); // 90/11
  b[o] = FRAME_END;
  return b;
}
function encTxCommit(ch: number, _a: Partial<TxCommitArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898260); // 90/20
  b[o] = FRAME_END;
  return b;
}
function encTxCommitOk(ch: number, _a: Partial<TxCommitOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898261); // 90/21
  b[o] = FRAME_END;
  return b;
}
function encTxRollback(ch: number, _a: Partial<TxRollbackArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898270); // 90/30
  b[o] = FRAME_END;
  return b;
}
function encTxRollbackOk(ch: number, _a: Partial<TxRollbackOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5898271); // 90/31
  b[o] = FRAME_END;
  return b;
}
function encConfirmSelect(ch: number, a: Partial<ConfirmSelectArgs>): Buffer {
  const nowait = a.nowait ?? false;
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5570570); // 85/10
  b[o++] = (nowait ? 1 : 0);
  b[o] = FRAME_END;
  return b;
}
function encConfirmSelectOk(ch: number, _a: Partial<ConfirmSelectOkArgs>): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  let o = writeFrameHeader(b, 0, 1, ch, size);
  o = writeU32(b, o, 5570571); // 85/11
  b[o] = FRAME_END;
  return b;
}

/** Per-method frame encoders; missing arguments take the spec default (else 0, '', false, {}). */
export const METHOD_ENCODERS: { readonly [N in MethodName]: (channel: number, args: Partial<MethodArgs[N]>) => Buffer } = {
  'basic.qos': encBasicQos,
  'basic.qos-ok': encBasicQosOk,
  'basic.consume': encBasicConsume,
  'basic.consume-ok': encBasicConsumeOk,
  'basic.cancel': encBasicCancel,
  'basic.cancel-ok': encBasicCancelOk,
  'basic.publish': encBasicPublish,
  'basic.return': encBasicReturn,
  'basic.deliver': encBasicDeliver,
  'basic.get': encBasicGet,
  'basic.get-ok': encBasicGetOk,
  'basic.get-empty': encBasicGetEmpty,
  'basic.ack': encBasicAck,
  'basic.reject': encBasicReject,
  'basic.recover-async': encBasicRecoverAsync,
  'basic.recover': encBasicRecover,
  'basic.recover-ok': encBasicRecoverOk,
  'basic.nack': encBasicNack,
  'connection.start': encConnectionStart,
  'connection.start-ok': encConnectionStartOk,
  'connection.secure': encConnectionSecure,
  'connection.secure-ok': encConnectionSecureOk,
  'connection.tune': encConnectionTune,
  'connection.tune-ok': encConnectionTuneOk,
  'connection.open': encConnectionOpen,
  'connection.open-ok': encConnectionOpenOk,
  'connection.close': encConnectionClose,
  'connection.close-ok': encConnectionCloseOk,
  'connection.blocked': encConnectionBlocked,
  'connection.unblocked': encConnectionUnblocked,
  'connection.update-secret': encConnectionUpdateSecret,
  'connection.update-secret-ok': encConnectionUpdateSecretOk,
  'channel.open': encChannelOpen,
  'channel.open-ok': encChannelOpenOk,
  'channel.flow': encChannelFlow,
  'channel.flow-ok': encChannelFlowOk,
  'channel.close': encChannelClose,
  'channel.close-ok': encChannelCloseOk,
  'access.request': encAccessRequest,
  'access.request-ok': encAccessRequestOk,
  'exchange.declare': encExchangeDeclare,
  'exchange.declare-ok': encExchangeDeclareOk,
  'exchange.delete': encExchangeDelete,
  'exchange.delete-ok': encExchangeDeleteOk,
  'exchange.bind': encExchangeBind,
  'exchange.bind-ok': encExchangeBindOk,
  'exchange.unbind': encExchangeUnbind,
  'exchange.unbind-ok': encExchangeUnbindOk,
  'queue.declare': encQueueDeclare,
  'queue.declare-ok': encQueueDeclareOk,
  'queue.bind': encQueueBind,
  'queue.bind-ok': encQueueBindOk,
  'queue.purge': encQueuePurge,
  'queue.purge-ok': encQueuePurgeOk,
  'queue.delete': encQueueDelete,
  'queue.delete-ok': encQueueDeleteOk,
  'queue.unbind': encQueueUnbind,
  'queue.unbind-ok': encQueueUnbindOk,
  'tx.select': encTxSelect,
  'tx.select-ok': encTxSelectOk,
  'tx.commit': encTxCommit,
  'tx.commit-ok': encTxCommitOk,
  'tx.rollback': encTxRollback,
  'tx.rollback-ok': encTxRollbackOk,
  'confirm.select': encConfirmSelect,
  'confirm.select-ok': encConfirmSelectOk,
};
