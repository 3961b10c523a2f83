import '@eddy/backend-cpu';
import { type Tensor, gradients, isfinite, special, sum, tensor, tril, where, zeros } from '@eddy/core';
import * as D from '@eddy/distributions';
import { SoftclipTransform } from '@eddy/transforms';
import { describe, expect, it } from 'vitest';
import { type Support, density, expectClose, f64, integrate, normalCdf, normalLogPdf } from './helpers.js';

const NEG_INF = Number.NEGATIVE_INFINITY;
const LOG_PI = Math.log(Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);

/** logProb at `xs` (a batch-[] distribution) against a closed form written out here. */
function closedForm(d: D.Distribution, xs: number[], ref: (x: number) => number, rtol = 1e-13): void {
  const got = d.logProb(f64(xs)).dataSync();
  expectClose(got, xs.map(ref), rtol, 1e-13, d.toString());
}

describe('log-densities against closed forms', () => {
  it('Uniform(-1, 3)', () => {
    closedForm(new D.Uniform(f64(-1), f64(3)), [-1, -0.5, 0, 2.999, 3, 5, -1.0001], (x) => (x >= -1 && x < 3 ? -Math.log(4) : NEG_INF));
  });
  it('Exponential(2.5)', () => {
    closedForm(new D.Exponential(f64(2.5)), [0, 0.1, 1, 7, -1e-9, -3, Number.POSITIVE_INFINITY], (x) => (x >= 0 ? Math.log(2.5) - 2.5 * x : NEG_INF));
  });
  it('Laplace(1, 0.5)', () => {
    closedForm(new D.Laplace(f64(1), f64(0.5)), [-3, 0, 1, 1.2, 9], (x) => -Math.log(1) - Math.abs(x - 1) / 0.5);
  });
  it('Cauchy(-1, 2)', () => {
    closedForm(new D.Cauchy(f64(-1), f64(2)), [-30, -1, 0, 4, 1e6], (x) => -Math.log(Math.PI * 2 * (1 + ((x + 1) / 2) ** 2)));
  });
  it('Gamma(2, 3): 9x e^(-3x); Gamma(0.5, 1): e^(-x)/√(πx); Gamma(1, 2) at 0', () => {
    closedForm(new D.Gamma(f64(2), f64(3)), [0.01, 0.5, 2, 10, -0.1, 0, Number.POSITIVE_INFINITY], (x) =>
      x > 0 && x < Number.POSITIVE_INFINITY ? Math.log(9 * x) - 3 * x : NEG_INF,
    );
    closedForm(new D.Gamma(f64(0.5), f64(1)), [1e-6, 0.3, 4, -2], (x) => (x > 0 ? -x - 0.5 * Math.log(Math.PI * x) : NEG_INF));
    closedForm(new D.Gamma(f64(1), f64(2)), [0, 1], (x) => Math.log(2) - 2 * x);
    // α < 1: the density is infinite at 0.
    expect(new D.Gamma(f64(0.5), f64(1)).logProb(f64([0])).dataSync()[0]).toBe(Number.POSITIVE_INFINITY);
  });
  it('Beta(2, 3): 12 x (1-x)²; Beta(1, 1) uniform; Beta(0.5, 0.5) arcsine', () => {
    closedForm(new D.Beta(f64(2), f64(3)), [0, 0.1, 0.5, 0.99, 1, -0.1, 1.1], (x) => (x >= 0 && x <= 1 ? Math.log(12 * x * (1 - x) ** 2) : NEG_INF));
    closedForm(new D.Beta(f64(1), f64(1)), [0, 0.3, 1, 2], (x) => (x >= 0 && x <= 1 ? 0 : NEG_INF));
    closedForm(new D.Beta(f64(0.5), f64(0.5)), [0.01, 0.5, 0.9], (x) => -Math.log(Math.PI * Math.sqrt(x * (1 - x))));
  });
  it('StudentT: ν = 1 is Cauchy, ν = 2 and 3 closed forms', () => {
    closedForm(new D.StudentT(f64(1), f64(0.5), f64(2)), [-4, 0.5, 3], (x) => -Math.log(Math.PI * 2 * (1 + ((x - 0.5) / 2) ** 2)));
    // ν = 2: p(y) = (2 + y²)^(-3/2)
    closedForm(new D.StudentT(f64(2)), [-3, 0, 0.7, 20], (y) => -1.5 * Math.log(2 + y * y));
    // ν = 3, scale 2: p(x) = 6√3 / (π (3 + y²)²) / σ
    closedForm(new D.StudentT(f64(3), f64(0), f64(2)), [-5, 0, 1.5], (x) => {
      const y = x / 2;
      return Math.log((6 * Math.sqrt(3)) / (Math.PI * (3 + y * y) ** 2)) - Math.log(2);
    });
  });
  it('GeneralizedNormal: β = 2 is N(0, ½), β = 1 is Laplace(0, 1)', () => {
    closedForm(new D.GeneralizedNormal(f64(2)), [-2, 0, 0.3, 4], (x) => -x * x - 0.5 * LOG_PI);
    closedForm(new D.GeneralizedNormal(f64(1)), [-2, 0, 0.3, 4], (x) => -Math.abs(x) - Math.log(2));
  });
  it('Categorical: log p_k at integers, -∞ elsewhere, from logits or probs', () => {
    const probs = [0.2, 0.3, 0.5];
    const fromProbs = new D.Categorical({ probs: f64([2, 3, 5]) });
    const fromLogits = new D.Categorical({ logits: f64(probs.map(Math.log)).add(7) });
    for (const d of [fromProbs, fromLogits]) {
      const v = tensor([0, 1, 2, 3, -1], { dtype: 'int32' });
      expectClose(d.logProb(v).dataSync(), [...probs.map(Math.log), NEG_INF, NEG_INF], 1e-14, 1e-15);
      expectClose(d.logProb(f64([1, 1.5, 2])).dataSync(), [Math.log(0.3), NEG_INF, Math.log(0.5)], 1e-14, 1e-15);
    }
    // A zero-probability category has log-mass -∞ (and no NaN).
    const z = new D.Categorical({ probs: f64([0, 1, 1]) });
    expectClose(z.logProb(tensor([0, 1], { dtype: 'int32' })).dataSync(), [NEG_INF, Math.log(0.5)]);
  });
  it('MultivariateNormal against the explicit 2-D Gaussian', () => {
    const [l11, l21, l22] = [1.5, -0.7, 0.4];
    const d = new D.MultivariateNormal(f64([0.5, -1]), {
      scaleTril: f64([
        [l11, 0],
        [l21, l22],
      ]),
    });
    const pts = [
      [0, 0],
      [0.5, -1],
      [2, 1],
      [-3, 0.2],
    ];
    // Σ = L Lᵀ, explicit inverse and determinant.
    const s11 = l11 * l11;
    const s12 = l11 * l21;
    const s22 = l21 * l21 + l22 * l22;
    const det = s11 * s22 - s12 * s12;
    const ref = pts.map(([x, y]) => {
      const a = (x as number) - 0.5;
      const b = (y as number) + 1;
      const q = (s22 * a * a - 2 * s12 * a * b + s11 * b * b) / det;
      return -LOG_2PI - 0.5 * Math.log(det) - 0.5 * q;
    });
    expectClose(d.logProb(f64(pts)).dataSync(), ref, 1e-13, 1e-13);
    // Batched: two MVNs, broadcasting a [4, 1, 2] sample against batch [2].
    const db = new D.MultivariateNormal(
      f64([
        [0.5, -1],
        [0, 0],
      ]),
      {
        scaleTril: f64([
          [l11, 0],
          [l21, l22],
        ]),
      },
    );
    expect(db.batchShape).toEqual([2]);
    const lp = db.logProb(f64(pts.map((p) => [p])));
    expect(lp.shape).toEqual([4, 2]);
    expectClose(
      Array.from({ length: 4 }, (_, i) => lp.dataSync()[2 * i] as number),
      ref,
      1e-13,
      1e-13,
    );
  });
  it('BoxUniform, Joint, Truncated, Minimum, Maximum, Sort, TopK, Mixture, TransformedUniform', () => {
    const box = new D.BoxUniform(f64([0, -1]), f64([2, 1]));
    expectClose(
      box
        .logProb(
          f64([
            [1, 0],
            [1, 1],
            [-1, 0],
          ]),
        )
        .dataSync(),
      [-Math.log(4), NEG_INF, NEG_INF],
    );

    const joint = new D.Joint(new D.Uniform(f64(0), f64(2)), new D.Normal(f64(1), f64(3)));
    expectClose(
      joint
        .logProb(
          f64([
            [0.5, 0],
            [2, 0],
          ]),
        )
        .dataSync(),
      [-Math.log(2) + normalLogPdf(0, 1, 3), NEG_INF],
    );

    const tr = new D.Truncated(new D.Normal(f64(0.5), f64(1.5)), { lower: -1, upper: 2.5 });
    const z = normalCdf(2.5, 0.5, 1.5) - normalCdf(-1, 0.5, 1.5);
    closedForm(tr, [-1, 0, 2.4, 2.5, -2], (x) => (x >= -1 && x < 2.5 ? normalLogPdf(x, 0.5, 1.5) - Math.log(z) : NEG_INF), 1e-12);

    const mn = new D.Minimum(new D.Normal(f64(0), f64(1)), 3);
    closedForm(mn, [-1, 0, 2], (x) => Math.log(3) + normalLogPdf(x, 0, 1) + 2 * Math.log(1 - normalCdf(x, 0, 1)), 1e-12);
    const mx = new D.Maximum(new D.Normal(f64(0), f64(1)), 4);
    closedForm(mx, [-1, 0, 2], (x) => Math.log(4) + normalLogPdf(x, 0, 1) + 3 * Math.log(normalCdf(x, 0, 1)), 1e-12);

    const sort = new D.Sort(new D.Normal(f64(0), f64(1)), 3, { descending: true });
    const sp = [
      [2, 1, 1],
      [0, 1, 2],
    ];
    expectClose(sort.logProb(f64(sp)).dataSync(), [Math.log(6) + normalLogPdf(2, 0, 1) + 2 * normalLogPdf(1, 0, 1), NEG_INF], 1e-13);

    const topk = new D.TopK(new D.Exponential(f64(1)), 2, 5);
    // n!/(n-k)! e^(-x1) e^(-x2) (e^(-x2))^(n-k)
    expectClose(
      topk
        .logProb(
          f64([
            [0.2, 0.5],
            [0.5, 0.2],
          ]),
        )
        .dataSync(),
      [Math.log(20) - 0.2 - 0.5 - 3 * 0.5, NEG_INF],
      1e-13,
    );

    const w = [0.2, 0.5, 0.3];
    const mix = new D.Mixture(new D.Normal(f64([-2, 0, 3]), f64([1, 0.5, 2])), f64(w.map(Math.log)));
    closedForm(mix, [-2, 0.1, 5], (x) =>
      Math.log(w[0]! * Math.exp(normalLogPdf(x, -2, 1)) + w[1]! * Math.exp(normalLogPdf(x, 0, 0.5)) + w[2]! * Math.exp(normalLogPdf(x, 3, 2))),
    );

    const f = (x: number): number => x / (1 + Math.abs(x) / 2);
    const tu = new D.TransformedUniform(new SoftclipTransform(2), -3, 4);
    closedForm(tu, [-3, 0, 3.9, 4, -3.5], (x) => (x >= -3 && x < 4 ? Math.log(1 / (1 + Math.abs(x) / 2) ** 2 / (f(4) - f(-3))) : NEG_INF), 1e-12);
  });
});

