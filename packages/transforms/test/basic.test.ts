import '@eddy/backend-cpu';
import { type Tensor, eye, matmul, randn, tensor, transpose, tril } from '@eddy/core';
import { checkTransform, hostTensor } from '@eddy/testing';
import {
  AdditiveTransform,
  AffineTransform,
  AutoregressiveTransform,
  CouplingTransform,
  CircularShiftTransform,
  ComposedTransform,
  CosTransform,
  DependentTransform,
  ExpTransform,
  IdentityTransform,
  LULinearTransform,
  MonotonicAffineTransform,
  PermutationTransform,
  PowerTransform,
  RotationTransform,
  SigmoidTransform,
  SignedPowerTransform,
  SinTransform,
  SoftclipTransform,
  SoftplusTransform,
  TanhTransform,
  type Transform,
} from '@eddy/transforms';
import { describe, expect, it } from 'vitest';

/** Seeded float64 test values, uniform in `[lo, hi)`. */
const f64 = hostTensor;

const cases: Array<[string, () => Transform, () => Tensor]> = [
  ['Identity', () => new IdentityTransform(), () => f64([6, 3], 1)],
  ['Exp', () => new ExpTransform(), () => f64([6, 3], 2)],
  ['Affine', () => new AffineTransform(f64([3], 3), f64([3], 4, 0.5, 2)), () => f64([6, 3], 5)],
  ['Affine eventDim 1', () => new AffineTransform(f64([3], 3), f64([3], 4, -2, -0.5), 1), () => f64([6, 3], 5)],
  ['Sigmoid', () => new SigmoidTransform(), () => f64([6, 3], 6)],
  ['Tanh', () => new TanhTransform(), () => f64([6, 3], 7)],
  ['Softplus', () => new SoftplusTransform(), () => f64([6, 3], 8)],
  ['Power', () => new PowerTransform(2.5), () => f64([6, 3], 9, 0.2, 2)],
  ['Cos', () => new CosTransform(), () => f64([6, 3], 10, 0.1, 3)],
  ['Sin', () => new SinTransform(), () => f64([6, 3], 11, -1.5, 1.5)],
  ['Softclip', () => new SoftclipTransform(1.5), () => f64([6, 3], 12, -4, 4)],
  ['CircularShift', () => new CircularShiftTransform(2), () => f64([6, 3], 13, -1.9, 1.9)],
  ['SignedPower', () => new SignedPowerTransform(f64([6, 3], 14, -0.5, 0.5)), () => f64([6, 3], 15, 0.2, 2).mul(tensor([1, -1, 1], { dtype: 'float64' }))],
  ['Additive', () => new AdditiveTransform(f64([6, 3], 16)), () => f64([6, 3], 17)],
  ['MonotonicAffine', () => new MonotonicAffineTransform(f64([6, 3], 18), f64([6, 3], 19, -8, 8)), () => f64([6, 3], 20)],
  ['Permutation', () => new PermutationTransform([2, 0, 3, 1]), () => f64([6, 4], 21)],
  ['Rotation', () => new RotationTransform(f64([4, 4], 22)), () => f64([6, 4], 23)],
  ['LULinear', () => new LULinearTransform(f64([4, 4], 24, -0.5, 0.5).add(eye(4, 4, { dtype: 'float64' }))), () => f64([6, 4], 25)],
  ['Dependent(MonotonicAffine, 1)', () => new DependentTransform(new MonotonicAffineTransform(f64([3], 26), f64([3], 27)), 1), () => f64([6, 3], 28)],
  [
    'Composed(vector + elementwise parts)',
    () =>
      new ComposedTransform([
        new SoftclipTransform(3),
        new RotationTransform(f64([3, 3], 29)),
        new DependentTransform(new ExpTransform(), 1),
        new LULinearTransform(eye(3, 3, { dtype: 'float64' }).mul(2)),
      ]),
    () => f64([6, 3], 30),
  ],
];

/** An autoregressive affine map: shift and log-scale from strictly-lower-triangular linear maps of x. */
function autoregressive(d: number, seed: number, passes = d): AutoregressiveTransform {
  const l1 = tril(f64([d, d], seed), -1);
  const l2 = tril(f64([d, d], seed + 1), -1);
  return new AutoregressiveTransform(
    (x) => new DependentTransform(new MonotonicAffineTransform(matmul(x, transpose(l1)), matmul(x, transpose(l2))), 1),
    passes,
  );
}

/** A coupling of features [0, 2] into [1, 3] by an affine map with linear parameter nets. */
function coupling(seed: number): CouplingTransform {
  const w1 = f64([2, 2], seed);
  const w2 = f64([2, 2], seed + 1);
  return new CouplingTransform(
    (xa) => new DependentTransform(new MonotonicAffineTransform(matmul(xa, w1), matmul(xa, w2)), 1),
    tensor([true, false, true, false]),
  );
}

