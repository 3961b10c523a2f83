import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadFlow } from '@eddy/flows';
import { type MergeResult, type PartInfo, mergeParts, readNpyHeader, readPartInfo, shardRows } from '@eddy/montecarlo';
import { type Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Keys, type RedisConnection, keys, redisOptions } from './connection.js';
import { ClusterError, ClusterJobError, type FailedShard } from './errors.js';
import { flowChecksum, putModel, sha256Hex } from './models.js';
import { type JobKind, SHARD_FORMAT, type ShardData, isJobId, isStatisticsKind, partName, shardJobId } from './shard-data.js';
import {
  type ImportanceStatistics,
  type MomentStatistics,
  type ShardStatistics,
  type StatisticsResult,
  combineImportance,
  combineMoments,
  importanceResult,
  momentsResult,
  parseShardStatistics,
} from './statistics.js';
import { SharedDirectoryStorage, type Storage } from './storage.js';
import { eddyVersion } from './version.js';

/**
 * What a worker returns for a finished shard (BullMQ's `returnvalue`).
 * @category Cluster
 */
export interface ShardResult {
  /** The part's file name in the job's output directory. */
  part: string;
  /** Its rows `[start, end)`. */
  rows: [start: number, end: number];
  /** CRC-32 of its data, as in its sidecar. */
  dataCrc32: string;
  /** The kernels that computed it. */
  kernels: string;
  /** The worker that wrote it (`host:pid` unless named). */
  worker: string;
}

/**
 * What a worker returns for a finished shard of a `moments` or `importance` job (BullMQ's
 * `returnvalue`, kept in Redis): the shard's sufficient statistics instead of a part.
 * @category Cluster
 */
export interface StatisticsShardResult {
  /** Its rows `[start, end)`. */
  rows: [start: number, end: number];
  /** The shard's statistics (float64). */
  statistics: ShardStatistics;
  /** The kernels that computed it. */
  kernels: string;
  /** The worker that computed it. */
  worker: string;
}

/**
 * Options of a {@link Coordinator} (and of the functions {@link submitJob},
 * {@link followJob}, {@link jobStatus}, {@link cancelJob}).
 * @category Cluster
 */
export interface CoordinatorOptions {
  /** Where Redis is. */
  redis: RedisConnection;
  /** Prefix of every Redis key (default `eddy`); workers must use the same. */
  prefix?: string;
  /** Where parts and the manifest live (default: a {@link SharedDirectoryStorage}). */
  storage?: Storage;
  /**
   * How long the first request waits for Redis before failing with a `ClusterError`
   * (default 10000 ms). Later requests ride out a Redis restart as ioredis reconnects.
   */
  connectTimeout?: number;
}

/**
 * A job to submit: its kind, model, size, seed and shards, and where its parts go.
 * @category Cluster
 */
export interface SubmitOptions {
  /**
   * `sample` draws `n` rows of the seeded stream; `logprob` scores the rows of `input`;
   * `moments` gives the per-feature mean, variance and standard error of `n` draws;
   * `importance` estimates `log Z` of `target` with the model as proposal, from `n` draws.
   */
  kind: JobKind;
  /** The model: a `.safetensors` path (read here, on the coordinator) or its bytes. */
  model: string | Uint8Array;
  /** `importance`: the target `p̃`, a second saved flow (path or bytes), stored like the model. */
  target?: string | Uint8Array;
  /** Rows of the job: required for `sample`; for `logprob` the input's rows (checked when given). */
  n?: number;
  /** Seed of a `sample` job (default 0): row `i` is a function of `(seed, i)` only. */
  seed?: number;
  /** Number of near-equal contiguous shards (see `shardRows` in `@eddy/montecarlo`). */
  shards?: number;
  /** Or rows per shard (the last shard takes the rest). Default, when neither is given: 1,000,000. */
  shardRows?: number;
  /** Element type of the output (default `float32`; for `logprob`, the input's). */
  dtype?: 'float32' | 'float64';
  /** `logprob`: the `.npy` input, on a file system every worker mounts at the same path. */
  input?: string;
  /** The job's output directory (on the shared file system): parts, `manifest.json`, the merged file. */
  outDir: string;
  /** Rows per piece of work on each worker's pool (default: the pool's). */
  chunkSize?: number;
  /** Attempts per shard before the job fails (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled for each further retry (default 1000). */
  backoff?: number;
  /** The job's id (default: random); letters, digits, `_` and `-`. */
  jobId?: string;
}

/**
 * A submitted job.
 *
 * @example
 * ```ts
 * import { Coordinator, type SubmittedJob } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const job: SubmittedJob = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * console.log(job.id, job.shards.length); // e.g. c1a2b3c4d5e6 10
 * ```
 * @category Cluster
 */
export interface SubmittedJob {
  /** The job's id: follow it, ask its status or cancel it with this. */
  id: string;
  /** The shards' rows, in order. */
  shards: [start: number, end: number][];
  /** Rows of the job. */
  n: number;
  /** The output directory, absolute. */
  outDir: string;
}

/**
 * What the coordinator keeps about a job in Redis (`<prefix>:job:<id>`, field `spec`).
 *
 * @example
 * ```ts
 * import { Coordinator } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const { kind, n, shards } = (await coordinator.status(id)).job; // the JobRecord
 * ```
 * @category Cluster
 */
