import '@eddy/backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError, Module, Parameter, RandomStream, Rng, type Tensor, ValueError, gradients, noGrad, randn, stack, tensor } from '@eddy/core';
import {
  BPF,
  BayesianModel,
  GF,
  type LazyDistribution,
  Linear,
  MAF,
  MLP,
  MaskedAutoregressiveTransform,
  MaskedMLP,
  NICE,
  NSF,
  ParameterDict,
  SOSPF,
  copyModuleTree,
  loadZukoFlow,
  softclip,
  writeSafetensors,
} from '@eddy/flows';
import type { NormalizingFlow } from '@eddy/distributions';
import { describe, expect, it } from 'vitest';
import { referenceDir } from '@eddy/testing';
import { type JsonTensor, flat, torchSaveFile } from './torch-save-file.js';

// ---------------------------------------------------------------------------------------
// Helpers.

const values = (t: Tensor): number[] => Array.from(t.dataSync() as Float64Array);
const sumAbs = (t: Tensor): number => values(t).reduce((a, v) => a + Math.abs(v), 0);
const equal = (a: Tensor, b: Tensor): boolean => {
  const x = values(a);
  const y = values(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const maxAbsDiff = (a: Tensor, b: Tensor): number => {
  const x = values(a);
  const y = values(b);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] as number))), 0);
};
const paramNames = (m: Module): string[] => m.namedParameters().map(([n]) => n);

/** Mean and (unbiased) variance of each column of rows `samples` (K × n). */
function moments(samples: number[][]): { mean: number[]; variance: number[]; m4: number[] } {
  const k = samples.length;
  const n = (samples[0] as number[]).length;
  const mean = Array.from({ length: n }, (_, j) => samples.reduce((a, s) => a + (s[j] as number), 0) / k);
  const variance = Array.from({ length: n }, (_, j) => samples.reduce((a, s) => a + ((s[j] as number) - (mean[j] as number)) ** 2, 0) / (k - 1));
  const m4 = Array.from({ length: n }, (_, j) => samples.reduce((a, s) => a + ((s[j] as number) - (mean[j] as number)) ** 4, 0) / k);
  return { mean, variance, m4 };
}

/** A small module with hand-picked field names, to test name patterns. */
class Toy extends Module {
  w = new Parameter(tensor([1, 2]));
  layer_1 = new Linear(1, 1, { rng: new RandomStream(0) });
  layers = Array.from({ length: 12 }, (_, i) => new Linear(1, 1, { rng: new RandomStream(1, i) }));
}

const bayesKeys = (base: Module, includeParams?: string[], excludeParams?: string[]): string[] =>
  new BayesianModel(base, { includeParams, excludeParams }).means.keys();

// ---------------------------------------------------------------------------------------

