import { kernelInfo } from '@eddy/backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, type Tensor, noGrad, randn, select, tensor } from '@eddy/core';
import { MAF, NSF } from '@eddy/flows';
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

  it('a cancelled job stops promptly and the pool stays usable', async () => {
    const controller = new AbortController();
    const t0 = performance.now();
    const job = pool2.sample(flow, 200_000, { seed: 1, chunkSize: 2000, signal: controller.signal });
    setTimeout(() => controller.abort('user'), 50);
    await expect(job).rejects.toThrow(/job cancelled/);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const again = await pool2.sample(flow, 10, { seed: 7 });
    expect(again.shape).toEqual([10, 2]);
  });

  it('a shard producing NaN fails the job with its row range', async () => {
    const bad = new MAF({ features: 2, hiddenFeatures: [4], seed: 2 });
    const [, w] = bad.namedParameters().find(([name]) => name.endsWith('hyper.2.bias')) ?? [];
    w?.assign(w.mul(Number.NaN));
    const job = pool2.sample(bad, 100, { seed: 1, chunkSize: 50 });
    await expect(job).rejects.toBeInstanceOf(ShardError);
    await expect(pool2.sample(bad, 100, { seed: 1, chunkSize: 50 })).rejects.toThrow(/shard rows \[0, 50\).*NaN/);
  });
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
