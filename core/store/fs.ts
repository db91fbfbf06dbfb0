/**
 * The injectable file-system seam of the store.
 *
 * Responsibilities:
 * - name the handful of `node:fs` calls the store uses, so tests can wrap them
 *   to count syncs or inject ENOSPC/EIO (`FileSystem`);
 * - provide the real implementation (`nodeFileSystem`);
 * - provide `fsCall`, a tiny promisifier used only once per batch (never per message).
 *
 * Async calls are node-style callbacks (libuv thread pool). The `*Sync` calls are
 * used only at open/recovery time, never on the hot path.
 */
import * as fs from 'node:fs';

export type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;
export type VoidCallback = (err: NodeJS.ErrnoException | null) => void;

export interface FileSystem {
  open(path: string, flags: string | number, cb: Callback<number>): void;
  close(fd: number, cb: VoidCallback): void;
  /** Positional gather write. May write fewer bytes than asked (the caller loops). */
  writev(fd: number, bufs: readonly Buffer[], position: number, cb: Callback<number>): void;
  write(fd: number, buf: Buffer, offset: number, length: number, position: number, cb: Callback<number>): void;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number, cb: Callback<number>): void;
  fdatasync(fd: number, cb: VoidCallback): void;
  fsync(fd: number, cb: VoidCallback): void;
  ftruncate(fd: number, length: number, cb: VoidCallback): void;
  unlink(path: string, cb: VoidCallback): void;
  rename(from: string, to: string, cb: VoidCallback): void;
  rm(path: string, cb: VoidCallback): void;

  mkdirSync(path: string): void;
  readdirSync(path: string): string[];
  readFileSync(path: string): Buffer;
  openSync(path: string, flags: string | number): number;
  /** Positional read (the rare synchronous read path: basic.get of a paged head). Optional for test doubles. */
  readSync?(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  unlinkSync(path: string): void;
}

export const nodeFileSystem: FileSystem = {
  open: (p, flags, cb) => fs.open(p, flags, 0o644, cb),
  close: (fd, cb) => fs.close(fd, cb),
  writev: (fd, bufs, position, cb) => fs.writev(fd, bufs as Buffer[], position, cb),
  write: (fd, buf, offset, length, position, cb) => fs.write(fd, buf, offset, length, position, cb),
  read: (fd, buf, offset, length, position, cb) => fs.read(fd, buf, offset, length, position, cb),
  fdatasync: (fd, cb) => fs.fdatasync(fd, cb),
  fsync: (fd, cb) => fs.fsync(fd, cb),
  ftruncate: (fd, length, cb) => fs.ftruncate(fd, length, cb),
  unlink: (p, cb) => fs.unlink(p, cb),
  rename: (a, b, cb) => fs.rename(a, b, cb),
  rm: (p, cb) => fs.rm(p, { recursive: true, force: true }, cb),

  mkdirSync: (p) => void fs.mkdirSync(p, { recursive: true }),
  readdirSync: (p) => fs.readdirSync(p),
  readFileSync: (p) => fs.readFileSync(p),
  openSync: (p, flags) => fs.openSync(p, flags, 0o644),
  readSync: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
  closeSync: (fd) => fs.closeSync(fd),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  unlinkSync: (p) => fs.unlinkSync(p),
};

/** Open flags: read/write, create if missing, never truncate (ack files, positional writes). */
export const O_RDWR_CREATE = fs.constants.O_RDWR | fs.constants.O_CREAT;

/** Promisify one node-style call. Used once per batch, not per message. */
export function fsCall<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((err, value) => (err ? reject(err) : resolve(value)));
  });
}

export function fsCallVoid(fn: (cb: VoidCallback) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    fn((err) => (err ? reject(err) : resolve()));
  });
}

/** Write all of `bufs` at `position`, looping on short writes. */
export async function writevAll(fsys: FileSystem, fd: number, bufs: readonly Buffer[], position: number): Promise<void> {
  let rest: Buffer[] = bufs.slice();
  let pos = position;
  let remaining = 0;
  for (const b of rest) remaining += b.length;
  while (remaining > 0) {
    const n = await fsCall<number>((cb) => fsys.writev(fd, rest, pos, cb));
    if (n <= 0) throw Object.assign(new Error('writev wrote 0 bytes'), { code: 'EIO' });
    remaining -= n;
    pos += n;
    if (remaining === 0) break;
    // drop fully written buffers, slice the partially written one
    let skip = n;
    let i = 0;
    while (i < rest.length && skip >= rest[i]!.length) skip -= rest[i++]!.length;
    rest = rest.slice(i);
    if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  }
}