/** Scalar distributions with batch shape [] and their supports, for integration tests. */
const scalarCases: Array<[string, () => D.Distribution, Support]> = [
  ['Uniform', () => new D.Uniform(f64(-1), f64(2.5)), [-1, 2.5]],
  ['Exponential', () => new D.Exponential(f64(1.7)), 'positive'],
  ['Laplace', () => new D.Laplace(f64(0.3), f64(0.8)), 'real'],
  ['Cauchy', () => new D.Cauchy(f64(-1), f64(0.5)), 'real'],
  ['Gamma(3.5, 2)', () => new D.Gamma(f64(3.5), f64(2)), 'positive'],
  ['Gamma(1.3, 0.5)', () => new D.Gamma(f64(1.3), f64(0.5)), 'positive'],
  ['Beta(2.5, 1.5)', () => new D.Beta(f64(2.5), f64(1.5)), [0, 1]],
  ['StudentT(4.5, 1, 2)', () => new D.StudentT(f64(4.5), f64(1), f64(2)), 'real'],
  ['GeneralizedNormal(0.7)', () => new D.GeneralizedNormal(f64(0.7)), 'real'],
  ['GeneralizedNormal(6)', () => new D.GeneralizedNormal(f64(6)), 'real'],
  ['Truncated(Laplace)', () => new D.Truncated(new D.Laplace(f64(0), f64(1)), { lower: -0.5, upper: 3 }), [-0.5, 3]],
  ['Truncated(Gamma)', () => new D.Truncated(new D.Gamma(f64(2), f64(1)), { lower: 1 }), 'positive'],
  ['Minimum(Normal, 5)', () => new D.Minimum(new D.Normal(f64(1), f64(2)), 5), 'real'],
  ['Maximum(Exponential, 3)', () => new D.Maximum(new D.Exponential(f64(1)), 3), 'positive'],
  ['Mixture(Gamma)', () => new D.Mixture(new D.Gamma(f64([2, 5]), f64([1, 0.5])), f64([0.3, -0.2])), 'positive'],
  ['TransformedUniform(Softclip)', () => new D.TransformedUniform(new SoftclipTransform(2), -3, 4), [-3, 4]],
];

