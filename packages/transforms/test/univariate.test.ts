import '@eddy/backend-cpu';
import { type Tensor, exp, gradients, noGrad, randn, square, sum, tensor } from '@eddy/core';
import { centralDifferences, checkTransform, gradcheck, hostTensor, normwiseRelError } from '@eddy/testing';
import {
  BernsteinTransform,
  BoundedBernsteinTransform,
  CircularRQSTransform,
  CircularShiftTransform,
  GaussianizationTransform,
  MonotonicRQSTransform,
  MonotonicTransform,
  SOSPolynomialTransform,
  ShiftedSOSPTransform,
  type Transform,
  UnconstrainedMonotonicTransform,
  bisection,
  bisectionIterations,
  gaussLegendre,
  gaussLegendreNodes,
  lerp,
} from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

const f64 = hostTensor;

const values = (t: Tensor): number[] => Array.from(t.dataSync());
const allFinite = (...ts: Tensor[]): boolean => ts.every((t) => values(t).every(Number.isFinite));

const N = 4;
const D = 3;

/** A transform family: a factory of its parameters, parameter values, and test inputs. */
interface Family {
  name: string;
  make: (...phi: Tensor[]) => Transform;
  params: () => Tensor[];
  x: () => Tensor;
  /** Whether the inverse is a bisection (resolution ~3e-7) rather than analytic. */
  bisection: boolean;
  /** Whether the gradient of y with respect to x is the exact derivative of the computed y (not for quadratures). */
  exactDyDx: boolean;
}

// f(x) = a x³ + b x with a, b > 0, closing over a and b (zuko's convention) or explicit.
const cubicClosure = (a: Tensor, b: Tensor): Transform => new MonotonicTransform((x) => a.mul(x).mul(x).mul(x).add(b.mul(x)), { phi: [a, b] });
const cubicExplicit = (a: Tensor, b: Tensor): Transform =>
  new MonotonicTransform(
    (x, [p, q]) =>
      (p as Tensor)
        .mul(x)
        .mul(x)
        .mul(x)
        .add((q as Tensor).mul(x)),
    { phi: [a, b], explicit: true },
  );
// g(u) = exp(-(c u)²) + e with c, e > 0.
const bump = (c: Tensor, e: Tensor): Transform => new UnconstrainedMonotonicTransform((u) => exp(square(u.mul(c)).neg()).add(e), { phi: [c, e], n: 16 });

