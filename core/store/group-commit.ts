/**
 * Executes one group commit of a segment log: all I/O of one `WriteBatch`.
 *
 * Order, per batch:
 *   1. data: create new segment files, then in parallel: per touched segment one
 *      `writev` + one `fdatasync`, and one directory fsync if a file was created;
 *   2. acks (concurrently with 1): one positional write + `fdatasync` per ack file
 *      (directory fsync when an ack file was created);
 *   0. first, cut back segments a previous failed batch left half-written (best effort);
 *   3. deletions, after 1 and 2: unlink `.seg` then `.ack`, one directory fsync.
 *
 * Failures are returned, not thrown: a data failure means the batch's appends are
 * rejected by the caller; an ack failure re-queues the offsets for the next batch
 * (the ack file is written positionally, so a torn write is simply overwritten);
 * a deletion failure is logged (the files are retried at the next recovery).
 */
import * as path from 'node:path';
import type { FdCache } from './fd-cache.js';
import type { FileSystem } from './fs.js';
import { fsCall, fsCallVoid, writevAll } from './fs.js';
import { ACK_SUFFIX, SEGMENT_SUFFIX, segmentBaseName } from './position.js';
import { ACK_ENTRY_SIZE } from './record-format.js';
import type { Segment } from './segment.js';
import type { StoreLogger } from './types.js';
import type { AckWrite, WriteBatch } from './write-batch.js';

export interface CommitEnv {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly segFds: FdCache;
  readonly ackFds: FdCache;
  readonly log: StoreLogger;
  /** Puts acks whose write failed back in front of the segment's pending acks. */
  readonly requeueAcks: (seg: Segment, offsets: number[]) => void;
}

export interface CommitOutcome {
  dataError: Error | null;
  ackError: Error | null;
}

export function segmentPath(dir: string, id: number): string {
  return path.join(dir, segmentBaseName(id) + SEGMENT_SUFFIX);
}

export function ackPath(dir: string, id: number): string {
  return path.join(dir, segmentBaseName(id) + ACK_SUFFIX);
}

export async function commitBatch(env: CommitEnv, batch: WriteBatch): Promise<CommitOutcome> {
  for (const seg of batch.truncates) await truncateSegment(env, seg);
  const [dataError, ackError] = await Promise.all([writeData(env, batch), writeAcks(env, batch.acks)]);
  if (batch.deletes.length > 0) await deleteSegments(env, batch.deletes);
  return { dataError, ackError };
}

async function syncDir(env: CommitEnv): Promise<void> {
  const fd = await fsCall<number>((cb) => env.fs.open(env.dir, 'r', cb));
  try {
    await fsCallVoid((cb) => env.fs.fsync(fd, cb));
  } finally {
    env.fs.close(fd, () => {});
  }
}

async function writeData(env: CommitEnv, batch: WriteBatch): Promise<Error | null> {
  if (batch.chunks.length === 0) return null;
  const held: { id: number; fd: number }[] = [];
  let created = false;
  try {
    for (const chunk of batch.chunks) {
      const id = chunk.seg.id;
      let fd: number;
      if (chunk.isNew) {
        fd = await fsCall<number>((cb) => env.fs.open(segmentPath(env.dir, id), 'w+', cb));
        env.segFds.adopt(id, fd);
        created = true;
      } else {
        fd = await fsCall<number>((cb) => env.segFds.acquire(id, cb));
      }
      held.push({ id, fd });
    }
    // segments are distinct files: write + sync them (and the directory) in parallel
    const work = batch.chunks.map(async (chunk, i) => {
      const fd = held[i]!.fd;
      await writevAll(env.fs, fd, chunk.bufs, chunk.startOffset);
      await fsCallVoid((cb) => env.fs.fdatasync(fd, cb));
    });
    if (created) work.push(syncDir(env));
    // allSettled: no fd may be released while an I/O on it is still running
    const results = await Promise.allSettled(work);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return null;
  } catch (e) {
    return e as Error;
  } finally {
    for (const h of held) env.segFds.release(h.id, h.fd);
  }
}

async function writeAcks(env: CommitEnv, acks: AckWrite[]): Promise<Error | null> {
  if (acks.length === 0) return null;
  let firstError: Error | null = null;
  let created = false;
  const written: { w: AckWrite; bytes: number }[] = [];
  for (const w of acks) {
    const seg = w.seg;
    const buf = Buffer.allocUnsafe(w.offsets.length * ACK_ENTRY_SIZE);
    for (let i = 0; i < w.offsets.length; i++) buf.writeUInt32LE(w.offsets[i]!, i * ACK_ENTRY_SIZE);
    let fd = -1;
    try {
      fd = await fsCall<number>((cb) => env.ackFds.acquire(seg.id, cb));
      if (!seg.ackFileCreated) created = true;
      let done = 0;
      while (done < buf.length) {
        const pos = seg.ackFileSize + done;
        const n = await fsCall<number>((cb) => env.fs.write(fd, buf, done, buf.length - done, pos, cb));
        if (n <= 0) throw Object.assign(new Error('ack write wrote 0 bytes'), { code: 'EIO' });
        done += n;
      }
      await fsCallVoid((cb) => env.fs.fdatasync(fd, cb));
      written.push({ w, bytes: buf.length });
    } catch (e) {
      firstError ??= e as Error;
      env.requeueAcks(seg, w.offsets);
    } finally {
      if (fd >= 0) env.ackFds.release(seg.id, fd);
    }
  }
  if (created) {
    try {
      await syncDir(env);
    } catch (e) {
      firstError ??= e as Error;
      // the new ack files may not survive a crash: write their acks again
      for (const { w } of written) if (!w.seg.ackFileCreated) env.requeueAcks(w.seg, w.offsets);
      written.length = 0;
    }
  }
  for (const { w, bytes } of written) {
    w.seg.ackFileSize += bytes;
    w.seg.ackFileCreated = true;
  }
  if (firstError) env.log({ level: 'error', msg: 'ack write failed; acks will be retried', err: firstError });
  return firstError;
}

async function deleteSegments(env: CommitEnv, segs: Segment[]): Promise<void> {
  let any = false;
  for (const seg of segs) {
    env.segFds.forget(seg.id);
    env.ackFds.forget(seg.id);
    try {
      await unlinkIfExists(env, segmentPath(env.dir, seg.id));
      await unlinkIfExists(env, ackPath(env.dir, seg.id));
      any = true;
    } catch (e) {
      env.log({ level: 'error', msg: 'could not delete fully acked segment', segment: seg.id, err: e as Error });
    }
  }
  if (!any) return;
  try {
    await syncDir(env);
  } catch (e) {
    env.log({ level: 'error', msg: 'could not fsync directory after deletion', err: e as Error });
  }
}

async function unlinkIfExists(env: CommitEnv, file: string): Promise<void> {
  try {
    await fsCallVoid((cb) => env.fs.unlink(file, cb));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Cuts a segment back to its durable size after a failed batch (best effort, logged). */
async function truncateSegment(env: CommitEnv, seg: Segment): Promise<void> {
  if (seg.deleting) return;
  let fd = -1;
  try {
    fd = await fsCall<number>((cb) => env.segFds.acquire(seg.id, cb));
    await fsCallVoid((cb) => env.fs.ftruncate(fd, seg.size, cb));
    await fsCallVoid((cb) => env.fs.fdatasync(fd, cb));
  } catch (e) {
    env.log({ level: 'warn', msg: 'could not truncate segment after failed write', segment: seg.id, offset: seg.size, err: e as Error });
  } finally {
    if (fd >= 0) env.segFds.release(seg.id, fd);
  }
}
