// moments and importance jobs on a real redis-server with in-process workers: the shards
// return sufficient statistics that the coordinator combines; the result does not depend
// on the number of shards and equals the statistics of a single-machine run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterWorker, Coordinator, type ImportanceResult, type MomentsResult, startWorker } from '@eddy/cluster';
import { noGrad } from '@eddy/core';
import { MAF, NSF, saveFlowToFile } from '@eddy/flows';
import { FlowPool } from '@eddy/montecarlo';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestRedis, beforeAllWithRedis } from './helpers.js';

let redis: TestRedis;
let dir: string;
let modelPath: string;
let targetPath: string;
let pool: FlowPool;
let coordinator: Coordinator;
const workers: ClusterWorker[] = [];
const flow = new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 3 });
const target = new MAF({ features: 2, transforms: 2, hiddenFeatures: [8], seed: 9 });
const prefix = 't-stats';
const n = 20_011;
const seed = 7;

const needRedis = beforeAllWithRedis(async (started) => {
  redis = started;
  dir = mkdtempSync(join(tmpdir(), 'eddy-cluster-stats-'));
  modelPath = join(dir, 'model.safetensors');
  targetPath = join(dir, 'target.safetensors');
  saveFlowToFile(flow, modelPath);
  saveFlowToFile(target, targetPath);
  pool = new FlowPool({ threads: 1 });
  for (const name of ['s1', 's2']) workers.push(await startWorker({ redis: redis.url, prefix, threads: 1, name }));
  coordinator = new Coordinator({ redis: redis.url, prefix });
}, 60_000);

afterAll(async () => {
  await coordinator?.close();
  for (const w of workers) await w.close(true);
  await pool?.close();
  await redis?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 60_000);

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const expectClose = (a: readonly number[], b: readonly number[], tol: number): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(rel(a[i] as number, b[i] as number)).toBeLessThan(tol);
};

describe('statistics jobs', () => {
  it('moments: 1 shard and 4 shards agree, and equal the statistics of one machine', async () => {
    needRedis();
    const run = async (shards: number): Promise<MomentsResult> => {
      const job = await coordinator.submit({
        kind: 'moments',
        model: modelPath,
        n,
        seed,
        shards,
        dtype: 'float64',
        outDir: join(dir, `moments-${shards}`),
        chunkSize: 3000,
      });
      const r = await coordinator.follow(job.id, { pollInterval: 200 });
      expect(r.manifest.parts).toEqual([]);
      expect(JSON.parse(readFileSync(r.manifestPath, 'utf8')).statistics).toEqual(r.statistics);
      expect((await coordinator.status(job.id)).statistics).toEqual(r.statistics);
      await expect(coordinator.merge(job.id)).rejects.toThrow(/no parts to merge/);
      return r.statistics as MomentsResult;
    };
    const one = await run(1);
    const four = await run(4);
    expect(one.n).toBe(n);
    expect(one.features).toBe(2);
    expectClose(four.mean, one.mean, 1e-12);
    expectClose(four.variance, one.variance, 1e-12);
    expectClose(four.standardError, one.standardError, 1e-12);
    expectClose(four.covariance?.flat() ?? [], one.covariance?.flat() ?? [], 1e-12);
    // One machine: the same draws, statistics in float64 here.
    const x = (await pool.sample(flow, n, { seed, dtype: 'float64' })).dataSync();
    const mean = [0, 0];
    for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) mean[j] = (mean[j] as number) + (x[2 * i + j] as number) / n;
    const cov = [0, 0, 0, 0];
    for (let i = 0; i < n; i++)
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++)
          cov[2 * a + b] =
            (cov[2 * a + b] as number) + (((x[2 * i + a] as number) - (mean[a] as number)) * ((x[2 * i + b] as number) - (mean[b] as number))) / (n - 1);
    expectClose(four.mean, mean, 1e-9);
    expectClose(four.variance, [cov[0] as number, cov[3] as number], 1e-9);
    expectClose(four.standardError, [Math.sqrt((cov[0] as number) / n), Math.sqrt((cov[3] as number) / n)], 1e-9);
    expectClose(four.covariance?.flat() ?? [], cov, 1e-9);
  }, 120_000);

  it('importance: 1 shard and 4 shards agree, and equal importance sampling on one machine', async () => {
    needRedis();
    const run = async (shards: number): Promise<ImportanceResult> => {
      const job = await coordinator.submit({
        kind: 'importance',
        model: modelPath,
        target: targetPath,
        n,
        seed,
        shards,
        dtype: 'float64',
        outDir: join(dir, `importance-${shards}`),
        chunkSize: 3000,
      });
      const r = await coordinator.follow(job.id, { pollInterval: 200 });
      expect(r.manifest.targetChecksum).toMatch(/^[0-9a-f]{8}$/);
      expect(r.manifest.shape).toEqual([n]);
      return r.statistics as ImportanceResult;
    };
    const one = await run(1);
    const four = await run(4);
    expect(four.n).toBe(n);
    for (const k of ['logZ', 'logZStandardError', 'zRelativeStandardError', 'ess', 'maxLogWeight'] as const)
      expect(rel(four[k], one[k]), k).toBeLessThan(1e-12);
    const [x, lq] = await pool.sampleAndLogProb(flow, n, { seed, dtype: 'float64' });
    const lp = noGrad(() => target.call().logProb(x)).dataSync();
    const lqv = lq.dataSync();
    const lw = Array.from({ length: n }, (_, i) => (lp[i] as number) - (lqv[i] as number));
    const m = Math.max(...lw);
    let sw = 0;
    let sw2 = 0;
    for (const v of lw) {
      const w = Math.exp(v - m);
      sw += w;
      sw2 += w * w;
    }
    const meanW = sw / n;
    const sd = Math.sqrt(((sw2 / n - meanW * meanW) * n) / (n - 1));
    expect(rel(four.logZ, m + Math.log(meanW))).toBeLessThan(1e-9);
    expect(rel(four.ess, (sw * sw) / sw2)).toBeLessThan(1e-9);
    expect(rel(four.zRelativeStandardError, sd / meanW / Math.sqrt(n))).toBeLessThan(1e-9);
    expect(four.maxLogWeight).toBe(m);
  }, 120_000);

  it('refuses an importance job without a target, and a target on other kinds', async () => {
    needRedis();
    await expect(coordinator.submit({ kind: 'importance', model: modelPath, n: 10, outDir: join(dir, 'no-target') })).rejects.toThrow(/needs target/);
    await expect(coordinator.submit({ kind: 'moments', model: modelPath, target: targetPath, n: 10, outDir: join(dir, 'target-moments') })).rejects.toThrow(
      /has no target/,
    );
    await expect(coordinator.submit({ kind: 'moments', model: modelPath, input: modelPath, n: 10, outDir: join(dir, 'input-moments') })).rejects.toThrow(
      /has no input/,
    );
  });
});