const FAMILIES: Family[] = [
  {
    name: 'MonotonicRQS',
    make: (w, h, d) => new MonotonicRQSTransform(w as Tensor, h as Tensor, d as Tensor),
    params: () => [f64([N, D, 8], 1), f64([N, D, 8], 2), f64([N, D, 7], 3)],
    x: () => f64([N, D], 4, -6, 6),
    bisection: false,
    exactDyDx: true,
  },
  {
    name: 'CircularRQS',
    make: (w, h, d) => new CircularRQSTransform(w as Tensor, h as Tensor, d as Tensor),
    params: () => [f64([N, D, 8], 5), f64([N, D, 8], 6), f64([N, D, 7], 7)],
    x: () => f64([N, D], 8, -3.1, 3.1),
    bisection: false,
    exactDyDx: true,
  },
  {
    name: 'Monotonic (closure)',
    make: (a, b) => cubicClosure(a as Tensor, b as Tensor),
    params: () => [f64([N, D], 9, 0.5, 2), f64([N, D], 10, 0.5, 2)],
    x: () => f64([N, D], 11, -2, 2),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'Monotonic (explicit)',
    make: (a, b) => cubicExplicit(a as Tensor, b as Tensor),
    params: () => [f64([N, D], 9, 0.5, 2), f64([N, D], 10, 0.5, 2)],
    x: () => f64([N, D], 11, -2, 2),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'Bernstein',
    make: (theta) => new BernsteinTransform(theta as Tensor),
    params: () => [f64([N, D, 10], 12)],
    x: () => f64([N, D], 13, -7, 7),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'BoundedBernstein',
    make: (theta) => new BoundedBernsteinTransform(theta as Tensor),
    params: () => [f64([N, D, 17], 14)],
    x: () => f64([N, D], 15, -7, 7),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'Gaussianization',
    make: (s, a) => new GaussianizationTransform(s as Tensor, a as Tensor),
    params: () => [f64([N, D, 8], 16), f64([N, D, 8], 17, -1, 1)],
    x: () => f64([N, D], 18, -3, 3),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'UnconstrainedMonotonic',
    make: (c, e) => bump(c as Tensor, e as Tensor),
    params: () => [f64([N, D], 19, 0.5, 1.5), f64([N, D], 20, 0.05, 0.2)],
    x: () => f64([N, D], 21, -3, 3),
    bisection: true,
    exactDyDx: false,
  },
  {
    name: 'SOSPolynomial',
    make: (a) => new SOSPolynomialTransform(a as Tensor),
    params: () => [f64([N, D, 3, 5], 22)],
    x: () => f64([N, D], 23, -4, 4),
    bisection: true,
    exactDyDx: true,
  },
  {
    name: 'ShiftedSOSP',
    make: (a, c) => new ShiftedSOSPTransform(a as Tensor, c as Tensor),
    params: () => [f64([N, D, 3, 5], 24), f64([N, D], 25)],
    x: () => f64([N, D], 26, -4, 4),
    bisection: true,
    exactDyDx: true,
  },
];

describe('checkTransform: round trip, ladj vs autodiff Jacobian, fused vs separate, inverse ladj', () => {
  for (const fam of FAMILIES) {
    it(fam.name, () => {
      const r = checkTransform(fam.make(...fam.params()), fam.x());
      if (fam.bisection) {
        // Bisection: 24-25 halvings of [-B, B] leave |x - x*| ≤ 2B/2ⁿ⁺¹ ≈ 3e-7; the inverse
        // ladj is evaluated there, so it moves by |d ladj/dx|·3e-7.
        expect(r.roundTrip).toBeLessThan(1e-6);
        expect(r.inverseLadj).toBeLessThan(2e-5);
      } else {
        expect(r.roundTrip).toBeLessThan(1e-12);
        expect(r.inverseLadj).toBeLessThan(1e-10);
      }
      expect(r.ladjVsJacobian).toBeLessThan(1e-10);
      expect(r.fusedVsSeparate).toBeLessThan(1e-12);
    });
  }
});

describe('finite-difference gradients (float64, relative error ≤ 1e-6)', () => {
  for (const fam of FAMILIES) {
    it(`${fam.name}: y and ladj w.r.t. the parameters and x`, () => {
      const x = fam.x();
      const phi = fam.params();
      const yOf = (...p: Tensor[]): Tensor => fam.make(...p).call(x);
      const ladjOf = (...p: Tensor[]): Tensor => fam.make(...p).callAndLadj(x)[1];
      expect(gradcheck(yOf, phi).maxRelError).toBeLessThan(1e-6);
      expect(gradcheck(ladjOf, phi).maxRelError).toBeLessThan(1e-6);
      // ladj w.r.t. x needs the second derivative (the recorded derivative graph).
      expect(gradcheck((xx) => fam.make(...phi).callAndLadj(xx)[1], [x]).maxRelError).toBeLessThan(1e-6);
      if (fam.exactDyDx) expect(gradcheck((xx) => fam.make(...phi).call(xx), [x]).maxRelError).toBeLessThan(1e-6);
    });
  }

  for (const fam of FAMILIES.filter((f) => !f.bisection)) {
    it(`${fam.name}: the analytic inverse w.r.t. y and the parameters`, () => {
      const y = noGrad(() => fam.make(...fam.params()).call(fam.x()));
      const r = gradcheck((yy, ...p) => fam.make(...p).inv.call(yy), [y, ...fam.params()]);
      expect(r.maxRelError).toBeLessThan(1e-6);
    });
  }
});