export interface JobRecord {
  /** The job id. */
  id: string;
  /** What the job computes. */
  kind: JobKind;
  /** Rows of the job. */
  n: number;
  /** Seed (`sample` jobs). */
  seed?: number;
  /** Element type of the output. */
  dtype: 'float32' | 'float64';
  /** `logprob`: the input `.npy`, absolute. */
  input?: string;
  /** The output directory, absolute. */
  outDir: string;
  /** SHA-256 of the model's bytes: its key in the model store. */
  modelSha256: string;
  /** The model's own checksum (`crc32` of saveFlow), recorded in the parts. */
  modelChecksum: string;
  /** `importance`: SHA-256 of the target model's bytes. */
  targetSha256?: string;
  /** `importance`: the target model's own checksum. */
  targetChecksum?: string;
  /** Eddy version of the coordinator that submitted it. */
  eddyVersion: string;
  /** Each shard's rows `[start, end)`, in order. */
  shards: [start: number, end: number][];
  /** Attempts per shard. */
  attempts: number;
  /** When it was submitted (ISO 8601). */
  createdAt: string;
}

/**
 * Where a job stands: `running` (shards queued or running), `completed` (every shard
 * done and the manifest written), `failed`, `cancelled`.
 *
 * @example
 * ```ts
 * import { type JobState, jobStatus, submitJob } from '@eddy/cluster';
 * const redis = 'redis://127.0.0.1:6379';
 * const { id } = await submitJob({ redis, kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const state: JobState = (await jobStatus(id, { redis })).state;
 * if (state === 'completed') console.log('done');
 * ```
 * @category Cluster
 */
export type JobState = 'running' | 'completed' | 'failed' | 'cancelled';

/**
 * One shard's state: BullMQ's (`waiting`, `delayed` for a retry's back-off, `active`,
 * `completed`, `failed`, …), or `missing` when its BullMQ job was removed.
 *
 * @example
 * ```ts
 * import { Coordinator, type ShardStatus } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const status = await coordinator.status(id);
 * const active: ShardStatus[] = status.shards.filter((s) => s.state === 'active');
 * ```
 * @category Cluster
 */
export interface ShardStatus {
  /** Shard index, from 0. */
  index: number;
  /** Its rows `[start, end)`. */
  rows: [start: number, end: number];
  /** BullMQ's state of the shard's job, or `missing`. */
  state: string;
  /** Rows done (all of them once completed). */
  done: number;
  /** Attempts made so far (BullMQ's `attemptsMade`: a shard done at its first try shows 1). */
  attemptsMade: number;
  /** The last failed attempt's error. */
  failedReason?: string;
  /** The worker that reported last. */
  worker?: string;
}

/**
 * A job's status, read from Redis and the manifest (so it works from any coordinator,
 * after a restart).
 *
 * @example
 * ```ts
 * import { Coordinator, type JobStatus } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const s: JobStatus = await coordinator.status(id);
 * console.log(`${s.done}/${s.job.n} rows, ${s.shards.filter((x) => x.state === 'completed').length} shards done`);
 * ```
 * @category Cluster
 */
export interface JobStatus {
  /** The job's record. */
  job: JobRecord;
  /** Where the job stands. */
  state: JobState;
  /** Rows done over all shards. */
  done: number;
  /** Each shard, in order. */
  shards: ShardStatus[];
  /** The error of a failed job. */
  error?: string;
  /** The manifest of a completed job. */
  manifest?: Manifest;
  /** The result of a completed `moments` or `importance` job (the manifest's). */
  statistics?: StatisticsResult;
}

/**
 * Progress of a followed job: rows done of the total, the rate since following began,
 * the estimated time left, shard counts, and shards that failed for good.
 *
 * @example
 * ```ts
 * import { type ClusterProgress, followJob, submitJob } from '@eddy/cluster';
 * const onProgress = (p: ClusterProgress) => console.log(`${p.done}/${p.total} ${p.rowsPerSecond.toFixed(0)}/s`);
 * const redis = 'redis://127.0.0.1:6379';
 * const { id } = await submitJob({ redis, kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * await followJob(id, { redis, onProgress });
 * ```
 * @category Cluster
 */
export interface ClusterProgress {
  /** Rows done over all shards. */
  done: number;
  /** Rows of the job. */
  total: number;
  /** Rows per second since following began. */
  rowsPerSecond: number;
  /** Estimated seconds left (infinite before any rate is known). */
  etaSeconds: number;
  /** Shards by state (`retrying`: not finished, with a failed attempt behind them). */
  shards: {
    /** Shards of the job. */
    total: number;
    /** Completed. */
    completed: number;
    /** Running on a worker. */
    active: number;
    /** Queued, or waiting out a retry's back-off. */
    waiting: number;
    /** Not finished, with a failed attempt behind them. */
    retrying: number;
    /** Failed for good. */
    failed: number;
  };
  /** Shards that failed for good. */
  failed: FailedShard[];
}

/**
 * Options of {@link Coordinator.follow}.
 *
 * @example
 * ```ts
 * import { Coordinator } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * await coordinator.follow(id, { merge: true, onProgress: (p) => console.log(p.done), signal: AbortSignal.timeout(60_000) });
 * ```
 * @category Cluster
 */
export interface FollowOptions {
  /** Called on progress events (at most every 100 ms) and on every read of Redis. */
  onProgress?: (p: ClusterProgress) => void;
  /** Also merge the parts: `true` for `<outDir>/samples.npy` (`logprob.npy`), or a path. */
  merge?: boolean | string;
  /** Stops following (the job goes on; follow it again later). */
  signal?: AbortSignal;
  /** How often Redis is read besides the events, in ms (default 2000). */
  pollInterval?: number;
}

