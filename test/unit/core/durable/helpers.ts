/**
 * Fixtures for the durability unit tests: temp dirs, message builders, a
 * recording QueueStore listener, and a recording pino-like logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../../../core/api.js';
import type { QueueStoreListener } from '../../../../core/durable/queue-store.js';
import type { Message } from '../../../../core/message.js';

const dirs: string[] = [];

export function tempDir(prefix = 'pp-durable-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function pmsg(body: string, extra: Partial<Message['properties']> = {}): Message {
  return { exchange: '', routingKey: 'q', properties: { deliveryMode: 2, messageId: body, ...extra }, body: Buffer.from(body) };
}

export interface RecordingListener extends QueueStoreListener {
  storedTokens: unknown[];
  failedTokens: { token: unknown; err: Error }[];
  failures: (Error | null)[];
}

export function recordingListener(): RecordingListener {
  const l: RecordingListener = {
    storedTokens: [],
    failedTokens: [],
    failures: [],
    stored: (tokens) => void l.storedTokens.push(...tokens),
    failed: (tokens, err) => void l.failedTokens.push(...tokens.map((token) => ({ token, err }))),
    failureChanged: (err) => void l.failures.push(err),
  };
  return l;
}

export interface LogEntry {
  level: string;
  msg: string | undefined;
  obj: Record<string, unknown>;
}

export function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: LogEntry[] } {
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, msg, obj: { ...bindings, ...obj } });
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => recordingLogger(entries, { ...bindings, ...b }),
  };
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