/** Normwise relative error (down to a zero reference). */
const relErr = (a: ArrayLike<number>, r: ArrayLike<number>): number => normwiseRelError(a, r, 1e-300);

describe('implicit gradient of the bisection inverse', () => {
  // The bisection root x* solves f(x*) = y only to ~3e-7, so finite differences of the
  // inverse itself are noise-dominated. Instead the reverse-mode gradient of
  // L = Σ w·x*(y, φ) is compared with the implicit-function theorem at the returned x*:
  // ∂L/∂y = w/f'(x*) and ∂L/∂φ = -∂/∂φ Σ (w/f'(x*))·f(x*; φ), with f' = exp(ladj(x*)) and
  // the φ-derivative by central finite differences of the forward map (exact functions).
  for (const fam of FAMILIES.filter((f) => f.bisection)) {
    it(fam.name, () => {
      const phi = fam.params();
      const y = noGrad(() => fam.make(...phi).call(fam.x()));
      const yl = y.requireGrad();
      const leaves = phi.map((p) => p.requireGrad());
      const xs = fam.make(...leaves).inv.call(yl);
      const w = randn(xs.shape, { seed: 3, dtype: 'float64' });
      const [gy, ...gphi] = gradients(sum(xs.mul(w)), [yl, ...leaves]);
      const xStar = xs.detach();
      const v = noGrad(() => w.div(exp(fam.make(...phi).callAndLadj(xStar)[1])));
      expect(allFinite(gy as Tensor, ...(gphi as Tensor[]))).toBe(true);
      expect(relErr(values(gy as Tensor), values(v))).toBeLessThan(1e-9);
      const h = 1e-6;
      for (const [k, p] of phi.entries()) {
        // −∂/∂φ Σ v·f(x*; φ): the differences of the negated sum.
        const ref = centralDifferences(
          p.dataSync(),
          (q) => {
            const ps = phi.map((o, j) => (j === k ? tensor(q, { shape: p.shape, dtype: 'float64' }) : o));
            return -noGrad(() =>
              sum(
                fam
                  .make(...ps)
                  .call(xStar)
                  .mul(v),
              ).item(),
            );
          },
          h,
        );
        expect(relErr(values(gphi[k] as Tensor), ref)).toBeLessThan(1e-6);
      }
    });
  }

  it('matches the closed-form implicit derivatives of f(x) = a x³ + b x at the true root', () => {
    const a = f64([N, D], 30, 0.5, 2);
    const b = f64([N, D], 31, 0.5, 2);
    const xTrue = f64([N, D], 32, -3, 3);
    const y = a.mul(xTrue).mul(xTrue).mul(xTrue).add(b.mul(xTrue));
    for (const make of [cubicClosure, cubicExplicit]) {
      const [al, bl, yl] = [a.requireGrad(), b.requireGrad(), y.requireGrad()];
      const x = make(al, bl).inv.call(yl);
      const [ga, gb, gy] = gradients(sum(x), [al, bl, yl]);
      const fp = a.mul(3).mul(xTrue).mul(xTrue).add(b);
      // The root is within 3e-7 of xTrue; the derivatives move by (f''/f')·3e-7 relative.
      expect(relErr(values(gy as Tensor), values(fp.pow(-1)))).toBeLessThan(1e-5);
      expect(relErr(values(ga as Tensor), values(xTrue.pow(3).neg().div(fp)))).toBeLessThan(1e-5);
      expect(relErr(values(gb as Tensor), values(xTrue.neg().div(fp)))).toBeLessThan(1e-5);
      // Sampling path (rsample_and_log_prob): the inverse's ladj -log(3a x*² + b) through x*(y, a, b).
      const [al2, yl2] = [a.requireGrad(), y.requireGrad()];
      const [, invLadj] = make(al2, b).inv.callAndLadj(yl2);
      const [ga2, gy2] = gradients(sum(invLadj), [al2, yl2]);
      const dxda = xTrue.pow(3).neg().div(fp);
      const refA = xTrue.mul(xTrue).mul(3).add(a.mul(6).mul(xTrue).mul(dxda)).neg().div(fp);
      const refY = a.mul(6).mul(xTrue).div(fp).div(fp).neg();
      expect(relErr(values(ga2 as Tensor), values(refA))).toBeLessThan(1e-5);
      expect(relErr(values(gy2 as Tensor), values(refY))).toBeLessThan(1e-5);
    }
  });
});