/**
 * The manifest of a completed job, `<outDir>/manifest.json`: the job and its parts in row
 * order with their checksums.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import type { Manifest } from '@eddy/cluster';
 * const m = JSON.parse(readFileSync('/shared/run/manifest.json', 'utf8')) as Manifest;
 * console.log(m.job, m.n);
 * ```
 * @category Cluster
 */
export interface Manifest {
  /** Always `eddy-cluster-manifest/1`. */
  format: 'eddy-cluster-manifest/1';
  /** The job id. */
  job: string;
  /** What the job computed. */
  kind: JobKind;
  /** Rows of the job. */
  n: number;
  /** Seed (`sample` jobs). */
  seed?: number;
  /** Element type of the output. */
  dtype: 'float32' | 'float64';
  /** `logprob`: the input `.npy`. */
  input?: string;
  /** SHA-256 of the model's bytes. */
  modelSha256: string;
  /** The model's own checksum, as the parts record it. */
  modelChecksum: string;
  /** `importance`: SHA-256 of the target model's bytes. */
  targetSha256?: string;
  /** `importance`: the target model's own checksum. */
  targetChecksum?: string;
  /** Eddy version of the job. */
  eddyVersion: string;
  /** Shape of the whole output: `[n, ...features]` (`moments`: of the draws; `importance`: `[n]`). */
  shape: number[];
  /** The parts in row order: file name in the output directory, rows, CRC-32 of the data, kernels (none for `moments` and `importance`). */
  parts: {
    /** File name in the output directory. */
    file: string;
    /** Rows `[start, end)` of the job. */
    rows: [start: number, end: number];
    /** CRC-32 of the part's data, as in its sidecar. */
    dataCrc32: string;
    /** The kernels that computed it. */
    kernels?: string;
  }[];
  /** The different kernels the parts record (more than one: see `PartInfo.kernels`). */
  kernels: string[];
  /** `moments` and `importance`: the result, combined from the shards' statistics. */
  statistics?: StatisticsResult;
  /** `moments` and `importance`: each shard's rows and statistics, in row order. */
  shardStatistics?: {
    /** The shard's rows `[start, end)`. */
    rows: [start: number, end: number];
    /** Its sufficient statistics, as the shard returned them. */
    statistics: ShardStatistics;
  }[];
  /** When the job was submitted (ISO 8601). */
  createdAt: string;
  /** When the manifest was written (ISO 8601). */
  completedAt: string;
}

/**
 * The result of {@link Coordinator.follow}: the manifest, where it is, and the merged file.
 *
 * @example
 * ```ts
 * import { Coordinator, type FollowResult } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e6, seed: 1, shards: 10, outDir: '/shared/run' });
 * const { manifest, merged }: FollowResult = await coordinator.follow(id, { merge: true });
 * ```
 * @category Cluster
 */
export interface FollowResult {
  /** The job's manifest. */
  manifest: Manifest;
  /** Where it is. */
  manifestPath: string;
  /** The merged file, when `merge` was asked for. */
  merged?: MergeResult;
  /** The result of a `moments` or `importance` job. */
  statistics?: StatisticsResult;
}

