/**
 * Startup recovery of a segment log directory (synchronous: runs once at open).
 *
 * Responsibilities:
 * - list `NNNNNNNNNN.seg` / `.ack` files and scan segments in order;
 * - replay each ack file (idempotent: a sorted set of offsets; duplicates and offsets
 *   that name no record are ignored; a torn last entry is truncated away);
 * - validate every record (length + CRC) and hand live (un-acked) ones to `onRecord`;
 * - damage handling, always reported through the logger and never thrown:
 *   - torn tail (header or payload runs past EOF, the last record is garbled, or only
 *     zeros follow — a file that grew but whose data never hit the disk):
 *     drop it and truncate the file there;
 *   - bad record in the middle whose successor is valid: drop just that record;
 *   - bad record with no valid successor: stop scanning that segment (keep the file);
 *   - unreadable file or bad header/version: skip the segment, keep its files;
 * - delete segments with no live record and orphan ack files, then fsync the directory.
 *
 * Recovered segments are sealed: new appends always go to a fresh segment.
 */
import * as path from 'node:path';
import type { FileSystem } from './fs.js';
import type { StorePosition } from './position.js';
import { ACK_SUFFIX, SEGMENT_SUFFIX, parseSegmentFileName, segmentBaseName } from './position.js';
import {
  ACK_ENTRY_SIZE,
  RECORD_BAD_CRC,
  RECORD_HEADER_SIZE,
  RECORD_OK,
  RECORD_TRUNCATED,
  SEGMENT_HEADER_SIZE,
  checkRecordAt,
  checkSegmentHeader,
} from './record-format.js';
import { Segment } from './segment.js';
import type { StoreLogger } from './types.js';

/**
 * Called for each live record in log order. `payload` is a view into the segment's
 * read buffer: valid after the call, but it pins that buffer, so copy it to keep it long.
 */
export type RecordVisitor = (pos: StorePosition, payload: Buffer) => void;

export interface RecoveryReport {
  /** Segments kept (holding live records). */
  segments: number;
  /** Live records delivered to the visitor. */
  records: number;
  /** Valid records skipped because their ack was replayed. */
  acked: number;
  /** Damaged records dropped (bad CRC or torn). */
  dropped: number;
  truncatedBytes: number;
  deletedSegments: number;
  /** Segment files that could not be read or parsed at all (kept on disk). */
  skippedSegments: number;
  durationMs: number;
}

export interface RecoveryResult {
  segments: Segment[];
  nextSegmentId: number;
  report: RecoveryReport;
}

export function recoverDirectory(fsys: FileSystem, dir: string, log: StoreLogger, visit: RecordVisitor): RecoveryResult {
  const t0 = performance.now();
  const report: RecoveryReport = {
    segments: 0, records: 0, acked: 0, dropped: 0, truncatedBytes: 0, deletedSegments: 0, skippedSegments: 0, durationMs: 0,
  };
  fsys.mkdirSync(dir);
  const names = fsys.readdirSync(dir);
  const segIds: number[] = [];
  const ackIds = new Set<number>();
  let maxId = 0;
  for (const name of names) {
    const s = parseSegmentFileName(name, SEGMENT_SUFFIX);
    if (s >= 0) segIds.push(s);
    const a = parseSegmentFileName(name, ACK_SUFFIX);
    if (a >= 0) ackIds.add(a);
    maxId = Math.max(maxId, s, a);
  }
  segIds.sort((a, b) => a - b);
  const segPath = (id: number) => path.join(dir, segmentBaseName(id) + SEGMENT_SUFFIX);
  const ackPath = (id: number) => path.join(dir, segmentBaseName(id) + ACK_SUFFIX);
  let dirty = false;
  const kept: Segment[] = [];

  for (const id of segIds) {
    const hasAck = ackIds.delete(id);
    let buf: Buffer;
    try {
      buf = fsys.readFileSync(segPath(id));
    } catch (e) {
      report.skippedSegments++;
      log({ level: 'error', msg: 'segment unreadable, skipped', segment: id, err: e as Error });
      continue;
    }
    if (buf.length < SEGMENT_HEADER_SIZE) {
      // created but the header never made it: holds no record
      log({ level: 'warn', msg: `segment shorter than its header (${buf.length} bytes), deleted`, segment: id });
      dirty = deleteSegmentFiles(fsys, segPath(id), hasAck ? ackPath(id) : null, log, id) || dirty;
      report.deletedSegments++;
      continue;
    }
    const bad = checkSegmentHeader(buf);
    if (bad) {
      report.skippedSegments++;
      log({ level: 'error', msg: `segment header invalid (${bad}), skipped`, segment: id });
      continue;
    }
    const acks = hasAck ? readAcks(fsys, ackPath(id), log, id) : { offsets: new Uint32Array(0), size: 0, truncated: false };
    dirty = acks.truncated || dirty;
    const seg = scanSegment(fsys, segPath(id), id, buf, acks.offsets, acks.size, hasAck, log, visit, report);
    if (seg.truncated) dirty = true;
    if (seg.segment.count === 0) {
      dirty = deleteSegmentFiles(fsys, segPath(id), hasAck ? ackPath(id) : null, log, id) || dirty;
      report.deletedSegments++;
    } else {
      kept.push(seg.segment);
    }
  }
  for (const id of ackIds) {
    log({ level: 'info', msg: 'orphan ack file deleted', segment: id });
    dirty = deleteSegmentFiles(fsys, null, ackPath(id), log, id) || dirty;
  }
  if (dirty) syncDirectory(fsys, dir, log);
  report.segments = kept.length;
  report.durationMs = performance.now() - t0;
  return { segments: kept, nextSegmentId: maxId + 1, report };
}

