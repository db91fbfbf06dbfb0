/**
 * DefinitionsStore: the durable snapshot of topology and users (`definitions.json`).
 *
 * Responsibilities:
 * - `save(obj)`: atomic replace — write JSON to `definitions.json.tmp`, fdatasync it,
 *   rename it over `definitions.json`, fsync the directory. After the promise
 *   resolves the snapshot survives a crash; a crash midway leaves the previous one.
 * - coalescing: saves never interleave. While one is being written, further calls
 *   only replace the *next* snapshot (the latest object wins) and all of them
 *   resolve when that next write is durable. `obj` is serialised when its write
 *   starts, so passing the live definitions object is fine.
 * - `load()`: synchronous read at boot; null when no snapshot exists. A snapshot
 *   that does not parse throws (refusing to boot beats silently starting empty
 *   and overwriting it).
 */
import * as path from 'node:path';
import type { FileSystem } from './fs.js';
import { fsCall, fsCallVoid, nodeFileSystem } from './fs.js';

export const DEFINITIONS_FILE = 'definitions.json';

interface Pending {
  obj: unknown;
  readonly done: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

export class DefinitionsStore {
  readonly dir: string;
  readonly file: string;
  private readonly fs: FileSystem;
  private writing = false;
  private next: Pending | null = null;
  private dirReady = false;

  constructor(dir: string, options: { fs?: FileSystem } = {}) {
    this.dir = dir;
    this.file = path.join(dir, DEFINITIONS_FILE);
    this.fs = options.fs ?? nodeFileSystem;
  }

  /** The last saved snapshot, or null if none was ever saved. */
  load(): object | null {
    let text: string;
    try {
      text = this.fs.readFileSync(this.file).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      const v: unknown = JSON.parse(text);
      if (v === null || typeof v !== 'object') throw new Error('not a JSON object');
      return v;
    } catch (e) {
      throw new Error(`${this.file} is corrupt: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Durably replaces the snapshot with `obj` (see the module comment for coalescing). */
  save(obj: unknown): Promise<void> {
    if (this.next) {
      this.next.obj = obj;
      return this.next.done;
    }
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.next = { obj, done, resolve, reject };
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.next) {
      const job = this.next;
      this.next = null;
      try {
        await this.writeSnapshot(JSON.stringify(job.obj));
        job.resolve();
      } catch (e) {
        job.reject(e as Error);
      }
    }
    this.writing = false;
  }

  private async writeSnapshot(json: string): Promise<void> {
    const fsys = this.fs;
    if (!this.dirReady) {
      fsys.mkdirSync(this.dir); // once, like open/recovery
      this.dirReady = true;
    }
    const tmp = this.file + '.tmp';
    const data = Buffer.from(json, 'utf8');
    const fd = await fsCall<number>((cb) => fsys.open(tmp, 'w', cb));
    try {
      let done = 0;
      while (done < data.length) {
        const n = await fsCall<number>((cb) => fsys.write(fd, data, done, data.length - done, done, cb));
        if (n <= 0) throw Object.assign(new Error('write wrote 0 bytes'), { code: 'EIO' });
        done += n;
      }
      await fsCallVoid((cb) => fsys.fdatasync(fd, cb));
    } finally {
      await fsCallVoid((cb) => fsys.close(fd, cb)).catch(() => {});
    }
    await fsCallVoid((cb) => fsys.rename(tmp, this.file, cb));
    const dfd = await fsCall<number>((cb) => fsys.open(this.dir, 'r', cb));
    try {
      await fsCallVoid((cb) => fsys.fsync(dfd, cb));
    } finally {
      await fsCallVoid((cb) => fsys.close(dfd, cb)).catch(() => {});
    }
  }
}
