/**
 * Messages between the pool and its workers. Large arrays travel in SharedArrayBuffers
 * (the serialised flow, inputs, in-memory outputs) so nothing big is copied per task.
 */

/**
 * What a shard computes.
 *
 * @category Pool
 */
export type TaskKind = 'sample' | 'logProb' | 'sampleAndLogProb';

/**
 * A float array shared between threads: `rows × rowSize` values.
 *
 * @category Pool
 */
export interface SharedArray {
  /** Backing memory. */
  buffer: SharedArrayBuffer;
  /** Element type. */
  dtype: 'float32' | 'float64';
  /** Shape of the whole array (rows first). */
  shape: number[];
}

/**
 * One shard: rows `[start, start + count)` of a job.
 *
 * @category Pool
 */
export interface ShardTask {
  kind: TaskKind;
  /** Identifies the flow (workers cache the rebuilt flow under it). */
  flowKey: string;
  /** The flow serialised with `saveFlow`. */
  flow: SharedArrayBuffer;
  /** First row of the shard within its job. */
  start: number;
  count: number;
  /**
   * Global index of the job's row 0 (`JobOptions.firstRow`): the shard draws rows
   * `[firstRow + start, firstRow + start + count)` of the stream, and reads those rows of
   * an `inputFile`. In-memory inputs, contexts and outputs hold the job's rows only.
   */
  firstRow: number;
  seed: number;
  stream: number;
  dtype: 'float32' | 'float64';
  /** A context vector for every row (flattened), or per-row contexts (shared). */
  context?: { values: Float64Array; perRow: false } | { shared: SharedArray; perRow: true };
  /** Input rows for logProb (whole array shared; the shard reads its rows). */
  input?: SharedArray;
  /** Or a `.npy` file the shard reads its rows from (inputs larger than memory). */
  inputFile?: string;
  /** Where to write results in place (in-memory jobs); absent: return them. */
  output?: { values?: SharedArray; logProb?: SharedArray };
  /** Allow NaN in results (default: a NaN fails the shard). */
  allowNonFinite: boolean;
  /** Engine backend to select in the worker (default `cpu`). */
  backend: string;
}

/**
 * A shard's outcome: results (when not written in place) or the error it raised.
 *
 * @category Pool
 */
/**
 * Asks a worker what its backend reports (`backendInfo()`): which kernels it runs.
 *
 * @example
 * ```ts
 * const t: InfoTask = { kind: 'info', backend: 'cpu' };
 * ```
 */
export interface InfoTask {
  kind: 'info';
  backend: string;
}

export type ShardResult =
  | { ok: true; values?: Float32Array | Float64Array; logProb?: Float32Array | Float64Array }
  | { ok: false; error: string; name: string };