function scanSegment(
  fsys: FileSystem, file: string, id: number, buf: Buffer, acks: Uint32Array, ackSize: number, hasAck: boolean,
  log: StoreLogger, visit: RecordVisitor, report: RecoveryReport,
): { segment: Segment; truncated: boolean } {
  const end = buf.length;
  const seg = new Segment(id, end, { created: true, ...(hasAck ? { ackFileSize: ackSize } : {}), capacity: 1024 });
  let o = SEGMENT_HEADER_SIZE;
  let ai = 0;
  let truncateAt = -1;
  while (o < end) {
    const st = checkRecordAt(buf, o, end);
    if (st !== RECORD_OK) {
      const len = st === RECORD_BAD_CRC ? buf.readUInt32LE(o) : 0;
      const next = o + RECORD_HEADER_SIZE + len;
      if (st === RECORD_TRUNCATED || next === end || isZero(buf, o, end)) {
        truncateAt = o;
        report.dropped++;
        log({ level: 'warn', msg: `torn tail: record dropped, truncating ${end - o} bytes`, segment: id, offset: o });
        break;
      }
      report.dropped++;
      if (checkRecordAt(buf, next, end) === RECORD_OK) {
        log({ level: 'warn', msg: 'bad CRC: record dropped', segment: id, offset: o });
        o = next;
        continue;
      }
      log({ level: 'error', msg: `bad record, rest of segment unparseable (${end - o} bytes ignored)`, segment: id, offset: o });
      break;
    }
    const len = buf.readUInt32LE(o);
    while (ai < acks.length && acks[ai]! < o) ai++;
    if (ai < acks.length && acks[ai] === o) {
      report.acked++;
    } else {
      seg.addRecord(o);
      report.records++;
      const start = o + RECORD_HEADER_SIZE;
      visit({ segment: id, offset: o, size: len }, buf.subarray(start, start + len));
    }
    o += RECORD_HEADER_SIZE + len;
  }
  seg.durableCount = seg.count;
  seg.sealed = true;
  seg.compact();
  if (truncateAt < 0) return { segment: seg, truncated: false };
  try {
    const fd = fsys.openSync(file, 'r+');
    try {
      fsys.ftruncateSync(fd, truncateAt);
      fsys.fsyncSync(fd);
    } finally {
      fsys.closeSync(fd);
    }
    report.truncatedBytes += end - truncateAt;
  } catch (e) {
    log({ level: 'error', msg: 'could not truncate torn tail', segment: id, offset: truncateAt, err: e as Error });
  }
  // nothing is ever appended to a recovered segment, so its size only matters for reads
  seg.size = seg.durableSize = truncateAt;
  return { segment: seg, truncated: true };
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

function readAcks(fsys: FileSystem, file: string, log: StoreLogger, id: number): { offsets: Uint32Array; size: number; truncated: boolean } {
  let buf: Buffer;
  try {
    buf = fsys.readFileSync(file);
  } catch (e) {
    log({ level: 'error', msg: 'ack file unreadable: its acks are lost (records will be redelivered)', segment: id, err: e as Error });
    return { offsets: new Uint32Array(0), size: 0, truncated: false };
  }
  const n = Math.floor(buf.length / ACK_ENTRY_SIZE);
  const offsets = new Uint32Array(n);
  for (let i = 0; i < n; i++) offsets[i] = buf.readUInt32LE(i * ACK_ENTRY_SIZE);
  offsets.sort();
  const size = n * ACK_ENTRY_SIZE;
  if (size === buf.length) return { offsets, size, truncated: false };
  log({ level: 'warn', msg: `torn ack entry (${buf.length - size} bytes) truncated`, segment: id, offset: size });
  try {
    const fd = fsys.openSync(file, 'r+');
    try {
      fsys.ftruncateSync(fd, size);
      fsys.fsyncSync(fd);
    } finally {
      fsys.closeSync(fd);
    }
  } catch (e) {
    log({ level: 'error', msg: 'could not truncate ack file', segment: id, err: e as Error });
  }
  return { offsets, size, truncated: true };
}

/** Deletes `.seg` first, then `.ack` (never the reverse: a lone .seg would resurrect acked records). */
function deleteSegmentFiles(fsys: FileSystem, seg: string | null, ack: string | null, log: StoreLogger, id: number): boolean {
  try {
    if (seg) fsys.unlinkSync(seg);
    if (ack) fsys.unlinkSync(ack);
    return true;
  } catch (e) {
    log({ level: 'error', msg: 'could not delete segment files', segment: id, err: e as Error });
    return false;
  }
}

export function syncDirectory(fsys: FileSystem, dir: string, log: StoreLogger): void {
  try {
    const fd = fsys.openSync(dir, 'r');
    try {
      fsys.fsyncSync(fd);
    } finally {
      fsys.closeSync(fd);
    }
  } catch (e) {
    log({ level: 'error', msg: 'could not fsync directory', err: e as Error });
  }
}

