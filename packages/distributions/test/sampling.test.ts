import '@eddy/backend-cpu';
import { Rng, type Tensor, special, tensor } from '@eddy/core';
import * as D from '@eddy/distributions';
import { SoftclipTransform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { Phi, column, expectMoments, f64, ksCritical, ksStatistic, moments, normalCdf } from './helpers.js';

const N = 20_000;
const ksReport: Record<string, number> = {};

/** Γ(k + ½)/√π = (2k)!/(4^k k!) */
const halfGamma = (k: number): number => {
  let v = Math.sqrt(Math.PI);
  for (let j = 0; j < k; j++) v *= j + 0.5;
  return v;
};
/** P(k + ½, x) = erf(√x) - Σ_{j<k} x^(j+½) e^(-x) / Γ(j + 3/2) (recurrence P(a+1) = P(a) - xᵃe⁻ˣ/Γ(a+1)). */
const gammaCdfHalfInt = (k: number, x: number): number => {
  let p = special.erf(Math.sqrt(x));
  for (let j = 0; j < k; j++) p -= (x ** (j + 0.5) * Math.exp(-x)) / halfGamma(j + 1);
  return p;
};
/** CDF of the j-th smallest (1-based) of n i.i.d. draws with CDF value F. */
const orderCdf = (F: number, j: number, n: number): number => {
  let s = 0;
  let c = 1;
  for (let i = 0; i <= n; i++) {
    if (i >= j) s += c * F ** i * (1 - F) ** (n - i);
    c = (c * (n - i)) / (i + 1);
  }
  return s;
};
const softclip = (x: number): number => x / (1 + Math.abs(x) / 2);

interface Column {
  cdf?: (x: number) => number;
  mean?: number;
  variance?: number;
}
/** Draws `[N, ...]` flattened to columns (the trailing axes, row-major). */
const cases: Array<[string, () => D.Distribution, Column[]]> = [
  [
    'Uniform',
    () => new D.Uniform(f64([-1, 2]), f64([1, 5])),
    [
      { cdf: (x) => (x + 1) / 2, mean: 0, variance: 4 / 12 },
      { cdf: (x) => (x - 2) / 3, mean: 3.5, variance: 9 / 12 },
    ],
  ],
  [
    'Exponential',
    () => new D.Exponential(f64([0.5, 3])),
    [0.5, 3].map((r) => ({ cdf: (x: number) => 1 - Math.exp(-r * x), mean: 1 / r, variance: 1 / r ** 2 })),
  ],
  [
    'Laplace',
    () => new D.Laplace(f64([0, 1]), f64([1, 0.5])),
    [
      [0, 1],
      [1, 0.5],
    ].map(([m, b]) => ({
      cdf: (x: number) => (x < m! ? 0.5 * Math.exp((x - m!) / b!) : 1 - 0.5 * Math.exp(-(x - m!) / b!)),
      mean: m!,
      variance: 2 * b! ** 2,
    })),
  ],
  [
    'Cauchy',
    () => new D.Cauchy(f64([0, 2]), f64([1, 0.3])),
    [
      [0, 1],
      [2, 0.3],
    ].map(([m, g]) => ({ cdf: (x: number) => 0.5 + Math.atan((x - m!) / g!) / Math.PI })),
  ],
  [
    'Gamma',
    () => new D.Gamma(f64([0.5, 1, 2, 3.5, 0.05]), f64([1, 2, 0.5, 3, 1])),
    [
      { cdf: (x) => special.erf(Math.sqrt(x)), mean: 0.5, variance: 0.5 },
      { cdf: (x) => 1 - Math.exp(-2 * x), mean: 0.5, variance: 0.25 },
      { cdf: (x) => 1 - Math.exp(-0.5 * x) * (1 + 0.5 * x), mean: 4, variance: 8 },
      { cdf: (x) => gammaCdfHalfInt(3, 3 * x), mean: 3.5 / 3, variance: 3.5 / 9 },
      { mean: 0.05, variance: 0.05 },
    ],
  ],
  [
    'Beta',
    () => new D.Beta(f64([2, 0.5, 1]), f64([2, 0.5, 3])),
    [
      { cdf: (x) => 3 * x * x - 2 * x ** 3, mean: 0.5, variance: 1 / 20 },
      { cdf: (x) => (2 / Math.PI) * Math.asin(Math.sqrt(x)), mean: 0.5, variance: 1 / 8 },
      { cdf: (x) => 1 - (1 - x) ** 3, mean: 0.25, variance: 3 / 80 },
    ],
  ],
  [
    'StudentT (ν = 1, 2, 3)',
    () => new D.StudentT(f64([1, 2, 3]), f64([0, 1, -1]), f64([1, 2, 0.5])),
    [
      { cdf: (x) => 0.5 + Math.atan(x) / Math.PI },
      { cdf: (x) => ((y) => 0.5 + y / (2 * Math.sqrt(2 + y * y)))((x - 1) / 2) },
      {
        cdf: (x) => ((y) => 0.5 + (y / (Math.sqrt(3) * (1 + (y * y) / 3)) + Math.atan(y / Math.sqrt(3))) / Math.PI)((x + 1) / 0.5),
      },
    ],
  ],
  ['StudentT (ν = 12, moments)', () => new D.StudentT(f64(12), f64(2), f64(3)), [{ mean: 2, variance: (9 * 12) / 10 }]],
  [
    'GeneralizedNormal',
    () => new D.GeneralizedNormal(f64([1, 2, 8])),
    [
      { cdf: (x) => (x < 0 ? 0.5 * Math.exp(x) : 1 - 0.5 * Math.exp(-x)), mean: 0, variance: 2 },
      { cdf: (x) => 0.5 * (1 + special.erf(x)), mean: 0, variance: 0.5 },
      { mean: 0, variance: Math.exp(special.lgamma(3 / 8) - special.lgamma(1 / 8)) },
    ],
  ],
  [
    'BoxUniform',
    () => new D.BoxUniform(f64([0, -2]), f64([1, 2])),
    [
      { cdf: (x) => x, mean: 0.5, variance: 1 / 12 },
      { cdf: (x) => (x + 2) / 4, mean: 0, variance: 16 / 12 },
    ],
  ],
  [
    'MultivariateNormal',
    () =>
      new D.MultivariateNormal(f64([1, -1]), {
        scaleTril: f64([
          [2, 0],
          [-0.6, 0.8],
        ]),
      }),
    [
      { cdf: (x) => normalCdf(x, 1, 2), mean: 1, variance: 4 },
      { cdf: (x) => normalCdf(x, -1, 1), mean: -1, variance: 1 },
    ],
  ],
  [
    'Joint(Uniform, Normal, DiagNormal-like)',
    () => new D.Joint(new D.Uniform(f64(-1), f64(2)), new D.Normal(f64(0.5), f64(2)), new D.BoxUniform(f64([0, 0]), f64([1, 2]))),
    [
      { cdf: (x) => (x + 1) / 3, mean: 0.5, variance: 9 / 12 },
      { cdf: (x) => normalCdf(x, 0.5, 2), mean: 0.5, variance: 4 },
      { cdf: (x) => x, mean: 0.5, variance: 1 / 12 },
      { cdf: (x) => x / 2, mean: 1, variance: 4 / 12 },
    ],
  ],
  [
    'Mixture(Normal, K = 3)',
    () => new D.Mixture(new D.Normal(f64([-2, 0, 3]), f64([1, 0.5, 1])), f64([0.2, 0.5, 0.3].map(Math.log))),
    [
      {
        cdf: (x) => 0.2 * normalCdf(x, -2, 1) + 0.5 * normalCdf(x, 0, 0.5) + 0.3 * normalCdf(x, 3, 1),
        mean: 0.2 * -2 + 0.3 * 3,
        variance: 0.2 * 5 + 0.5 * 0.25 + 0.3 * 10 - 0.5 ** 2,
      },
    ],
  ],
  [
    'Mixture(MultivariateNormal)',
    () =>
      new D.Mixture(
        new D.MultivariateNormal(
          f64([
            [0, 0],
            [4, -4],
          ]),
          {
            scaleTril: f64([
              [
                [1, 0],
                [0, 1],
              ],
              [
                [0.5, 0],
                [0, 0.5],
              ],
            ]),
          },
        ),
        f64([0, Math.log(3)]),
      ),
    [{ cdf: (x) => 0.25 * Phi(x) + 0.75 * normalCdf(x, 4, 0.5) }, { cdf: (x) => 0.25 * Phi(x) + 0.75 * normalCdf(x, -4, 0.5) }],
  ],
  [
    'Truncated(Normal)',
    () => new D.Truncated(new D.Normal(f64(0.5), f64(1.5)), { lower: -1, upper: 2.5 }),
    [
      {
        cdf: (x) => {
          const lo = normalCdf(-1, 0.5, 1.5);
          const hi = normalCdf(2.5, 0.5, 1.5);
          // zuko's squeeze moves mass by O(1e-6): far below the KS resolution.
          return Math.min(1, Math.max(0, (normalCdf(x, 0.5, 1.5) - lo) / (hi - lo)));
        },
      },
    ],
  ],
  [
    'Truncated(Exponential), one-sided',
    () => new D.Truncated(new D.Exponential(f64(1)), { lower: 1 }),
    [{ cdf: (x) => 1 - Math.exp(-(x - 1)), mean: 2, variance: 1 }],
  ],
  ['Minimum(Normal, 3)', () => new D.Minimum(new D.Normal(f64(0.5), f64(1.5)), 3), [{ cdf: (x) => 1 - (1 - normalCdf(x, 0.5, 1.5)) ** 3 }]],
  ['Maximum(Normal, 4)', () => new D.Maximum(new D.Normal(f64(-0.5), f64(0.8)), 4), [{ cdf: (x) => normalCdf(x, -0.5, 0.8) ** 4 }]],
  ['Sort(Normal, 3)', () => new D.Sort(new D.Normal(f64(0), f64(1)), 3), [1, 2, 3].map((j) => ({ cdf: (x: number) => orderCdf(Phi(x), j, 3) }))],
  [
    'Sort(Exponential, 3, descending)',
    () => new D.Sort(new D.Exponential(f64(1)), 3, { descending: true }),
    [3, 2, 1].map((j) => ({ cdf: (x: number) => orderCdf(1 - Math.exp(-x), j, 3) })),
  ],
  ['TopK(Normal, 2, 4)', () => new D.TopK(new D.Normal(f64(0), f64(1)), 2, 4), [1, 2].map((j) => ({ cdf: (x: number) => orderCdf(Phi(x), j, 4) }))],
  [
    'TransformedUniform(Softclip)',
    () => new D.TransformedUniform(new SoftclipTransform(2), -3, 4),
    [{ cdf: (x) => (softclip(x) - softclip(-3)) / (softclip(4) - softclip(-3)) }],
  ],
];

describe('sampling: moments (5 standard errors) and KS against the CDF', () => {
  cases.forEach(([name, make, cols], caseIndex) => {
    it(name, () => {
      const d = make();
      const x = d.sample([N], new Rng(17 + caseIndex));
      expect(x.shape).toEqual(d.extendedShape([N]));
      const flat = x.reshape([N, -1]);
      expect(flat.shape[1]).toBe(cols.length);
      cols.forEach((c, j) => {
        const v = column(flat, j);
        expect(v.every(Number.isFinite), `${name}[${j}] finite`).toBe(true);
        if (c.mean !== undefined && c.variance !== undefined) expectMoments(v, c.mean, c.variance, `${name}[${j}]`);
        if (c.cdf !== undefined) {
          const ks = ksStatistic(v, c.cdf);
          ksReport[`${name}[${j}]`] = ks;
          expect(ks, `${name}[${j}] KS`).toBeLessThan(ksCritical(N));
        }
      });
    });
  });
  it('Categorical: frequencies within 5 standard errors, int32 draws', () => {
    const p = [
      [0.1, 0.2, 0.7, 0],
      [0.25, 0.25, 0.25, 0.25],
    ];
    const d = new D.Categorical({ probs: f64(p) });
    const x = d.sample([N], new Rng(5));
    expect(x.dtype).toBe('int32');
    expect(x.shape).toEqual([N, 2]);
    for (let b = 0; b < 2; b++) {
      const counts = [0, 0, 0, 0];
      for (const k of column(x, b)) counts[k]! += 1;
      counts.forEach((c, k) => {
        const pk = p[b]![k]!;
        expect(Math.abs(c / N - pk)).toBeLessThanOrEqual(5 * Math.sqrt((pk * (1 - pk)) / N) + 1e-12);
      });
    }
    expect(new D.Categorical({ logits: f64([[3]]) }).sample([4], new Rng(0)).toArray()).toEqual([[0], [0], [0], [0]]);
  });
  it('MultivariateNormal: the covariance of the draws is L Lᵀ', () => {
    const d = new D.MultivariateNormal(f64([1, -1]), {
      scaleTril: f64([
        [2, 0],
        [-0.6, 0.8],
      ]),
    });
    const x = d.sample([N], new Rng(3));
    const a = column(x, 0);
    const b = column(x, 1);
    const ma = moments(a).mean;
    const mb = moments(b).mean;
    let c = 0;
    for (let i = 0; i < N; i++) c += ((a[i] as number) - ma) * ((b[i] as number) - mb);
    c /= N;
    // Σ₁₂ = -1.2; se of the sample covariance ≈ √((Σ₁₁Σ₂₂ + Σ₁₂²)/n).
    expect(Math.abs(c - -1.2)).toBeLessThan(5 * Math.sqrt((4 + 1.44) / N));
  });
  it('means and variances match the distributions’ own `mean` / `variance`', () => {
    const ds: D.Distribution[] = [
      new D.Gamma(f64([2, 0.7]), f64([1.5, 0.2])),
      new D.Beta(f64([1.5, 4]), f64([3, 0.8])),
      new D.StudentT(f64([6, 30]), f64([1, 0]), f64([2, 0.1])),
      new D.GeneralizedNormal(f64([0.8, 3])),
      new D.Laplace(f64([0, 1]), f64([1, 2])),
      new D.Mixture(new D.Gamma(f64([2, 6]), f64([1, 2])), f64([0, 1])),
      new D.Joint(new D.Exponential(f64(2)), new D.Uniform(f64(0), f64(3))),
    ];
    for (const d of ds) {
      const x = d.sample([N], new Rng(11)).reshape([N, -1]);
      const m = d.mean.reshape([-1]).dataSync();
      const v = d.variance.reshape([-1]).dataSync();
      for (let j = 0; j < m.length; j++) expectMoments(column(x, j), m[j] as number, v[j] as number, `${d.toString()}[${j}]`);
    }
  });
  it('reports the KS statistics', () => {
    const worst = Math.max(...Object.values(ksReport));
    console.log(`KS statistics (n = ${N}, critical ${ksCritical(N).toFixed(4)} at p = 0.001): worst ${worst.toFixed(4)}`);
    console.log(JSON.stringify(Object.fromEntries(Object.entries(ksReport).map(([k, v]) => [k, Number(v.toFixed(4))]))));
  });
});

/** Every distribution, with batch shapes, for the sharding and reproducibility checks. */
const shardCases: Array<[string, () => D.Distribution]> = [
  ...cases.map(([n, m]) => [n, m] as [string, () => D.Distribution]),
  [
    'Categorical',
    () =>
      new D.Categorical({
        logits: f64([
          [0, 1, 2],
          [2, 1, 0],
        ]),
      }),
  ],
  [
    'Mixture(batch)',
    () =>
      new D.Mixture(
        new D.Normal(
          f64([
            [-1, 1],
            [0, 5],
          ]),
          f64([
            [1, 1],
            [1, 2],
          ]),
        ),
        f64([0.3, -0.3]),
      ),
  ],
  ['StudentT (float32 draws)', () => new D.StudentT(tensor([3, 5]), 0, 1)],
];

describe('sharding: rows [a, b) of one draw equal a draw started at row a', () => {
  for (const [name, make] of shardCases) {
    it(name, () => {
      const d = make();
      const n = 50;
      const [a, b] = [13, 41];
      const all = d.sample([n], new Rng(99, { stream: 3 }));
      const part = d.sample([b - a], new Rng(99, { stream: 3, row: a }));
      const rowSize = all.size / n;
      const full = all.dataSync();
      const got = part.dataSync();
      expect(part.shape).toEqual([b - a, ...all.shape.slice(1)]);
      for (let i = 0; i < got.length; i++) {
        if (!Object.is(got[i], full[a * rowSize + i])) {
          throw new Error(`${name}: element ${i} of the shard differs: ${got[i]} vs ${full[a * rowSize + i]}`);
        }
      }
      // Reproducible from the seed; a different seed gives different draws.
      expect(Array.from(d.sample([n], new Rng(99, { stream: 3 })).dataSync())).toEqual(Array.from(full));
      expect(Array.from(d.sample([n], new Rng(100)).dataSync())).not.toEqual(Array.from(full));
    });
  }
  it('rsample draws through the given Rng only (the global stream is untouched)', () => {
    const d = new D.Gamma(f64(2), f64(1));
    const x1 = d.rsample([5], new Rng(1));
    const x2 = d.rsample([5], new Rng(1));
    expect(Array.from(x1.dataSync())).toEqual(Array.from(x2.dataSync()));
    const t: Tensor = new D.Truncated(new D.Normal(f64(0), f64(1)), { lower: 0 }).sample([3, 2], new Rng(0));
    expect(t.shape).toEqual([3, 2]);
  });
});