describe('BayesianModel: construction, names and patterns', () => {
  it("zuko's tutorial example: the last layer of each hypernetwork, without biases", () => {
    // zuko docs/tutorials/bayesian_flows.ipynb: NSF(features=3, context=5) with
    // include_params=["transform.transforms.*.hyper.4"], exclude_params=["**.bias"] prints
    // three means (and log-variances), transform-transforms-{0,1,2}-hyper-4-weight, 69x64.
    const flow = new NSF({ features: 3, context: 5 });
    const bayes = new BayesianModel(flow, { initLogvar: -9, includeParams: ['transform.transforms.*.hyper.4'], excludeParams: ['**.bias'] });
    const keys = [0, 1, 2].map((i) => `transform-transforms-${i}-hyper-4-weight`);
    expect(bayes.means.keys()).toEqual(keys);
    expect(bayes.logvars.keys()).toEqual(keys);
    for (const k of keys) expect(bayes.means.get(k)?.shape).toEqual([69, 64]);
    expect(String(bayes)).toContain('(transform-transforms-2-hyper-4-weight): Parameter of shape [69,64]');
  });

  it("zuko's two-moons example: include ['**.hyper.4'] takes weight and bias of every last layer", () => {
    const flow = new NSF({ features: 2, context: 1, transforms: 3, hiddenFeatures: [64, 64] });
    expect(bayesKeys(flow, ['**.hyper.4'])).toEqual(
      [0, 1, 2].flatMap((i) => [`transform-transforms-${i}-hyper-4-weight`, `transform-transforms-${i}-hyper-4-bias`]),
    );
  });

  it('defaults: every parameter; means copy the base, log-variances ~ N(initLogvar, 0.001²)', () => {
    const net = new MLP(3, 5, { hiddenFeatures: [64, 64], dtype: 'float64' });
    const bayes = new BayesianModel(net, { initLogvar: -7, rng: new RandomStream(3) });
    expect(bayes.means.keys()).toEqual(['0-weight', '0-bias', '2-weight', '2-bias', '4-weight', '4-bias']);
    const all: number[] = [];
    for (const [name, p] of net.namedParameters()) {
      const key = name.replaceAll('.', '-');
      expect(equal(bayes.means.get(key) as Tensor, p), name).toBe(true);
      expect(bayes.means.get(key)).not.toBe(p);
      all.push(...values(bayes.logvars.get(key) as Tensor));
    }
    // n = 4805 draws: the mean is within 5 standard errors of -7, the std within 10%.
    const n = all.length;
    const mean = all.reduce((a, v) => a + v, 0) / n;
    const std = Math.sqrt(all.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean + 7)).toBeLessThan((5 * 1e-3) / Math.sqrt(n));
    expect(Math.abs(std / 1e-3 - 1)).toBeLessThan(0.1);
  });

  it("state-dict names are zuko's: base.<name>, means.<key>, logvars.<key> with . → -", () => {
    const bayes = new BayesianModel(new MLP(3, 5, { hiddenFeatures: [8] }));
    expect(Object.keys(bayes.stateDict())).toEqual([
      'base.0.weight',
      'base.0.bias',
      'base.2.weight',
      'base.2.bias',
      'means.0-weight',
      'means.0-bias',
      'means.2-weight',
      'means.2-bias',
      'logvars.0-weight',
      'logvars.0-bias',
      'logvars.2-weight',
      'logvars.2-bias',
    ]);
    expect(paramNames(bayes.means)).toEqual(['0-weight', '0-bias', '2-weight', '2-bias']);
  });

  it('patterns: * is one name segment, ** a dotted path, and a pattern is a prefix (as in zuko)', () => {
    const toy = new Toy();
    const layers = (i: number): string[] => [`layers-${i}-weight`, `layers-${i}-bias`];
    expect(bayesKeys(toy)).toEqual(paramNames(toy).map((n) => n.replaceAll('.', '-')));
    expect(bayesKeys(toy, ['*'])).toEqual(bayesKeys(toy));
    expect(bayesKeys(toy, ['w'])).toEqual(['w']);
    // a prefix: layers.1 also matches layers.10 and layers.11 (zuko appends `.*`)
    expect(bayesKeys(toy, ['layers.1'])).toEqual([...layers(1), ...layers(10), ...layers(11)]);
    expect(bayesKeys(toy, ['layers.1.'])).toEqual(layers(1));
    // * does not cross a dot: *.weight is layer_1.weight only; ** crosses dots
    expect(bayesKeys(toy, ['*.weight'])).toEqual(['layer_1-weight']);
    expect(bayesKeys(toy, ['**.weight'])).toEqual(['layer_1-weight', ...Array.from({ length: 12 }, (_, i) => `layers-${i}-weight`)]);
    expect(bayesKeys(toy, ['layers.*.bias'])).toEqual(Array.from({ length: 12 }, (_, i) => `layers-${i}-bias`));
    // exclusion wins over inclusion
    expect(bayesKeys(toy, [''], ['layers', '**.bias'])).toEqual(['w', 'layer_1-weight']);
    expect(bayesKeys(toy, ['nothing'])).toEqual([]);
    // invalid prefixes (zuko asserts [\w.*]*)
    for (const bad of ['layers-1', 'a/b', 'x[0]', 'a b']) {
      expect(() => new BayesianModel(toy, { includeParams: [bad] }), bad).toThrow(ValueError);
      expect(() => new BayesianModel(toy, { excludeParams: [bad] }), bad).toThrow(ValueError);
    }
    expect(() => new BayesianModel(toy, { initLogvar: Number.NaN })).toThrow(ValueError);
  });

  it('calling the wrapper is an error that points to sampleModel and reparameterize', () => {
    const bayes = new BayesianModel(new MLP(2, 2));
    expect(() => bayes.call(randn([2], { seed: 0 }))).toThrow(EddyError);
    expect(() => bayes.call()).toThrow(/sampleModel\(\) or reparameterize\(\)/);
  });

  it('a parameter held outside fields and arrays is refused at construction', () => {
    class Hidden extends Module {
      readonly store = new ParameterDict({ a: tensor([1]) });
    }
    expect(() => new BayesianModel(new Hidden())).toThrow(/store\.a .*exclude it/);
    expect(new BayesianModel(new Hidden(), { excludeParams: ['store'] }).means.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------

describe('BayesianModel.sampleParams', () => {
  it('is mean + exp(softclip(logvar, 18) / 2) · ε, one normal draw per parameter in key order', () => {
    const bayes = new BayesianModel(new MLP(3, 2, { hiddenFeatures: [4], dtype: 'float64' }));
    const params = bayes.sampleParams(new Rng(5));
    const rng = new Rng(5);
    expect(Object.keys(params)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    for (const key of bayes.means.keys()) {
      const mean = bayes.means.get(key) as Tensor;
      const lv = values(bayes.logvars.get(key) as Tensor);
      const eps = values(rng.normal(mean.shape, 'float64'));
      const expected = values(mean).map((m, i) => m + Math.exp((lv[i] as number) / Math.sqrt(1 + ((lv[i] as number) / 18) ** 2) / 2) * (eps[i] as number));
      const got = values(params[key.replaceAll('-', '.')] as Tensor);
      for (const [i, g] of got.entries()) expect(Math.abs(g - (expected[i] as number))).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(g)));
    }
  });

  it('softclip bounds the log-variance smoothly to (-18, 18)', () => {
    const y = values(softclip(tensor([0, 1, 18, -1000, 1e6], { dtype: 'float64' }), 18));
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(1 / Math.sqrt(1 + 1 / 324), 14);
    expect(y[2]).toBeCloseTo(18 / Math.SQRT2, 12);
    expect(y[3]).toBeGreaterThan(-18);
    expect(y[4]).toBeLessThan(18);
    expect(y[4]).toBeGreaterThan(17.99);
  });

  it('draws have the posterior mean and variance (10 draws of 10⁴ entries, 5-standard-error bounds)', () => {
    const net = new MLP(100, 100, { hiddenFeatures: [], dtype: 'float64' });
    const bayes = new BayesianModel(net, { includeParams: ['0.weight'] });
    const mean = randn([100, 100], { seed: 11, dtype: 'float64' });
    const logvar = randn([100, 100], { seed: 12, dtype: 'float64' }).mul(2).sub(1); // σ from ~e^-2.5 to ~e^1.5
    noGrad(() => {
      (bayes.means.get('0-weight') as Parameter).assign(mean);
      (bayes.logvars.get('0-weight') as Parameter).assign(logvar);
    });
    const mu = values(mean);
    const sigma = values(logvar).map((v) => Math.exp(v / Math.sqrt(1 + (v / 18) ** 2) / 2));
    // Standardised draws (θ - μ) / σ must be N(0, 1): n = 10⁵ values.
    const z: number[] = [];
    for (let k = 0; k < 10; k++) {
      const theta = values(bayes.sampleParams(new Rng(100 + k))['0.weight'] as Tensor);
      for (const [i, t] of theta.entries()) z.push((t - (mu[i] as number)) / (sigma[i] as number));
    }
    const n = z.length;
    const m = z.reduce((a, v) => a + v, 0) / n;
    const v = z.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n)); // standard error of the mean: 1/√n
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / (n - 1))); // of the variance: √(2/(n-1))
    // and per entry: the mean over the 10 draws of the first 500 entries is near μ
    const byEntry = Array.from({ length: 500 }, (_, i) => z.filter((_, j) => j % 10000 === i).reduce((a, x) => a + x, 0) / 10);
    const chi = byEntry.reduce((a, x) => a + 10 * x * x, 0); // Σ (√10 · mean)² ~ χ²(500)
    expect(chi).toBeGreaterThan(500 - 5 * Math.sqrt(1000));
    expect(chi).toBeLessThan(500 + 5 * Math.sqrt(1000));
  });
});