describe('normalisation (numerical integration of exp(logProb)) and entropy', () => {
  for (const [name, make, support] of scalarCases) {
    it(name, () => {
      const d = make();
      expect(d.batchShape).toEqual([]);
      expect(Math.abs(integrate(density(d), support) - 1)).toBeLessThan(2e-6);
      let h: number | undefined;
      try {
        h = d.entropy().item();
      } catch {
        h = undefined;
      }
      if (h !== undefined) {
        const negPlogP = (x: Tensor): Float64Array => {
          const lp = d.logProb(x).dataSync();
          return Float64Array.from(lp, (l) => (Number.isFinite(l) ? -Math.exp(l) * l : 0));
        };
        expect(Math.abs(integrate(negPlogP, support) - h), `entropy ${h}`).toBeLessThan(2e-5);
      }
    });
  }
  it('Categorical sums to one; its entropy is -Σ p log p', () => {
    const d = new D.Categorical({
      logits: f64([
        [0.1, -2, 1.3, 0],
        [0, 0, 0, 0],
      ]),
    });
    const lp = d.logProb(f64([[0], [1], [2], [3]]));
    const s = [0, 1].map((b) => [0, 1, 2, 3].reduce((acc, k) => acc + Math.exp(lp.dataSync()[2 * k + b] as number), 0));
    expectClose(s, [1, 1], 1e-14, 1e-14);
    const p = [0.1, -2, 1.3, 0].map(Math.exp);
    const z = p.reduce((a, b) => a + b);
    const h = -p.reduce((a, b) => a + (b / z) * Math.log(b / z), 0);
    expectClose(d.entropy().dataSync(), [h, Math.log(4)], 1e-13);
  });
  it('MultivariateNormal integrates to one (2-D grid) and has entropy ½ log det(2πeΣ)', () => {
    const d = new D.MultivariateNormal(f64([0.5, -1]), {
      scaleTril: f64([
        [1.2, 0],
        [0.6, 0.5],
      ]),
    });
    const n = 401;
    const pts: number[][] = [];
    const lo = -9;
    const step = 18 / (n - 1);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pts.push([0.5 + lo + i * step, -1 + lo + j * step]);
    const lp = d.logProb(f64(pts)).dataSync();
    let s = 0;
    for (const v of lp) s += Math.exp(v) * step * step;
    expect(Math.abs(s - 1)).toBeLessThan(1e-6);
    const det = (1.2 * 0.5) ** 2;
    expectClose(d.entropy().dataSync(), [0.5 * Math.log((2 * Math.PI * Math.E) ** 2 * det)], 1e-14);
  });
});

