/**
 * The only module other layers import from the core.
 */
export type * from './api.js';
export { BrokerError, isBrokerError } from './errors.js';
export type { ErrorCode } from './errors.js';
export * from './field-table.js';
export type { Message, MessageProperties, WireProperties } from './message.js';
export { isPersistent, messageSize, withProperties } from './message.js';
export { createCore } from './broker.js';
// durability: the message store and durable topology, assembled by the gateway
export {
  decodeMessage,
  durabilityHooks,
  encodeMessage,
  exportDefinitions,
  importDefinitions,
  openPersistence,
} from './durable/index.js';
export type { Definitions, DurabilityHooks, ImportReport, MessageRecord, Persistence, PersistenceOptions } from './durable/index.js';
