import { isAbsolute, normalize } from 'node:path';
import { ClusterError } from './errors.js';

/**
 * The kinds of job a worker runs: `sample` (draws of a seeded stream) and `logprob`
 * (log-densities of the rows of a `.npy` input), which write part files; `moments`
 * (per-feature mean and variance of the draws) and `importance` (importance sampling with
 * the model as proposal and a second model as target), whose shards return sufficient
 * statistics that the coordinator combines. Nothing else is accepted from the queue.
 * @category Cluster
 */
export type JobKind = 'sample' | 'logprob' | 'moments' | 'importance';

/**
 * The job kinds whose shards return sufficient statistics (no part files).
 *
 * @example
 * ```ts
 * import { isStatisticsKind } from '@eddy/cluster';
 * isStatisticsKind('moments'); // true
 * ```
 * @category Cluster
 */
export function isStatisticsKind(kind: JobKind): kind is 'moments' | 'importance' {
  return kind === 'moments' || kind === 'importance';
}

const KINDS: readonly JobKind[] = ['sample', 'logprob', 'moments', 'importance'];

/**
 * The `format` of a shard's job data (bumped if its meaning ever changes); a worker
 * refuses job data of any other format.
 *
 * @example
 * ```ts
 * import { SHARD_FORMAT } from '@eddy/cluster';
 * const job = { data: JSON.parse('{"format": 1}') as { format: unknown } };
 * if (job.data.format !== SHARD_FORMAT) throw new Error(`unknown shard format ${job.data.format}`);
 * ```
 * @category Cluster
 */
export const SHARD_FORMAT = 'eddy-shard/1';

/**
 * What a shard's BullMQ job carries: plain data only, checked field by field by the
 * worker ({@link parseShardData}) before anything is done with it. The model is named by
 * the SHA-256 of its bytes, which the worker fetches and verifies.
 *
 * @example
 * ```ts
 * import { type ShardData } from '@eddy/cluster';
 * const d: ShardData = {
 *   format: 'eddy-shard/1', job: 'c1a2b3c4d5e6', index: 0, shards: 4, kind: 'sample',
 *   modelSha256: 'ab…', modelChecksum: '1a2b3c4d', rows: [0, 250], total: 1000, seed: 1,
 *   dtype: 'float32', outDir: '/shared/run', eddyVersion: '0.1.0',
 * };
 * ```
 * @category Cluster
 */
export interface ShardData {
  /** Always {@link SHARD_FORMAT}. */
  format: typeof SHARD_FORMAT;
  /** The cluster job this shard belongs to. */
  job: string;
  /** Shard index, from 0. */
  index: number;
  /** Shards in the job (sets the width of the part's file name). */
  shards: number;
  /** What to compute. */
  kind: JobKind;
  /** SHA-256 (64 hex digits) of the model file's bytes: its key in the model store. */
  modelSha256: string;
  /** The model's own checksum (the `crc32` saveFlow stores), recorded in the part. */
  modelChecksum: string;
  /** Rows `[start, end)` of the job. */
  rows: [start: number, end: number];
  /** Rows of the whole job. */
  total: number;
  /** `importance`: SHA-256 of the target model's bytes (its key in the model store). */
  targetSha256?: string;
  /** `importance`: the target model's own checksum (`crc32` of saveFlow). */
  targetChecksum?: string;
  /** Seed of the draws (`sample`, `moments`, `importance`). */
  seed?: number;
  /** Element type of the output. */
  dtype: 'float32' | 'float64';
  /** `logprob`: the absolute path of the `.npy` input (on the shared file system). */
  input?: string;
  /** Absolute path of the job's output directory (on the shared file system). */
  outDir: string;
  /** Version of Eddy that submitted the job: a worker of another version refuses it. */
  eddyVersion: string;
  /** Rows per piece of work on the worker's pool (results do not depend on it). */
  chunkSize?: number;
}

const KEYS = new Set([
  'format',
  'job',
  'index',
  'shards',
  'kind',
  'modelSha256',
  'modelChecksum',
  'targetSha256',
  'targetChecksum',
  'rows',
  'total',
  'seed',
  'dtype',
  'input',
  'outDir',
  'eddyVersion',
  'chunkSize',
]);
const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Whether `id` is a valid cluster job id (1–64 letters, digits, `_` or `-`).
 *
 * @example
 * ```ts
 * import { isJobId } from '@eddy/cluster';
 * isJobId('c1a2b3c4d5e6'); // true
 * ```
 * @category Cluster
 */
export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && JOB_ID.test(id);
}

/** A normalised absolute path without NUL bytes, or a ClusterError. */
function absolutePath(v: unknown, what: string, bad: (m: string) => never): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0')) bad(`${what} must be a non-empty path`);
  const p = v as string;
  if (!isAbsolute(p)) bad(`${what} must be an absolute path, got ${JSON.stringify(p)}`);
  if (normalize(p) !== p) bad(`${what} must be a normalised path (no . or .. parts), got ${JSON.stringify(p)}`);
  return p;
}

