import '@eddy/backend-cpu';
import { Rng, type Tensor, gradients, special, sum, tensor, tril } from '@eddy/core';
import * as D from '@eddy/distributions';
import { gradcheck } from '@eddy/testing';
import { SoftclipTransform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { f64 } from './helpers.js';

const TOL = 1e-6;
const report: Record<string, number> = {};

interface GradCase {
  name: string;
  params: () => Tensor[];
  make: (...p: Tensor[]) => D.Distribution;
  /** Points inside the support (shape sampleShape + batchShape + eventShape). */
  x: () => Tensor;
  rsample?: boolean;
}

const cases: GradCase[] = [
  {
    name: 'Uniform',
    params: () => [f64([-1, 0.5]), f64([2, 3])],
    make: (l, h) => new D.Uniform(l!, h!),
    x: () =>
      f64([
        [0, 1],
        [1.5, 2.5],
      ]),
    rsample: true,
  },
  {
    name: 'Exponential',
    params: () => [f64([0.7, 2])],
    make: (r) => new D.Exponential(r!),
    x: () =>
      f64([
        [0.3, 1],
        [2, 0.1],
      ]),
    rsample: true,
  },
  {
    name: 'Laplace',
    params: () => [f64([0.2, -1]), f64([1.5, 0.4])],
    make: (m, b) => new D.Laplace(m!, b!),
    x: () =>
      f64([
        [1, -2],
        [-0.3, 0.5],
      ]),
    rsample: true,
  },
  {
    name: 'Cauchy',
    params: () => [f64([0.2, -1]), f64([1.5, 0.4])],
    make: (m, g) => new D.Cauchy(m!, g!),
    x: () =>
      f64([
        [1, -2],
        [-0.3, 0.5],
      ]),
    rsample: true,
  },
  {
    name: 'Gamma',
    params: () => [f64([0.6, 2.5, 9]), f64([1.3, 0.5, 2])],
    make: (a, b) => new D.Gamma(a!, b!),
    x: () =>
      f64([
        [0.3, 4, 5],
        [1.2, 0.8, 3.9],
      ]),
    rsample: true,
  },
  {
    name: 'Beta',
    params: () => [f64([0.7, 2.5]), f64([1.8, 0.9])],
    make: (a, b) => new D.Beta(a!, b!),
    x: () =>
      f64([
        [0.3, 0.9],
        [0.05, 0.5],
      ]),
    rsample: true,
  },
  {
    name: 'StudentT',
    params: () => [f64([1.5, 7]), f64([0.3, -1]), f64([2, 0.5])],
    make: (n, m, s) => new D.StudentT(n!, m!, s!),
    x: () =>
      f64([
        [1, -2],
        [-0.3, 0.5],
      ]),
    rsample: true,
  },
  {
    name: 'GeneralizedNormal',
    params: () => [f64([0.8, 2, 5])],
    make: (b) => new D.GeneralizedNormal(b!),
    x: () =>
      f64([
        [0.3, -1.2, 0.9],
        [-2, 0.1, -0.5],
      ]),
    rsample: true,
  },
  {
    name: 'MultivariateNormal',
    params: () => [
      f64([0.5, -1, 2]),
      f64([
        [1.5, 0, 0],
        [-0.7, 0.4, 0],
        [0.3, 0.2, 1.1],
      ]),
    ],
    make: (m, l) => new D.MultivariateNormal(m!, { scaleTril: tril(l!) }),
    x: () =>
      f64([
        [0, 0, 1],
        [1, -2, 3],
      ]),
    rsample: true,
  },
  {
    name: 'BoxUniform',
    params: () => [f64([-1, 0.5]), f64([2, 3])],
    make: (l, h) => new D.BoxUniform(l!, h!),
    x: () =>
      f64([
        [0, 1],
        [1.5, 2.5],
      ]),
    rsample: true,
  },
  {
    name: 'Truncated(Normal)',
    params: () => [f64([0.5, -0.2]), f64([1.5, 0.8])],
    make: (m, s) => new D.Truncated(new D.Normal(m!, s!), { lower: f64([-1, -2]), upper: f64([2.5, 0]) }),
    x: () =>
      f64([
        [0, -1],
        [2, -0.1],
      ]),
    rsample: true,
  },
  {
    name: 'Truncated(Gamma)',
    params: () => [f64([2.5]), f64([1.5])],
    make: (a, b) => new D.Truncated(new D.Gamma(a!, b!), { lower: 0.5, upper: 3 }),
    x: () => f64([[0.7], [2.9]]),
    rsample: true,
  },
  {
    name: 'TransformedUniform(Softclip)',
    params: () => [f64([-3, -1]), f64([4, 2])],
    make: (l, u) => new D.TransformedUniform(new SoftclipTransform(2), l!, u!),
    x: () =>
      f64([
        [0, 1],
        [-2, 0.5],
      ]),
    rsample: true,
  },
  {
    name: 'Joint(Gamma, MultivariateNormal)',
    params: () => [f64(2.5), f64([0.5, -1])],
    make: (a, m) =>
      new D.Joint(
        new D.Gamma(a!, f64(1)),
        new D.MultivariateNormal(m!, {
          scaleTril: f64([
            [1, 0],
            [0.5, 2],
          ]),
        }),
      ),
    x: () =>
      f64([
        [0.7, 0, 1],
        [3, 2, -1],
      ]),
    rsample: true,
  },
  {
    name: 'Mixture(Normal)',
    params: () => [f64([-2, 0, 3]), f64([1, 0.5, 2]), f64([0.3, -0.2, 1])],
    make: (m, s, w) => new D.Mixture(new D.Normal(m!, s!), w!),
    x: () => f64([-1, 0.2, 4]),
  },
  {
    name: 'Sort(Normal)',
    params: () => [f64(0.3), f64(1.4)],
    make: (m, s) => new D.Sort(new D.Normal(m!, s!), 3),
    x: () =>
      f64([
        [-1, 0, 2],
        [0.1, 0.2, 0.3],
      ]),
  },
  {
    name: 'TopK(Gamma)',
    params: () => [f64(2.5), f64(1.5)],
    make: (a, b) => new D.TopK(new D.Gamma(a!, b!), 2, 5),
    x: () =>
      f64([
        [0.5, 1],
        [1, 3],
      ]),
  },
  { name: 'Minimum(Laplace)', params: () => [f64(0.3), f64(1.4)], make: (m, s) => new D.Minimum(new D.Laplace(m!, s!), 4), x: () => f64([-1, 0.5, 2]) },
  { name: 'Maximum(Cauchy)', params: () => [f64(0.3), f64(1.4)], make: (m, s) => new D.Maximum(new D.Cauchy(m!, s!), 3), x: () => f64([-1, 0.5, 2]) },
];

describe('gradcheck (float64, relative error ≤ 1e-6)', () => {
  for (const c of cases) {
    it(`${c.name}.logProb w.r.t. parameters and x`, () => {
      const r = gradcheck((x, ...p) => c.make(...p).logProb(x), [c.x(), ...c.params()]);
      report[`${c.name}.logProb`] = r.maxRelError;
      expect(r.maxRelError).toBeLessThanOrEqual(TOL);
    });
    if (c.rsample) {
      it(`${c.name}.rsample w.r.t. parameters`, () => {
        const d = c.make(...c.params());
        expect(d.hasRsample).toBe(true);
        const r = gradcheck((...p) => c.make(...p).rsample([6], new Rng(4)), c.params());
        report[`${c.name}.rsample`] = r.maxRelError;
        expect(r.maxRelError).toBeLessThanOrEqual(TOL);
      });
    }
  }
  it('Gamma: cdf gradients (in x, α and β)', () => {
    const r = gradcheck(
      (x, a, b) => new D.Gamma(a!, b!).cdf(x!),
      [
        f64([
          [0.3, 4],
          [1.2, 0.8],
        ]),
        f64([0.6, 7]),
        f64([1.3, 0.5]),
      ],
    );
    report['Gamma.cdf'] = r.maxRelError;
    expect(r.maxRelError).toBeLessThanOrEqual(TOL);
  });
  it('GeneralizedNormal: cdf gradients (in x and β)', () => {
    const r = gradcheck(
      (x, b) => new D.GeneralizedNormal(b!).cdf(x!),
      [
        f64([
          [0.3, -4],
          [1.2, 0.8],
        ]),
        f64([0.6, 3]),
      ],
    );
    report['GeneralizedNormal.cdf'] = r.maxRelError;
    expect(r.maxRelError).toBeLessThanOrEqual(TOL);
  });
  it('Gamma.rsample: the α-gradient is the implicit one, -∂F/∂α / p', () => {
    const a = f64([0.4, 3]).requireGrad();
    const d = new D.Gamma(a, f64([1, 1]));
    const x = d.rsample([4], new Rng(9));
    const [g] = gradients(sum(x), [a]);
    // Independent check: -∂F/∂α / p from central differences of P(α, x) = γ(α, x)/Γ(α)
    // by midpoint quadrature (log-spaced), not the code under test.
    const P = (alpha: number, xv: number): number => {
      const n = 40_000;
      let s = 0;
      const lo = Math.log(1e-300 ** (1 / Math.max(alpha, 1)));
      const hi = Math.log(xv);
      const h = (hi - lo) / n;
      for (let i = 0; i < n; i++) {
        const t = Math.exp(lo + (i + 0.5) * h);
        s += Math.exp(alpha * Math.log(t) - t) * h;
      }
      return s / Math.exp(special.lgamma(alpha));
    };
    const xs = x.dataSync();
    const expected = [0, 0];
    for (let i = 0; i < 8; i++) {
      const alpha = [0.4, 3][i % 2] as number;
      const xv = xs[i] as number;
      const eps = 1e-5;
      const dF = (P(alpha + eps, xv) - P(alpha - eps, xv)) / (2 * eps);
      const pdf = Math.exp((alpha - 1) * Math.log(xv) - xv - special.lgamma(alpha));
      expected[i % 2]! += -dF / pdf;
    }
    const got = g!.dataSync();
    for (let j = 0; j < 2; j++) expect(Math.abs((got[j] as number) - expected[j]!)).toBeLessThan(1e-5 * (1 + Math.abs(expected[j]!)));
  });
  it('reports the worst relative errors', () => {
    console.log(
      `gradcheck max relative errors: ${JSON.stringify(Object.fromEntries(Object.entries(report).map(([k, v]) => [k, Number(v.toExponential(2))])))}`,
    );
  });
});

describe('logProb and rsample keep working under expand', () => {
  it('expanded distributions have the new batch shape and broadcast log-densities', () => {
    const ds: D.Distribution[] = [
      new D.Uniform(f64(0), f64(1)),
      new D.Exponential(f64(2)),
      new D.Laplace(f64(0), f64(1)),
      new D.Cauchy(f64(0), f64(1)),
      new D.Gamma(f64(2), f64(1)),
      new D.Beta(f64(2), f64(3)),
      new D.StudentT(f64(4)),
      new D.GeneralizedNormal(f64(3)),
      new D.Truncated(new D.Normal(f64(0), f64(1)), { lower: -1 }),
      new D.Minimum(new D.Normal(f64(0), f64(1)), 3),
      new D.Maximum(new D.Normal(f64(0), f64(1)), 3),
      new D.TransformedUniform(new SoftclipTransform(2), -3, 4),
      new D.Mixture(new D.Normal(f64([0, 1]), f64([1, 1])), f64([0, 0])),
      new D.Categorical({ probs: f64([0.2, 0.8]) }),
    ];
    for (const d of ds) {
      const e = d.expand([3]);
      expect(e.batchShape, d.toString()).toEqual([3]);
      expect(e.constructor).toBe(d.constructor);
      const x = f64([0.25, 0.5, 0.75]);
      const lp = e.logProb(x).dataSync();
      const ref = d.logProb(x).dataSync();
      expect(Array.from(lp)).toEqual(Array.from(ref));
      expect(e.sample([2], new Rng(0)).shape).toEqual([2, 3]);
    }
    const vec: D.Distribution[] = [
      new D.BoxUniform(f64([0, 0]), f64([1, 1])),
      new D.MultivariateNormal(f64([0, 0]), {
        scaleTril: f64([
          [1, 0],
          [0, 1],
        ]),
      }),
      new D.Joint(new D.Normal(f64(0), f64(1)), new D.Uniform(f64(0), f64(1))),
      new D.Sort(new D.Normal(f64(0), f64(1)), 2),
      new D.TopK(new D.Normal(f64(0), f64(1)), 1, 3),
    ];
    for (const d of vec) {
      const e = d.expand([4, 3]);
      expect(e.batchShape, d.toString()).toEqual([4, 3]);
      expect(e.sample([2], new Rng(0)).shape).toEqual([2, 4, 3, ...d.eventShape]);
      expect(e.logProb(e.sample([], new Rng(1))).shape).toEqual([4, 3]);
    }
    void tensor;
  });
});
