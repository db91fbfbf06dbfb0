/**
 * The broker's data directory (`data_dir`).
 *
 * Responsibility: create it when missing and prove it is writable (write and
 * remove a probe file) before anything else starts, so a bad `data_dir`
 * stops start-up with one clear message instead of a failure later.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Returns the absolute path; throws `data_dir /x is not writable: EACCES`. */
export async function ensureDataDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    await mkdir(abs, { recursive: true });
    const probe = join(abs, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`data_dir ${abs} is not writable: ${code}`);
  }
  return abs;
}
