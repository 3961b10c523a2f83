import '@eddy/backend-cpu';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Rng, type Tensor, mean, noGrad, randn, select, square, sum, tensor } from '@eddy/core';
import { MAF, NSF, cosineSchedule, elbo, fit, fitReverseKL } from '@eddy/flows';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '@eddy/testing';

const dataDir = referenceDir('data');

function readCsv(name: string, rows?: number): Tensor {
  const lines = readFileSync(resolve(dataDir, name), 'utf8')
    .trim()
    .split('\n')
    .slice(1, rows === undefined ? undefined : rows + 1);
  return tensor(Float64Array.from(lines.flatMap((l) => l.split(',').map(Number))), { shape: [lines.length, 2], dtype: 'float32' });
}

describe('fit (maximum likelihood)', () => {
  it('two moons, short seeded recipe: held-out log-likelihood above -1.97 nats', () => {
    // A shorter version of the moons benchmark (npm run bench -- moons): NSF with the
    // benchmark's architecture, 4000 training rows, 10 epochs. zuko's full recipe reaches
    // -1.88; a flow that failed to learn stays near the data's Gaussian fit (≈ -2.5).
    const train = readCsv('moons_train.csv', 4000);
    const test = readCsv('moons_test.csv');
    const flow = new NSF({ features: 2, transforms: 3, hiddenFeatures: [64, 64], dtype: 'float32', seed: 0 });
    const before = noGrad(() => mean(flow.call().logProb(test)).item());
    const result = fit(flow, train, { epochs: 10, batchSize: 256, lr: 3e-3, schedule: cosineSchedule(0.1), seed: 0 });
    const after = noGrad(() => mean(flow.call().logProb(test)).item());
    console.log(`moons short recipe: held-out ${after.toFixed(4)} (before ${before.toFixed(4)})`);
    expect(result.steps).toBe(10 * Math.ceil(4000 / 256));
    expect(before).toBeLessThan(-2.5);
    expect(after).toBeGreaterThan(-1.97);
  }, 120_000);

  it('is reproducible: the same seed gives identical losses', () => {
    const data = randn([200, 2], { seed: 1, dtype: 'float64' });
    const run = () => fit(new MAF({ features: 2, hiddenFeatures: [8], dtype: 'float64', seed: 2 }), data, { epochs: 2, batchSize: 64, seed: 9 }).trainLoss;
    expect(run()).toEqual(run());
  });

  it('validation split, early stopping keeps the best weights, callbacks fire', () => {
    const data = randn([300, 2], { seed: 3, dtype: 'float64' }).mul(tensor([1, 0.2], { dtype: 'float64' }));
    const flow = new MAF({ features: 2, hiddenFeatures: [8], dtype: 'float64', seed: 4 });
    let steps = 0;
    const epochs: number[] = [];
    const r = fit(flow, data, {
      epochs: 40,
      batchSize: 50,
      lr: 1e-2,
      validation: 0.2,
      patience: 3,
      onStep: () => steps++,
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(r.validLoss.length).toBe(r.trainLoss.length);
    expect(steps).toBe(r.steps);
    expect(epochs.length).toBe(r.trainLoss.length);
    expect(Math.min(...r.validLoss)).toBe(r.validLoss[r.bestEpoch]);
  });

  it('early stopping stops `patience` epochs after the best one and restores its weights', () => {
    // A tiny training set and a large lr overfit quickly: the held-out loss turns up.
    const train = randn([40, 2], { seed: 3, dtype: 'float64' });
    const held = randn([400, 2], { seed: 4, dtype: 'float64' });
    const flow = new MAF({ features: 2, hiddenFeatures: [32, 32], dtype: 'float64', seed: 4 });
    const r = fit(flow, train, { epochs: 300, batchSize: 40, lr: 3e-2, validation: { data: held }, patience: 3 });
    expect(r.stopped).toBe('early-stopping');
    expect(r.trainLoss.length).toBe(r.bestEpoch + 4);
    expect(Math.min(...r.validLoss)).toBe(r.validLoss[r.bestEpoch]);
    // The weights left in the flow are the best epoch's: their held-out loss is that epoch's.
    const now = -(mean(flow.call().logProb(held)).item() as number);
    expect(Math.abs(now - (r.validLoss[r.bestEpoch] as number))).toBeLessThan(1e-9);
    expect(r.validLoss[r.validLoss.length - 1]).toBeGreaterThan(r.validLoss[r.bestEpoch] as number);
  });

  it('conditional flows train with a context', () => {
    const c = randn([256, 1], { seed: 5, dtype: 'float64' });
    const x = c
      .mul(2)
      .add(randn([256, 1], { seed: 6, dtype: 'float64' }).mul(0.1))
      .expand([256, 2]);
    const flow = new MAF({ features: 2, context: 1, hiddenFeatures: [16], dtype: 'float64', seed: 7 });
    const r = fit(flow, x.add(randn([256, 2], { seed: 8, dtype: 'float64' }).mul(0.1)), { epochs: 15, batchSize: 64, lr: 1e-2, context: c });
    expect(r.trainLoss[r.trainLoss.length - 1]).toBeLessThan((r.trainLoss[0] as number) - 1);
  });

  it('bad input: NaN data, mismatched context, bad fractions', () => {
    const flow = new MAF({ features: 2, hiddenFeatures: [4], dtype: 'float64' });
    expect(() => fit(flow, tensor([[1, Number.NaN]], { dtype: 'float64' }), { epochs: 1 })).toThrow(/data contains a non-finite value \(NaN\) in row 0/);
    expect(() =>
      fit(
        flow,
        tensor(
          [
            [1, 2],
            [3, Number.NEGATIVE_INFINITY],
          ],
          { dtype: 'float64' },
        ),
        { epochs: 1 },
      ),
    ).toThrow(/non-finite value \(-Infinity\) in row 1/);
    // A split that leaves nothing to train on is an error, not a NaN loss.
    expect(() => fit(flow, tensor([[1, 2]], { dtype: 'float64' }), { epochs: 1, validation: 0.1 })).toThrow(
      /1 row\(s\) with validation 0\.1 leave no row to train on/,
    );
    expect(() => fit(flow, randn([4], { seed: 1 }), { epochs: 1 })).toThrow(/data must be \[N, \.\.\.event\]/);
    const cond = new MAF({ features: 2, context: 1, hiddenFeatures: [4], dtype: 'float64' });
    expect(() => fit(cond, randn([4, 2], { seed: 1, dtype: 'float64' }), { context: randn([3, 1], { seed: 2, dtype: 'float64' }) })).toThrow(
      /context has 3 rows, data has 4/,
    );
    expect(() => fit(flow, randn([4, 2], { seed: 1, dtype: 'float64' }), { validation: 1.5 })).toThrow(/validation fraction/);
  });
});

describe('reverse KL / ELBO', () => {
  it('fits an unnormalised Gaussian: the ELBO approaches log Z from below', () => {
    // p̃(x) = exp(-|x - μ|² / (2σ²)) with σ = 0.5 in 2-D: log Z = log(2π σ²).
    const mu = tensor([1, -2], { dtype: 'float64' });
    const logTarget = (x: Tensor) => sum(square(x.sub(mu)), -1).div(-2 * 0.25);
    const logZ = Math.log(2 * Math.PI * 0.25);
    const q = new MAF({ features: 2, hiddenFeatures: [16], dtype: 'float64', seed: 1 });
    const start = elbo(q, logTarget, 2048, new Rng(99)).item();
    const history = fitReverseKL(q, logTarget, { steps: 300, samples: 128, lr: 1e-2, seed: 1 });
    const end = elbo(q, logTarget, 2048, new Rng(99)).item();
    expect(history.length).toBe(300);
    expect(start).toBeLessThan(logZ - 1);
    expect(end).toBeLessThanOrEqual(logZ + 0.02);
    expect(end).toBeGreaterThan(logZ - 0.05);
  }, 60_000);

  it("banana target: the same ELBO with the incremental inverse and with zuko's fixed-point passes", () => {
    // The docs' banana (log Z = log 2π). Both runs draw the same numbers and their gradients
    // agree to rounding, so the fits coincide up to rounding drift.
    const logTarget = (x: Tensor): Tensor => {
      const x1 = select(x, -1, 0);
      const z2 = select(x, -1, 1).add(x1.square().sub(1).div(3));
      return x1.square().add(z2.square()).mul(-0.5);
    };
    const run = (incremental: boolean): number => {
      const q = new NSF({ features: 2, transforms: 2, hiddenFeatures: [16, 16], dtype: 'float64', seed: 3 });
      for (const t of (q.transform as unknown as { transforms: Array<{ incremental: boolean }> }).transforms) t.incremental = incremental;
      fitReverseKL(q, logTarget, { steps: 120, samples: 64, lr: 3e-3, seed: 5 });
      return elbo(q, logTarget, 4096, new Rng(7)).item();
    };
    const inc = run(true);
    const fixed = run(false);
    expect(Math.abs(inc - fixed)).toBeLessThan(1e-6);
    expect(inc).toBeLessThanOrEqual(Math.log(2 * Math.PI) + 0.02);
    expect(inc).toBeGreaterThan(Math.log(2 * Math.PI) - 0.6);
  }, 120_000);
});
