import { availableParallelism, hostname } from 'node:os';
import { backendInfo, noGrad } from '@eddy/core';
import { type LazyDistribution, loadFlow } from '@eddy/flows';
import { FlowPool, type PartInfo, removePartInfo, writePartInfo } from '@eddy/montecarlo';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Keys, type RedisConnection, keys, redisOptions } from './connection.js';
import type { ShardResult, StatisticsShardResult } from './coordinator.js';
import { ClusterError } from './errors.js';
import { flowChecksum, getModel } from './models.js';
import { type ShardData, isStatisticsKind, parseShardData, partName } from './shard-data.js';
import { type ImportanceStatistics, type MomentStatistics, addLogWeights, chunkMoments, combineMoments, emptyImportance } from './statistics.js';
import { SharedDirectoryStorage, type Storage } from './storage.js';
import { eddyVersion } from './version.js';

/**
 * What a worker reports as it runs shards (for a log).
 *
 * @example
 * ```ts
 * import { type WorkerEvent } from '@eddy/cluster';
 * const onEvent = (e: WorkerEvent) => console.error(`${e.type} ${e.job}/${e.index} rows [${e.rows}]${e.error ? `: ${e.error}` : ''}`);
 * ```
 * @category Cluster
 */
export interface WorkerEvent {
  /** A shard started, finished, or failed (an attempt: BullMQ may retry it). */
  type: 'start' | 'done' | 'failed';
  /** Cluster job id ('?' for job data that did not parse). */
  job: string;
  /** Shard index (-1 for job data that did not parse). */
  index: number;
  /** The shard's rows `[start, end)`. */
  rows: [start: number, end: number];
  /** Seconds the shard took (`done`, `failed`). */
  seconds?: number;
  /** The error (`failed`). */
  error?: string;
}

/**
 * Options of {@link startWorker}.
 * @category Cluster
 */
export interface StartWorkerOptions {
  /** Where Redis is (the coordinator's). */
  redis: RedisConnection;
  /** Threads of the local pool (default: the cores here). Results do not depend on it. */
  threads?: number;
  /**
   * The shared directory: when given, a shard whose output directory or input lies
   * outside it is refused (so the queue cannot make this worker write or read elsewhere).
   */
  sharedDir?: string;
  /** Where parts go (default: a {@link SharedDirectoryStorage} rooted at `sharedDir`). */
  storage?: Storage;
  /** Prefix of every Redis key (default `eddy`), as the coordinator's. */
  prefix?: string;
  /** The worker's name in progress reports and results (default `host:pid`). */
  name?: string;
  /** BullMQ lock of a running shard, in ms (default 30000): a worker that stops renewing it for this long has stalled. */
  lockDuration?: number;
  /** How often this worker looks for stalled shards, in ms (default 30000). */
  stalledInterval?: number;
  /** How many times a shard may stall (its worker killed) before it fails (default 2). */
  maxStalledCount?: number;
  /** Models kept loaded, by checksum (default 4). */
  modelCacheSize?: number;
  /** Called as shards start, finish and fail. */
  onEvent?: (e: WorkerEvent) => void;
}

/**
 * A running worker: takes shards from the queue one at a time and runs each on its
 * local pool.
 *
 * @example
 * ```ts
 * import { startWorker } from '@eddy/cluster';
 * const worker = await startWorker({ redis: 'redis://127.0.0.1:6379', threads: 2 });
 * process.on('SIGTERM', () => void worker.close());
 * ```
 * @category Cluster
 */
export interface ClusterWorker {
  /** Its name (`host:pid` unless named). */
  readonly name: string;
  /** Threads of its pool. */
  readonly threads: number;
  /**
   * Stops taking shards and closes: waits for the running shard to finish, or with
   * `force` abandons it (its lock expires and another worker takes it over).
   */
  close(force?: boolean): Promise<void>;
}

/** The kernels this process runs, as a part records them: `cpu native avx512`, `cpu typescript`. */
function kernelsId(): string {
  const b = backendInfo();
  if (b.name !== 'cpu') return String(b.name);
  return b.native === true ? `cpu native ${String(b.isa)}` : 'cpu typescript';
}

const rangeText = (rows: readonly [number, number]): string => `[${rows[0]}, ${rows[1]})`;

