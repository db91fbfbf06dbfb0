/**
 * Where durable data lives under `data_dir`, and how names become directory names.
 *
 *   <dataDir>/definitions.json                       topology snapshot (definitions-saver.ts)
 *   <dataDir>/msgs/<vhost-dir>/<queue-dir>/           one QueueStore per durable queue
 *   <dataDir>/msgs/<vhost-dir>/<queue-dir>/queue.json {"vhost", "name"}: makes the directory self-describing
 *   <dataDir>/state/<name>.kv                        one adapter state map (core/store/kv-log.ts), name
 *                                                    as given (letters, digits, `.`, `_`, `-`)
 *   <dataDir>/state/<name>.kv.compact                a state map compaction in progress (deleted at open)
 *
 * A name becomes `x<hex of its UTF-8>` when that is at most 201 characters,
 * else `h<sha256 hex>` (queue names reach 255 bytes; file names may not). Both
 * forms are case-insensitive-safe, never empty, never `.`/`..`, and distinct
 * names never collide (the hashed form is chosen by length, and `x`/`h` differ).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MSGS_DIR = 'msgs';
export const QUEUE_META_FILE = 'queue.json';
export const STATE_DIR = 'state';
const STATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MAX_HEX_BYTES = 100;

export function encodeName(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= MAX_HEX_BYTES) return 'x' + bytes.toString('hex');
  return 'h' + createHash('sha256').update(bytes).digest('hex');
}

/** The name back from an `x…` directory name; undefined for hashed or foreign names. */
export function decodeName(dirName: string): string | undefined {
  if (!/^x(?:[0-9a-f]{2})*$/.test(dirName)) return undefined;
  return Buffer.from(dirName.slice(1), 'hex').toString('utf8');
}

export function msgsDir(dataDir: string): string {
  return path.join(dataDir, MSGS_DIR);
}

export function vhostDir(dataDir: string, vhost: string): string {
  return path.join(dataDir, MSGS_DIR, encodeName(vhost));
}

export function queueDir(dataDir: string, vhost: string, queue: string): string {
  return path.join(vhostDir(dataDir, vhost), encodeName(queue));
}

export function stateDir(dataDir: string): string {
  return path.join(dataDir, STATE_DIR);
}

/** `<dataDir>/state/<name>.kv`; RangeError for a name that is not a plain file name. */
export function stateFile(dataDir: string, name: string): string {
  if (!STATE_NAME.test(name)) throw new RangeError(`invalid state map name ${JSON.stringify(name)}`);
  return path.join(stateDir(dataDir), `${name}.kv`);
}

/** Creates `<dataDir>/state` when missing (sync) and fsyncs `dataDir` in the background then. */
export function ensureStateDir(dataDir: string): void {
  const dir = stateDir(dataDir);
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true });
  fsyncDirAsync(dataDir);
}

export interface QueueMeta {
  vhost: string;
  name: string;
}

/**
 * Creates the queue directory and its `queue.json` when missing (sync, once per
 * queue); then fsyncs the parent directories in the background, so that the new
 * directory entry survives a power loss (a process crash needs no fsync).
 */
export function ensureQueueDir(dir: string, meta: QueueMeta): void {
  const file = path.join(dir, QUEUE_META_FILE);
  if (fs.existsSync(file)) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(meta));
  const vdir = path.dirname(dir);
  fsyncDirAsync(vdir);
  fsyncDirAsync(path.dirname(vdir));
}

function fsyncDirAsync(dir: string): void {
  fs.open(dir, 'r', (err, fd) => {
    if (err) return;
    fs.fsync(fd, () => fs.close(fd, () => {}));
  });
}

/** The queue a directory belongs to (from queue.json, else from its `x…` names); undefined if unknown. */
export function readQueueMeta(dir: string): QueueMeta | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, QUEUE_META_FILE), 'utf8')) as Partial<QueueMeta>;
    if (typeof m.vhost === 'string' && typeof m.name === 'string') return { vhost: m.vhost, name: m.name };
  } catch {
    // fall through to the directory names
  }
  const name = decodeName(path.basename(dir));
  const vhost = decodeName(path.basename(path.dirname(dir)));
  return name !== undefined && vhost !== undefined ? { vhost, name } : undefined;
}

/** Every `<vhost-dir>/<queue-dir>` under msgs/ (absolute paths). Missing msgs/ → []. */
export function listQueueDirs(dataDir: string): string[] {
  const root = msgsDir(dataDir);
  const out: string[] = [];
  let vhosts: fs.Dirent[];
  try {
    vhosts = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const v of vhosts) {
    if (!v.isDirectory()) continue;
    const vdir = path.join(root, v.name);
    try {
      for (const q of fs.readdirSync(vdir, { withFileTypes: true })) if (q.isDirectory()) out.push(path.join(vdir, q.name));
    } catch {
      // unreadable vhost directory: skipped (reported by the caller's orphan pass as nothing)
    }
  }
  return out;
}
