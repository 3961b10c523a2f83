import { kernelInfo } from '@eddy/backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type Tensor, noGrad, randn, select, tensor } from '@eddy/core';
import { GMM, MAF, NSF, fit } from '@eddy/flows';
import { FlowPool, ShardError, expectation, importanceSampling, readNpy } from '@eddy/montecarlo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const flow = new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], seed: 1 });
const arr = (t: Tensor): number[] => Array.from(t.dataSync());
let dir: string;
let pool1: FlowPool;
let pool2: FlowPool;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-mc-'));
  pool1 = new FlowPool({ threads: 1 });
  pool2 = new FlowPool({ threads: 2 });
});
afterAll(async () => {
  await pool1.close();
  await pool2.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('workers', () => {
  it('run the same kernels as this thread (the native addon loads in worker threads)', async () => {
    const info = await pool2.workerInfo();
    expect(info.name).toBe('cpu');
    expect(info.native).toBe(kernelInfo().native);
    expect(info.isa).toBe(kernelInfo().isa);
  });
});

describe('reproducibility', () => {
  it('1 thread, 2 threads and any chunk size give bit-identical samples, equal to a direct draw', async () => {
    const n = 1000;
    const a = await pool1.sample(flow, n, { seed: 7, chunkSize: 1000 });
    const b = await pool2.sample(flow, n, { seed: 7, chunkSize: 97 });
    const c = await pool2.sample(flow, n, { seed: 7, chunkSize: 256 });
    expect(a.shape).toEqual([n, 2]);
    expect(arr(b)).toEqual(arr(a));
    expect(arr(c)).toEqual(arr(a));
    const direct = noGrad(() => flow.call().sample([n], new Rng(7)).dataSync());
    expect(arr(a)).toEqual(Array.from(direct));
    const other = await pool2.sample(flow, n, { seed: 8, chunkSize: 97 });
    expect(arr(other)).not.toEqual(arr(a));
  });

  it('float64 jobs and sampleAndLogProb are thread independent too', async () => {
    const [x1, l1] = await pool1.sampleAndLogProb(flow, 300, { seed: 3, dtype: 'float64', chunkSize: 300 });
    const [x2, l2] = await pool2.sampleAndLogProb(flow, 300, { seed: 3, dtype: 'float64', chunkSize: 64 });
    expect(arr(x2)).toEqual(arr(x1));
    expect(arr(l2)).toEqual(arr(l1));
    // the log-densities are those of the samples
    const direct = noGrad(() => flow.call().logProb(x1.cast('float32')).dataSync());
    const l1v = arr(l1);
    for (let i = 0; i < direct.length; i++) expect(Math.abs((direct[i] as number) - (l1v[i] as number))).toBeLessThan(1e-3);
  });
});

describe('logProb jobs', () => {
  it('match the flow evaluated directly, in memory and file to file', async () => {
    const x = randn([500, 2], { seed: 2 });
    const lp = await pool2.logProb(flow, x, { chunkSize: 128 });
    const direct = noGrad(() => flow.call().logProb(x));
    expect(arr(lp)).toEqual(arr(direct));
    const inPath = join(dir, 'x.npy');
    await pool2.sampleToFile(flow, 500, inPath, { seed: 5, chunkSize: 100 });
    const outPath = join(dir, 'lp.npy');
    const r = await pool2.logProbFile(flow, inPath, outPath, { chunkSize: 128 });
    expect(r.shape).toEqual([500]);
    const xs = readNpy(inPath);
    const expected = noGrad(() => flow.call().logProb(tensor(xs.data, { shape: xs.shape })));
    expect(Array.from(readNpy(outPath).data)).toEqual(arr(expected));
  });
});

describe('streaming to .npy', () => {
  it('sampleToFile writes the same rows as an in-memory job, in a valid .npy', async () => {
    const path = join(dir, 's.npy');
    let calls = 0;
    const r = await pool2.sampleToFile(flow, 777, path, { seed: 11, chunkSize: 100, onProgress: () => calls++ });
    expect(r.shape).toEqual([777, 2]);
    expect(calls).toBe(8);
    const file = readNpy(path);
    expect(file.shape).toEqual([777, 2]);
    const mem = await pool1.sample(flow, 777, { seed: 11 });
    expect(Array.from(file.data)).toEqual(arr(mem));
  });
});

describe('fault tolerance', () => {
  it('a worker killed mid-job: its shard is rerun, no row lost or duplicated', async () => {
    const n = 4000;
    const reference = await pool1.sample(flow, n, { seed: 21, chunkSize: 250 });
    const pool = new FlowPool({ threads: 2 });
    try {
      let killed = false;
      const result = await pool.sample(flow, n, {
        seed: 21,
        chunkSize: 250,
        onProgress: () => {
          if (!killed) {
            killed = true;
            void pool.workers[0]?.terminate();
          }
        },
      });
      expect(killed).toBe(true);
      expect(arr(result)).toEqual(arr(reference));
    } finally {
      await pool.close();
    }
  });

  it('a cancelled job stops (no shard starts after the cancel) and the pool stays usable', async () => {
    const controller = new AbortController();
    let progress = 0;
    const job = pool2.sample(flow, 200_000, {
      seed: 1,
      chunkSize: 2000,
      signal: controller.signal,
      onProgress: () => {
        progress++;
        if (progress === 2) controller.abort('user');
      },
    });
    await expect(job).rejects.toThrow(/job cancelled: user/);
    // At most the shards already running when it was cancelled (2 per thread) finish.
    expect(progress).toBeLessThanOrEqual(2 + 4);
    const again = await pool2.sample(flow, 10, { seed: 7 });
    expect(again.shape).toEqual([10, 2]);
  });

  it('a shard producing NaN fails the job with the lowest failing row range, every time', async () => {
    const bad = new MAF({ features: 2, hiddenFeatures: [4], seed: 2 });
    const [, w] = bad.namedParameters().find(([name]) => name.endsWith('hyper.2.bias')) ?? [];
    w?.assign(w.mul(Number.NaN));
    // Every shard fails; which worker reports first varies from run to run, the error must not.
    for (let run = 0; run < 5; run++) {
      const job = pool2.sample(bad, 400, { seed: run, chunkSize: 20 });
      await expect(job).rejects.toBeInstanceOf(ShardError);
      await expect(job).rejects.toThrow(/^shard rows \[0, 20\): Error: sample has NaN at row 0 /);
    }
  });

  it('±Inf fails the job like NaN (with its rows) unless allowNonFinite is set', async () => {
    // A Gaussian mixture whose means are all -∞ samples -∞ everywhere.
    const bad = new GMM({ features: 2, components: 2, covarianceType: 'diagonal', seed: 2 });
    const means = bad.phi?.find((p) => p.shape.length === 2 && p.shape[0] === 2 && p.shape[1] === 2);
    means?.assign(means.add(Number.NEGATIVE_INFINITY));
    await expect(pool2.sample(bad, 100, { seed: 1, chunkSize: 50 })).rejects.toThrow(
      /shard rows \[0, 50\): Error: sample has -Infinity at row 0 \(set allowNonFinite to keep non-finite values\)/,
    );
    const kept = await pool2.sample(bad, 100, { seed: 1, chunkSize: 50, allowNonFinite: true });
    expect(arr(kept).every((v) => v === Number.NEGATIVE_INFINITY)).toBe(true);
    await expect(pool2.logProb(bad, tensor([[0, 0]]))).rejects.toThrow(/log-density has (-Infinity|NaN) at row 0/);
  });

  it('a flow trained further after a pool job is sampled with its new weights', async () => {
    const f = new MAF({ features: 2, hiddenFeatures: [8], seed: 5 });
    const first = await pool2.sample(f, 500, { seed: 3 });
    expect(arr(first)).toEqual(arr(noGrad(() => f.call().sample([500], new Rng(3)))));
    fit(f, randn([256, 2], { seed: 9 }).mul(3).add(1), { epochs: 2, batchSize: 64, lr: 1e-2 });
    const second = await pool2.sample(f, 500, { seed: 3 });
    const direct = arr(noGrad(() => f.call().sample([500], new Rng(3))));
    expect(arr(second)).toEqual(direct);
    expect(arr(second)).not.toEqual(arr(first));
  });
});

describe('workers dying while they start', () => {
  // piscina stops replacing workers after a death during start-up: without the pool's
  // watchdog these jobs waited forever with no worker. The test timeout is the bound.
  it('1 thread: the worker and its replacement 20 ms later are killed; the job still finishes, bit-identical', async () => {
    const reference = await pool1.sample(flow, 3000, { seed: 8, chunkSize: 300 });
    const pool = new FlowPool({ threads: 1 });
    try {
      await pool.sample(flow, 10, { seed: 1 }); // the worker is up
      const job = pool.sample(flow, 3000, { seed: 8, chunkSize: 300, retries: 5 });
      void pool.workers[0]?.terminate();
      await new Promise((r) => setTimeout(r, 20));
      for (const w of pool.workers) void w.terminate();
      expect(arr(await job)).toEqual(arr(reference));
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('2 threads, a kill every 150 ms for 1 s: the job finishes, bit-identical', async () => {
    const reference = await pool1.sample(flow, 20_000, { seed: 4, chunkSize: 500 });
    const pool = new FlowPool({ threads: 2 });
    const storm = setInterval(() => {
      for (const w of pool.workers) void w.terminate();
    }, 150);
    setTimeout(() => clearInterval(storm), 1000);
    try {
      const result = await pool.sample(flow, 20_000, { seed: 4, chunkSize: 500, retries: 50 });
      expect(arr(result)).toEqual(arr(reference));
    } finally {
      clearInterval(storm);
      await pool.close();
    }
  }, 60_000);

  it('workers that never stay up: the job fails with a clear error instead of hanging', async () => {
    const pool = new FlowPool({ threads: 1 });
    const storm = setInterval(() => {
      for (const w of pool.workers) void w.terminate();
    }, 20);
    try {
      await expect(pool.sample(flow, 10_000, { seed: 4, chunkSize: 500 })).rejects.toThrow(
        /worker failed 3 times|lost all 1 worker thread\(s\) and could not restart them after 4 attempts/,
      );
    } finally {
      clearInterval(storm);
      await pool.close();
    }
  }, 60_000);
});

describe('estimators', () => {
  // A MAF whose output layers (hyper.2) are zero is the identity: X ~ N(0, I).
  const identity = new MAF({ features: 2, hiddenFeatures: [4], seed: 3 });
  for (const [name, p] of identity.namedParameters()) if (name.includes('hyper.2')) p.assign(p.mul(0));

  it('expectation of |x|² under N(0, I₂) is 2 within a few standard errors', async () => {
    const r = await expectation(identity, (x) => x.square().sum(-1), 20_000, { pool: pool2, seed: 4 });
    expect(r.standardError).toBeGreaterThan(0);
    expect(Math.abs(r.estimate - 2)).toBeLessThan(5 * r.standardError);
  });

  it('importance sampling recovers log Z of an unnormalised Gaussian and reports the ESS', async () => {
    // p̃(x) = exp(-|x|²/2) ⇒ Z = 2π; with q = N(0, I) the weights are constant: ESS = n.
    const r = await importanceSampling(identity, (x) => x.square().sum(-1).mul(-0.5), 5000, { pool: pool2, seed: 5, f: (x) => select(x, -1, 0) });
    expect(r.logZ).toBeCloseTo(Math.log(2 * Math.PI), 4);
    expect(r.ess).toBeCloseTo(5000, 0);
    expect(Math.abs(r.estimate)).toBeLessThan(5 * r.standardError + 1e-9);
  });
});