describe('bisection helper', () => {
  it("uses zuko's iteration count and interval", () => {
    expect(bisectionIterations(10, 1e-6)).toBe(25);
    expect(bisectionIterations(5, 1e-6)).toBe(24);
    expect(bisectionIterations(Math.PI, 1e-6)).toBe(Math.ceil(Math.log2((2 * Math.PI) / 1e-6)));
    const y = tensor([0.3, -2, 50, -50], { dtype: 'float64' });
    const x = values(bisection((v) => v, y));
    expect(Math.abs((x[0] as number) - 0.3)).toBeLessThan(3e-7);
    expect(Math.abs((x[1] as number) + 2)).toBeLessThan(3e-7);
    // Out of range: the interval collapses onto the bound.
    expect(x[2]).toBeCloseTo(10, 5);
    expect(x[3]).toBeCloseTo(-10, 5);
    // The first iterate is c = 0 and f(0) < y is false at y = 0: the bracket is [-B, 0].
    const x0 = values(bisection((v) => v, tensor([0], { dtype: 'float64' }), { iterations: 1 }));
    expect(x0[0]).toBe(-5);
  });

  it('gives gradients only to inputs that require them', () => {
    const a = tensor([2], { dtype: 'float64' });
    const y = tensor([10], { dtype: 'float64' }).requireGrad();
    const x = bisection(
      (v, [s]) =>
        v
          .mul(v)
          .mul(v)
          .mul(s as Tensor)
          .add(v),
      y,
      { phi: [a], explicit: true },
    );
    const [gy] = gradients(sum(x), [y]);
    const xv = x.item();
    expect((gy as Tensor).item()).toBeCloseTo(1 / (6 * xv * xv + 1), 10);
  });
});