/**
 * Starts a worker: a BullMQ worker on the shard queue (one shard at a time) in front of
 * a local `FlowPool`. For each shard it checks the job data field by field (unknown kinds
 * and fields refused; nothing is evaluated), refuses a shard submitted by another Eddy
 * version, fetches the model by its SHA-256 (cached; the bytes are verified against it,
 * then loaded by the strict `loadFlow`, and its own checksum compared with the job's),
 * writes the part with `firstRow`/`rows` and its sidecar exactly as `eddy sample|logprob
 * --rows` do, and returns the part's name, rows and checksum. Progress goes to BullMQ as
 * `{ done, total, worker }`; a cancelled job stops the shard at its next report.
 *
 * Invalid job data fails the shard at once (BullMQ's `UnrecoverableError`); other errors
 * (another version, a model that does not match, a non-finite result, a full disk) are
 * retried up to the job's attempts, possibly on another worker.
 *
 * @example
 * ```ts
 * import { startWorker } from '@eddy/cluster';
 * const worker = await startWorker({ redis: 'redis://127.0.0.1:6379', threads: 2, sharedDir: '/shared' });
 * ```
 * @category Cluster
 */
export async function startWorker(options: StartWorkerOptions): Promise<ClusterWorker> {
  const k: Keys = keys(options.prefix);
  const threads = options.threads ?? availableParallelism();
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const storage = options.storage ?? new SharedDirectoryStorage(options.sharedDir === undefined ? {} : { root: options.sharedDir });
  const version = eddyVersion();
  const cacheSize = options.modelCacheSize ?? 4;
  const models = new Map<string, LazyDistribution>();
  const pool = new FlowPool({ threads });
  const kernels = kernelsId();
  let client: Redis | undefined;

  const model = async (sha256: string, checksum: string, what = 'model'): Promise<LazyDistribution> => {
    const cached = models.get(sha256);
    if (cached !== undefined) {
      models.delete(sha256);
      models.set(sha256, cached);
      return cached;
    }
    const bytes = await getModel(client as Redis, k.model(sha256), sha256);
    const crc = flowChecksum(bytes);
    if (crc !== checksum)
      throw new ClusterError(
        `${what} checksum mismatch: the shard names a ${what} with checksum ${checksum}, the stored ${what} has ${crc}; the shard is refused`,
      );
    const flow = loadFlow(bytes);
    models.set(sha256, flow);
    while (models.size > cacheSize) models.delete(models.keys().next().value as string);
    return flow;
  };

  const processShard = async (job: Job): Promise<ShardResult | StatisticsShardResult> => {
    let data: ShardData;
    try {
      data = parseShardData(job.data);
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
    const shard = `shard ${data.index} of job ${data.job} (rows ${rangeText(data.rows)})`;
    if (data.eddyVersion !== version) {
      throw new ClusterError(
        `${shard} was submitted by Eddy ${data.eddyVersion}, and this worker (${name}) runs Eddy ${version}: it refuses the shard (run workers of the coordinator's version)`,
      );
    }
    const c = client as Redis;
    const jobState = async (): Promise<string | null> => c.hget(k.job(data.job), 'state');
    const initial = await jobState();
    if (initial === null) throw new UnrecoverableError(`${shard}: there is no job ${data.job} in Redis`);
    if (initial !== 'running') throw new UnrecoverableError(`${shard}: job ${data.job} is ${initial}`);
    const flow = await model(data.modelSha256, data.modelChecksum);
    const target = data.kind === 'importance' ? await model(data.targetSha256 as string, data.targetChecksum as string, 'target model') : undefined;
    const input = data.input === undefined ? undefined : await storage.inputPath(data.input);
    const [start, end] = data.rows;
    const count = end - start;
    const abort = new AbortController();
    let lastReport = 0;
    let reporting = false;
    const onProgress = (p: { done: number }): void => {
      const now = performance.now();
      if (reporting || now - lastReport < 500) return;
      lastReport = now;
      reporting = true;
      void (async () => {
        try {
          await job.updateProgress({ done: p.done, total: count, worker: name });
          const s = await jobState();
          if (s !== 'running') abort.abort(new ClusterError(`job ${data.job} is ${s ?? 'gone'}`));
        } catch {
          // a progress report is best effort
        } finally {
          reporting = false;
        }
      })();
    };
    const common = { dtype: data.dtype, signal: abort.signal, onProgress, ...(data.chunkSize === undefined ? {} : { chunkSize: data.chunkSize }) };
    if (isStatisticsKind(data.kind)) {
      // Sufficient statistics of the shard's rows, in float64; they go back as the job's return value.
      let moments: MomentStatistics = { kind: 'moments', n: 0, mean: [], m2: [] };
      let weights: ImportanceStatistics = emptyImportance();
      try {
        await pool.forEachChunk(
          flow,
          count,
          (_s, x, logQ) => {
            const rows = x.shape[0] ?? 0;
            if (data.kind === 'moments') {
              const v = x.dataSync();
              for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i] as number)) throw new ClusterError(`a draw of the model is not finite (${v[i]})`);
              moments = combineMoments(moments, chunkMoments(v, rows, rows === 0 ? 0 : v.length / rows));
            } else {
              const lq = logQ.dataSync();
              const lp = noGrad(() => (target as LazyDistribution).call().logProb(x).dataSync());
              const lw = new Float64Array(rows);
              for (let i = 0; i < rows; i++) lw[i] = (lp[i] as number) - (lq[i] as number);
              weights = addLogWeights(weights, lw);
            }
          },
          { ...common, seed: data.seed as number, stream: 0, firstRow: start },
        );
      } catch (e) {
        if (abort.signal.aborted) throw new UnrecoverableError(`${shard}: stopped, ${(abort.signal.reason as Error).message}`);
        throw e;
      }
      await job.updateProgress({ done: count, total: count, worker: name });
      return { rows: [start, end], statistics: data.kind === 'moments' ? moments : weights, kernels, worker: name };
    }
    let info: PartInfo | undefined;
    const file = partName(data.index, data.shards);
    try {
      await storage.writePart(data.outDir, file, async (path) => {
        // The old sidecar goes first: if this shard fails, nothing describes its output.
        removePartInfo(path);
        if (data.kind === 'sample') {
          await pool.sampleToFile(flow, count, path, { ...common, seed: data.seed as number, stream: 0, firstRow: start });
          info = writePartInfo(path, {
            kind: 'sample',
            modelChecksum: data.modelChecksum,
            seed: data.seed as number,
            stream: 0,
            rows: [start, end],
            total: data.total,
            eddyVersion: version,
            kernels,
          });
        } else {
          await pool.logProbFile(flow, input as string, path, { ...common, rows: [start, end] });
          info = writePartInfo(path, {
            kind: 'logProb',
            modelChecksum: data.modelChecksum,
            rows: [start, end],
            total: data.total,
            eddyVersion: version,
            input: data.input as string,
            kernels,
          });
        }
      });
    } catch (e) {
      if (abort.signal.aborted) throw new UnrecoverableError(`${shard}: stopped, ${(abort.signal.reason as Error).message}`);
      throw e;
    }
    await job.updateProgress({ done: count, total: count, worker: name });
    return { part: file, rows: [start, end], dataCrc32: (info as unknown as PartInfo).dataCrc32, kernels, worker: name };
  };

  const worker = new Worker(
    k.queue,
    async (job: Job) => {
      const d = job.data as Partial<ShardData> | null;
      const ev = {
        job: typeof d?.job === 'string' ? d.job : '?',
        index: typeof d?.index === 'number' ? d.index : -1,
        rows: (Array.isArray(d?.rows) ? d.rows : [0, 0]) as [number, number],
      };
      const t0 = performance.now();
      options.onEvent?.({ type: 'start', ...ev });
      try {
        const r = await processShard(job);
        options.onEvent?.({ type: 'done', ...ev, seconds: (performance.now() - t0) / 1000 });
        return r;
      } catch (e) {
        options.onEvent?.({ type: 'failed', ...ev, seconds: (performance.now() - t0) / 1000, error: (e as Error).message });
        throw e;
      }
    },
    {
      connection: redisOptions(options.redis),
      prefix: k.prefix,
      concurrency: 1,
      autorun: false,
      name,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      maxStalledCount: options.maxStalledCount ?? 2,
    },
  );
  // Errors of the worker itself (a lost connection) are retried by BullMQ; keep them from
  // becoming unhandled 'error' events.
  worker.on('error', () => {});
  try {
    await worker.waitUntilReady();
    // BullMQ types its client as a minimal interface; from ioredis options it is an ioredis Redis.
    client = (await worker.client) as unknown as Redis;
  } catch (e) {
    await worker.close(true);
    await pool.close();
    throw e;
  }
  void worker.run();
  let closing: Promise<void> | undefined;
  return {
    name,
    threads,
    close(force = false): Promise<void> {
      closing ??= (async () => {
        await worker.close(force);
        await pool.close();
      })();
      return closing;
    },
  };
}