// ---------------------------------------------------------------------------------------

describe('BayesianModel.reparameterize', () => {
  for (const localTrick of [false, true]) {
    for (const batch of [[], [64]]) {
      it(`MLP (localTrick ${localTrick}, batch [${batch}]): deterministic within one call, another draw in the next`, () => {
        const net = new MLP(3, 5);
        const bayes = new BayesianModel(net);
        const x = randn([...batch, 3], { seed: 1 });
        const [y1, y2] = bayes.reparameterize((m) => [m.call(x), m.call(x)], { localTrick }) as [Tensor, Tensor];
        const y3 = bayes.reparameterize((m) => m.call(x), { localTrick });
        expect(y1.shape).toEqual([...batch, 5]);
        expect(y1.requiresGrad).toBe(true);
        expect(equal(y1, y2)).toBe(true);
        expect(maxAbsDiff(y1, y3)).toBeGreaterThan(1e-4);
        // and the base model is back: the same parameter objects with the same values
        const before = net.namedParameters();
        bayes.reparameterize((m) => m.call(x), { localTrick });
        expect(net.namedParameters()).toEqual(before);
        expect(net.namedParameters().every(([, p], i) => p === before[i]?.[1])).toBe(true);
      });

      it(`MaskedMLP (localTrick ${localTrick}, batch [${batch}]): the Jacobian keeps the adjacency and rows independent`, () => {
        const adjacency = randn([5, 3], { seed: 4 }).lt(0);
        const adj = Array.from(adjacency.dataSync());
        const bayes = new BayesianModel(new MaskedMLP(adjacency, { hiddenFeatures: [16, 16] }));
        const x = randn([...batch, 3], { seed: 5, dtype: 'float32' }).requireGrad();
        bayes.reparameterize(
          (m) => {
            const y = m.call(x);
            const rows = batch.length === 0 ? y.reshape([1, 5]) : y;
            for (let i = 0; i < 5; i++) {
              // d y[0, i] / d x: zero where output i may not see input j, and on other rows
              const [g] = gradients(
                rows
                  .slice(0, 0, 1)
                  .slice(1, i, i + 1)
                  .sum(),
                [x],
              );
              const gv = Array.from((g as Tensor).dataSync());
              for (let j = 0; j < 3; j++) if (!adj[i * 3 + j]) expect(gv[j], `J[${i}, ${j}]`).toBe(0);
              expect(gv.slice(3).every((v) => v === 0)).toBe(true);
            }
          },
          { localTrick },
        );
      });
    }
  }

  it('restores the base model when fn throws, and can run again', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [4] });
    const bayes = new BayesianModel(net);
    const x = randn([2, 3], { seed: 0 });
    const before = net.call(x);
    const params = net.parameters();
    for (const localTrick of [false, true]) {
      expect(() =>
        bayes.reparameterize(
          (m) => {
            expect(equal(m.call(x), before)).toBe(false);
            throw new Error('boom');
          },
          { localTrick },
        ),
      ).toThrow('boom');
      expect(net.parameters().every((p, i) => p === params[i])).toBe(true);
      expect(equal(net.call(x), before)).toBe(true);
      const layer = net.layers[0] as Linear;
      expect(Object.hasOwn(layer, 'call') || Object.hasOwn(layer, 'callFused') || Object.hasOwn(layer, 'mlpLayer')).toBe(false);
    }
    expect(bayes.reparameterize((m) => m.call(x)).shape).toEqual([2, 2]);
  });

  it('contexts cannot overlap; sampleModel is refused inside one', () => {
    const bayes = new BayesianModel(new MLP(2, 2));
    bayes.reparameterize(() => {
      expect(() => bayes.reparameterize(() => 0)).toThrow(/cannot overlap/);
      expect(() => bayes.sampleModel()).toThrow(/cannot overlap/);
    });
  });

  it('the disposable form: using, dispose (twice is a no-op), and the promise form', async () => {
    const net = new MLP(3, 2, { hiddenFeatures: [4] });
    const bayes = new BayesianModel(net);
    const x = randn([2, 3], { seed: 0 });
    const plain = net.call(x);
    {
      using r = bayes.reparameterized({ localTrick: true });
      expect(r.model).toBe(net);
      expect(r.active).toBe(true);
      expect(equal(r.model.call(x), plain)).toBe(false);
      expect(equal(r.model.call(x), r.model.call(x))).toBe(true);
    }
    expect(equal(net.call(x), plain)).toBe(true);
    const r = bayes.reparameterized();
    r.dispose();
    r.dispose();
    expect(r.active).toBe(false);
    expect(equal(net.call(x), plain)).toBe(true);
    const y = await bayes.reparameterize(async (m) => {
      await new Promise((ok) => setTimeout(ok, 1));
      return m.call(x);
    });
    expect(equal(y, plain)).toBe(false);
    expect(equal(net.call(x), plain)).toBe(true);
    await expect(bayes.reparameterize(async () => Promise.reject(new Error('later')))).rejects.toThrow('later');
    expect(equal(net.call(x), plain)).toBe(true);
  });

  it('with the same Rng seed two calls give the same draw', () => {
    const bayes = new BayesianModel(new MLP(3, 2));
    const x = randn([8, 3], { seed: 0 });
    for (const localTrick of [false, true]) {
      const a = bayes.reparameterize((m) => m.call(x), { localTrick, rng: new Rng(9) });
      const b = bayes.reparameterize((m) => m.call(x), { localTrick, rng: new Rng(9) });
      expect(equal(a, b)).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------
// The local reparameterisation trick: the same output distribution as a weight draw.

describe('BayesianModel: local reparameterisation trick', () => {
  /** K outputs (flattened) of `net` at `x`, one per reparameterize call with seeds base+k. */
  function draws(bayes: BayesianModel<MLP | MaskedMLP>, x: Tensor, localTrick: boolean, k: number, seed: number): number[][] {
    return noGrad(() => Array.from({ length: k }, (_, i) => values(bayes.reparameterize((m) => m.call(x), { localTrick, rng: new Rng(seed + i) }))));
  }

  function setLogvars(bayes: BayesianModel, seed: number): void {
    noGrad(() => {
      for (const [i, p] of bayes.logvars.values().entries())
        p.assign(
          randn(p.shape, { seed: seed + i, dtype: 'float64' })
            .mul(0.5)
            .sub(2),
        );
    });
  }

  for (const masked of [false, true]) {
    it(`one ${masked ? 'MaskedLinear' : 'Linear'} layer: both paths match the exact Gaussian moments (K = 3000)`, () => {
      const adjacency = tensor([
        [true, false, true, true],
        [false, true, false, true],
        [true, true, true, false],
      ]);
      const net = masked ? new MaskedMLP(adjacency, { hiddenFeatures: [], dtype: 'float64' }) : new MLP(4, 3, { hiddenFeatures: [], dtype: 'float64' });
      const bayes = new BayesianModel<MLP | MaskedMLP>(net);
      setLogvars(bayes, 30);
      const x = randn([2, 4], { seed: 31, dtype: 'float64' });
      // exact: y ~ N(x μ_Wᵀ + μ_b, x² σ_W²ᵀ + σ_b²), masked entries contributing nothing
      const mask = masked ? Array.from(adjacency.dataSync()) : Array(12).fill(1);
      const wm = values(bayes.means.get('0-weight') as Tensor).map((v, i) => v * (mask[i] as number));
      const wv = values(softclip(bayes.logvars.get('0-weight') as Tensor, 18).exp()).map((v, i) => v * (mask[i] as number));
      const bm = values(bayes.means.get('0-bias') as Tensor);
      const bv = values(softclip(bayes.logvars.get('0-bias') as Tensor, 18).exp());
      const xs = values(x);
      const exactMean: number[] = [];
      const exactVar: number[] = [];
      for (let b = 0; b < 2; b++) {
        for (let o = 0; o < 3; o++) {
          let m = bm[o] as number;
          let v = bv[o] as number;
          for (let i = 0; i < 4; i++) {
            const xi = xs[b * 4 + i] as number;
            m += xi * (wm[o * 4 + i] as number);
            v += xi * xi * (wv[o * 4 + i] as number);
          }
          exactMean.push(m);
          exactVar.push(v);
        }
      }
      const K = 3000;
      for (const [localTrick, seed] of [
        [false, 1000],
        [true, 50000],
      ] as const) {
        const { mean, variance } = moments(draws(bayes, x, localTrick, K, seed));
        for (let j = 0; j < 6; j++) {
          const v = exactVar[j] as number;
          expect(Math.abs((mean[j] as number) - (exactMean[j] as number)), `mean ${j} (trick ${localTrick})`).toBeLessThan(5 * Math.sqrt(v / K));
          expect(Math.abs((variance[j] as number) / v - 1), `variance ${j} (trick ${localTrick})`).toBeLessThan(5 * Math.sqrt(2 / (K - 1)));
        }
      }
    });
  }

  it('a two-layer MLP: the trick and the weight draw give the same output moments (K = 3000)', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [8], dtype: 'float64' });
    const bayes = new BayesianModel(net);
    setLogvars(bayes, 40);
    const x = randn([1, 3], { seed: 41, dtype: 'float64' });
    const K = 3000;
    const a = moments(draws(bayes, x, false, K, 2000));
    const b = moments(draws(bayes, x, true, K, 90000));
    for (let j = 0; j < 2; j++) {
      // standard errors from the samples: of a mean √(s²/K), of a variance √((m4 − s⁴)/K)
      const seMean = Math.sqrt(((a.variance[j] as number) + (b.variance[j] as number)) / K);
      const seVar = Math.sqrt(((a.m4[j] as number) - (a.variance[j] as number) ** 2 + (b.m4[j] as number) - (b.variance[j] as number) ** 2) / K);
      expect(Math.abs((a.mean[j] as number) - (b.mean[j] as number)), `mean ${j}`).toBeLessThan(5 * seMean);
      expect(Math.abs((a.variance[j] as number) - (b.variance[j] as number)), `variance ${j}`).toBeLessThan(5 * seVar);
    }
  });

  it('samples outputs per example: equal rows differ with the trick, not with a weight draw', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [], dtype: 'float64' });
    const bayes = new BayesianModel(net, { initLogvar: -2 });
    const x = stack([tensor([0.5, -1, 2], { dtype: 'float64' }), tensor([0.5, -1, 2], { dtype: 'float64' })]);
    const plain = values(bayes.reparameterize((m) => m.call(x)));
    const trick = values(bayes.reparameterize((m) => m.call(x), { localTrick: true }));
    expect(plain.slice(0, 2)).toEqual(plain.slice(2));
    expect(trick.slice(0, 2)).not.toEqual(trick.slice(2));
  });

  it('only exactly Linear and MaskedLinear layers with a Bayesian weight are patched; a layer without a Bayesian weight is not', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [4], dtype: 'float64' });
    const bayes = new BayesianModel(net, { includeParams: ['2'] }); // only the last layer
    const x = stack([tensor([0.5, -1, 2], { dtype: 'float64' }), tensor([0.5, -1, 2], { dtype: 'float64' })]);
    bayes.reparameterize(
      (m) => {
        expect(Object.hasOwn(m.layers[0] as object, 'call')).toBe(false);
        expect(Object.hasOwn(m.layers[2] as object, 'call')).toBe(true);
        const y = values(m.call(x));
        expect(y.slice(0, 2)).not.toEqual(y.slice(2)); // the last layer samples per row
      },
      { localTrick: true },
    );
  });
});