describe('Gauss–Legendre', () => {
  it('nodes and weights: closed forms, symmetry, exactness up to degree 2n - 1', () => {
    const r2 = gaussLegendreNodes(2);
    expect(values(tensor(r2.nodes))).toEqual([(1 - 1 / Math.sqrt(3)) / 2, (1 + 1 / Math.sqrt(3)) / 2].map((v) => expect.closeTo(v, 15)));
    const r3 = gaussLegendreNodes(3);
    expect(r3.nodes[1]).toBe(0.5);
    expect(r3.weights[0]).toBeCloseTo(5 / 18, 15);
    expect(r3.weights[1]).toBeCloseTo(8 / 18, 15);
    for (const n of [1, 4, 5, 16, 32, 33]) {
      const { nodes, weights } = gaussLegendreNodes(n);
      expect(gaussLegendreNodes(n)).toBe(gaussLegendreNodes(n)); // cached
      for (let i = 0; i < n; i++) {
        expect((nodes[i] as number) + (nodes[n - 1 - i] as number)).toBe(1);
        if (i > 0) expect(nodes[i] as number).toBeGreaterThan(nodes[i - 1] as number);
      }
      for (let k = 0; k < 2 * n; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (weights[i] as number) * (nodes[i] as number) ** k;
        expect(Math.abs(s - 1 / (k + 1))).toBeLessThan(1e-14);
      }
    }
    expect(() => gaussLegendreNodes(0)).toThrow();
  });

  it("lerp follows torch's two-sided formula", () => {
    const a = tensor([1, 1], { dtype: 'float64' });
    const b = tensor([3, 3], { dtype: 'float64' });
    expect(values(lerp(a, b, tensor([0.25, 1], { dtype: 'float64' })))).toEqual([1.5, 3]);
  });

  it('integrates and differentiates as zuko (exact integrand at the limits)', () => {
    const a = tensor([0, -1], { dtype: 'float64' }).requireGrad();
    const b = tensor([2, 3], { dtype: 'float64' }).requireGrad();
    const c = tensor([1.5, 0.5], { dtype: 'float64' }).requireGrad();
    const area = gaussLegendre((u, [k]) => exp(u.mul(k as Tensor)), a, b, { n: 16, phi: [c], explicit: true });
    const exact = values(
      noGrad(() =>
        exp(b.mul(c))
          .sub(exp(a.mul(c)))
          .div(c),
      ),
    );
    expect(relErr(values(area), exact)).toBeLessThan(1e-14);
    const [ga, gb, gc] = gradients(sum(area), [a, b, c]);
    expect(values(ga as Tensor)).toEqual(values(noGrad(() => exp(a.mul(c)).neg())));
    expect(values(gb as Tensor)).toEqual(values(noGrad(() => exp(b.mul(c)))));
    const r = gradcheck((k) => gaussLegendre((u, [kk]) => exp(u.mul(kk as Tensor)), a.detach(), b.detach(), { n: 16, phi: [k], explicit: true }), [c.detach()]);
    expect(r.maxRelError).toBeLessThan(1e-6);
    expect(
      relErr(
        values(gc as Tensor),
        values(
          noGrad(() =>
            b
              .mul(exp(b.mul(c)))
              .sub(a.mul(exp(a.mul(c))))
              .div(c)
              .sub(area.div(c)),
          ),
        ),
      ),
    ).toBeLessThan(1e-12);
  });
});

