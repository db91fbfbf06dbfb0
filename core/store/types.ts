/**
 * Small shared types of the store: logger events and the durability listener.
 */

/** One diagnostic from the store (recovery damage, I/O failures, deletions). */
export interface StoreLogEvent {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly segment?: number;
  readonly offset?: number;
  readonly err?: Error;
}

export type StoreLogger = (event: StoreLogEvent) => void;

/**
 * How a segment log reports the outcome of group commits. Called at most once per
 * flush each, with the tokens given to `append` (in append order; appends without a
 * token are not listed). A token is reported exactly once: durable or rejected.
 */
export interface DurabilityListener {
  /** These appends are on disk (data fdatasynced, and the directory entry if the segment is new). */
  durable(tokens: readonly unknown[]): void;
  /** These appends could not be persisted; their positions are invalid (never read or ack them). */
  rejected(tokens: readonly unknown[], error: Error): void;
}
