/**
 * Test helpers for the store: temp dirs, an fs wrapper that counts calls and
 * injects errors, and a recording durability listener.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nodeFileSystem } from '../../../../core/store/fs.js';
import type { FileSystem } from '../../../../core/store/fs.js';
import type { StoreLogEvent } from '../../../../core/store/types.js';

const dirs: string[] = [];

export function tempDir(prefix = 'pp-store-'): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

type AsyncOp = 'open' | 'writev' | 'write' | 'read' | 'fdatasync' | 'fsync' | 'ftruncate' | 'unlink' | 'rename';
type SyncOp = 'readFileSync';

export interface Fault {
  op: AsyncOp | SyncOp;
  code: string;
  /** Only calls whose path (open/unlink/readFileSync) matches, if given. */
  pathIncludes?: string;
  /** How many calls fail (default: unlimited until removed). */
  times?: number;
}

export interface TestFs extends FileSystem {
  counts: Record<string, number>;
  faults: Fault[];
}

function errno(code: string, op: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected on ${op}`), { code, errno: -1, syscall: op });
}

/** Wraps the real fs: counts every call, fails those matching an active fault. */
export function testFs(base: FileSystem = nodeFileSystem): TestFs {
  const counts: Record<string, number> = {};
  const faults: Fault[] = [];
  const fdPaths = new Map<number, string>();
  const match = (op: string, p: string | undefined): Fault | undefined => {
    const f = faults.find((x) => x.op === op && (!x.pathIncludes || (p ?? '').includes(x.pathIncludes)));
    if (f && f.times !== undefined && --f.times <= 0) faults.splice(faults.indexOf(f), 1);
    return f;
  };
  const bump = (op: string) => (counts[op] = (counts[op] ?? 0) + 1);
  const fs: TestFs = {
    counts,
    faults,
    open(p, flags, cb) {
      bump('open');
      const f = match('open', p);
      if (f) {
        setImmediate(() => cb(errno(f.code, 'open'), -1));
        return;
      }
      base.open(p, flags, (err, fd) => {
        if (!err) fdPaths.set(fd, p);
        cb(err, fd);
      });
    },
    close: (fd, cb) => {
      bump('close');
      fdPaths.delete(fd);
      base.close(fd, cb);
    },
    writev(fd, bufs, pos, cb) {
      bump('writev');
      const f = match('writev', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'writev'), 0));
        return;
      }
      base.writev(fd, bufs, pos, cb);
    },
    write(fd, buf, off, len, pos, cb) {
      bump('write');
      const f = match('write', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'write'), 0));
        return;
      }
      base.write(fd, buf, off, len, pos, cb);
    },
    read(fd, buf, off, len, pos, cb) {
      bump('read');
      const f = match('read', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'read'), 0));
        return;
      }
      base.read(fd, buf, off, len, pos, cb);
    },
    fdatasync(fd, cb) {
      bump('fdatasync');
      const f = match('fdatasync', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'fdatasync')));
        return;
      }
      base.fdatasync(fd, cb);
    },
    fsync(fd, cb) {
      bump('fsync');
      const f = match('fsync', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'fsync')));
        return;
      }
      base.fsync(fd, cb);
    },
    ftruncate(fd, len, cb) {
      bump('ftruncate');
      const f = match('ftruncate', fdPaths.get(fd));
      if (f) {
        setImmediate(() => cb(errno(f.code, 'ftruncate')));
        return;
      }
      base.ftruncate(fd, len, cb);
    },
    unlink(p, cb) {
      bump('unlink');
      const f = match('unlink', p);
      if (f) {
        setImmediate(() => cb(errno(f.code, 'unlink')));
        return;
      }
      base.unlink(p, cb);
    },
    rename(a, b, cb) {
      bump('rename');
      const f = match('rename', a);
      if (f) {
        setImmediate(() => cb(errno(f.code, 'rename')));
        return;
      }
      base.rename(a, b, cb);
    },
    rm: (p, cb) => base.rm(p, cb),
    mkdirSync: (p) => base.mkdirSync(p),
    readdirSync: (p) => base.readdirSync(p),
    readFileSync(p) {
      bump('readFileSync');
      const f = match('readFileSync', p);
      if (f) throw errno(f.code, 'readFileSync');
      return base.readFileSync(p);
    },
    openSync: (p, flags) => base.openSync(p, flags),
    closeSync: (fd) => base.closeSync(fd),
    fsyncSync: (fd) => base.fsyncSync(fd),
    ftruncateSync: (fd, len) => base.ftruncateSync(fd, len),
    unlinkSync: (p) => base.unlinkSync(p),
  };
  return fs;
}

/** Records durability outcomes, in order. */
export class RecordingListener {
  durable: unknown[] = [];
  durableCalls = 0;
  rejected: unknown[] = [];
  rejectedCalls = 0;
  errors: Error[] = [];
  failureChanges: (Error | null)[] = [];
  durableAt = new Map<unknown, number>();

  durableFn = (tokens: readonly unknown[]): void => {
    this.durableCalls++;
    const now = performance.now();
    for (const t of tokens) {
      this.durable.push(t);
      this.durableAt.set(t, now);
    }
  };

  get listener() {
    return {
      durable: this.durableFn,
      rejected: (tokens: readonly unknown[], err: Error) => {
        this.rejectedCalls++;
        this.rejected.push(...tokens);
        this.errors.push(err);
      },
      failureChanged: (e: Error | null) => this.failureChanges.push(e),
    };
  }
}

export function collectLogs(): { events: StoreLogEvent[]; logger: (e: StoreLogEvent) => void } {
  const events: StoreLogEvent[] = [];
  return { events, logger: (e) => events.push(e) };
}

/** Deterministic payload for record `i` of length `len`. */
export function payloadFor(i: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let k = 0; k < len; k++) b[k] = (i * 31 + k * 7 + 13) & 0xff;
  if (len >= 4) b.writeUInt32LE(i >>> 0, 0);
  return b;
}