/**
 * Checks a shard's job data as it came out of the queue: an object with exactly the
 * fields of {@link ShardData}, each of the right type and in range; anything else is
 * refused with a {@link ClusterError} naming the field. Nothing in it is evaluated.
 *
 * @example
 * ```ts
 * import { parseShardData } from '@eddy/cluster';
 * const job = { data: JSON.parse('{}') as unknown }; // a BullMQ job's data, as received
 * const data = parseShardData(job.data); // throws on anything unexpected
 * ```
 * @category Cluster
 */
export function parseShardData(raw: unknown): ShardData {
  const bad = (m: string): never => {
    throw new ClusterError(`invalid shard: ${m}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('job data must be an object');
  const d = raw as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KEYS.has(k)) bad(`unknown field ${JSON.stringify(k)}`);
  if (d.format !== SHARD_FORMAT) bad(`format must be ${JSON.stringify(SHARD_FORMAT)}, got ${JSON.stringify(d.format)}`);
  if (!isJobId(d.job)) bad(`job must be a job id (letters, digits, _ and -), got ${JSON.stringify(d.job)}`);
  if (!isInt(d.shards, 1)) bad(`shards must be a positive integer, got ${JSON.stringify(d.shards)}`);
  if (!isInt(d.index) || (d.index as number) >= (d.shards as number)) bad(`index must be an integer in [0, shards), got ${JSON.stringify(d.index)}`);
  if (!KINDS.includes(d.kind as JobKind)) bad(`unknown kind ${JSON.stringify(d.kind)} (a worker runs only ${KINDS.map((k) => JSON.stringify(k)).join(', ')})`);
  if (typeof d.modelSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.modelSha256)) bad('modelSha256 must be 64 lower-case hex digits');
  if (typeof d.modelChecksum !== 'string' || !/^[0-9a-f]{8}$/.test(d.modelChecksum)) bad('modelChecksum must be 8 lower-case hex digits');
  const rows = d.rows;
  if (!Array.isArray(rows) || rows.length !== 2 || !isInt(rows[0]) || !isInt(rows[1]) || rows[0] >= rows[1])
    bad(`rows must be [start, end] with integers 0 ≤ start < end, got ${JSON.stringify(rows)}`);
  if (!isInt(d.total, 1) || (d.total as number) < (rows as number[])[1]!) bad(`total must be an integer ≥ the end of rows, got ${JSON.stringify(d.total)}`);
  if (d.kind === 'importance') {
    if (typeof d.targetSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(d.targetSha256)) bad('an importance shard needs targetSha256, 64 lower-case hex digits');
    if (typeof d.targetChecksum !== 'string' || !/^[0-9a-f]{8}$/.test(d.targetChecksum))
      bad('an importance shard needs targetChecksum, 8 lower-case hex digits');
  } else if (d.targetSha256 !== undefined || d.targetChecksum !== undefined) {
    bad(`a ${String(d.kind)} shard has no target`);
  }
  if (d.kind !== 'logprob') {
    if (!isInt(d.seed)) bad(`a ${String(d.kind)} shard needs seed, a non-negative integer, got ${JSON.stringify(d.seed)}`);
    if (d.input !== undefined) bad(`a ${String(d.kind)} shard has no input`);
  } else {
    if (d.seed !== undefined) bad('a logprob shard has no seed');
    absolutePath(d.input, 'input', bad);
    if (!(d.input as string).toLowerCase().endsWith('.npy')) bad(`input must be a .npy file, got ${JSON.stringify(d.input)}`);
  }
  if (d.dtype !== 'float32' && d.dtype !== 'float64') bad(`dtype must be "float32" or "float64", got ${JSON.stringify(d.dtype)}`);
  absolutePath(d.outDir, 'outDir', bad);
  if (typeof d.eddyVersion !== 'string' || !/^[0-9A-Za-z.+-]{1,64}$/.test(d.eddyVersion))
    bad(`eddyVersion must be a version string, got ${JSON.stringify(d.eddyVersion)}`);
  if (d.chunkSize !== undefined && (!isInt(d.chunkSize, 1) || (d.chunkSize as number) > 1 << 24))
    bad(`chunkSize must be an integer in [1, 2^24], got ${JSON.stringify(d.chunkSize)}`);
  return d as unknown as ShardData;
}

/**
 * The file name of shard `index` of `shards`: `part-00003.npy` (zero-padded to at least
 * 5 digits, more when there are more shards, so names sort in row order).
 *
 * @example
 * ```ts
 * import { partName } from '@eddy/cluster';
 * partName(3, 10); // 'part-00003.npy'
 * ```
 * @category Cluster
 */
export function partName(index: number, shards: number): string {
  const width = Math.max(5, String(Math.max(shards - 1, 0)).length);
  return `part-${String(index).padStart(width, '0')}.npy`;
}

/**
 * The BullMQ job id of shard `index` of cluster job `job`: `<job>-<index>` (BullMQ ids
 * may not contain `:`).
 *
 * @example
 * ```ts
 * import { shardJobId } from '@eddy/cluster';
 * shardJobId('c1a2b3c4d5e6', 2); // 'c1a2b3c4d5e6-2'
 * ```
 * @category Cluster
 */
export function shardJobId(job: string, index: number): string {
  return `${job}-${index}`;
}