describe('outside the support: -∞ values and finite gradients', () => {
  const cases: Array<[string, (p: Tensor) => D.Distribution, number[], number[]]> = [
    ['Uniform', (p) => new D.Uniform(p.sub(1), p.add(1)), [0.5], [-1, 0, 1.49, 1.5, 3]],
    ['Exponential', (p) => new D.Exponential(p), [2], [-1, 0, 1, Number.NEGATIVE_INFINITY]],
    ['Gamma', (p) => new D.Gamma(p, p.mul(2)), [2.5], [-1, 0.5, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]],
    ['Beta', (p) => new D.Beta(p, p.add(1)), [1.5], [-0.5, 0.3, 1.5, Number.POSITIVE_INFINITY]],
    ['Truncated', (p) => new D.Truncated(new D.Normal(p, p), { lower: 0, upper: 2 }), [1], [-1, 1, 2, 5]],
    ['TransformedUniform', (p) => new D.TransformedUniform(new SoftclipTransform(2), p.neg(), p), [3], [-4, 0, 3, 10]],
    ['Minimum(Uniform)', (p) => new D.Minimum(new D.Uniform(p.neg(), p), 3), [1], [-2, 0, 0.5, 2]],
  ];
  for (const [name, make, param, xs] of cases) {
    it(name, () => {
      const p = f64(param).reshape([]).requireGrad();
      const lp = make(p).logProb(f64(xs));
      const v = lp.dataSync();
      expect(Array.from(v).some((a) => a === NEG_INF)).toBe(true);
      expect(Array.from(v).some((a) => Number.isNaN(a))).toBe(false);
      const finite = isfinite(lp);
      const [g] = gradients(sum(where(finite, lp, 0)), [p]);
      expect(Number.isFinite(g!.item()), `gradient ${g!.item()}`).toBe(true);
    });
  }
  it('Sort / TopK: unordered rows are -∞; Categorical: non-integers are -∞', () => {
    const s = new D.Sort(new D.Normal(f64(0), f64(1)), 3);
    expectClose(s.logProb(f64([[3, 2, 1]])).dataSync(), [NEG_INF]);
    const t = new D.TopK(new D.Normal(f64(0), f64(1)), 2, 3, { descending: true });
    expect(t.logProb(f64([[1, 2]])).item()).toBe(NEG_INF);
    const c = new D.Categorical({ probs: f64([0.5, 0.5]) });
    expect(c.logProb(f64([0.5])).item()).toBe(NEG_INF);
  });
  it('MultivariateNormal with a lower-triangular parameterisation has finite gradients', () => {
    const raw = f64([
      [1, 0.3],
      [0.2, 2],
    ]).requireGrad();
    const d = new D.MultivariateNormal(zeros([2], { dtype: 'float64' }), { scaleTril: tril(raw) });
    const [g] = gradients(sum(d.logProb(f64([[1, 2]]))), [raw]);
    expect(Array.from(g!.dataSync()).every(Number.isFinite)).toBe(true);
    expect(g!.dataSync()[1]).toBe(0);
  });
});

