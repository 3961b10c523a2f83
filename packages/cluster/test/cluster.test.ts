// Integration tests of @eddy/cluster on a real redis-server (started here on a free port)
// with worker processes (the built bin/eddy-cluster-worker.mjs) and in-process workers.
// Nothing is skipped: without redis-server the tests fail and say to run tools/start-redis.sh.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator, ClusterJobError, jobStatus, type ClusterProgress, type ShardResult, parseShardData, startWorker } from '@eddy/cluster';
import { NSF, saveFlow, saveFlowToFile } from '@eddy/flows';
import { FlowPool, readPartInfo } from '@eddy/montecarlo';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestRedis, beforeAllWithRedis, type WorkerProcess, spawnWorker, startRedis } from './helpers.js';

let redis: TestRedis;
let dir: string;
let modelPath: string;
let pool: FlowPool;
const flow = new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 3 });
const workers: WorkerProcess[] = [];

const needRedis = beforeAllWithRedis(async (started) => {
  redis = started;
  dir = mkdtempSync(join(tmpdir(), 'eddy-cluster-'));
  modelPath = join(dir, 'model.safetensors');
  saveFlowToFile(flow, modelPath);
  pool = new FlowPool({ threads: 1 });
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.kill();
  await pool?.close();
  await redis?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The bytes of a single-machine sample job. */
async function reference(n: number, seed: number, name: string): Promise<Buffer> {
  const path = join(dir, name);
  await pool.sampleToFile(flow, n, path, { seed });
  return readFileSync(path);
}

const jobStatusOf = (id: string, prefix: string) => jobStatus(id, { redis: redis.url, prefix });

const STALL = ['--lock-duration', '2000', '--stalled-interval', '1000'];

describe('a coordinator and worker processes', () => {
  it('two workers: the merged samples and log-densities are the bytes of one machine', async () => {
    needRedis();
    const prefix = 't-bytes';
    workers.push(await spawnWorker(redis.url, 'w1', ['--prefix', prefix]), await spawnWorker(redis.url, 'w2', ['--prefix', prefix]));
    const coordinator = new Coordinator({ redis: redis.url, prefix });
    try {
      const n = 120_003;
      const seen: ClusterProgress[] = [];
      const job = await coordinator.submit({ kind: 'sample', model: modelPath, n, seed: 11, shards: 7, outDir: join(dir, 'run-bytes'), chunkSize: 4096 });
      expect(job.shards).toHaveLength(7);
      const result = await coordinator.follow(job.id, { merge: true, onProgress: (p) => seen.push(p), pollInterval: 500 });
      expect(readFileSync(result.merged?.path as string).equals(await reference(n, 11, 'ref-bytes.npy'))).toBe(true);
      // The manifest: every part in row order, tiling [0, n), with the sidecars' checksums.
      const manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8'));
      expect(manifest).toEqual(result.manifest);
      expect(manifest.parts.map((p: { rows: number[] }) => p.rows)).toEqual(job.shards);
      for (const p of manifest.parts) expect(readPartInfo(join(job.outDir, p.file)).dataCrc32).toBe(p.dataCrc32);
      expect(manifest.shape).toEqual([n, 2]);
      expect(seen.at(-1)?.done).toBe(n);
      expect(seen.at(-1)?.shards.completed).toBe(7);
      // Both workers took shards (one shard at a time each, 7 of them).
      const status = await coordinator.status(job.id);
      expect(status.state).toBe('completed');
      expect(new Set(status.shards.map((s) => s.worker))).toEqual(new Set(['w1', 'w2']));

      // logprob of those samples: parts of the input's rows, merged = one logProbFile run.
      const lp = await coordinator.submit({
        kind: 'logprob',
        model: modelPath,
        input: result.merged?.path as string,
        shardRows: 50_000,
        outDir: join(dir, 'run-lp'),
      });
      expect(lp.shards).toEqual([
        [0, 50_000],
        [50_000, 100_000],
        [100_000, n],
      ]);
      const lpResult = await coordinator.follow(lp.id, { merge: join(dir, 'lp.npy') });
      await pool.logProbFile(flow, result.merged?.path as string, join(dir, 'lp-ref.npy'));
      expect(readFileSync(join(dir, 'lp.npy')).equals(readFileSync(join(dir, 'lp-ref.npy')))).toBe(true);
      expect(lpResult.manifest.kind).toBe('logprob');
      // Following a completed job again (another coordinator, after a restart) reads the manifest.
      const again = new Coordinator({ redis: redis.url, prefix });
      try {
        expect((await again.follow(lp.id)).manifest).toEqual(lpResult.manifest);
        expect((await again.status(lp.id)).manifest?.parts).toHaveLength(3);
      } finally {
        await again.close();
      }
    } finally {
      await coordinator.close();
      for (const w of workers.splice(0)) await w.stop();
    }
  }, 240_000);

  it('a worker killed with SIGKILL mid-shard: another takes its shard over, and no row is lost or duplicated', async () => {
    needRedis();
    const prefix = 't-kill';
    const coordinator = new Coordinator({ redis: redis.url, prefix });
    const events = new QueueEvents('shards', { connection: { host: '127.0.0.1', port: redis.port }, prefix });
    try {
      await events.waitUntilReady();
      const a = await spawnWorker(redis.url, 'A', ['--prefix', prefix, ...STALL]);
      workers.push(a);
      const n = 1_200_000;
      // A reports progress on a shard it has not finished: kill it there.
      const midShard = new Promise<string>((resolve) => {
        events.on('progress', ({ jobId, data }) => {
          const d = data as { done: number; total: number; worker: string };
          if (d.worker === 'A' && d.done > 0 && d.done < d.total) resolve(jobId);
        });
      });
      const job = await coordinator.submit({ kind: 'sample', model: modelPath, n, seed: 5, shards: 2, outDir: join(dir, 'run-kill'), chunkSize: 4096 });
      const following = coordinator.follow(job.id, { merge: true, pollInterval: 500 });
      following.catch(() => {});
      const killedShard = await midShard;
      await a.kill();
      const stalled = new Promise<string>((resolve) => events.on('stalled', ({ jobId }) => resolve(jobId)));
      workers.push(await spawnWorker(redis.url, 'B', ['--prefix', prefix, ...STALL]));
      expect(await stalled).toBe(killedShard);
      const result = await following;
      expect(readFileSync(result.merged?.path as string).equals(await reference(n, 5, 'ref-kill.npy'))).toBe(true);
      // Every shard, the killed one included, was written by B.
      const queue = new Queue('shards', { connection: { host: '127.0.0.1', port: redis.port }, prefix });
      try {
        const killed = await queue.getJob(killedShard);
        expect((killed?.returnvalue as ShardResult | undefined)?.worker).toBe('B');
      } finally {
        await queue.close();
      }
      const status = await coordinator.status(job.id);
      expect(status.shards.map((s) => s.worker)).toEqual(['B', 'B']);
      expect(result.manifest.parts.map((p) => p.rows)).toEqual([
        [0, 600_000],
        [600_000, n],
      ]);
    } finally {
      await events.close();
      await coordinator.close();
      for (const w of workers.splice(0)) await w.kill();
    }
  }, 240_000);
});

describe('shards that fail', () => {
  /** Submits a 2-shard job with no worker running, lets `tamper` change Redis, then runs an in-process worker and follows. */
  async function failing(prefix: string, attempts: number, tamper: (queue: Queue, r: Redis, id: string) => Promise<void>): Promise<ClusterJobError> {
    needRedis();
    const coordinator = new Coordinator({ redis: redis.url, prefix });
    const queue = new Queue('shards', { connection: { host: '127.0.0.1', port: redis.port }, prefix });
    const r = new Redis(redis.url);
    const worker = { current: undefined as Awaited<ReturnType<typeof startWorker>> | undefined };
    try {
      const job = await coordinator.submit({
        kind: 'sample',
        model: modelPath,
        n: 1000,
        seed: 1,
        shards: 2,
        outDir: join(dir, `run-${prefix}`),
        attempts,
        backoff: 50,
      });
      await tamper(queue, r, job.id);
      worker.current = await startWorker({ redis: redis.url, prefix, threads: 1 });
      const error = await coordinator.follow(job.id, { pollInterval: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ClusterJobError);
      const status = await coordinator.status(job.id);
      expect(status.state).toBe('failed');
      return error as ClusterJobError;
    } finally {
      await worker.current?.close(true);
      await queue.close();
      r.disconnect();
      await coordinator.close();
    }
  }

  it('a model whose checksum does not match fails the job with its rows after the configured attempts', async () => {
    const error = await failing('t-model', 2, async (_q, r) => {
      // Another model's bytes under the job's model key: the worker's SHA-256 check refuses them.
      const other = saveFlow(new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 99 }));
      const key = (await r.keys('t-model:model:*'))[0] as string;
      await r.set(key, Buffer.from(other));
    });
    expect(error.message).toMatch(/shard [01] rows \[(0, 500|500, 1000)\) failed after 2 attempts: model checksum mismatch/);
    const f = error.shards[0];
    expect(f?.attemptsMade).toBe(2);
    expect([
      [0, 500],
      [500, 1000],
    ]).toContainEqual(f?.rows);
  }, 120_000);

  it('a shard of another Eddy version is refused with a clear error', async () => {
    const error = await failing('t-version', 1, async (queue, _r, id) => {
      for (const i of [0, 1]) {
        const job = await queue.getJob(`${id}-${i}`);
        await job?.updateData({ ...parseShardData(job.data), eddyVersion: '0.0.0-other' });
      }
    });
    expect(error.message).toMatch(/was submitted by Eddy 0\.0\.0-other, and this worker \(.*\) runs Eddy \d+\.\d+\.\d+: it refuses the shard/);
  }, 120_000);

  it('job data that does not validate (an unknown kind) fails at once, without retries', async () => {
    const error = await failing('t-kind', 3, async (queue, _r, id) => {
      for (const i of [0, 1]) {
        const job = await queue.getJob(`${id}-${i}`);
        await job?.updateData({ ...job.data, kind: 'eval' });
      }
    });
    expect(error.message).toMatch(/invalid shard: unknown kind "eval"/);
    expect(error.shards[0]?.attemptsMade).toBe(1);
  }, 120_000);
});

describe('a coordinator that stops, and cancellation', () => {
  it('a coordinator stopped mid-job: another one follows the job from Redis and merges the same bytes', async () => {
    needRedis();
    const prefix = 't-restart';
    const first = new Coordinator({ redis: redis.url, prefix });
    const worker = await startWorker({ redis: redis.url, prefix, threads: 1 });
    try {
      const n = 300_000;
      const job = await first.submit({ kind: 'sample', model: modelPath, n, seed: 8, shards: 6, outDir: join(dir, 'run-restart'), chunkSize: 4096 });
      const stop = new AbortController();
      const stopped = await first
        .follow(job.id, {
          signal: stop.signal,
          pollInterval: 200,
          onProgress: (p) => {
            if (p.done > 0) stop.abort('coordinator restarted');
          },
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await first.close();
      expect(String((stopped as Error | undefined)?.message)).toMatch(/stopped following job .* \(it goes on\)/);
      expect((await jobStatusOf(job.id, prefix)).state).toBe('running');
      const second = new Coordinator({ redis: redis.url, prefix });
      try {
        const result = await second.follow(job.id, { merge: true, pollInterval: 200 });
        expect(readFileSync(result.merged?.path as string).equals(await reference(n, 8, 'ref-restart.npy'))).toBe(true);
        expect((await second.status(job.id)).state).toBe('completed');
      } finally {
        await second.close();
      }
    } finally {
      await worker.close(true);
    }
  }, 120_000);

  it('cancel removes the queued shards; follow and status say cancelled', async () => {
    needRedis();
    const prefix = 't-cancel';
    const coordinator = new Coordinator({ redis: redis.url, prefix });
    try {
      const job = await coordinator.submit({ kind: 'sample', model: modelPath, n: 1000, seed: 1, shards: 4, outDir: join(dir, 'run-cancel') });
      expect(await coordinator.cancel(job.id)).toBe(4);
      const status = await coordinator.status(job.id);
      expect(status.state).toBe('cancelled');
      expect(status.shards.map((s) => s.state)).toEqual(['missing', 'missing', 'missing', 'missing']);
      await expect(coordinator.follow(job.id)).rejects.toThrow(/cancelled/);
      await expect(coordinator.merge(job.id)).rejects.toThrow(/not completed/);
      await expect(coordinator.status('no-such-job')).rejects.toThrow(/no job no-such-job/);
    } finally {
      await coordinator.close();
    }
  }, 60_000);
});

describe('Redis restarted mid-job', () => {
  it('with the append-only file on, the job completes with the bytes of one machine', async () => {
    needRedis();
    const aof = await startRedis({ appendonly: true });
    const prefix = 't-aof';
    const coordinator = new Coordinator({ redis: aof.url, prefix });
    const events = new QueueEvents('shards', { connection: { host: '127.0.0.1', port: aof.port }, prefix });
    let w: WorkerProcess | undefined;
    try {
      await events.waitUntilReady();
      w = await spawnWorker(aof.url, 'R', ['--prefix', prefix]);
      const n = 1_200_000;
      let completed = 0;
      events.on('completed', () => completed++);
      const firstProgress = new Promise<void>((resolve) => events.on('progress', () => resolve()));
      const job = await coordinator.submit({ kind: 'sample', model: modelPath, n, seed: 21, shards: 4, outDir: join(dir, 'run-aof'), chunkSize: 4096 });
      const following = coordinator.follow(job.id, { merge: true, pollInterval: 500 });
      following.catch(() => {});
      await firstProgress;
      expect(completed).toBeLessThan(4); // the restart falls mid-job
      await aof.restart();
      const result = await following;
      expect(readFileSync(result.merged?.path as string).equals(await reference(n, 21, 'ref-aof.npy'))).toBe(true);
    } finally {
      await events.close();
      await coordinator.close();
      await w?.kill();
      await aof.stop();
    }
  }, 180_000);
});
