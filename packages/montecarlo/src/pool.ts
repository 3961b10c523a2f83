import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { adviseHugePages } from '@eddy/backend-cpu';
import { EddyError, type Tensor, ValueError, tensor } from '@eddy/core';
import { type LazyDistribution, saveFlow } from '@eddy/flows';
import { Piscina } from 'piscina';
import { NpyWriter, readNpyHeader } from './npy.js';
import type { SharedArray, ShardResult, ShardTask, TaskKind } from './protocol.js';

/**
 * A job failed in one of its shards (the model threw, or produced NaN where that is not
 * allowed). The message names the shard's row range.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { FlowPool, ShardError } from '@eddy/montecarlo';
 * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
 * try { await pool.sample(flow, 1e6); } catch (e) { if (e instanceof ShardError) console.error(e.start, e.end); }
 * ```
 * @category Pool
 */
export class ShardError extends EddyError {
  /** Stable error name: `ShardError`. */
  override name = 'ShardError';
  /** First row of the failed shard: a global row, counted from 0 (not from {@link JobOptions.firstRow}). */
  readonly start: number;
  /** One past the last row. */
  readonly end: number;

  /** @param start first row; @param end one past the last; @param message what went wrong. */
  constructor(start: number, end: number, message: string) {
    super(`shard rows [${start}, ${end}): ${message}`);
    this.start = start;
    this.end = end;
  }
}

/**
 * Progress of a job, reported after each finished shard.
 * @category Pool
 */
export interface Progress {
  /** Rows finished. */
  done: number;
  /** Rows in the job. */
  total: number;
  /** Mean throughput so far. */
  rowsPerSecond: number;
  /** Estimated seconds left. */
  etaSeconds: number;
}

/**
 * Options of a pool job.
 * @category Pool
 */
export interface JobOptions {
  /** Rows per shard (default 16384). Results do not depend on it. */
  chunkSize?: number;
  /** Seed of the draws (default 0): row `i` of a job is a function of `(seed, i)` only. */
  seed?: number;
  /**
   * Global index of the job's first row (default 0): row `i` of the job is row
   * `firstRow + i` of the seeded stream, so a job of `n` rows from `firstRow` gives exactly
   * rows `[firstRow, firstRow + n)` of the job of `firstRow + n` rows from 0 — one large
   * job split into independent parts (other processes, other machines) whose outputs
   * concatenate to the same bytes. Error messages ({@link ShardError}) name global rows;
   * progress counts the job's own rows, and in-memory inputs, per-row contexts and the
   * `start` of {@link FlowPool.forEachChunk} are the job's rows (from 0). For
   * {@link FlowPool.logProbFile} use {@link LogProbFileOptions.rows} instead.
   *
   * @example
   * ```ts
   * import { NSF } from '@eddy/flows';
   * import { FlowPool } from '@eddy/montecarlo';
   * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
   * // rows [600, 1000) of `await pool.sample(flow, 1000, { seed: 7 })`:
   * const tail = await pool.sample(flow, 400, { seed: 7, firstRow: 600 });
   * ```
   */
  firstRow?: number;
  /** Sub-stream of the draws (default 0). */
  stream?: number;
  /** dtype of the results (default float32). */
  dtype?: 'float32' | 'float64';
  /** A context: one vector for every row, or `[n, C]` rows (one per sample). */
  context?: Tensor;
  /** Cancels the job: queued shards are dropped and running ones stopped. */
  signal?: AbortSignal;
  /** Called after each finished shard. */
  onProgress?: (p: Progress) => void;
  /**
   * Keep non-finite results (NaN, ±Inf) instead of failing the job with the first shard
   * that has one (default false).
   */
  allowNonFinite?: boolean;
  /** @deprecated the same as {@link JobOptions.allowNonFinite} (which it predates). */
  allowNaN?: boolean;
  /** How many times a shard whose worker died is rerun (default 2). */
  retries?: number;
}

/**
 * Options of {@link FlowPool.logProbFile}: those of every job, and which rows of the input
 * file to score.
 * @category Pool
 */