const MANIFEST = 'manifest.json';
const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** The rows of each shard of an `n`-row job. */
function planShards(n: number, shards: number | undefined, rowsPerShard: number | undefined): [number, number][] {
  if (shards !== undefined && rowsPerShard !== undefined) throw new ClusterError('give shards or shardRows, not both');
  if (shards !== undefined) {
    if (!isInt(shards, 1)) throw new ClusterError(`shards must be a positive integer, got ${shards}`);
    if (shards > n) throw new ClusterError(`${shards} shards are more than the ${n} rows of the job`);
    return Array.from({ length: shards }, (_, i) => shardRows(i, shards, n));
  }
  const r = rowsPerShard ?? 1_000_000;
  if (!isInt(r, 1)) throw new ClusterError(`shardRows must be a positive integer, got ${r}`);
  const k = Math.ceil(n / r);
  return Array.from({ length: k }, (_, i) => [i * r, Math.min(n, (i + 1) * r)]);
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((res) => {
    // Unreferenced: a sleep that lost its race must not keep the process alive.
    const t = setTimeout(done, ms).unref();
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The coordinator of cluster jobs: submits a job as one BullMQ job per row range (the
 * model stored once in Redis, keyed by its SHA-256), follows it through BullMQ's events,
 * writes its manifest and merges its parts; reads a job's status and cancels it. It keeps
 * nothing that Redis and the output directory do not: a coordinator started later (on
 * another machine) follows, reports and merges the same job.
 *
 * @example
 * ```ts
 * import { Coordinator } from '@eddy/cluster';
 * const coordinator = new Coordinator({ redis: 'redis://127.0.0.1:6379' });
 * const { id } = await coordinator.submit({ kind: 'sample', model: 'model.safetensors', n: 1e8, seed: 1, shards: 20, outDir: '/shared/run' });
 * const { merged } = await coordinator.follow(id, { merge: true, onProgress: (p) => console.log(p.done, p.total) });
 * await coordinator.close();
 * ```
 * @category Cluster
 */
export class Coordinator {
  readonly #keys: Keys;
  readonly #queue: Queue;
  readonly #connection: ReturnType<typeof redisOptions>;
  readonly #storage: Storage;
  readonly #connectTimeout: number;
  #reachable: Promise<void> | undefined;

  constructor(options: CoordinatorOptions) {
    this.#keys = keys(options.prefix);
    this.#connection = redisOptions(options.redis);
    this.#queue = new Queue(this.#keys.queue, { connection: this.#connection, prefix: this.#keys.prefix });
    this.#storage = options.storage ?? new SharedDirectoryStorage();
    this.#connectTimeout = options.connectTimeout ?? 10_000;
  }

  /** The Redis client of the queue (for the job records and the model store). */
  async #client(): Promise<Redis> {
    this.#reachable ??= this.#checkReachable();
    await this.#reachable;
    // BullMQ types its client as a minimal interface; from ioredis options it is an ioredis Redis.
    return (await this.#queue.client) as unknown as Redis;
  }

  /**
   * Fails when Redis does not answer within `connectTimeout` (ioredis would otherwise
   * retry for ever, and a command line would hang without a word).
   */
  async #checkReachable(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const where = `${this.#connection.host ?? '127.0.0.1'}:${this.#connection.port ?? 6379}`;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ClusterError(
              `cannot reach Redis at ${where} within ${this.#connectTimeout / 1000} s: is redis-server running there, and is the URL (--redis or EDDY_REDIS_URL) right?`,
            ),
          ),
        this.#connectTimeout,
      );
    });
    try {
      const client = (await Promise.race([this.#queue.client, timeout])) as unknown as Redis;
      await Promise.race([client.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Submits a job: checks the model with the strict loader, stores its bytes once (keyed
   * by SHA-256), records the job and enqueues one shard per row range, each with
   * `attempts` and exponential back-off. Returns at once; {@link follow} waits for it.
   */
  async submit(options: SubmitOptions): Promise<SubmittedJob> {
    const { kind } = options;
    if (kind !== 'sample' && kind !== 'logprob' && kind !== 'moments' && kind !== 'importance')
      throw new ClusterError(`kind must be "sample", "logprob", "moments" or "importance", got ${JSON.stringify(kind)}`);
    const bytes = typeof options.model === 'string' ? new Uint8Array(readFileSync(options.model)) : options.model;
    if (!(bytes instanceof Uint8Array)) throw new ClusterError('model must be a path or a Uint8Array');
    const modelChecksum = flowChecksum(bytes);
    loadFlow(bytes); // the strict loader, here first: a bad model fails the submission, not every shard
    const modelSha256 = sha256Hex(bytes);
    let targetBytes: Uint8Array | undefined;
    if (kind === 'importance') {
      if (options.target === undefined) throw new ClusterError('an importance job needs target, a saved flow (its log-density is the unnormalised target)');
      targetBytes = typeof options.target === 'string' ? new Uint8Array(readFileSync(options.target)) : options.target;
      if (!(targetBytes instanceof Uint8Array)) throw new ClusterError('target must be a path or a Uint8Array');
    } else if (options.target !== undefined) {
      throw new ClusterError(`a ${kind} job has no target (only importance has)`);
    }
    const targetChecksum = targetBytes === undefined ? undefined : flowChecksum(targetBytes);
    if (targetBytes !== undefined) loadFlow(targetBytes);
    const targetSha256 = targetBytes === undefined ? undefined : sha256Hex(targetBytes);
    const attempts = options.attempts ?? 3;
    if (!isInt(attempts, 1) || attempts > 100) throw new ClusterError(`attempts must be an integer in [1, 100], got ${attempts}`);
    const backoff = options.backoff ?? 1000;
    if (!isInt(backoff)) throw new ClusterError(`backoff must be a non-negative integer (ms), got ${backoff}`);
    const dtypeGiven = options.dtype;
    if (dtypeGiven !== undefined && dtypeGiven !== 'float32' && dtypeGiven !== 'float64')
      throw new ClusterError(`dtype must be float32 or float64, got ${JSON.stringify(dtypeGiven)}`);
    if (options.chunkSize !== undefined && (!isInt(options.chunkSize, 1) || options.chunkSize > 1 << 24))
      throw new ClusterError(`chunkSize must be an integer in [1, 2^24], got ${options.chunkSize}`);
    let n: number;
    let dtype: 'float32' | 'float64';
    let seed: number | undefined;
    let input: string | undefined;
    if (kind !== 'logprob') {
      if (options.input !== undefined) throw new ClusterError(`a ${kind} job has no input (it draws its rows)`);
      if (!isInt(options.n, 1)) throw new ClusterError(`n must be a positive integer, got ${options.n}`);
      n = options.n;
      seed = options.seed ?? 0;
      if (!isInt(seed)) throw new ClusterError(`seed must be a non-negative integer, got ${seed}`);
      dtype = dtypeGiven ?? 'float32';
    } else {
      if (options.seed !== undefined) throw new ClusterError('a logprob job has no seed (it draws nothing)');
      if (typeof options.input !== 'string') throw new ClusterError('a logprob job needs input, a .npy file');
      input = resolve(options.input);
      if (!input.toLowerCase().endsWith('.npy'))
        throw new ClusterError(`input must be a .npy file (convert a CSV with eddy: every worker seeks its rows), got ${options.input}`);
      if (!existsSync(input)) throw new ClusterError(`input not found: ${input}`);
      const h = readNpyHeader(input);
      n = h.shape[0] ?? 0;
      if (n < 1) throw new ClusterError(`${input} has no rows`);
      if (options.n !== undefined && options.n !== n) throw new ClusterError(`n is ${options.n}, but ${input} has ${n} rows`);
      dtype = dtypeGiven ?? h.dtype;
    }
    const shards = planShards(n, options.shards, options.shardRows);
    const id = options.jobId ?? `c${randomBytes(6).toString('hex')}`;
    if (!isJobId(id)) throw new ClusterError(`jobId must be 1 to 64 letters, digits, _ or -, got ${JSON.stringify(id)}`);
    if (typeof options.outDir !== 'string' || options.outDir === '') throw new ClusterError('outDir is required');
    const outDir = resolve(options.outDir);
    await this.#storage.prepare(outDir);
    if ((await this.#storage.readText(outDir, MANIFEST)) !== undefined)
      throw new ClusterError(`${outDir} already holds a finished job (${MANIFEST}): give each job its own output directory`);

    const record: JobRecord = {
      id,
      kind,
      n,
      ...(seed === undefined ? {} : { seed }),
      dtype,
      ...(input === undefined ? {} : { input }),
      outDir,
      modelSha256,
      modelChecksum,
      ...(targetSha256 === undefined ? {} : { targetSha256, targetChecksum: targetChecksum as string }),
      eddyVersion: eddyVersion(),
      shards,
      attempts,
      createdAt: new Date().toISOString(),
    };
    const client = await this.#client();
    await putModel(client, this.#keys.model(modelSha256), bytes);
    if (targetBytes !== undefined) await putModel(client, this.#keys.model(targetSha256 as string), targetBytes);
    const created = await client.hsetnx(this.#keys.job(id), 'spec', JSON.stringify(record));
    if (created !== 1) throw new ClusterError(`a job with id ${id} already exists`);
    await client.hset(this.#keys.job(id), 'state', 'running');
    const jobs = shards.map((rows, index) => {
      const data: ShardData = {
        format: SHARD_FORMAT,
        job: id,
        index,
        shards: shards.length,
        kind,
        modelSha256,
        modelChecksum,
        ...(targetSha256 === undefined ? {} : { targetSha256, targetChecksum: targetChecksum as string }),
        rows,
        total: n,
        ...(seed === undefined ? {} : { seed }),
        dtype,
        ...(input === undefined ? {} : { input }),
        outDir,
        eddyVersion: record.eddyVersion,
        ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      };
      return {
        name: kind,
        data,
        opts: { jobId: shardJobId(id, index), attempts, backoff: { type: 'exponential', delay: backoff }, removeOnComplete: false, removeOnFail: false },
      };
    });
    for (let i = 0; i < jobs.length; i += 1000) await this.#queue.addBulk(jobs.slice(i, i + 1000));
    return { id, shards, n, outDir };
  }

  /** The job's record, or a ClusterError for an unknown job. */
  async #record(id: string): Promise<{ record: JobRecord; state: JobState; error?: string }> {
    if (!isJobId(id)) throw new ClusterError(`not a job id: ${JSON.stringify(id)}`);
    const h = await (await this.#client()).hgetall(this.#keys.job(id));
    if (h.spec === undefined) throw new ClusterError(`no job ${id} in Redis (prefix ${this.#keys.prefix})`);
    return { record: JSON.parse(h.spec) as JobRecord, state: (h.state ?? 'running') as JobState, ...(h.error === undefined ? {} : { error: h.error }) };
  }

  /** Each shard's state as BullMQ has it. */
  async #shards(record: JobRecord, only?: ReadonlySet<number>): Promise<ShardStatus[]> {
    const indices = record.shards.map((_, i) => i).filter((i) => only === undefined || only.has(i));
    return Promise.all(
      indices.map(async (index): Promise<ShardStatus> => {
        const rows = record.shards[index] as [number, number];
        const job: Job | undefined = await this.#queue.getJob(shardJobId(record.id, index));
        if (job === undefined) return { index, rows, state: 'missing', done: 0, attemptsMade: 0 };
        const state = await job.getState();
        const p = job.progress as { done?: unknown; worker?: unknown } | number;
        const done = state === 'completed' ? rows[1] - rows[0] : typeof p === 'object' && isInt(p.done) ? Math.min(p.done, rows[1] - rows[0]) : 0;
        const ret = job.returnvalue as ShardResult | null | undefined;
        const worker =
          state === 'completed' && ret?.worker !== undefined ? ret.worker : typeof p === 'object' && typeof p.worker === 'string' ? p.worker : undefined;
        return {
          index,
          rows,
          state,
          done,
          attemptsMade: job.attemptsMade,
          ...(job.failedReason ? { failedReason: job.failedReason } : {}),
          ...(worker === undefined ? {} : { worker }),
        };
      }),
    );
  }

  /** The manifest of a completed job, or undefined. */
  async #manifest(record: JobRecord): Promise<Manifest | undefined> {
    const text = await this.#storage.readText(record.outDir, MANIFEST);
    return text === undefined ? undefined : (JSON.parse(text) as Manifest);
  }

  /** Where a job stands, from Redis and the manifest. */
  async status(id: string): Promise<JobStatus> {
    const { record, state, error } = await this.#record(id);
    const shards = await this.#shards(record);
    const manifest = state === 'completed' ? await this.#manifest(record) : undefined;
    return {
      job: record,
      state,
      done: shards.reduce((s, x) => s + x.done, 0),
      shards,
      ...(error === undefined ? {} : { error }),
      ...(manifest === undefined ? {} : { manifest }),
      ...(manifest?.statistics === undefined ? {} : { statistics: manifest.statistics }),
    };
  }

  /**
   * Cancels a job: marks it cancelled (running shards stop at their next progress report
   * and are not retried) and removes its queued shards. Returns how many were removed.
   */
  async cancel(id: string): Promise<number> {
    const { record, state } = await this.#record(id);
    if (state === 'completed') throw new ClusterError(`job ${id} is completed; there is nothing to cancel`);
    const client = await this.#client();
    await client.hset(this.#keys.job(id), 'state', 'cancelled', 'error', 'cancelled');
    return this.#removeQueued(record);
  }

  async #removeQueued(record: JobRecord): Promise<number> {
    let removed = 0;
    for (let index = 0; index < record.shards.length; index++) {
      const job = await this.#queue.getJob(shardJobId(record.id, index));
      if (job === undefined) continue;
      const s = await job.getState();
      if (s === 'waiting' || s === 'delayed' || s === 'prioritized') {
        try {
          await job.remove();
          removed++;
        } catch {
          // taken by a worker meanwhile: it sees the job's state and stops
        }
      }
    }
    return removed;
  }

  /**
   * Follows a job until every shard is done, then checks the parts against the job,
   * writes `manifest.json` (atomically) and, with `merge`, the merged `.npy`. Progress
   * comes from BullMQ's queue events, and Redis is read again on every event and every
   * `pollInterval`, so nothing is missed and a job can be followed again after the
   * follower stopped. A shard that failed after its attempts fails the job: the others
   * are cancelled and a {@link ClusterJobError} names each failed shard's rows and error.
   */
  async follow(id: string, options: FollowOptions = {}): Promise<FollowResult> {
    let { record, state, error } = await this.#record(id);
    if (state === 'failed' || state === 'cancelled') throw new ClusterJobError(id, [], `job ${id} ${state}: ${error ?? state}`);
    if (state !== 'completed') {
      const events = new QueueEvents(this.#keys.queue, { connection: this.#connection, prefix: this.#keys.prefix });
      let wake: () => void = () => {};
      const ours = (jobId: string): number | undefined => {
        if (!jobId.startsWith(`${id}-`)) return undefined;
        const i = Number(jobId.slice(id.length + 1));
        return Number.isSafeInteger(i) && i >= 0 && i < record.shards.length ? i : undefined;
      };
      const done = new Map<number, number>();
      const finished = new Set<number>();
      const t0 = performance.now();
      let done0: number | undefined;
      let counts: ClusterProgress['shards'] = { total: record.shards.length, completed: 0, active: 0, waiting: record.shards.length, retrying: 0, failed: 0 };
      const failed: FailedShard[] = [];
      let lastReport = 0;
      const report = (force: boolean): void => {
        if (options.onProgress === undefined) return;
        const now = performance.now();
        if (!force && now - lastReport < 100) return;
        lastReport = now;
        let total = 0;
        for (const v of done.values()) total += v;
        done0 ??= total;
        const secs = (now - t0) / 1000;
        const rate = secs > 0 ? (total - done0) / secs : 0;
        options.onProgress({
          done: total,
          total: record.n,
          rowsPerSecond: rate,
          etaSeconds: rate > 0 ? (record.n - total) / rate : Number.POSITIVE_INFINITY,
          shards: { ...counts },
          failed: [...failed],
        });
      };
      events.on('progress', ({ jobId, data }) => {
        const i = ours(jobId);
        if (i === undefined || finished.has(i)) return;
        const d = (data as { done?: unknown } | null)?.done;
        if (isInt(d)) {
          const rows = record.shards[i] as [number, number];
          done.set(i, Math.min(d, rows[1] - rows[0]));
          report(false);
        }
      });
      for (const name of ['completed', 'failed', 'stalled', 'waiting', 'active', 'removed'] as const) {
        events.on(name, ({ jobId }: { jobId: string }) => {
          if (ours(jobId) !== undefined) wake();
        });
      }
      try {
        await events.waitUntilReady();
        for (;;) {
          if (options.signal?.aborted === true)
            throw new ClusterError(`stopped following job ${id} (it goes on): ${String(options.signal.reason ?? 'aborted')}`);
          const woken = new Promise<void>((r) => {
            wake = r;
          });
          const pending = new Set(record.shards.map((_, i) => i).filter((i) => !finished.has(i)));
          const shards = await this.#shards(record, pending);
          counts = { ...counts, active: 0, waiting: 0, retrying: 0 };
          for (const s of shards) {
            done.set(s.index, s.done);
            if (s.state === 'completed') {
              finished.add(s.index);
              counts.completed++;
            } else if (s.state === 'failed') {
              finished.add(s.index);
              counts.failed++;
              failed.push({ index: s.index, rows: s.rows, attemptsMade: s.attemptsMade, reason: s.failedReason ?? 'unknown error' });
            } else if (s.state === 'missing') {
              finished.add(s.index);
              counts.failed++;
              failed.push({ index: s.index, rows: s.rows, attemptsMade: s.attemptsMade, reason: 'its BullMQ job was removed from Redis' });
            } else {
              if (s.state === 'active') counts.active++;
              else counts.waiting++;
              if (s.attemptsMade > 0) counts.retrying++;
            }
          }
          report(true);
          ({ state, error } = await this.#record(id));
          if (state === 'cancelled') throw new ClusterJobError(id, [], `job ${id} was cancelled`);
          if (failed.length > 0 || state === 'failed') {
            const message =
              failed.length > 0
                ? `job ${id} failed: ${failed.map((f) => `shard ${f.index} rows [${f.rows[0]}, ${f.rows[1]}) failed after ${f.attemptsMade} attempt${f.attemptsMade === 1 ? '' : 's'}: ${f.reason}`).join('; ')}`
                : `job ${id} failed: ${error ?? 'unknown error'}`;
            if (state !== 'failed') {
              await (await this.#client()).hset(this.#keys.job(id), 'state', 'failed', 'error', message);
              await this.#removeQueued(record);
            }
            throw new ClusterJobError(id, failed, message);
          }
          if (finished.size === record.shards.length) break;
          await Promise.race([woken, sleep(options.pollInterval ?? 2000, options.signal)]);
        }
      } finally {
        await events.close();
      }
      await this.#finish(record);
      ({ record } = await this.#record(id));
    }
    const manifest = await this.#manifest(record);
    if (manifest === undefined) throw new ClusterError(`job ${id} is marked completed but ${record.outDir}/${MANIFEST} is missing`);
    const manifestPath = this.#storage.localPath(record.outDir, MANIFEST);
    if (manifest.statistics !== undefined) {
      if (options.merge !== undefined && options.merge !== false)
        throw new ClusterError(`job ${id} is a ${record.kind} job: it has statistics, no parts to merge`);
      return { manifest, manifestPath, statistics: manifest.statistics };
    }
    if (options.merge === undefined || options.merge === false) return { manifest, manifestPath };
    const merged = await this.merge(id, options.merge === true ? undefined : options.merge, options.signal);
    return { manifest, manifestPath, merged };
  }

  /** Checks every part against the job, writes the manifest and marks the job completed. */
  async #finish(record: JobRecord): Promise<void> {
    if (isStatisticsKind(record.kind)) return this.#finishStatistics(record, record.kind);
    const infos: { file: string; info: PartInfo }[] = [];
    for (let index = 0; index < record.shards.length; index++) {
      const file = partName(index, record.shards.length);
      const path = await this.#storage.localPart(record.outDir, file);
      if (path === undefined)
        throw new ClusterError(`shard ${index} of job ${record.id} completed, but its part ${file} (with its sidecar) is not in ${record.outDir}`);
      const info = readPartInfo(path);
      const rows = record.shards[index] as [number, number];
      const expect: Record<string, unknown> = {
        kind: record.kind === 'sample' ? 'sample' : 'logProb',
        modelChecksum: record.modelChecksum,
        seed: record.seed,
        dtype: record.dtype,
        total: record.n,
        eddyVersion: record.eddyVersion,
      };
      for (const [k, v] of Object.entries(expect)) {
        if ((info as unknown as Record<string, unknown>)[k] !== v)
          throw new ClusterError(
            `${path} is not a part of job ${record.id}: its ${k} is ${JSON.stringify((info as unknown as Record<string, unknown>)[k])}, the job's ${JSON.stringify(v)}`,
          );
      }
      if (info.rows[0] !== rows[0] || info.rows[1] !== rows[1])
        throw new ClusterError(`${path} holds rows [${info.rows}], but shard ${index} of job ${record.id} is rows [${rows}]`);
      infos.push({ file, info });
    }
    const first = (infos[0] as { info: PartInfo }).info;
    await this.#complete(record, {
      shape: [record.n, ...first.shape.slice(1)],
      parts: infos.map(({ file, info }) => ({
        file,
        rows: info.rows,
        dataCrc32: info.dataCrc32,
        ...(info.kernels === undefined ? {} : { kernels: info.kernels }),
      })),
      kernels: [...new Set(infos.flatMap(({ info }) => (info.kernels === undefined ? [] : [info.kernels])))].sort(),
    });
  }

  /**
   * Combines the statistics the shards of a `moments` or `importance` job returned (in row
   * order, so the result depends on the rows only, up to float rounding), writes the
   * manifest with the result and marks the job completed.
   */
  async #finishStatistics(record: JobRecord, kind: 'moments' | 'importance'): Promise<void> {
    const shardStatistics: { rows: [number, number]; statistics: ShardStatistics }[] = [];
    const kernels = new Set<string>();
    for (let index = 0; index < record.shards.length; index++) {
      const rows = record.shards[index] as [number, number];
      const job: Job | undefined = await this.#queue.getJob(shardJobId(record.id, index));
      const what = `shard ${index} of job ${record.id}`;
      const ret = job?.returnvalue as Partial<StatisticsShardResult> | null | undefined;
      if (ret === undefined || ret === null || typeof ret !== 'object') throw new ClusterError(`${what} completed, but its statistics are not in Redis`);
      if (!Array.isArray(ret.rows) || ret.rows[0] !== rows[0] || ret.rows[1] !== rows[1])
        throw new ClusterError(`${what} returned rows ${JSON.stringify(ret.rows)}, but it is rows [${rows}]`);
      shardStatistics.push({ rows, statistics: parseShardStatistics(ret.statistics, kind, rows[1] - rows[0], what) });
      if (typeof ret.kernels === 'string') kernels.add(ret.kernels);
    }
    let statistics: StatisticsResult;
    let shape: number[];
    if (kind === 'moments') {
      let all: MomentStatistics = { kind: 'moments', n: 0, mean: [], m2: [] };
      for (const s of shardStatistics) all = combineMoments(all, s.statistics as MomentStatistics);
      statistics = momentsResult(all);
      shape = [record.n, statistics.features];
    } else {
      statistics = importanceResult(combineImportance(shardStatistics.map((s) => s.statistics as ImportanceStatistics)));
      shape = [record.n];
    }
    await this.#complete(record, { shape, parts: [], kernels: [...kernels].sort(), statistics, shardStatistics });
  }

  /**
   * Writes the manifest of a completed job (the job's own fields, then `rest`, then when it
   * was created and completed) and marks the job completed.
   */
  async #complete(record: JobRecord, rest: Pick<Manifest, 'shape' | 'parts' | 'kernels' | 'statistics' | 'shardStatistics'>): Promise<void> {
    const manifest: Manifest = {
      format: 'eddy-cluster-manifest/1',
      job: record.id,
      kind: record.kind,
      n: record.n,
      ...(record.seed === undefined ? {} : { seed: record.seed }),
      dtype: record.dtype,
      ...(record.input === undefined ? {} : { input: record.input }),
      modelSha256: record.modelSha256,
      modelChecksum: record.modelChecksum,
      ...(record.targetSha256 === undefined ? {} : { targetSha256: record.targetSha256, targetChecksum: record.targetChecksum as string }),
      eddyVersion: record.eddyVersion,
      ...rest,
      createdAt: record.createdAt,
      completedAt: new Date().toISOString(),
    };
    await this.#storage.writeText(record.outDir, MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
    await (await this.#client()).hset(this.#keys.job(record.id), 'state', 'completed');
  }

  /**
   * Merges the parts of a completed job (the manifest's, checked again by `mergeParts`)
   * into one `.npy`: `out`, or `<outDir>/samples.npy` (`logprob.npy`). Works from any
   * coordinator once the job is completed.
   */
  async merge(id: string, out?: string, signal?: AbortSignal): Promise<MergeResult> {
    const { record, state } = await this.#record(id);
    const manifest = state === 'completed' ? await this.#manifest(record) : undefined;
    if (manifest === undefined) throw new ClusterError(`job ${id} is ${state}, not completed: its parts cannot be merged yet`);
    if (isStatisticsKind(record.kind)) throw new ClusterError(`job ${id} is a ${record.kind} job: it has statistics (in its manifest), no parts to merge`);
    const paths: string[] = [];
    for (const p of manifest.parts) {
      const path = await this.#storage.localPart(record.outDir, p.file);
      if (path === undefined) throw new ClusterError(`the part ${p.file} of job ${id} is missing from ${record.outDir}`);
      paths.push(path);
    }
    const target = out === undefined ? this.#storage.localPath(record.outDir, record.kind === 'sample' ? 'samples.npy' : 'logprob.npy') : resolve(out);
    return mergeParts(paths, target, { total: record.n, ...(signal === undefined ? {} : { signal }) });
  }

  /** Closes the coordinator's Redis connections. */
  async close(): Promise<void> {
    await this.#queue.close();
  }
}

/** Runs `fn` on a coordinator that is closed afterwards. */
async function withCoordinator<T>(options: CoordinatorOptions, fn: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = new Coordinator(options);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/**
 * Submits a job ({@link Coordinator.submit}) on a coordinator of its own.
 *
 * @example
 * ```ts
 * import { submitJob } from '@eddy/cluster';
 * const { id } = await submitJob({ redis: 'redis://127.0.0.1:6379', kind: 'sample', model: 'model.safetensors', n: 1e8, seed: 1, shards: 20, outDir: '/shared/run' });
 * ```
 * @category Cluster
 */
export function submitJob(options: SubmitOptions & CoordinatorOptions): Promise<SubmittedJob> {
  const { redis, prefix, storage, ...job } = options;
  return withCoordinator({ redis, ...(prefix === undefined ? {} : { prefix }), ...(storage === undefined ? {} : { storage }) }, (c) => c.submit(job));
}

/**
 * Follows a job to its end ({@link Coordinator.follow}) on a coordinator of its own.
 *
 * @example
 * ```ts
 * import { followJob, submitJob } from '@eddy/cluster';
 * const redis = 'redis://127.0.0.1:6379';
 * const { id } = await submitJob({ redis, kind: 'sample', model: 'model.safetensors', n: 1e8, seed: 1, shards: 20, outDir: '/shared/run' });
 * await followJob(id, { redis, merge: true, onProgress: (p) => console.log(p.done) });
 * ```
 * @category Cluster
 */
export function followJob(id: string, options: FollowOptions & CoordinatorOptions): Promise<FollowResult> {
  return withCoordinator(options, (c) => c.follow(id, options));
}

/**
 * A job's status ({@link Coordinator.status}) on a coordinator of its own.
 *
 * @example
 * ```ts
 * import { jobStatus, submitJob } from '@eddy/cluster';
 * const redis = 'redis://127.0.0.1:6379';
 * const { id } = await submitJob({ redis, kind: 'sample', model: 'model.safetensors', n: 1e8, seed: 1, shards: 20, outDir: '/shared/run' });
 * const { state, done } = await jobStatus(id, { redis });
 * ```
 * @category Cluster
 */
export function jobStatus(id: string, options: CoordinatorOptions): Promise<JobStatus> {
  return withCoordinator(options, (c) => c.status(id));
}

/**
 * Cancels a job ({@link Coordinator.cancel}) on a coordinator of its own.
 *
 * @example
 * ```ts
 * import { cancelJob, submitJob } from '@eddy/cluster';
 * const redis = 'redis://127.0.0.1:6379';
 * const { id } = await submitJob({ redis, kind: 'sample', model: 'model.safetensors', n: 1e8, seed: 1, shards: 20, outDir: '/shared/run' });
 * await cancelJob(id, { redis });
 * ```
 * @category Cluster
 */
export function cancelJob(id: string, options: CoordinatorOptions): Promise<number> {
  return withCoordinator(options, (c) => c.cancel(id));
}
