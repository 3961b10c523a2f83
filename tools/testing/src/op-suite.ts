import * as E from '@eddy/core';
import { type Tensor, tensor } from '@eddy/core';
import { expect, it } from 'vitest';
import { hostValues } from './host-values.js';
import type { BackendContext } from './describe-backends.js';

function worst(a: Tensor, b: ArrayLike<number>): number {
  const d = a.dataSync();
  let w = 0;
  for (let i = 0; i < b.length; i++) w = Math.max(w, Math.abs((b[i] as number) - (d[i] as number)) / Math.max(1, Math.abs(b[i] as number)));
  return w;
}

/**
 * The op tests of core (elementwise semantics, reductions, shapes, indexing, linear
 * algebra), written once for {@link describeBackends}: every tensor is made in
 * `ctx.dtype` on the active backend, tolerances scale with `ctx.rtol`.
 */
export function coreOpTests(ctx: BackendContext): void {
  const { dtype } = ctx;
  const t = (v: number[] | number[][] | number): Tensor => tensor(v, { dtype });
  const f32 = dtype === 'float32';
  // float64: ~1e-14 where the float64 tests of core asked for it; float32: a few ulps of the size of the problem.
  const tight = f32 ? 1e-5 : 1e-14;
  const loose = f32 ? 1e-4 : 1e-13;

  it('empty tensors work through ops', () => {
    const z = E.zeros([0, 3], { dtype });
    expect(z.add(1).shape).toEqual([0, 3]);
    expect(E.sum(z, 1).shape).toEqual([0]);
    expect(E.matmul(z, E.ones([3, 2], { dtype })).shape).toEqual([0, 2]);
  });
  it('softplus follows PyTorch (identity above 20) and is stable', () => {
    const x = t([-1000, 0, 25, 1000]);
    expect(worst(E.softplus(x), [0, Math.LN2, 25, 1000])).toBeLessThanOrEqual(ctx.rtol);
    expect(E.logsigmoid(x).dataSync()[0]).toBe(-1000);
  });
  it('logsumexp handles -Infinity rows and large values', () => {
    const r = E.logsumexp(
      t([
        [-Infinity, -Infinity],
        [1000, 1000],
      ]),
      1,
    ).toArray() as number[];
    expect(r[0]).toBe(-Infinity);
    expect(Math.abs((r[1] as number) - (1000 + Math.LN2)) / 1000).toBeLessThanOrEqual(f32 ? 1e-6 : 1e-14);
  });
  it('remainder matches Python', () => {
    expect(E.remainder(t([-7, 7, 5.5]), t([3, -3, 2])).toArray()).toEqual([2, -2, 1.5]);
  });
  it('clamp, minimum, maximum, where, comparisons and logical ops', () => {
    const x = t([-2, 0.5, 2]);
    expect(E.clamp(x, -1, 1).toArray()).toEqual([-1, 0.5, 1]);
    expect(E.maximum(x, 0).toArray()).toEqual([0, 0.5, 2]);
    expect(E.minimum(x, tensor(Number.NaN, { dtype })).toArray()).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(E.ge(x, 0.5).toArray()).toEqual([false, true, true]);
    expect(E.gt(x, 0.5).toArray()).toEqual([false, false, true]);
    expect(E.le(x, 0.5).toArray()).toEqual([true, true, false]);
    expect(E.lt(x, 0.5).toArray()).toEqual([true, false, false]);
    expect(E.eq(x, 0.5).toArray()).toEqual([false, true, false]);
    expect(E.ne(x, 0.5).toArray()).toEqual([true, false, true]);
    const v = t([Number.POSITIVE_INFINITY, 1, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(E.logicalNot(E.isfinite(v)).toArray()).toEqual([true, false, true, true]);
    expect(E.isnan(v).toArray()).toEqual([false, false, true, false]);
    const p = tensor([true, true, false, false]);
    const q = tensor([true, false, true, false]);
    expect(E.logicalAnd(p, q).toArray()).toEqual([true, false, false, false]);
    expect(E.logicalOr(p, q).toArray()).toEqual([true, true, true, false]);
    expect(E.where(E.gt(x, 0), x, t([10, 20, 30])).toArray()).toEqual([10, 0.5, 2]);
  });
  it('split, select, take, squeeze', () => {
    const x = E.arange(0, 6, 1, { dtype }).reshape([2, 3]);
    const [p, q] = E.split(x, [1, 2], 1);
    expect(p?.toArray()).toEqual([[0], [3]]);
    expect(q?.toArray()).toEqual([
      [1, 2],
      [4, 5],
    ]);
    expect(E.select(x, 0, 1).toArray()).toEqual([3, 4, 5]);
    expect(E.take(x, tensor([[0, 2]], { dtype: 'int32' }), 1).shape).toEqual([2, 1, 2]);
    expect(E.squeeze(E.zeros([1, 2, 1], { dtype })).shape).toEqual([2]);
  });
  it('reductions: sum, mean, prod, max, min, logsumexp, softmax over axes', () => {
    const v = hostValues(24, 5, 0.5, 1.5);
    const x = tensor(v, { shape: [2, 3, 4], dtype });
    const r = dtype === 'float32' ? Math.fround : (a: number) => a;
    let s = 0;
    for (const a of v) s += r(a);
    expect(Math.abs(E.sum(x).item() - s) / s).toBeLessThanOrEqual(ctx.rtol * 4);
    expect(Math.abs(E.mean(x).item() - s / 24) / (s / 24)).toBeLessThanOrEqual(ctx.rtol * 4);
    expect(E.sum(x, [0, 2], true).shape).toEqual([1, 3, 1]);
    const sm = E.softmax(x, -1);
    expect(worst(E.sum(sm, -1), new Array(6).fill(1))).toBeLessThanOrEqual(ctx.rtol * 4);
    expect(worst(E.logsumexp(x, 1), E.log(E.sum(E.exp(x), 1)).dataSync())).toBeLessThanOrEqual(ctx.rtol * 4);
  });
  it('matrixExp: rotation generator, nilpotent and diagonal matrices', () => {
    const a = 0.7;
    expect(
      worst(
        E.matrixExp(
          t([
            [0, a],
            [-a, 0],
          ]),
        ),
        [Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a)],
      ),
    ).toBeLessThan(tight);
    expect(
      worst(
        E.matrixExp(
          t([
            [0, 1],
            [0, 0],
          ]),
        ),
        [1, 1, 0, 1],
      ),
    ).toBeLessThan(tight);
    expect(
      worst(
        E.matrixExp(
          t([
            [2, 0],
            [0, -3],
          ]),
        ),
        [Math.exp(2), 0, 0, Math.exp(-3)],
      ),
    ).toBeLessThan(f32 ? 1e-5 : 1e-14);
  });
  it('matrixExp: exp(A)·exp(-A) = I in batches; a skew-symmetric matrix gives an orthogonal one', () => {
    const a = tensor(hostValues(2 * 9, 7), { shape: [2, 3, 3], dtype });
    const p = E.matmul(E.matrixExp(a), E.matrixExp(a.neg()));
    expect(E.max(E.abs(p.sub(E.expand(E.eye(3, 3, { dtype }), [2, 3, 3])))).item()).toBeLessThan(f32 ? 1e-4 : 1e-13);
    const m = tensor(hostValues(25, 9), { shape: [5, 5], dtype });
    const r = E.matrixExp(m.sub(E.transpose(m)));
    expect(E.max(E.abs(E.matmul(E.transpose(r), r).sub(E.eye(5, 5, { dtype })))).item()).toBeLessThan(f32 ? 1e-5 : 1e-13);
    expect(() => E.matrixExp(E.zeros([2, 3], { dtype }))).toThrow(/matrixExp: expected \[\.\.\., n, n\], got \[2,3\]/);
  });
  it('solve needs pivoting, is accurate and broadcasts batch dims', () => {
    const a = t([
      [0, 2, 1],
      [1, 1, 1],
      [2, 1, 0],
    ]);
    expect(worst(E.solve(a, E.matmul(a, t([[1], [2], [3]]))), [1, 2, 3])).toBeLessThan(f32 ? 1e-5 : 1e-14);
    const ab = tensor(hostValues(2 * 4 * 4, 3), { shape: [2, 4, 4], dtype }).add(E.eye(4, 4, { dtype }).mul(5));
    const b = tensor(hostValues(4 * 2, 4), { shape: [4, 2], dtype });
    const x = E.solve(ab, b);
    expect(x.shape).toEqual([2, 4, 2]);
    expect(E.max(E.abs(E.matmul(ab, x).sub(b))).item()).toBeLessThan(loose);
    expect(() => E.triangularSolve(E.zeros([3, 3], { dtype }), E.zeros([2, 1], { dtype }))).toThrow(/A \[3,3\] must be \[\.\.\., n, n\] and B \[2,1\]/);
  });
  it('tril, triu, diagonal', () => {
    const x = t([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(E.tril(x).toArray()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
      [7, 8, 9],
    ]);
    expect(E.triu(x, 1).toArray()).toEqual([
      [0, 2, 3],
      [0, 0, 6],
      [0, 0, 0],
    ]);
    expect(E.diagonal(x).toArray()).toEqual([1, 5, 9]);
  });
}
