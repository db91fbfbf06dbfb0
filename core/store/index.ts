/**
 * The store module of the core (imported by queues and the broker, never by protocols).
 *
 * - `SegmentLog`: per-queue durable append-only log with group commit, acks,
 *   fully-acked segment deletion and crash recovery (see segment-log.ts for the contract).
 * - `PositionIndex`: compact FIFO of positions for queues larger than RAM.
 * - `DefinitionsStore`: atomic JSON snapshot of topology and users.
 * - `KvLog`: the durable key → value map (`StateMap`) adapters keep their state in.
 * - `FileSystem`: the injectable fs seam (tests).
 */
export { SegmentLog, DEFAULT_MAX_SEGMENT_SIZE, storeError } from './segment-log.js';
export type { SegmentLogOptions, StoreErrorCode } from './segment-log.js';
export type { RecordVisitor, RecoveryReport } from './recovery.js';
export type { StorePosition } from './position.js';
export { comparePositions } from './position.js';
export type { DurabilityListener, StoreLogEvent, StoreLogger } from './types.js';
export { PositionIndex } from './position-index.js';
export type { IndexedPosition } from './position-index.js';
export { DefinitionsStore, DEFINITIONS_FILE } from './definitions-store.js';
export { KvLog, DEFAULT_COMPACT_MIN_BYTES } from './kv-log.js';
export type { KvLogOptions, KvLogStats } from './kv-log.js';
export { nodeFileSystem } from './fs.js';
export type { FileSystem, Callback, VoidCallback } from './fs.js';