export interface LogProbFileOptions extends JobOptions {
  /**
   * Score only rows `[start, end)` of the input (default: all of them); the output has
   * `end - start` rows and equals those rows of the output for the whole file.
   * (`firstRow` is not taken here: `rows` says where the job starts.)
   */
  rows?: readonly [start: number, end: number];
}

/**
 * Options of {@link FlowPool}.
 * @category Pool
 */
export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism; at most {@link maxThreads}). */
  threads?: number;
  /** Backend each worker uses (default `cpu`). */
  backend?: string;
  /** In-memory results larger than this many bytes are refused (use a `*ToFile` job). Default 1 GiB. */
  memoryBudget?: number;
}

/**
 * A worker thread of a {@link FlowPool}.
 *
 * @example
 * ```ts
 * import { FlowPool } from '@eddy/montecarlo';
 * const pool = new FlowPool({ threads: 2 });
 * await pool.workers[0]?.terminate(); // the pool reruns its shard on a fresh worker
 * ```
 * @category Pool
 */
export interface PoolWorker {
  /** Stops the thread. */
  terminate(): Promise<number>;
}

/**
 * A file written by a streaming job.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { type FileOutput, FlowPool } from '@eddy/montecarlo';
 * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
 * const { path, shape }: FileOutput = await pool.sampleToFile(flow, 1e6, 's.npy');
 * ```
 * @category Pool
 */
export interface FileOutput {
  /** Path of the `.npy` file. */
  path: string;
  /** Shape of the array in it. */
  shape: number[];
}

/**
 * The worker script's CommonJS door (`worker-loader.cjs`, written by the build, which
 * import()s `worker.js`): next to this module once built, else the package's built copy.
 * Piscina require()s its worker file first, and Node 20's require() of an ES module in a
 * worker thread can abort the process; the door keeps the worker on import().
 */