// ---------------------------------------------------------------------------------------
// zuko's test_bayesian_flows, family by family.

const FAMILIES: Array<[string, (o: { features: number; context: number; seed: number }) => LazyDistribution]> = [
  ['NICE', (o) => new NICE({ ...o, hiddenFeatures: [16, 16] })],
  ['MAF', (o) => new MAF({ ...o, hiddenFeatures: [16, 16] })],
  ['NSF', (o) => new NSF({ ...o, hiddenFeatures: [16, 16] })],
  ['SOSPF', (o) => new SOSPF({ ...o, hiddenFeatures: [16, 16] })],
  ['GF', (o) => new GF({ ...o, hiddenFeatures: [16, 16] })],
  ['BPF', (o) => new BPF({ ...o, hiddenFeatures: [16, 16] })],
];

describe('BayesianModel on the flow families (zuko test_bayesian_flows)', () => {
  for (const [name, make] of FAMILIES) {
    for (const localTrick of [false, true]) {
      it(`${name} (localTrick ${localTrick})`, () => {
        const flow = make({ features: 3, context: 5, seed: 0 });
        const bayes = new BayesianModel(flow);
        const x = randn([64, 3], { seed: 1 });
        const c = randn([5], { seed: 2 });
        const post = bayes.posteriorParameters();
        // reparameterize: deterministic, differentiable to the posterior only
        const [lp1, lp2] = bayes.reparameterize((f) => [f.call(c).logProb(x), f.call(c).logProb(x)], { localTrick }) as [Tensor, Tensor];
        const lp3 = bayes.reparameterize((f) => f.call(c).logProb(x), { localTrick });
        expect(lp1.shape).toEqual([64]);
        expect(lp1.requiresGrad).toBe(true);
        expect(equal(lp1, lp2)).toBe(true);
        expect(maxAbsDiff(lp1, lp3)).toBeGreaterThan(1e-6);
        const loss = lp3.mean().neg();
        for (const [i, g] of gradients(loss, post).entries()) expect(sumAbs(g), `posterior ${i}`).toBeGreaterThan(0);
        for (const [n, g] of gradients(loss, flow.parameters()).entries()) expect(sumAbs(g), `base ${n}`).toBe(0);
        // sampleModel: deterministic, a new draw each time, gradients to the copy only
        const s1 = bayes.sampleModel();
        const s2 = bayes.sampleModel();
        expect(s1).not.toBe(flow);
        const a1 = s1.call(c).logProb(x);
        expect(equal(a1, s1.call(c).logProb(x))).toBe(true);
        expect(maxAbsDiff(a1, s2.call(c).logProb(x))).toBeGreaterThan(1e-6);
        const sLoss = s2.call(c).logProb(x).mean().neg();
        expect(gradients(sLoss, post).every((g) => sumAbs(g) === 0)).toBe(true);
        expect(gradients(sLoss, s2.parameters()).some((g) => sumAbs(g) > 0)).toBe(true);
        // sampling, and gradients through samples
        expect(bayes.reparameterize((f) => f.call(c).sample([32]), { localTrick }).shape).toEqual([32, 3]);
        if (flow.call(c).hasRsample) {
          const z = bayes.reparameterize((f) => f.call(c).rsample([]), { localTrick });
          const zLoss = z.square().sum().sqrt();
          for (const [i, g] of gradients(zLoss, post).entries()) expect(sumAbs(g), `posterior ${i} (rsample)`).toBeGreaterThan(0);
        }
        // invertibility within one draw
        const xb = randn([64, 3], { seed: 3 });
        const cb = randn([64, 5], { seed: 4 });
        bayes.reparameterize(
          (f) => {
            const t = (f.call(cb) as NormalizingFlow).transform;
            expect(maxAbsDiff(t.inv.call(t.call(xb)), xb)).toBeLessThan(1e-4);
          },
          { localTrick },
        );
        // the incremental inverse is back on after a local-trick call
        for (const [, m] of flow.namedModules()) if (m instanceof MaskedAutoregressiveTransform) expect(m.incremental).toBe(true);
        // saving and loading: the same state dict and the same draw give the same log-density
        const again = new BayesianModel(make({ features: 3, context: 5, seed: 7 }));
        loadZukoFlow(again, writeSafetensors(bayes.stateDict()));
        const x1 = randn([3], { seed: 5 });
        const lpA = bayes.reparameterize((f) => f.call(c).logProb(x1), { localTrick, rng: new Rng(3) });
        const lpB = again.reparameterize((f) => f.call(c).logProb(x1), { localTrick, rng: new Rng(3) });
        expect(equal(lpA, lpB)).toBe(true);
        expect(String(bayes)).toMatch(/^BayesianModel\(\n {2}\(base\): /);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------

describe('BayesianModel.sampleModel', () => {
  it('a standalone copy: sampled Bayesian parameters, copied others, the base untouched', () => {
    const net = new MLP(3, 2, { hiddenFeatures: [4] });
    const bayes = new BayesianModel(net, { includeParams: ['0'] });
    const before = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, values(v)]));
    const copy = bayes.sampleModel(new Rng(1));
    expect(copy).toBeInstanceOf(MLP);
    expect(copy).not.toBe(net);
    expect(paramNames(copy)).toEqual(paramNames(net));
    const state = copy.stateDict();
    expect(values(state['2.weight'] as Tensor)).toEqual(before['2.weight']);
    expect(values(state['0.weight'] as Tensor)).not.toEqual(before['0.weight']);
    expect(values(state['0.weight'] as Tensor)).toEqual(values(bayes.sampleParams(new Rng(1))['0.weight'] as Tensor));
    expect(copy.parameters().every((p) => p.requiresGrad && !net.parameters().includes(p))).toBe(true);
    expect(Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, values(v)]))).toEqual(before);
  });

  it('registered flows are copied through saveFlow/loadFlow, others structurally, or by the copy option', () => {
    const nsf = new NSF({ features: 2, hiddenFeatures: [8] });
    const s = new BayesianModel(nsf).sampleModel();
    expect(s).toBeInstanceOf(NSF);
    expect(String(s)).toBe(String(nsf));
    const made = new BayesianModel(
      new MaskedMLP(
        tensor([
          [true, false],
          [true, true],
        ]),
        { hiddenFeatures: [4] },
      ),
    ).sampleModel();
    expect(made).toBeInstanceOf(MaskedMLP);
    // a lazy transform that keeps private state is not copied structurally: the error says what to do
    const t = new MaskedAutoregressiveTransform(3, 0, { hiddenFeatures: [8] });
    expect(() => new BayesianModel(t).sampleModel()).toThrow(/MaskedAutoregressiveTransform keeps private state.*copy option/);
    let calls = 0;
    const withCopy = new BayesianModel(t, {
      copy: () => {
        calls++;
        return new MaskedAutoregressiveTransform(3, 0, { hiddenFeatures: [8] });
      },
    });
    const copy = withCopy.sampleModel();
    expect(calls).toBe(1);
    expect(copy.call().callAndLadj(randn([4, 3], { seed: 0 }))[0].shape).toEqual([4, 3]);
  });

  it('copyModuleTree keeps aliasing and copies parameters and buffers', () => {
    const net = new MaskedMLP(
      tensor([
        [true, false],
        [true, true],
      ]),
      { hiddenFeatures: [4] },
    );
    const copy = copyModuleTree(net);
    expect(copy.layers).not.toBe(net.layers);
    const theirs = [...copy.namedMembers()];
    for (const [i, [n, a]] of [...net.namedMembers()].entries()) {
      const [m, b] = theirs[i] as [string, unknown];
      expect(m).toBe(n);
      expect(b).not.toBe(a);
    }
    const x = randn([3, 2], { seed: 0 });
    expect(equal(copy.call(x), net.call(x))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------

describe('BayesianModel.klDivergence', () => {
  it("is zuko's ½ Σ (σ²/s + μ²/s + log s − log σ² − 1), ≥ 0, with gradients to the posterior", () => {
    const bayes = new BayesianModel(new MLP(3, 2, { hiddenFeatures: [4], dtype: 'float64' }), { initLogvar: -3 });
    for (const priorVar of [1, 0.25, 4]) {
      let expected = 0;
      for (const key of bayes.means.keys()) {
        const mu = values(bayes.means.get(key) as Tensor);
        const lv = values(softclip(bayes.logvars.get(key) as Tensor, 18));
        for (const [i, m] of mu.entries()) {
          const l = lv[i] as number;
          expected += 0.5 * (Math.exp(l) / priorVar + (m * m) / priorVar + Math.log(priorVar) - l - 1);
        }
      }
      const kl = bayes.klDivergence(priorVar);
      expect(kl.shape).toEqual([]);
      expect(Math.abs(kl.item() - expected)).toBeLessThan(1e-12 * Math.abs(expected));
      expect(kl.item()).toBeGreaterThanOrEqual(0);
    }
    const grads = gradients(bayes.klDivergence(), bayes.posteriorParameters());
    // ∂KL/∂μ = μ (prior variance 1)
    expect(maxAbsDiff(grads[0] as Tensor, bayes.means.get('0-weight') as Tensor)).toBeLessThan(1e-15);
    expect(grads.every((g) => sumAbs(g) > 0)).toBe(true);
    expect(new BayesianModel(new MLP(2, 2), { includeParams: ['none'] }).klDivergence().item()).toBe(0);
    expect(() => bayes.klDivergence(0)).toThrow(ValueError);
  });
});

// ---------------------------------------------------------------------------------------
// zuko state dicts. No zuko (Python, torch) runs here, so the BayesianModel state dict is
// assembled from zuko's own names: the base names come from a zuko 1.6.0 reference case
// (its complete NSF state_dict, as torch named it), and the Bayesian entries follow zuko's
// bayesian.py: `base.` + name for every base entry, then `means.<key>` and
// `logvars.<key>` for every included parameter, key = name with `.` → `-`.

const CASES_DIR = referenceDir('cases');

/** zuko's BayesianModel(flow).state_dict() for the case's flow, with `included` parameter names. */
function zukoBayesianStateDict(params: Record<string, JsonTensor>, included: (name: string) => boolean): Record<string, JsonTensor> {
  const out: Record<string, JsonTensor> = {};
  for (const [name, t] of Object.entries(params)) out[`base.${name}`] = t;
  const chosen = Object.entries(params).filter(([name, t]) => t.kind === 'parameter' && included(name));
  for (const [name, t] of chosen) out[`means.${name.replaceAll('.', '-')}`] = { ...t, data: flat(t).map((v) => v + 0.125) };
  for (const [name, t] of chosen) out[`logvars.${name.replaceAll('.', '-')}`] = { ...t, data: flat(t).map((_, i) => -9 + (i % 7) * 1e-3) };
  return out;
}

describe('BayesianModel: zuko state dicts (safetensors)', () => {
  const c = JSON.parse(readFileSync(join(CASES_DIR, 'flow_NSF_f3_c0.json'), 'utf8')) as {
    spec: { kwargs: { features: number; context: number } };
    params: Record<string, JsonTensor>;
    inputs: Record<string, JsonTensor>;
    expected: Record<string, JsonTensor>;
  };
  const nsf = (): NSF => new NSF({ features: c.spec.kwargs.features, dtype: 'float64' });

  it('loads the state dict of zuko BayesianModel(NSF(3)): base, means and log-variances', () => {
    const dict = zukoBayesianStateDict(c.params, () => true);
    const bayes = loadZukoFlow(new BayesianModel(nsf()), torchSaveFile(dict));
    expect(Object.keys(bayes.stateDict()).sort()).toEqual(Object.keys(dict).sort());
    const state = bayes.stateDict();
    for (const [k, t] of Object.entries(dict)) expect(values(state[k] as Tensor), k).toEqual(flat(t));
    // the base is zuko's flow: its log-density is the reference one
    const x = tensor(Float64Array.from(flat(c.inputs.x as JsonTensor)), { shape: (c.inputs.x as JsonTensor).shape, dtype: 'float64' });
    const lp = values(bayes.base.call().logProb(x));
    const expected = flat(c.expected.log_prob as JsonTensor);
    for (const [i, e] of expected.entries()) expect(Math.abs((lp[i] as number) - e)).toBeLessThan(1e-10 + 1e-9 * Math.abs(e));
  });

  it("loads zuko's tutorial selection (include transform.transforms.*.hyper.4, exclude **.bias)", () => {
    const dict = zukoBayesianStateDict(c.params, (n) => /^transform\.transforms\.\d+\.hyper\.4\.weight$/.test(n));
    expect(Object.keys(dict).filter((k) => k.startsWith('means.'))).toEqual([0, 1, 2].map((i) => `means.transform-transforms-${i}-hyper-4-weight`));
    const options = { includeParams: ['transform.transforms.*.hyper.4'], excludeParams: ['**.bias'] };
    const bayes = loadZukoFlow(new BayesianModel(nsf(), options), torchSaveFile(dict));
    expect(values(bayes.means.get('transform-transforms-1-hyper-4-weight') as Tensor)).toEqual(
      flat(dict['means.transform-transforms-1-hyper-4-weight'] as JsonTensor),
    );
    // built with other patterns, the names do not match and the error says so
    expect(() => loadZukoFlow(new BayesianModel(nsf()), torchSaveFile(dict))).toThrow(
      /missing \[.*means\.transform-transforms-0-hyper-0-weight.*includeParams/s,
    );
  });

  it('an Eddy BayesianModel state dict round-trips through safetensors', () => {
    const a = new BayesianModel(new NSF({ features: 2, context: 1, hiddenFeatures: [8], seed: 1 }), { includeParams: ['**.hyper.4'] });
    const b = loadZukoFlow(
      new BayesianModel(new NSF({ features: 2, context: 1, hiddenFeatures: [8], seed: 2 }), { includeParams: ['**.hyper.4'] }),
      writeSafetensors(a.stateDict()),
    );
    const sa = a.stateDict();
    const sb = b.stateDict();
    expect(Object.keys(sb)).toEqual(Object.keys(sa));
    for (const k of Object.keys(sa)) expect(equal(sa[k] as Tensor, sb[k] as Tensor), k).toBe(true);
  });
});
