import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { type Tensor, tensor } from '@eddy/core';
import { describeBackends, gradcheck, gradientTests, hostValues } from '@eddy/testing';
import { describe, expect, it } from 'vitest';

/** A float64 tensor of deterministic values in [lo, hi). */
function rnd(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  return tensor(hostValues(E.sizeOf(shape), seed, lo, hi), { shape, dtype: 'float64' });
}

// Every differentiable op: float64 against central finite differences, float32 against the
// float64 gradients, on each CPU configuration (the gpu backend runs the float32 checks in
// packages/backend-gpu/test; here its absence is reported by name).
describeBackends('gradients of every differentiable op', gradientTests);

describe('autodiff machinery', () => {
  const x = () => rnd([3], 200, 0.5, 1.5);

  it('grad of an unused input is zeros; gradients accumulate over shared uses', () => {
    const [gx, gy] = E.grad((a: Tensor, b: Tensor) => E.sum(E.mul(a, a)).add(E.sum(a)).add(E.sum(b).mul(0)))(x(), x());
    const expected = Array.from(x().dataSync(), (v) => 2 * v + 1);
    const got = gx?.dataSync() ?? [];
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 14);
    expect(Array.from(gy?.dataSync() ?? [])).toEqual([0, 0, 0]);
    const [g0] = E.grad((a: Tensor, _b: Tensor) => E.sum(a))(x(), x());
    expect(g0?.shape).toEqual([3]);
  });

  it('noGrad records nothing', () => {
    const p = new E.Parameter(x());
    const y = E.noGrad(() => E.sum(E.exp(p)));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
  });

  it('second derivatives with createGraph match the analytic value', () => {
    // f(x) = Σ x³ → f'(x) = 3x², f''(x)·1 = 6x.
    const xl = x().requireGrad();
    const [g] = E.gradients(E.sum(E.pow(xl, 3)), [xl], { createGraph: true });
    const [h] = E.gradients(E.sum(g as Tensor), [xl]);
    const xv = x().dataSync();
    const hv = (h as Tensor).dataSync();
    for (let i = 0; i < 3; i++) expect(hv[i]).toBeCloseTo(6 * (xv[i] as number), 12);
  });

  it('customGrad uses the given backward (implicit-gradient style)', () => {
    // y solves y³ + y = x (found by bisection, no graph); dy/dx = 1 / (3y² + 1).
    const cubicRoot = E.customGrad((xx: Tensor) => {
      let lo = E.full(xx.shape, -10, { dtype: 'float64' });
      let hi = E.full(xx.shape, 10, { dtype: 'float64' });
      for (let i = 0; i < 80; i++) {
        const mid = lo.add(hi).mul(0.5);
        const above = E.gt(mid.pow(3).add(mid), xx);
        hi = E.where(above, mid, hi);
        lo = E.where(above, lo, mid);
      }
      const y = lo.add(hi).mul(0.5);
      return { value: y, backward: (g: Tensor) => [g.div(y.square().mul(3).add(1))] };
    });
    const r = gradcheck(cubicRoot, [rnd([4], 201)]);
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('where guards the branch not taken: no NaN gradient from log(where(ok, x, 1))', () => {
    const xs = tensor([-1, 2], { dtype: 'float64' });
    const [g] = E.grad((v: Tensor) => E.sum(E.where(E.gt(v, 0), E.log(E.where(E.gt(v, 0), v, 1)), 0)))(xs);
    expect(Array.from(g?.dataSync() ?? [])).toEqual([0, 0.5]);
  });

  it('gradients() rejects a non-scalar output without gradOutput and a wrt that needs no grad', () => {
    const p = new E.Parameter(x());
    expect(() => E.gradients(E.exp(p), [p])).toThrow(E.ShapeError);
    expect(() => E.gradients(E.sum(E.exp(p)), [x()])).toThrow(/does not require gradients/);
    const [g] = E.gradients(E.exp(p), [p], { gradOutput: E.ones([3], { dtype: 'float64' }) });
    expect(g?.shape).toEqual([3]);
  });
});

describe('autodiff edge cases', () => {
  it('pow: the base gradient is 0 where the exponent is 0, even at base 0', () => {
    const [g] = E.grad((x: Tensor) => E.sum(E.pow(x, 0)))(tensor([0, 2], { dtype: 'float64' }));
    expect(Array.from(g?.dataSync() ?? [])).toEqual([0, 0]);
  });

  it('gradients() skips the history that cannot reach wrt', () => {
    let calls = 0;
    const counted = E.customGrad((t: Tensor) => ({
      value: t.mul(2),
      backward: (g: Tensor) => {
        calls++;
        return [g.mul(2)];
      },
    }));
    const p = new E.Parameter(tensor([1, 2], { dtype: 'float64' }));
    let q: Tensor = p;
    for (let i = 0; i < 20; i++) q = counted(q);
    const x = tensor([3, 4], { dtype: 'float64' }).requireGrad();
    const [gx] = E.gradients(E.sum(x.mul(q)), [x]);
    expect(calls).toBe(0);
    expect(Array.from(gx?.dataSync() ?? [])).toEqual(Array.from(q.dataSync()));
    const [gp] = E.gradients(E.sum(x.mul(q)), [p]);
    expect(calls).toBe(20);
    expect(Array.from(gp?.dataSync() ?? [])).toEqual([3 * 2 ** 20, 4 * 2 ** 20]);
  });
});
