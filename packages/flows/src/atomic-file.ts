import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EddyError } from '@eddy/core';

/**
 * Thrown when an output file cannot be written completely (disk full, a short write, a
 * directory that is not writable); the target is left as it was.
 *
 * @example
 * ```ts
 * import { OutputError, writeFileAtomic } from '@eddy/flows'; // Node.js (also '@eddy/flows/node')
 * try {
 *   writeFileAtomic('out.bin', new Uint8Array(1024));
 * } catch (e) {
 *   if (e instanceof OutputError) console.error(e.message); // e.g. a disk that is full
 * }
 * ```
 * @category Saving and loading
 */
export class OutputError extends EddyError {
  /** Stable error name: `OutputError`. */
  override name = 'OutputError';
}

let counter = 0;

/** Whether a process with this id is running (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files for `name` left in `dir` by processes that no longer run (a job
 * killed with SIGKILL cannot remove its own).
 */
function removeStaleTemps(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${name}.eddy-`;
  for (const e of entries) {
    if (!e.startsWith(prefix) || !e.endsWith('.tmp')) continue;
    const pid = Number(e.slice(prefix.length).split('-')[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
      try {
        unlinkSync(join(dir, e));
      } catch {}
    }
  }
}

/**
 * Throws an {@link OutputError} if the file system holding `dir` has less than `bytes`
 * free (where the platform can tell), naming the output and both sizes.
 *
 * @example
 * ```ts
 * import { checkFreeSpace } from '@eddy/flows'; // Node.js (also '@eddy/flows/node')
 * checkFreeSpace('.', 8_000_000, 'samples.npy');
 * ```
 * @category Saving and loading
 */
export function checkFreeSpace(dir: string, bytes: number, what: string): void {
  let free: number;
  try {
    const s = statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    return;
  }
  if (bytes > free) {
    throw new OutputError(`${what}: needs ${bytes} bytes but only ${free} are free on the file system of ${resolve(dir)}`);
  }
}

/**
 * A file written under a temporary name beside its target (`.<name>.eddy-<pid>-<n>.tmp`,
 * in the same directory so the final rename is atomic) and renamed over the target only
 * by {@link AtomicFile.commit}, after every byte was written (short writes are retried,
 * a write that makes no progress throws) and flushed. {@link AtomicFile.abort} removes
 * the temporary file. A job that fails or is killed therefore never leaves a file that
 * looks complete at the target, and never replaces a previous one. (A process killed with
 * SIGKILL cannot clean up: its temporary file is removed by the next write to the same
 * target, once that process is gone.)
 *
 * @example
 * ```ts
 * import { AtomicFile } from '@eddy/flows'; // Node.js (also '@eddy/flows/node')
 * const header = new TextEncoder().encode('rows 0 to 9\n');
 * const f = new AtomicFile('out.txt');
 * try {
 *   f.writeAt(header, 0);
 *   f.commit();
 * } catch (e) {
 *   f.abort();
 *   throw e;
 * }
 * ```
 * @category Saving and loading
 */
export class AtomicFile {
  /** The final path. */
  readonly path: string;
  /** Where the bytes go until {@link AtomicFile.commit}. */
  readonly tempPath: string;
  #fd: number | null;
  #committed = false;

  /**
   * @param path the target; its directory must exist and be writable.
   * @param expectedBytes the final size, checked against the free space first (optional).
   */
  constructor(path: string, expectedBytes?: number) {
    this.path = path;
    const dir = dirname(resolve(path));
    removeStaleTemps(dir, basename(path));
    if (expectedBytes !== undefined) checkFreeSpace(dir, expectedBytes, path);
    this.tempPath = join(dir, `.${basename(path)}.eddy-${process.pid}-${counter++}.tmp`);
    try {
      this.#fd = openSync(this.tempPath, 'wx');
    } catch (e) {
      throw new OutputError(`${path}: cannot write there (${(e as Error).message})`);
    }
  }

  /** Writes all of `bytes` at `position`, or throws an {@link OutputError}. */
  writeAt(bytes: Uint8Array, position: number): void {
    const fd = this.#open();
    let done = 0;
    while (done < bytes.length) {
      let n: number;
      try {
        n = writeSync(fd, bytes, done, bytes.length - done, position + done);
      } catch (e) {
        throw new OutputError(`${this.path}: write failed after ${position + done} bytes (${(e as Error).message})`);
      }
      if (n <= 0) throw new OutputError(`${this.path}: write made no progress at byte ${position + done} (disk full?)`);
      done += n;
    }
  }

  /** Flushes, closes and renames the file over the target. */
  commit(): void {
    const fd = this.#open();
    try {
      fsyncSync(fd);
      closeSync(fd);
      this.#fd = null;
      renameSync(this.tempPath, this.path);
      this.#committed = true;
    } catch (e) {
      this.abort();
      throw new OutputError(`${this.path}: could not finish the file (${(e as Error).message}); it was not written`);
    }
  }

  /**
   * Closes and deletes the temporary file (the target is untouched); does nothing after
   * {@link AtomicFile.commit} succeeded; safe to call twice.
   */
  abort(): void {
    if (this.#committed) return;
    if (this.#fd !== null) {
      try {
        closeSync(this.#fd);
      } catch {}
      this.#fd = null;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {}
  }

  #open(): number {
    if (this.#fd === null) throw new OutputError(`${this.path}: already committed or aborted`);
    return this.#fd;
  }
}

/**
 * Writes `data` to `path` through an {@link AtomicFile}: all of it or nothing (the target
 * is replaced only once the whole file is written and flushed).
 *
 * @example
 * ```ts
 * import { NSF, saveFlow, writeFileAtomic } from '@eddy/flows'; // Node.js (also '@eddy/flows/node')
 * writeFileAtomic('model.safetensors', saveFlow(new NSF({ features: 2 })));
 * ```
 * @category Saving and loading
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const f = new AtomicFile(path, bytes.length);
  try {
    f.writeAt(bytes, 0);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}

/**
 * Throws an {@link OutputError} unless a file can be created in the directory of `path`
 * (checked by creating and removing a temporary file): for jobs that would otherwise
 * learn it only after their work is done.
 *
 * @example
 * ```ts
 * import { checkWritable } from '@eddy/flows'; // Node.js (also '@eddy/flows/node')
 * checkWritable('model.safetensors'); // before training
 * ```
 * @category Saving and loading
 */
export function checkWritable(path: string): void {
  new AtomicFile(path).abort();
}