function workerPath(): string {
  const beside = fileURLToPath(new URL('./worker-loader.cjs', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../dist/worker-loader.cjs', import.meta.url));
  if (existsSync(built)) return built;
  throw new EddyError(`@eddy/montecarlo: worker script not found (looked for ${beside} and ${built}); build the package first`);
}

function toShared(t: Tensor, dtype: 'float32' | 'float64'): SharedArray {
  const src = t.cast(dtype).dataSync();
  const buffer = new SharedArrayBuffer(src.length * (dtype === 'float32' ? 4 : 8));
  (dtype === 'float32' ? new Float32Array(buffer) : new Float64Array(buffer)).set(src);
  return { buffer, dtype, shape: [...t.shape] };
}

function sharedArray(dtype: 'float32' | 'float64', shape: number[]): SharedArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const buffer = new SharedArrayBuffer(n * (dtype === 'float32' ? 4 : 8));
  // A large result is fresh memory that the workers fault in page by page: huge pages
  // make that one fault per 2 MiB (where the native addon and the OS offer them).
  if (buffer.byteLength >= 32 * 1024 * 1024) adviseHugePages(new Uint8Array(buffer));
  return { buffer, dtype, shape };
}

function viewOf(a: SharedArray): Float32Array | Float64Array {
  return a.dtype === 'float32' ? new Float32Array(a.buffer) : new Float64Array(a.buffer);
}

/** Where a job's shard results go: shared memory, or callbacks (files, reductions). */
interface Sink {
  output?: ShardTask['output'];
  accept?: (start: number, count: number, r: Extract<ShardResult, { ok: true }>) => void;
}

let flowCounter = 0;

/** Restarts of a pool whose workers all died, before a job gives up. */
const MAX_RESTARTS = 4;

/**
 * The most worker threads a {@link FlowPool} takes: 4 per core of this machine.
 *
 * @example
 * ```ts
 * import { FlowPool, maxThreads } from '@eddy/montecarlo';
 * new FlowPool({ threads: Math.min(8, maxThreads()) });
 * ```
 * @category Pool
 */
export function maxThreads(): number {
  return 4 * availableParallelism();
}

/**
 * A pool of worker threads (piscina) for bulk sampling and density evaluation. A job is
 * split into shards of `chunkSize` rows; each worker rebuilds the flow from its saved
 * form once and keeps it. Row `i` of a job depends only on `(seed, i)`, so results are
 * bit-identical for any thread count and chunk size. A shard whose worker dies is rerun;
 * a shard that throws fails the job with a {@link ShardError}.
 *
 * @example
 * ```ts
 * import { NSF } from '@eddy/flows';
 * import { FlowPool } from '@eddy/montecarlo';
 * const flow = new NSF({ features: 2 });
 * const pool = new FlowPool({ threads: 2 });
 * const x = await pool.sample(flow, 1_000_000, { seed: 42 });
 * const lp = await pool.logProb(flow, x);
 * await pool.close();
 * ```
 * @category Pool
 */
export class FlowPool {
  /** Number of worker threads. */
  readonly threads: number;
  /** Backend used by the workers. */
  readonly backend: string;
  /** Largest in-memory result in bytes. */
  readonly memoryBudget: number;
  #piscina: Piscina;
  readonly #saved = new WeakMap<LazyDistribution, { key: string; buffer: SharedArrayBuffer; weights: unknown[] }>();
  #restarts = 0;

  /** @param options see {@link PoolOptions}. */
  constructor(options: PoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new ValueError(`FlowPool: threads must be a positive integer, got ${threads}`);
    if (threads > maxThreads()) {
      throw new ValueError(
        `FlowPool: threads must be at most ${maxThreads()} (4 per core on this machine), got ${threads}: more threads than cores only add memory and contention`,
      );
    }
    this.threads = threads;
    this.backend = options.backend ?? 'cpu';
    this.memoryBudget = options.memoryBudget ?? 2 ** 30;
    this.#piscina = this.#newPiscina();
  }

  #newPiscina(): Piscina {
    const piscina = new Piscina({ filename: workerPath(), minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
    // piscina reports a result that arrives for a task already aborted (a shard stopped
    // while its worker was finishing it) as an 'error' event, which would crash the
    // process without a listener. Such results are stale and dropped; every real failure
    // reaches its job through the task's own promise (or the watchdog).
    piscina.on('error', () => {});
    return piscina;
  }

  /** The worker threads (for diagnostics and fault-injection tests). */
  get workers(): readonly PoolWorker[] {
    return this.#piscina.threads as readonly PoolWorker[];
  }

  /**
   * What a worker's backend reports (`backendInfo()` in the worker): for `cpu`, whether
   * the native kernels loaded there and which instruction set they use.
   *
   * @example
   * ```ts
   * import { FlowPool } from '@eddy/montecarlo';
   * const pool = new FlowPool({ threads: 2 });
   * (await pool.workerInfo()).native; // true where @eddy/cpu-native is built
   * ```
   */
  async workerInfo(): Promise<Record<string, unknown>> {
    return (await this.#piscina.run({ kind: 'info', backend: this.backend })) as Record<string, unknown>;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.#piscina.destroy();
  }

  /**
   * The flow's saved bytes, shared with the workers: saved again (under a new key, so
   * workers rebuild it) whenever any weight changed since — an optimizer step replaces a
   * parameter's storage, so comparing the storage handles is enough.
   */
  #flow(flow: LazyDistribution): { key: string; buffer: SharedArrayBuffer } {
    const weights = [...flow.parameters(), ...flow.namedBuffers().map(([, b]) => b)].map((t) => t.handle);
    let s = this.#saved.get(flow);
    if (s === undefined || s.weights.length !== weights.length || s.weights.some((h, i) => h !== weights[i])) {
      const bytes = saveFlow(flow);
      const buffer = new SharedArrayBuffer(bytes.length);
      new Uint8Array(buffer).set(bytes);
      s = { key: `flow-${process.pid}-${flowCounter++}`, buffer, weights };
      this.#saved.set(flow, s);
    }
    return s;
  }

  #checkBudget(bytes: number, what: string): void {
    if (bytes > this.memoryBudget) {
      throw new ValueError(
        `${what}: the result needs ${bytes} bytes, over the memory budget of ${this.memoryBudget}; use the *ToFile variant to stream it to disk`,
      );
    }
  }

  /** Runs a job of `n` rows in shards, in parallel, rerunning shards whose worker died. */
  async #run(kind: TaskKind, flow: LazyDistribution, n: number, options: JobOptions, sink: Sink, input?: SharedArray, inputFile?: string): Promise<void> {
    if (!Number.isSafeInteger(n) || n < 0) throw new ValueError(`n must be a non-negative integer, got ${n}`);
    const chunk = options.chunkSize ?? 16384;
    if (!Number.isInteger(chunk) || chunk < 1) throw new ValueError(`chunkSize must be a positive integer, got ${chunk}`);
    const firstRow = options.firstRow ?? 0;
    if (!Number.isSafeInteger(firstRow) || firstRow < 0) throw new ValueError(`firstRow must be a non-negative integer, got ${firstRow}`);
    if (!Number.isSafeInteger(firstRow + n)) throw new ValueError(`firstRow + n must be a safe integer, got ${firstRow} + ${n}`);
    const { key, buffer } = this.#flow(flow);
    const dtype = options.dtype ?? 'float32';
    let context: ShardTask['context'];
    if (options.context !== undefined) {
      const c = options.context;
      if (c.ndim === 1) context = { values: Float64Array.from(c.cast('float64').dataSync()), perRow: false };
      else if (c.ndim === 2 && c.shape[0] === n) context = { shared: toShared(c, 'float64'), perRow: true };
      else throw new ValueError(`context must be [C] or [n, C] with n = ${n}, got [${c.shape}]`);
    }
    const base: Omit<ShardTask, 'start' | 'count'> = {
      kind,
      flowKey: key,
      flow: buffer,
      firstRow,
      seed: options.seed ?? 0,
      stream: options.stream ?? 0,
      dtype,
      context,
      input,
      inputFile,
      output: sink.output,
      allowNonFinite: options.allowNonFinite ?? options.allowNaN ?? false,
      backend: this.backend,
    };
    const retries = options.retries ?? 2;
    const t0 = performance.now();
    let done = 0;
    const job = new AbortController();
    setMaxListeners(0, job.signal);
    const onAbort = () => job.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) job.abort(options.signal.reason);
    const cancelled = (): EddyError => new EddyError(`job cancelled: ${String(options.signal?.reason ?? 'aborted')}`);
    // Shards run at most 2 per thread at a time and are handed out in row order as others
    // finish: memory and start-up do not grow with n. When a shard fails, no new shard
    // starts, shards after it are stopped, and the ones before it finish: the job reports
    // the lowest failing row range, whatever order the workers ran in.
    const inFlight = new Map<number, AbortController>();
    let lowest: ShardError | undefined;
    const runShard = async (start: number, count: number): Promise<void> => {
      for (let attempt = 0; ; ) {
        const attemptCtl = new AbortController();
        inFlight.set(start, attemptCtl);
        const stop = () => attemptCtl.abort(job.signal.reason);
        job.signal.addEventListener('abort', stop, { once: true });
        let r: ShardResult;
        const piscina = this.#piscina;
        try {
          r = (await piscina.run({ ...base, start, count }, { signal: attemptCtl.signal })) as ShardResult;
        } catch (e) {
          if (job.signal.aborted) throw cancelled();
          // Stopped because an earlier shard failed: that one is what the job reports.
          if (lowest !== undefined && firstRow + start > lowest.start) return;
          // The pool was restarted under this shard (its workers kept dying): run it again.
          if (piscina !== this.#piscina) continue;
          // The worker died (crashed or was terminated): rerun the shard on a fresh one.
          if (++attempt <= retries) continue;
          throw new ShardError(firstRow + start, firstRow + start + count, `worker failed ${attempt} times: ${(e as Error).message}`);
        } finally {
          job.signal.removeEventListener('abort', stop);
          inFlight.delete(start);
        }
        if (!r.ok) throw new ShardError(firstRow + start, firstRow + start + count, `${r.name}: ${r.error}`);
        sink.accept?.(start, count, r);
        this.#restarts = 0;
        done += count;
        const secs = (performance.now() - t0) / 1000;
        const rate = done / Math.max(secs, 1e-9);
        options.onProgress?.({ done, total: n, rowsPerSecond: rate, etaSeconds: (n - done) / Math.max(rate, 1e-9) });
        return;
      }
    };
    // A pool whose workers all died while starting is not replaced by piscina: notice it,
    // start a new one (a bounded number of times, with back-off) and rerun the shards.
    let watchdogError: EddyError | undefined;
    let deadSince: number | undefined;
    const watchdog = setInterval(() => {
      if (inFlight.size === 0 || this.#piscina.threads.length > 0) {
        deadSince = undefined;
        return;
      }
      deadSince ??= performance.now();
      const backoff = 250 * 2 ** Math.min(this.#restarts, 4);
      if (performance.now() - deadSince < backoff) return;
      if (this.#restarts >= MAX_RESTARTS) {
        watchdogError = new EddyError(
          `the worker pool lost all ${this.threads} worker thread(s) and could not restart them after ${MAX_RESTARTS} attempts; the job was stopped`,
        );
        job.abort('no worker');
        return;
      }
      this.#restarts++;
      deadSince = undefined;
      const old = this.#piscina;
      this.#piscina = this.#newPiscina();
      for (const ctl of inFlight.values()) ctl.abort('pool restarted');
      old.destroy().catch(() => {});
    }, 100);
    watchdog.unref?.();
    let fatal: Error | undefined;
    const limit = Math.max(1, 2 * this.threads);
    let next = 0;
    await new Promise<void>((resolve) => {
      let running = 0;
      const launch = (): void => {
        while (running < limit && next < n && !job.signal.aborted && lowest === undefined) {
          const s = next;
          const count = Math.min(chunk, n - s);
          next += count;
          running++;
          runShard(s, count)
            .catch((e: unknown) => {
              // Cancelled, or the job already failed as a whole: nothing more to record.
              if (job.signal.aborted) return;
              // Not a shard's failure (the output could not be written): the job fails with it.
              if (!(e instanceof ShardError)) {
                fatal = e as Error;
                job.abort('the output failed');
                return;
              }
              if (lowest === undefined || e.start < lowest.start) lowest = e;
              for (const [st, ctl] of inFlight) if (firstRow + st > e.start) ctl.abort('an earlier shard failed');
            })
            .finally(() => {
              running--;
              launch();
              if (running === 0) resolve();
            });
        }
        if (running === 0) resolve();
      };
      launch();
    });
    clearInterval(watchdog);
    options.signal?.removeEventListener('abort', onAbort);
    if (fatal !== undefined) throw fatal;
    if (watchdogError !== undefined) throw watchdogError;
    if (options.signal?.aborted) throw cancelled();
    if (lowest !== undefined) throw lowest;
    if (done !== n) throw new EddyError(`internal: the job finished ${done} of ${n} rows`);
  }

  #eventSize(flow: LazyDistribution, context?: Tensor): number[] {
    const d = flow.call(context === undefined ? undefined : context.ndim === 1 ? context.reshape([1, -1]) : context.slice(0, 0, 1));
    return d.eventShape;
  }

  /**
   * `n` draws from the flow (row `i` a pure function of `(seed, firstRow + i)`), as one
   * tensor `[n, ...eventShape]` in shared memory.
   */
  async sample(flow: LazyDistribution, n: number, options: JobOptions = {}): Promise<Tensor> {
    const dtype = options.dtype ?? 'float32';
    const shape = [n, ...this.#eventSize(flow, options.context)];
    const out = sharedArray(dtype, shape);
    this.#checkBudget(out.buffer.byteLength, 'sample');
    await this.#run('sample', flow, n, options, { output: { values: out } });
    return tensor(viewOf(out), { shape });
  }

  /** Draws and their log-densities, `[samples, logProb]`. */
  async sampleAndLogProb(flow: LazyDistribution, n: number, options: JobOptions = {}): Promise<[Tensor, Tensor]> {
    const dtype = options.dtype ?? 'float32';
    const shape = [n, ...this.#eventSize(flow, options.context)];
    const out = sharedArray(dtype, shape);
    const lp = sharedArray(dtype, [n]);
    this.#checkBudget(out.buffer.byteLength + lp.buffer.byteLength, 'sampleAndLogProb');
    await this.#run('sampleAndLogProb', flow, n, options, { output: { values: out, logProb: lp } });
    return [tensor(viewOf(out), { shape }), tensor(viewOf(lp), { shape: [n] })];
  }

  /** Log-densities of the rows of `x` (`[n, ...eventShape]`). */
  async logProb(flow: LazyDistribution, x: Tensor, options: JobOptions = {}): Promise<Tensor> {
    const dtype = options.dtype ?? (x.dtype === 'float64' ? 'float64' : 'float32');
    const n = x.shape[0] as number;
    const lp = sharedArray(dtype, [n]);
    this.#checkBudget(lp.buffer.byteLength, 'logProb');
    await this.#run('logProb', flow, n, { ...options, dtype }, { output: { logProb: lp } }, toShared(x, dtype));
    return tensor(viewOf(lp), { shape: [n] });
  }

  /**
   * `n` draws streamed to a `.npy` file as shards finish (in any order, each at its own
   * offset): memory stays bounded by `chunkSize × threads` rows, whatever `n` is.
   */
  async sampleToFile(flow: LazyDistribution, n: number, path: string, options: JobOptions = {}): Promise<FileOutput> {
    const dtype = options.dtype ?? 'float32';
    const shape = [n, ...this.#eventSize(flow, options.context)];
    const writer = new NpyWriter(path, dtype, shape);
    try {
      await this.#run('sample', flow, n, options, {
        accept: (start, _count, r) => writer.writeRows(start, r.values as Float32Array | Float64Array),
      });
      writer.commit();
    } catch (e) {
      writer.abort();
      throw e;
    }
    return { path, shape };
  }

  /**
   * Log-densities of the rows of a `.npy` file, streamed from `inPath` to `outPath`
   * shard by shard: neither the input nor the output is ever fully in memory. With
   * `rows: [start, end]` only those rows are scored (a part of a larger job).
   *
   * @example
   * ```ts
   * import { NSF } from '@eddy/flows';
   * import { FlowPool } from '@eddy/montecarlo';
   * const [pool, flow] = [new FlowPool({ threads: 2 }), new NSF({ features: 2 })];
   * await pool.logProbFile(flow, 'points.npy', 'logp.npy');
   * await pool.logProbFile(flow, 'points.npy', 'part-1.npy', { rows: [500_000, 1_000_000] });
   * ```
   */
  async logProbFile(flow: LazyDistribution, inPath: string, outPath: string, options: LogProbFileOptions = {}): Promise<FileOutput> {
    const h = readNpyHeader(inPath);
    const total = h.shape[0] ?? 1;
    const dtype = options.dtype ?? h.dtype;
    const event = this.#eventSize(flow, options.context);
    if (h.shape.length !== 1 + event.length || event.some((d, i) => h.shape[1 + i] !== d)) {
      throw new ValueError(`logProbFile: ${inPath} has shape [${h.shape}], expected [n, ${event}]`);
    }
    if (options.firstRow !== undefined)
      throw new ValueError('logProbFile: firstRow is not an option here; rows: [start, end] says which rows of the input to score');
    const [start, end] = options.rows ?? [0, total];
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > total) {
      throw new ValueError(`logProbFile: rows [${start}, ${end}) is not a range of the ${total} rows of ${inPath} (0 ≤ start ≤ end ≤ ${total})`);
    }
    const n = end - start;
    const { rows: _rows, ...job } = options;
    const writer = new NpyWriter(outPath, dtype, [n]);
    try {
      await this.#run(
        'logProb',
        flow,
        n,
        { ...job, dtype, firstRow: start },
        { accept: (s, _c, r) => writer.writeRows(s, r.logProb as Float32Array | Float64Array) },
        undefined,
        inPath,
      );
      writer.commit();
    } catch (e) {
      writer.abort();
      throw e;
    }
    return { path: outPath, shape: [n] };
  }

  /**
   * Calls `onChunk(start, samples, logProb)` for each shard of `n` draws (in completion
   * order) without keeping them: the building block of streaming estimators.
   */
  async forEachChunk(
    flow: LazyDistribution,
    n: number,
    onChunk: (start: number, samples: Tensor, logProb: Tensor) => void,
    options: JobOptions = {},
  ): Promise<void> {
    const event = this.#eventSize(flow, options.context);
    await this.#run('sampleAndLogProb', flow, n, options, {
      accept: (start, count, r) => {
        onChunk(
          start,
          tensor(r.values as Float32Array | Float64Array, { shape: [count, ...event] }),
          tensor(r.logProb as Float32Array | Float64Array, { shape: [count] }),
        );
      },
    });
  }
}