describe('cdf / icdf', () => {
  const cases: Array<[string, D.Distribution, (x: number) => number, number[]]> = [
    ['Uniform', new D.Uniform(f64(-1), f64(3)), (x) => Math.min(1, Math.max(0, (x + 1) / 4)), [-2, -1, 0, 2.5, 4]],
    ['Exponential', new D.Exponential(f64(2)), (x) => (x < 0 ? 0 : 1 - Math.exp(-2 * x)), [-1, 0, 0.3, 5]],
    ['Laplace', new D.Laplace(f64(1), f64(2)), (x) => (x < 1 ? 0.5 * Math.exp((x - 1) / 2) : 1 - 0.5 * Math.exp(-(x - 1) / 2)), [-5, 0, 1, 3]],
    ['Cauchy', new D.Cauchy(f64(0), f64(2)), (x) => 0.5 + Math.atan(x / 2) / Math.PI, [-10, 0, 2, 100]],
    ['Gamma(2, 1)', new D.Gamma(f64(2), f64(1)), (x) => (x <= 0 ? 0 : 1 - Math.exp(-x) * (1 + x)), [-1, 0.5, 2, 12]],
    ['Gamma(0.5, 3)', new D.Gamma(f64(0.5), f64(3)), (x) => (x <= 0 ? 0 : special.erf(Math.sqrt(3 * x))), [0.001, 0.2, 2]],
    ['GeneralizedNormal(2)', new D.GeneralizedNormal(f64(2)), (x) => 0.5 * (1 + special.erf(x)), [-2, -0.3, 0, 0.7]],
    [
      'Truncated(Normal)',
      new D.Truncated(new D.Normal(f64(0.5), f64(1.5)), { lower: -1, upper: 2.5 }),
      (x) => {
        const [lo, hi] = [normalCdf(-1, 0.5, 1.5), normalCdf(2.5, 0.5, 1.5)];
        return Math.min(1, Math.max(0, (normalCdf(x, 0.5, 1.5) - lo) / (hi - lo)));
      },
      [-2, -1, 0, 2.4, 3],
    ],
    ['GeneralizedNormal(1)', new D.GeneralizedNormal(f64(1)), (x) => (x < 0 ? 0.5 * Math.exp(x) : 1 - 0.5 * Math.exp(-x)), [-2, 0.7, 5]],
  ];
  for (const [name, d, ref, xs] of cases) {
    it(name, () => {
      const c = d.cdf(f64(xs)).dataSync();
      expectClose(c, xs.map(ref), 1e-12, 1e-14, 'cdf');
      const inside = xs.filter((_x, i) => (c[i] as number) > 1e-12 && (c[i] as number) < 1 - 1e-9);
      const back = d.icdf(d.cdf(f64(inside))).dataSync();
      expectClose(back, inside, 1e-9, 1e-12, 'icdf(cdf(x))');
    });
  }
});