cases.push(['Autoregressive (4 passes)', () => autoregressive(4, 40), () => f64([6, 4], 41)]);
cases.push(['Coupling', () => coupling(42), () => f64([6, 4], 43)]);

describe('every transform: inverse, ladj vs autodiff Jacobian, fused pass, inverse ladj', () => {
  for (const [name, make, input] of cases) {
    it(name, () => {
      const r = checkTransform(make(), input());
      expect(r.roundTrip).toBeLessThan(1e-12);
      expect(r.ladjVsJacobian).toBeLessThan(1e-10);
      expect(r.fusedVsSeparate).toBeLessThan(1e-12);
      expect(r.inverseLadj).toBeLessThan(1e-10);
    });
  }
});

describe('transform structure', () => {
  it('inv of inv is the transform; sign and toString', () => {
    const t = new ExpTransform();
    expect(t.inv.inv).toBe(t);
    expect(t.inv.sign).toBe(1);
    expect(new AffineTransform(0, -2).sign).toBe(-1);
    expect(t.inv.toString()).toBe('Inverse(ExpTransform())');
    expect(new SoftclipTransform(11).toString()).toBe('SoftclipTransform(bound=11)');
  });

  it('ComposedTransform: event dims and ladj summation over the extra axes', () => {
    const c = new ComposedTransform([new ExpTransform(), new PermutationTransform([1, 0])]);
    expect(c.domain.eventDim).toBe(1);
    expect(c.codomain.eventDim).toBe(1);
    const x = f64([5, 2], 31);
    const [y, ladj] = c.callAndLadj(x);
    expect(ladj.shape).toEqual([5]);
    expect(Array.from(ladj.dataSync())).toEqual(Array.from(x.sum(-1).dataSync()));
    expect(y.shape).toEqual([5, 2]);
    expect(new ComposedTransform([new ExpTransform()], 2).domain.eventDim).toBe(2);
  });

  it('the inverse of a composition is the composition of inverses in reverse order', () => {
    const a = new ExpTransform();
    const b = new SoftclipTransform(2);
    const c = new ComposedTransform([a, b]);
    const inv = c.inv as ComposedTransform;
    expect(inv).toBeInstanceOf(ComposedTransform);
    expect(inv.transforms).toEqual([b.inv, a.inv]);
    expect(inv.inv).toBe(c);
  });

  it('DependentTransform sums the reinterpreted axes', () => {
    const t = new DependentTransform(new ExpTransform(), 2);
    expect(t.domain.eventDim).toBe(2);
    const x = f64([4, 3, 2], 32);
    expect(t.callAndLadj(x)[1].shape).toEqual([4]);
  });

  it('elementwise ladj broadcasts parameters against x', () => {
    const t = new MonotonicAffineTransform(tensor([1, 2, 3], { dtype: 'float64' }), tensor([0.1, 0.2, 0.3], { dtype: 'float64' }));
    expect(t.callAndLadj(randn([7, 3], { seed: 1, dtype: 'float64' }))[1].shape).toEqual([7, 3]);
  });

  it('values: Softclip, CircularShift (Python %), MonotonicAffine bounded log-scale', () => {
    expect(new SoftclipTransform(2).call(tensor([2, -6], { dtype: 'float64' })).toArray()).toEqual([1, -1.5]);
    expect(new CircularShiftTransform(1).call(tensor([0.5, -0.25, 3], { dtype: 'float64' })).toArray()).toEqual([-0.5, 0.75, 0]);
    const ln = Math.log(1e-3);
    const l = 5 / (1 + Math.abs(5 / ln));
    const y = new MonotonicAffineTransform(tensor([1], { dtype: 'float64' }), tensor([5], { dtype: 'float64' })).call(tensor([2], { dtype: 'float64' }));
    expect(y.item()).toBeCloseTo(2 * Math.exp(l) + 1, 13);
  });

  it('autoregressive: fewer passes than the dependency depth does not invert; coupling keeps part a', () => {
    const x = f64([5, 4], 44);
    const t2 = autoregressive(4, 40, 2);
    const back = t2.inv.call(t2.call(x));
    expect(Math.max(...Array.from(back.sub(x).abs().dataSync()))).toBeGreaterThan(1e-6);
    const c = coupling(42);
    const y = c.call(x);
    expect(Array.from(y.slice(1, 0, 1).dataSync())).toEqual(Array.from(x.slice(1, 0, 1).dataSync()));
    expect(c.toString()).toBe('CouplingTransform(a=[0,2], b=[1,3])');
  });

  it('bad arguments: permutation, rotation and LU shapes', () => {
    expect(() => new PermutationTransform([0, 0, 1])).toThrow(/not a permutation/);
    expect(() => new RotationTransform(f64([2, 3], 1))).toThrow(/A must be \[\.\.\., D, D\], got \[2,3\]/);
    expect(() => new LULinearTransform(f64([3], 1))).toThrow(/LU must be/);
  });
});
