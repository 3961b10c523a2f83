import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { type Tensor, tensor } from '@eddy/core';
import { gradcheck, hostValues } from '@eddy/testing';
import { describe, expect, it } from 'vitest';

/** A float64 tensor of deterministic values in [lo, hi). */
function rnd(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  return tensor(hostValues(E.sizeOf(shape), seed, lo, hi), { shape, dtype: 'float64' });
}

const TOL = 1e-6;

type Case = [name: string, f: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]];

const cases: Case[] = [
  // unary
  ['neg', E.neg, () => [rnd([3, 4], 1)]],
  ['exp', E.exp, () => [rnd([3, 4], 2)]],
  ['expm1', E.expm1, () => [rnd([3, 4], 3)]],
  ['log', E.log, () => [rnd([3, 4], 4, 0.2, 3)]],
  ['log1p', E.log1p, () => [rnd([3, 4], 5, -0.5, 3)]],
  ['sqrt', E.sqrt, () => [rnd([3, 4], 6, 0.2, 3)]],
  ['square', E.square, () => [rnd([3, 4], 7)]],
  ['reciprocal', E.reciprocal, () => [rnd([3, 4], 8, 0.5, 2)]],
  ['abs', E.abs, () => [rnd([3, 4], 9, 0.1, 2).mul(tensor([1, -1, 1, -1], { dtype: 'float64' }))]],
  ['sin', E.sin, () => [rnd([3, 4], 10)]],
  ['cos', E.cos, () => [rnd([3, 4], 11)]],
  ['tan', E.tan, () => [rnd([3, 4], 12, -1, 1)]],
  ['asin', E.asin, () => [rnd([3, 4], 13, -0.9, 0.9)]],
  ['acos', E.acos, () => [rnd([3, 4], 14, -0.9, 0.9)]],
  ['atan', E.atan, () => [rnd([3, 4], 15)]],
  ['sinh', E.sinh, () => [rnd([3, 4], 16)]],
  ['cosh', E.cosh, () => [rnd([3, 4], 17)]],
  ['tanh', E.tanh, () => [rnd([3, 4], 18)]],
  ['sigmoid', E.sigmoid, () => [rnd([3, 4], 19, -6, 6)]],
  ['logsigmoid', E.logsigmoid, () => [rnd([3, 4], 20, -6, 6)]],
  ['softplus', E.softplus, () => [rnd([3, 4], 21, -6, 6)]],
  ['relu', E.relu, () => [rnd([3, 4], 22, 0.1, 2).mul(tensor([1, -1, 1, -1], { dtype: 'float64' }))]],
  ['elu', (x) => E.elu(x, 1.5), () => [rnd([3, 4], 23, 0.1, 2).mul(tensor([1, -1, 1, -1], { dtype: 'float64' }))]],
  ['erf', E.erf, () => [rnd([3, 4], 24)]],
  ['erfc', E.erfc, () => [rnd([3, 4], 25)]],
  ['erfinv', E.erfinv, () => [rnd([3, 4], 26, -0.95, 0.95)]],
  ['lgamma', E.lgamma, () => [rnd([3, 4], 27, 0.3, 6)]],
  ['cast float64→float64 via float32 roundtrip-free path', (x) => E.cast(x, 'float64'), () => [rnd([2, 2], 28)]],
  // binary, with broadcasting in every pattern
  ['add broadcast', E.add, () => [rnd([2, 3], 30), rnd([3], 31)]],
  ['sub broadcast', E.sub, () => [rnd([2, 1, 4], 32), rnd([3, 1], 33)]],
  ['mul broadcast', E.mul, () => [rnd([4, 1], 34), rnd([1, 5], 35)]],
  ['mul scalar tensor', E.mul, () => [rnd([], 36), rnd([2, 3], 37)]],
  ['div', E.div, () => [rnd([2, 3], 38), rnd([2, 1], 39, 0.5, 2)]],
  ['pow', E.pow, () => [rnd([2, 3], 40, 0.3, 2), rnd([3], 41)]],
  ['atan2', E.atan2, () => [rnd([2, 3], 42), rnd([2, 3], 43)]],
  ['minimum', E.minimum, () => [rnd([3, 4], 44), rnd([4], 45)]],
  ['maximum', E.maximum, () => [rnd([3, 4], 46), rnd([3, 1], 47)]],
  ['remainder', E.remainder, () => [rnd([3, 4], 48, 0.1, 5), rnd([4], 49, 0.7, 1.3)]],
  ['clamp', (x) => E.clamp(x, -1, 1), () => [rnd([3, 4], 50)]],
  ['where', (a, b) => E.where(E.gt(a, 0), a, b), () => [rnd([3, 4], 51), rnd([4], 52)]],
  // reductions
  ['sum all', (x) => E.sum(x), () => [rnd([2, 3, 4], 60)]],
  ['sum axes [0,2] keepdims', (x) => E.sum(x, [0, 2], true), () => [rnd([2, 3, 4], 61)]],
  ['mean axis 1', (x) => E.mean(x, 1), () => [rnd([2, 3, 4], 62)]],
  ['max axis -1', (x) => E.max(x, -1), () => [rnd([3, 5], 63)]],
  ['min axes [0,1]', (x) => E.min(x, [0, 1]), () => [rnd([3, 5], 64)]],
  ['prod axis 0', (x) => E.prod(x, 0), () => [rnd([3, 4], 65, 0.5, 1.5)]],
  ['logsumexp axis 1', (x) => E.logsumexp(x, 1), () => [rnd([3, 5], 66, -5, 5)]],
  ['softmax', (x) => E.softmax(x, -1), () => [rnd([3, 5], 67)]],
  ['logSoftmax axis 0', (x) => E.logSoftmax(x, 0), () => [rnd([3, 5], 68)]],
  ['cumsum axis 1', (x) => E.cumsum(x, 1), () => [rnd([3, 5], 69)]],
  ['cumsum axis 0', (x) => E.cumsum(x, 0), () => [rnd([3, 2, 2], 70)]],
  // shapes
  ['reshape', (x) => E.reshape(x, [4, -1]), () => [rnd([2, 3, 2], 80)]],
  ['flatten/unflatten', (x) => E.unflatten(E.flatten(x, 1), 1, [2, 3]), () => [rnd([2, 3, 2], 81)]],
  ['permute', (x) => E.permute(x, [2, 0, 1]), () => [rnd([2, 3, 4], 82)]],
  ['transpose', (x) => E.transpose(x, 0, 2), () => [rnd([2, 3, 4], 83)]],
  ['expand', (x) => E.expand(x, [3, 2, 4]), () => [rnd([2, 1], 84)]],
  ['squeeze/unsqueeze', (x) => E.unsqueeze(E.squeeze(x, 1), 0), () => [rnd([3, 1, 2], 85)]],
  ['slice', (x) => E.slice(x, 1, 1, 4), () => [rnd([2, 5], 86)]],
  ['slice step 2', (x) => E.slice(x, 1, 0, 5, 2), () => [rnd([2, 5], 87)]],
  ['padAxis', (x) => E.padAxis(x, 0, 1, 2, 3), () => [rnd([2, 3], 88)]],
  ['flip', (x) => E.flip(x, 1), () => [rnd([2, 4], 89)]],
  ['concat', (a, b) => E.concat([a, b], 1), () => [rnd([2, 3], 90), rnd([2, 2], 91)]],
  ['stack', (a, b) => E.stack([a, b], 2), () => [rnd([2, 3], 92), rnd([2, 3], 93)]],
  ['split', (x) => { const [p, q] = E.split(x, [1, 3], 1); return E.mul(p as Tensor, E.sum(q as Tensor, 1, true)); }, () => [rnd([3, 4], 94)]],
  ['select', (x) => E.select(x, 1, -1), () => [rnd([3, 4], 95)]],
  // indexing
  ['gather', (x) => E.gather(x, tensor([[2, 0, 2], [1, 1, 0]], { dtype: 'int32' }), 1), () => [rnd([2, 3], 100)]],
  ['gather broadcast', (x) => E.gather(x, tensor([[0], [2]], { dtype: 'int32' }), 1), () => [rnd([1, 3], 101)]],
  ['take', (x) => E.take(x, [3, 0, 0, -1], 1), () => [rnd([2, 4], 102)]],
  ['scatterAdd', (x, s) => E.scatterAdd(x, tensor([[0, 0, 2], [1, 2, 1]], { dtype: 'int32' }), s, 1), () => [rnd([2, 3], 103), rnd([2, 3], 104)]],
  // linear algebra
  ['matmul', E.matmul, () => [rnd([3, 5], 110), rnd([5, 2], 111)]],
  ['matmul batched broadcast', E.matmul, () => [rnd([2, 1, 3, 4], 112), rnd([3, 4, 2], 113)]],
  ['matmul weight shared over batch', E.matmul, () => [rnd([2, 3, 4], 114), rnd([4, 2], 115)]],
  ['matmul vector', E.matmul, () => [rnd([4], 116), rnd([4, 3], 117)]],
  ['tril', (x) => E.tril(x, -1), () => [rnd([4, 4], 118)]],
  ['triu', (x) => E.triu(x, 1), () => [rnd([2, 3, 3], 119)]],
  ['diagonal', E.diagonal, () => [rnd([2, 3, 3], 120)]],
  ['solve', E.solve, () => [rnd([3, 3], 121).add(E.eye(3, 3, { dtype: 'float64' }).mul(4)), rnd([3, 2], 122)]],
  ['solve batched', E.solve, () => [rnd([2, 3, 3], 123).add(E.eye(3, 3, { dtype: 'float64' }).mul(4)), rnd([3, 1], 124)]],
  ['matrixExp', E.matrixExp, () => [rnd([3, 3], 125, -1, 1)]],
  ['matrixExp scaled (norm > θ13)', E.matrixExp, () => [rnd([3, 3], 126, -4, 4)]],
  ['matrixExp batched', E.matrixExp, () => [rnd([2, 2, 2], 127, -1, 1)]],
];

for (const upper of [false, true]) {
  for (const transpose of [false, true]) {
    for (const unitDiagonal of [false, true]) {
      cases.push([
        `triangularSolve upper=${upper} transpose=${transpose} unit=${unitDiagonal}`,
        (a, b) => E.triangularSolve(a, b, { upper, transpose, unitDiagonal }),
        () => [rnd([3, 3], 130, -0.5, 0.5).add(E.eye(3, 3, { dtype: 'float64' }).mul(2)), rnd([2, 3, 2], 131)],
      ]);
    }
  }
}

describe('gradients of every differentiable op match central finite differences (float64)', () => {
  for (const [name, f, inputs] of cases) {
    it(name, () => {
      const r = gradcheck(f, inputs());
      expect(r.maxRelError, `relative errors ${r.relErrors.join(', ')}`).toBeLessThanOrEqual(TOL);
    });
  }
});

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
