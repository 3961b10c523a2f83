import '@eddy/backend-cpu';
import { type Tensor, eye, sign } from '@eddy/core';
import { checkTransform, hostTensor } from '@eddy/testing';
import * as T from '@eddy/transforms';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// Property tests: for random sizes, parameters and inputs, every transform inverts, its
// ladj equals log|det J| from autodiff, the fused pass equals the separate one, and the
// inverse's ladj is the negated forward ladj. Parameters of elementwise transforms are
// drawn with a batch shape that broadcasts against x (per-sample `[N, D]`, shared `[D]`,
// or per-row `[N, 1]`), as PyTorch broadcasting allows.

/** Seeded float64 test values, uniform in `[lo, hi)`. */
const f64 = hostTensor;

type Maker = (n: number, d: number, seed: number, pshape: number[]) => { t: T.Transform; x: Tensor };

const elementwise: Record<string, Maker> = {
  Exp: (n, d, s) => ({ t: new T.ExpTransform(), x: f64([n, d], s, -3, 3) }),
  Affine: (n, d, s, p) => ({ t: new T.AffineTransform(f64(p, s + 1, -2, 2), f64(p, s + 2, 0.3, 3)), x: f64([n, d], s, -3, 3) }),
  Sigmoid: (n, d, s) => ({ t: new T.SigmoidTransform(), x: f64([n, d], s, -6, 6) }),
  Tanh: (n, d, s) => ({ t: new T.TanhTransform(), x: f64([n, d], s, -3, 3) }),
  Softplus: (n, d, s) => ({ t: new T.SoftplusTransform(), x: f64([n, d], s, -5, 5) }),
  Power: (n, d, s) => ({ t: new T.PowerTransform(1.7), x: f64([n, d], s, 0.1, 3) }),
  Cos: (n, d, s) => ({ t: new T.CosTransform(), x: f64([n, d], s, 0.05, 3.09) }),
  Sin: (n, d, s) => ({ t: new T.SinTransform(), x: f64([n, d], s, -1.5, 1.5) }),
  Softclip: (n, d, s) => ({ t: new T.SoftclipTransform(2.5), x: f64([n, d], s, -10, 10) }),
  CircularShift: (n, d, s) => ({ t: new T.CircularShiftTransform(1.5), x: f64([n, d], s, -1.49, 1.49) }),
  SignedPower: (n, d, s, p) => ({ t: new T.SignedPowerTransform(f64(p, s + 1, -0.7, 0.7)), x: f64([n, d], s, 0.2, 3).mul(sign(f64([d], s + 3, -1, 1))) }),
  Additive: (n, d, s, p) => ({ t: new T.AdditiveTransform(f64(p, s + 1, -2, 2)), x: f64([n, d], s, -3, 3) }),
  MonotonicAffine: (n, d, s, p) => ({ t: new T.MonotonicAffineTransform(f64(p, s + 1, -2, 2), f64(p, s + 2, -20, 20)), x: f64([n, d], s, -3, 3) }),
};

/** Parameter shape with a trailing parameter axis of size k (`[..., k]`). */
const withK = (p: number[], k: number): number[] => [...p, k];

const splines: Record<string, Maker> = {
  MonotonicRQS: (n, d, s, p) => ({
    t: new T.MonotonicRQSTransform(f64(withK(p, 6), s + 1, -3, 3), f64(withK(p, 6), s + 2, -3, 3), f64(withK(p, 5), s + 3, -3, 3), { bound: 4 }),
    // Inside and outside [-B, B].
    x: f64([n, d], s, -6, 6),
  }),
  CircularRQS: (n, d, s, p) => ({
    t: new T.CircularRQSTransform(f64(withK(p, 5), s + 1, -3, 3), f64(withK(p, 5), s + 2, -3, 3), f64(withK(p, 4), s + 3, -3, 3)),
    x: f64([n, d], s, -3.1, 3.1),
  }),
};

