/**
 * Reads for queue paging (core/queue/paged-ready.ts):
 *
 * - `readMany`: a batch of positions in queue order. Records that follow each
 *   other in one segment and are on disk are read with ONE `read` call (up to
 *   RUN_BYTES), each record's length and CRC checked; anything else (a record
 *   still in the write buffer, a gap) goes through the log's single read.
 *   One callback per batch; no Promise;
 * - `readRecordSync`: the synchronous single read (open, pread, close) for the
 *   rare basic.get of a paged head.
 */
import type { FdCache } from './fd-cache.js';
import type { FileSystem } from './fs.js';
import * as nodeFs from 'node:fs';
import type { StorePosition } from './position.js';
import { RECORD_HEADER_SIZE, recordChecksum } from './record-format.js';
import type { Segment } from './segment.js';

/** Most bytes one coalesced read covers. */
const RUN_BYTES = 1 << 20;

export interface BatchReadEnv {
  /** the live segment, or undefined (unknown, or the log is not readable) */
  segment(id: number): Segment | undefined;
  readOne(p: StorePosition, cb: (err: Error | null, payload: Buffer) => void): void;
  readonly segFds: FdCache;
  readonly fs: FileSystem;
}

function corrupt(segId: number, offset: number): Error {
  return Object.assign(new Error(`record at ${segId}:${offset} failed its check`), { code: 'STORE_CORRUPT' });
}

export function readMany(
  ps: readonly StorePosition[],
  env: BatchReadEnv,
  cb: (payloads: (Buffer | null)[], err: Error | null) => void,
): void {
  const out: (Buffer | null)[] = new Array<Buffer | null>(ps.length).fill(null);
  let firstErr: Error | null = null;
  let pending = 1;
  const done = (): void => {
    if (--pending === 0) cb(out, firstErr);
  };
  const fail = (err: Error): void => {
    firstErr ??= err;
  };
  let i = 0;
  while (i < ps.length) {
    const p = ps[i]!;
    const seg = env.segment(p.segment);
    let j = i + 1;
    let end = p.offset + RECORD_HEADER_SIZE + p.size;
    if (seg && end <= seg.durableSize) {
      while (j < ps.length) {
        const q = ps[j]!;
        const qEnd = q.offset + RECORD_HEADER_SIZE + q.size;
        if (q.segment !== p.segment || q.offset !== end || qEnd > seg.durableSize || qEnd - p.offset > RUN_BYTES) break;
        end = qEnd;
        j++;
      }
    }
    if (j - i === 1) {
      const k = i;
      pending++;
      env.readOne(p, (err, payload) => {
        if (err) fail(err);
        else out[k] = payload;
        done();
      });
    } else {
      pending++;
      readRun(env, ps, i, j, end, out, (err) => {
        if (err) fail(err);
        done();
      });
    }
    i = j;
  }
  done();
}

/** One read of records [i, j) of one segment, ending at file offset `end`. */
function readRun(
  env: BatchReadEnv, ps: readonly StorePosition[], i: number, j: number, end: number,
  out: (Buffer | null)[], cb: (err: Error | null) => void,
): void {
  const segId = ps[i]!.segment;
  const start = ps[i]!.offset;
  env.segFds.acquire(segId, (err, fd) => {
    if (err) return cb(err);
    const buf = Buffer.allocUnsafe(end - start);
    env.fs.read(fd, buf, 0, buf.length, start, (rerr, n) => {
      env.segFds.release(segId, fd);
      if (rerr) return cb(rerr);
      let bad: Error | null = null;
      for (let k = i; k < j; k++) {
        const p = ps[k]!;
        const at = p.offset - start;
        const payload = buf.subarray(at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + p.size);
        if (at + RECORD_HEADER_SIZE + p.size > n || buf.readUInt32LE(at) !== p.size || buf.readUInt32LE(at + 4) !== recordChecksum(payload)) {
          bad ??= corrupt(segId, p.offset);
          continue;
        }
        out[k] = payload;
      }
      cb(bad);
    });
  });
}

/** open + pread + close of one record, its length and CRC checked. */
export function readRecordSync(fsys: FileSystem, path: string, pos: StorePosition): Buffer {
  const len = RECORD_HEADER_SIZE + pos.size;
  const buf = Buffer.allocUnsafe(len);
  const fd = fsys.openSync(path, 'r');
  let n: number;
  try {
    n = fsys.readSync ? fsys.readSync(fd, buf, 0, len, pos.offset) : nodeFs.readSync(fd, buf, 0, len, pos.offset);
  } finally {
    fsys.closeSync(fd);
  }
  const payload = buf.subarray(RECORD_HEADER_SIZE);
  if (n !== len || buf.readUInt32LE(0) !== pos.size || buf.readUInt32LE(4) !== recordChecksum(payload)) throw corrupt(pos.segment, pos.offset);
  return payload;
}