describe('numerics', () => {
  it('works in float32 too', () => {
    const x = f64([N, D], 33).cast('float32');
    const fams: Transform[] = [
      new MonotonicRQSTransform(f64([N, D, 8], 34).cast('float32'), f64([N, D, 8], 35).cast('float32'), f64([N, D, 7], 36).cast('float32')),
      new BernsteinTransform(f64([N, D, 10], 37).cast('float32')),
      new GaussianizationTransform(f64([N, D, 8], 38).cast('float32'), f64([N, D, 8], 39, -1, 1).cast('float32')),
      new SOSPolynomialTransform(f64([N, D, 3, 5], 40).cast('float32')),
    ];
    for (const t of fams) {
      const [y, ladj] = t.callAndLadj(x);
      const back = t.inv.call(y);
      expect([y.dtype, ladj.dtype, back.dtype]).toEqual(['float32', 'float32', 'float32']);
      expect(relErr(values(back), values(x))).toBeLessThan(1e-5);
    }
  });

  const rqs = (): { t: MonotonicRQSTransform; leaves: Tensor[] } => {
    const leaves = [f64([2, 8], 40, -3, 3), f64([2, 8], 41, -3, 3), f64([2, 7], 42, -3, 3)].map((p) => p.requireGrad());
    return { t: new MonotonicRQSTransform(leaves[0] as Tensor, leaves[1] as Tensor, leaves[2] as Tensor), leaves };
  };

  it('RQS: identity outside [-B, B], at exactly -B, and for infinite inputs; knots at ±B', () => {
    const { t } = rqs();
    const xo = tensor([[-5], [-5.000001], [7], [-1e300], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]], { dtype: 'float64' }).expand([6, 2]);
    const [y, ladj] = t.callAndLadj(xo);
    expect(values(y)).toEqual(values(xo));
    expect(values(ladj).every((v) => v === 0)).toBe(true);
    expect(values(t.inv.call(xo))).toEqual(values(xo));
    const h = values(t.horizontal);
    const v = values(t.vertical);
    expect(h[0]).toBe(-5);
    expect(v[0]).toBe(-5);
    expect(Math.abs((h[8] as number) - 5)).toBeLessThan(1e-14);
    const dd = values(t.derivatives);
    expect([dd[0], dd[8], dd[9], dd[17]]).toEqual([1, 1, 1, 1]);
  });

  it('RQS: finite values and gradients outside the bound, at ±B, at the knots and at ±∞', () => {
    const { t, leaves } = rqs();
    const knots = t.horizontal.detach().transpose(0, 1);
    const special = tensor([[-5, 5, -8, 8, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 4.999999]], { dtype: 'float64' })
      .transpose(0, 1)
      .expand([9, 2]);
    for (const x of [knots, special, knots.mul(1 - 1e-16)]) {
      const xl = x.requireGrad();
      const [y, ladj] = t.callAndLadj(xl);
      const grads = gradients(sum(y.mul(0.5)).add(sum(ladj)), [xl, ...leaves]);
      expect(allFinite(ladj, ...grads)).toBe(true);
      expect(values(y).every((val) => !Number.isNaN(val))).toBe(true);
    }
    const vk = t.vertical.detach().transpose(0, 1);
    for (const yv of [vk, special]) {
      const yl = yv.requireGrad();
      const x = t.inv.call(yl);
      const grads = gradients(sum(x.mul(0.5)), [yl, ...leaves]);
      expect(allFinite(...grads)).toBe(true);
      expect(values(x).every((val) => !Number.isNaN(val))).toBe(true);
    }
    // At a knot the inverse returns the knot.
    const back = values(t.inv.call(vk));
    const hk = values(knots);
    for (let i = 2; i < 16; i++) expect(Math.abs((back[i] as number) - (hk[i] as number))).toBeLessThan(1e-12);
  });

  it('CircularRQS = Composed(CircularShift(π), MonotonicRQS(bound = π))', () => {
    const [w, h, d] = [f64([N, 8], 43), f64([N, 8], 44), f64([N, 7], 45)];
    const t = new CircularRQSTransform(w, h, d, { slope: 1e-2 });
    expect(t.transforms[0]).toBeInstanceOf(CircularShiftTransform);
    expect((t.transforms[0] as CircularShiftTransform).bound).toBe(Math.PI);
    expect(t.spline.bound).toBe(Math.PI);
    expect(t.spline.slope).toBe(1e-2);
    const x = f64([N], 46, -Math.PI, Math.PI);
    const ref = new MonotonicRQSTransform(w, h, d, { bound: Math.PI, slope: 1e-2 });
    const shifted = new CircularShiftTransform(Math.PI).call(x);
    const [y, ladj] = t.callAndLadj(x);
    const [y2, ladj2] = ref.callAndLadj(shifted);
    expect(values(y)).toEqual(values(y2));
    expect(values(ladj)).toEqual(values(ladj2));
  });

  it('bisection transforms: finite values and gradients in the tails and at 0', () => {
    const x = tensor([[-12, -5, -4.99999, 0, 4.99999, 5, 12, 30]], { dtype: 'float64' }).expand([N, 8]);
    const fams = FAMILIES.filter((f) => f.bisection && f.name !== 'Gaussianization' && f.name !== 'UnconstrainedMonotonic');
    for (const fam of fams) {
      const leaves = fam.params().map((p) =>
        p
          .slice(1, 0, 1)
          .expand([N, 8, ...p.shape.slice(2)])
          .requireGrad(),
      );
      const xl = x.requireGrad();
      const t = fam.make(...leaves);
      const [y, ladj] = t.callAndLadj(xl);
      const back = t.inv.call(y);
      const grads = gradients(sum(y).add(sum(ladj)).add(sum(back)), [xl, ...leaves]);
      expect(allFinite(y, ladj, back, ...grads), fam.name).toBe(true);
    }
  });

  it('Bernstein: linear tails with the boundary slopes; bounded version is the shifted identity outside', () => {
    const theta = f64([N, 10], 47);
    const t = new BernsteinTransform(theta);
    const x = tensor([-9, -6, 6, 9], { dtype: 'float64' });
    const [y, ladj] = t.callAndLadj(x);
    const off = values(t.offset);
    const sl = values(t.slope);
    const yv = values(y);
    const lv = values(ladj);
    const eps = 1e-6;
    for (const [i, xv] of [-9, -6, 6, 9].entries()) {
      const u = (xv + 5) / 10;
      const lo = u <= eps;
      const o = off[2 * i + (lo ? 0 : 1)] as number;
      const s = sl[2 * i + (lo ? 0 : 1)] as number;
      expect(yv[i]).toBeCloseTo(s * (lo ? u - eps : u - 1 + eps) + o, 12);
      expect(lv[i]).toBeCloseTo(Math.log(s / 10), 12);
    }
    // Inverse in the tails is the line's inverse.
    expect(relErr(values(t.inv.call(y)), [-9, -6, 6, 9])).toBeLessThan(1e-12);
    const bt = new BoundedBernsteinTransform(f64([N, 17], 48));
    const [yb, lb] = bt.callAndLadj(x);
    expect(relErr(values(yb), [-9 - 1e-5, -6 - 1e-5, 6 + 1e-5, 9 + 1e-5])).toBeLessThan(1e-14);
    expect(values(lb).every((v) => Math.abs(v) < 1e-15)).toBe(true);
    const th = values(bt.theta);
    expect(th[0]).toBe(-5);
    expect(Math.abs((th[21] as number) - 5)).toBeLessThan(1e-14);
  });

  it('Gaussianization: log-space ladj stays finite far in the tails', () => {
    const t = new GaussianizationTransform(f64([8], 49), f64([8], 50, -1, 1));
    const [y, ladj] = t.callAndLadj(tensor([-60, -20, 0, 20, 60], { dtype: 'float64' }));
    expect(allFinite(y, ladj)).toBe(true);
  });

  it('SOS polynomial: finite gradients at x = 0 (Horner evaluation)', () => {
    const a = f64([2, 3, 5], 51).requireGrad();
    const x = tensor([0, 0], { dtype: 'float64' }).requireGrad();
    const [y, ladj] = new SOSPolynomialTransform(a).callAndLadj(x);
    expect(values(y)).toEqual([0, 0]);
    const grads = gradients(sum(y).add(sum(ladj)), [x, a]);
    expect(allFinite(...grads)).toBe(true);
  });

  it('MonotonicTransform: ladj is differentiable w.r.t. upstream x and φ in training, plain values under noGrad', () => {
    const a = f64([N, D], 52, 0.5, 2).requireGrad();
    const b = f64([N, D], 53, 0.5, 2).requireGrad();
    const x0 = f64([N, D], 54).requireGrad();
    for (const make of [cubicClosure, cubicExplicit]) {
      const t = make(a, b);
      const x = x0.mul(2); // upstream op
      const [, ladj] = t.callAndLadj(x);
      const [gx, ga, gb] = gradients(sum(ladj), [x0, a, b]);
      // ladj = log(3a x² + b)
      const xv = noGrad(() => x0.mul(2));
      const fp = noGrad(() => a.mul(3).mul(xv).mul(xv).add(b));
      expect(relErr(values(gx as Tensor), values(noGrad(() => a.mul(12).mul(xv).div(fp))))).toBeLessThan(1e-12);
      expect(relErr(values(ga as Tensor), values(noGrad(() => xv.mul(xv).mul(3).div(fp))))).toBeLessThan(1e-12);
      expect(relErr(values(gb as Tensor), values(noGrad(() => fp.pow(-1))))).toBeLessThan(1e-12);
      const [yn, ln] = noGrad(() => t.callAndLadj(x));
      expect(yn.requiresGrad || ln.requiresGrad).toBe(false);
    }
  });
});
