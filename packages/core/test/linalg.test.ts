import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { tensor } from '@eddy/core';
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

// The other matrixExp, solve and tril/triu tests run on every backend: coreOpTests in @eddy/testing.
describe('matrixExp (float64 only)', () => {
  it('matches a high-order Taylor reference for random 4×4 of small and large norm', () => {
    for (const [seed, scale] of [
      [1, 0.3],
      [2, 1],
      [3, 6],
    ] as const) {
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
});
