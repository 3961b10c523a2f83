import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { type Tensor, tensor } from '@eddy/core';
import { hostValues } from '@eddy/testing';
import { describe, expect, it } from 'vitest';

const f64 = (v: number[][]) => tensor(v, { dtype: 'float64' });

/** exp(A) by a 60-term Taylor series with 2^8 scaling: an independent (slow) reference. */
function expmTaylor(a: number[][]): number[][] {
  const s = 8;
  const as = a.map((r) => r.map((v) => v / 2 ** s));
  const mm = (p: number[][], q: number[][]) => p.map((r) => q[0]!.map((_, j) => r.reduce((acc, v, k) => acc + v * q[k]![j]!, 0)));
  let term: number[][] = a.map((r, i) => r.map((_, j) => (i === j ? 1 : 0)));
  let sum = term.map((r) => [...r]);
  for (let k = 1; k < 60; k++) {
    term = mm(term, as).map((r) => r.map((v) => v / k));
    sum = sum.map((r, i) => r.map((v, j) => v + term[i]![j]!));
  }
  for (let i = 0; i < s; i++) sum = mm(sum, sum);
  return sum;
}

function maxAbsDiff(a: Tensor, b: number[][]): number {
  const d = a.dataSync();
  return Math.max(...b.flat().map((v, i) => Math.abs(v - (d[i] as number)) / Math.max(1, Math.abs(v))));
}

describe('matrixExp', () => {
  it('rotation generator gives [[cos, sin], [-sin, cos]]', () => {
    const t = 0.7;
    const r = E.matrixExp(f64([[0, t], [-t, 0]]));
    expect(maxAbsDiff(r, [[Math.cos(t), Math.sin(t)], [-Math.sin(t), Math.cos(t)]])).toBeLessThan(1e-15);
  });
  it('nilpotent and diagonal matrices', () => {
    expect(maxAbsDiff(E.matrixExp(f64([[0, 1], [0, 0]])), [[1, 1], [0, 1]])).toBeLessThan(1e-15);
    expect(maxAbsDiff(E.matrixExp(f64([[2, 0], [0, -3]])), [[Math.exp(2), 0], [0, Math.exp(-3)]])).toBeLessThan(1e-14);
  });
  it('matches a high-order Taylor reference for random 4×4 of small and large norm', () => {
    for (const [seed, scale] of [[1, 0.3], [2, 1], [3, 6]] as const) {
      const v = Array.from(hostValues(16, seed, -scale, scale));
      const a = [0, 1, 2, 3].map((i) => v.slice(4 * i, 4 * i + 4));
      // Normwise: the largest deviation relative to the largest entry.
      const ref = expmTaylor(a);
      const got = E.matrixExp(f64(a)).dataSync();
      const big = Math.max(...ref.flat().map(Math.abs));
      const dev = Math.max(...ref.flat().map((r, i) => Math.abs(r - (got[i] as number))));
      expect(dev / big).toBeLessThan(1e-13);
    }
  });
  it('exp(A)·exp(-A) = I and batches work', () => {
    const a = tensor(hostValues(2 * 9, 7), { shape: [2, 3, 3], dtype: 'float64' });
    const p = E.matmul(E.matrixExp(a), E.matrixExp(a.neg()));
    const id = E.expand(E.eye(3, 3, { dtype: 'float64' }), [2, 3, 3]);
    expect(E.max(E.abs(p.sub(id))).item()).toBeLessThan(1e-13);
  });
  it('of a skew-symmetric matrix is orthogonal (Rotation transforms rely on it)', () => {
    const m = tensor(hostValues(25, 9), { shape: [5, 5], dtype: 'float64' });
    const r = E.matrixExp(m.sub(E.transpose(m)));
    const rtr = E.matmul(E.transpose(r), r);
    expect(E.max(E.abs(rtr.sub(E.eye(5, 5, { dtype: 'float64' })))).item()).toBeLessThan(1e-13);
  });
  it('rejects non-square input', () => {
    expect(() => E.matrixExp(E.zeros([2, 3], { dtype: 'float64' }))).toThrow(/matrixExp: expected \[\.\.\., n, n\], got \[2,3\]/);
  });
});

describe('solve and triangular solve', () => {
  it('solve needs pivoting and is accurate', () => {
    const a = f64([[0, 2, 1], [1, 1, 1], [2, 1, 0]]);
    const x = f64([[1], [2], [3]]);
    const b = E.matmul(a, x);
    expect(maxAbsDiff(E.solve(a, b), [[1], [2], [3]])).toBeLessThan(1e-14);
  });
  it('solve broadcasts batch dims', () => {
    const a = tensor(hostValues(2 * 4 * 4, 3), { shape: [2, 4, 4], dtype: 'float64' }).add(E.eye(4, 4, { dtype: 'float64' }).mul(5));
    const b = tensor(hostValues(4 * 2, 4), { shape: [4, 2], dtype: 'float64' });
    const x = E.solve(a, b);
    expect(x.shape).toEqual([2, 4, 2]);
    expect(E.max(E.abs(E.matmul(a, x).sub(b))).item()).toBeLessThan(1e-13);
  });
  it('triangular solve error names both shapes', () => {
    expect(() => E.triangularSolve(E.zeros([3, 3]), E.zeros([2, 1]))).toThrow(/A \[3,3\] must be \[\.\.\., n, n\] and B \[2,1\]/);
  });
  it('tril, triu, diagonal', () => {
    const x = f64([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(E.tril(x).toArray()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(E.triu(x, 1).toArray()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(E.diagonal(x).toArray()).toEqual([1, 5, 9]);
  });
});