const bisected: Record<string, Maker> = {
  Monotonic: (n, d, s) => ({ t: new T.MonotonicTransform((x) => x.pow(3).add(x.mul(0.5))), x: f64([n, d], s, -2, 2) }),
  Bernstein: (n, d, s, p) => ({ t: new T.BernsteinTransform(f64(withK(p, 7), s + 1, -2, 2)), x: f64([n, d], s, -6, 6) }),
  BoundedBernstein: (n, d, s, p) => ({ t: new T.BoundedBernsteinTransform(f64(withK(p, 9), s + 1, -2, 2)), x: f64([n, d], s, -6, 6) }),
  Gaussianization: (n, d, s, p) => ({
    t: new T.GaussianizationTransform(f64(withK(p, 4), s + 1, -1, 1), f64(withK(p, 4), s + 2, -1, 1)),
    x: f64([n, d], s, -3, 3),
  }),
  UnconstrainedMonotonic: (n, d, s) => ({
    t: new T.UnconstrainedMonotonicTransform((x) => x.square().neg().exp().add(0.1)),
    x: f64([n, d], s, -3, 3),
  }),
  SOSPolynomial: (n, d, s, p) => ({ t: new T.SOSPolynomialTransform(f64([...p, 2, 4], s + 1, -1, 1)), x: f64([n, d], s, -3, 3) }),
};

const vector: Record<string, Maker> = {
  Permutation: (n, d, s) => {
    const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => Math.sin(s * (a + 1)) - Math.sin(s * (b + 1)));
    return { t: new T.PermutationTransform(order), x: f64([n, d], s, -3, 3) };
  },
  Rotation: (n, d, s) => ({ t: new T.RotationTransform(f64([d, d], s + 1, -1.5, 1.5)), x: f64([n, d], s, -3, 3) }),
  LULinear: (n, d, s) => ({
    t: new T.LULinearTransform(f64([d, d], s + 1, -0.5, 0.5).add(eye(d, d, { dtype: 'float64' }).mul(1.5))),
    x: f64([n, d], s, -3, 3),
  }),
};

const sizes = fc.record({
  n: fc.integer({ min: 1, max: 6 }),
  d: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  p: fc.constantFrom('full', 'shared', 'row'),
});

function check(make: Maker, vectorCase: boolean, roundTrip = 1e-9, inverseLadj = 1e-9): void {
  fc.assert(
    fc.property(sizes, ({ n, d, seed, p }) => {
      const dim = vectorCase ? Math.max(d, 2) : d;
      const pshape = p === 'full' ? [n, dim] : p === 'shared' ? [dim] : [n, 1];
      const { t, x } = make(n, dim, seed, pshape);
      const [y, ladj] = t.callAndLadj(x);
      expect(y.shape).toEqual(x.shape);
      expect(ladj.shape).toEqual(vectorCase ? [n] : [n, dim]);
      const r = checkTransform(t, x);
      expect(r.roundTrip).toBeLessThan(roundTrip);
      expect(r.ladjVsJacobian).toBeLessThan(1e-8);
      expect(r.fusedVsSeparate).toBeLessThan(1e-12);
      expect(r.inverseLadj).toBeLessThan(inverseLadj);
    }),
    { numRuns: 25, seed: 20261129 },
  );
}

describe('property: elementwise transforms', () => {
  for (const [name, make] of Object.entries(elementwise)) it(name, () => check(make, false));
});

describe('property: spline transforms (analytic inverse)', () => {
  for (const [name, make] of Object.entries(splines)) it(name, () => check(make, false));
});

// Bisection inverses are exact only to the final interval (2B/2ⁿ⁺¹ ≈ 3e-7 for B = 10),
// and the inverse ladj is evaluated at the bisected point.
describe('property: bisection-inverse transforms', () => {
  for (const [name, make] of Object.entries(bisected)) it(name, () => check(make, false, 1e-6, 1e-4));
});

describe('property: vector transforms', () => {
  for (const [name, make] of Object.entries(vector)) it(name, () => check(make, true));
});
