/**
 * Durability (issue 4): what the broker wires in on top of core/store/.
 *
 * - message-record.ts: binary record of a persistent message;
 * - queue-store.ts: the store of one durable queue (persist/ack/recover, delivered marks);
 * - definitions.ts: RabbitMQ definitions.json export/import of the durable topology;
 * - definitions-saver.ts: coalesced atomic snapshots of the definitions;
 * - persistence.ts: the orchestrator (`openPersistence`).
 */
export { RECORD_VERSION, decodeMessage, encodeMessage, recordMeta } from './message-record.js';
export type { MessageRecord } from './message-record.js';
export { DELETED_DIR_MARK, QueueStore, confirmListener, confirmToken } from './queue-store.js';
export type {
  ConfirmTarget,
  ConfirmToken,
  QueueRecoveryStats,
  QueueStoreListener,
  QueueStoreOptions,
  RecoveredMessage,
  RecoverySink,
} from './queue-store.js';
export { HASHING_ALGORITHM, exportDefinitions, importDefinitions } from './definitions.js';
export type { Definitions, ImportReport, SystemSessionFactory } from './definitions.js';
export { DefinitionsSaver } from './definitions-saver.js';
export type { DefinitionsSaverOptions } from './definitions-saver.js';
export { Persistence, openPersistence } from './persistence.js';
export type { PersistenceOptions, RecoverySummary } from './persistence.js';
export { decodeName, encodeName, queueDir } from './paths.js';
export { DEFAULT_PAGING_BUDGET, durabilityHooks } from './hooks.js';
export type { DurabilityHooks, PagingBudget } from './hooks.js';
