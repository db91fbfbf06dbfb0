/**
 * Compaction of a KvLog file: copies the live records into `<file>.compact`,
 * fdatasyncs it, renames it over the file and fsyncs the directory.
 *
 * Crash safety: until the rename the original file is untouched (a leftover
 * `.compact` is deleted at the next open); the rename is atomic and the new file
 * was synced before it, so a crash leaves either the old or the new complete file.
 *
 * Live records are read from the current file by their offsets, sorted, through a
 * 1 MiB window (neighbouring records share one read), and each window's records go
 * out in one gather write. Every copied record is checked again (length + CRC): a
 * record damaged on disk fails the compaction instead of being spread further.
 */
import * as path from 'node:path';
import type { FileSystem } from './fs.js';
import { fsCall, fsCallVoid, writevAll } from './fs.js';
import type { KvSlot } from './kv-record.js';
import { RECORD_OK, checkRecordAt } from './record-format.js';
import { storeError } from './segment-log.js';

const WINDOW = 1 << 20;

export interface CompactResult {
  /** fd of the new file (now at the original path) */
  readonly fd: number;
  readonly index: Map<string, KvSlot>;
  readonly size: number;
  /** null when the directory fsync after the rename worked */
  readonly dirSyncError: Error | null;
}

export function compactPath(file: string): string {
  return file + '.compact';
}

/** Rewrites the live records of `srcFd` (`index`) into a new file renamed over `file`. */
export async function compactKvLog(fsys: FileSystem, srcFd: number, file: string, index: ReadonlyMap<string, KvSlot>): Promise<CompactResult> {
  const tmp = compactPath(file);
  const entries = [...index].sort((a, b) => a[1].off - b[1].off);
  const fd = await fsCall<number>((cb) => fsys.open(tmp, 'w+', cb));
  try {
    const next = new Map<string, KvSlot>();
    let size = 0;
    let i = 0;
    while (i < entries.length) {
      const start = entries[i]![1].off;
      let end = start + entries[i]![1].len;
      let j = i + 1;
      while (j < entries.length) {
        const s = entries[j]![1];
        if (s.off + s.len - start > WINDOW) break;
        end = s.off + s.len;
        j++;
      }
      const buf = Buffer.allocUnsafe(end - start);
      await readFull(fsys, srcFd, buf, start);
      const out: Buffer[] = [];
      const at = size;
      for (let k = i; k < j; k++) {
        const [key, slot] = entries[k]!;
        const rec = buf.subarray(slot.off - start, slot.off - start + slot.len);
        if (checkRecordAt(rec, 0, rec.length) !== RECORD_OK || rec.readUInt32LE(0) + 8 !== rec.length) {
          throw storeError('STORE_CORRUPT', `live record at offset ${slot.off} failed its check`);
        }
        out.push(rec);
        next.set(key, { off: size, len: slot.len });
        size += slot.len;
      }
      await writevAll(fsys, fd, out, at);
      i = j;
    }
    await fsCallVoid((cb) => fsys.fdatasync(fd, cb));
    await fsCallVoid((cb) => fsys.rename(tmp, file, cb));
    let dirSyncError: Error | null = null;
    try {
      await syncDir(fsys, path.dirname(file));
    } catch (e) {
      dirSyncError = e as Error;
    }
    return { fd, index: next, size, dirSyncError };
  } catch (e) {
    await fsCallVoid((cb) => fsys.close(fd, cb)).catch(() => {});
    await fsCallVoid((cb) => fsys.unlink(tmp, cb)).catch(() => {});
    throw e;
  }
}

export async function syncDir(fsys: FileSystem, dir: string): Promise<void> {
  const fd = await fsCall<number>((cb) => fsys.open(dir, 'r', cb));
  try {
    await fsCallVoid((cb) => fsys.fsync(fd, cb));
  } finally {
    await fsCallVoid((cb) => fsys.close(fd, cb)).catch(() => {});
  }
}

async function readFull(fsys: FileSystem, fd: number, buf: Buffer, pos: number): Promise<void> {
  let got = 0;
  while (got < buf.length) {
    const n = await fsCall<number>((cb) => fsys.read(fd, buf, got, buf.length - got, pos + got, cb));
    if (n <= 0) throw storeError('STORE_CORRUPT', `state map file ends before offset ${pos + buf.length}`);
    got += n;
  }
}
